import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyProposals } from '../../src/lib/registry/apply-proposals.ts';
import { explainRole } from '../../src/lib/policy/explain-role.ts';
import { loadRegistry } from '../../src/lib/registry/load-registry.ts';
import type { Report } from '../../src/lib/schema/report.ts';
import { PROJECT_ROOT } from '../../testing/project-copy.ts';

let root: string;
const draft = () => readFile(path.join(root, 'benchmarks', 'roles', 'draft.yaml'), 'utf8');
const context = { date: '2026-11-26', report: 'local-model-benchmark-2026-11-26' };

beforeEach(async () => {
	root = await mkdtemp(path.join(os.tmpdir(), 'lmb-apply-'));
	await cp(path.join(PROJECT_ROOT, 'benchmarks'), path.join(root, 'benchmarks'), {
		recursive: true,
		filter: (source) => !source.includes(`${path.sep}cases`),
	});
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('applying proposals to the registry', () => {
	const promote: Report['proposals'][number] = {
		kind: 'promote',
		role: 'draft',
		model: 'llama3.1:8b',
		replaces: 'gemma4:latest',
		reason: 'llama3.1:8b replaces gemma4:latest: acceptance_rate 0.90 vs 0.60',
	};

	it('promotes, retires the old incumbent with date, reason and report, and keeps every comment', async () => {
		const before = await draft();
		const comments = before.split('\n').filter((line) => line.trimStart().startsWith('#'));
		expect(comments.length).toBeGreaterThan(5);

		const changes = await applyProposals(root, [promote], context);
		expect(changes.map((change) => change.applied)).toEqual([true]);

		const after = await draft();
		for (const comment of comments) expect(after).toContain(comment);
		expect(after).toContain('incumbent: llama3.1:8b');
		expect(after).toMatch(/challengers:\n {2}- granite3\.3:8b\n/);
		expect(after).toContain(
			'retired:\n  - model: gemma4:latest\n    reason: "llama3.1:8b replaces gemma4:latest: acceptance_rate 0.90 vs 0.60"\n    date: 2026-11-26\n    report: local-model-benchmark-2026-11-26\n',
		);
		// The result is still a valid registry.
		const registry = await loadRegistry(root);
		expect(registry.roles.find((entry) => entry.role.role === 'draft')!.role).toMatchObject({
			incumbent: 'llama3.1:8b',
			challengers: ['granite3.3:8b'],
			retired: [{ model: 'gemma4:latest', date: '2026-11-26', report: context.report }],
		});
	});

	it('changes nothing, byte for byte, on a second apply', async () => {
		await applyProposals(root, [promote], context);
		const once = await draft();
		const again = await applyProposals(root, [promote], context);
		expect(again.map((change) => change.applied)).toEqual([false]);
		expect(again[0]!.note).toBe('llama3.1:8b already serves draft');
		expect(await draft()).toBe(once);
	});

	it('changes nothing with no proposals', async () => {
		const before = await draft();
		expect(await applyProposals(root, [], context)).toEqual([]);
		expect(await draft()).toBe(before);
	});

	it('retires a challenger', async () => {
		await applyProposals(
			root,
			[{ kind: 'retire', role: 'draft', model: 'granite3.3:8b', reason: 'failed hard on every case in each of the last 2 run(s)' }],
			context,
		);
		const after = await draft();
		expect(after).toMatch(/challengers:\n {2}- llama3\.1:8b\n/);
		expect(after).toContain('  - model: granite3.3:8b\n    reason: failed hard on every case in each of the last 2 run(s)\n');
	});
});

describe('explaining a role', () => {
	it('prints the gate table with both values, pass, the p-values, what was counted, and what would settle it', () => {
		const report = {
			verdicts: [
				{
					role: 'draft',
					challenger: 'llama3.1:8b',
					incumbent: 'gemma4:latest',
					outcome: 'hold: not enough evidence',
					reason: 'llama3.1:8b holds for more evidence',
					alpha: 0.05,
					more_evidence: { cases: 7 },
					gates: [
						{
							gate: 'acceptance_rate',
							challenger: 1,
							incumbent: 0.5,
							pass: true,
							test: 'exact sign test',
							detail: 'challenger better on 1 case, incumbent on 0, 1 tied',
							p_worse: 1,
							p_better: 0.5,
						},
						{ gate: 'strictly_better', challenger: 'none', incumbent: null, pass: false, test: 'exact sign test', p_better: 0.5 },
					],
				},
			],
			metrics: [],
			held_proposals: [
				{
					proposal: { kind: 'retire', role: 'draft', model: 'granite3.3:8b', reason: 'failed hard' },
					reason: 'held: retiring granite3.3:8b would leave draft served by 1 family (google-gemma), the policy needs 2',
				},
			],
		} as unknown as Report;
		expect(explainRole(report, 'local-model-benchmark-2026-11-26', 'draft')).toBe(
			[
				'draft — local-model-benchmark-2026-11-26',
				'incumbent: gemma4:latest',
				'paired tests judged at α 0.05 (one-sided)',
				'',
				'llama3.1:8b: hold: not enough evidence',
				'  llama3.1:8b holds for more evidence',
				'  more evidence that would settle it: about 7 more case(s)',
				'  gate             challenger  incumbent / limit  pass  p                    counted',
				'  acceptance_rate  1           0.5000             yes   worse 1, better 0.5  challenger better on 1 case, incumbent on 0, 1 tied',
				'  strictly_better  none        —                  NO    better 0.5',
				'  tests:',
				'    acceptance_rate: exact sign test',
				'',
				'held by the diversity guard:',
				'  retire granite3.3:8b: held: retiring granite3.3:8b would leave draft served by 1 family (google-gemma), the policy needs 2',
			].join('\n'),
		);
	});
});
