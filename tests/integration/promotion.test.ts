import { cp, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Case, CaseSchema } from '../../src/lib/schema/case.ts';
import { type Report, ReportSchema } from '../../src/lib/schema/report.ts';
import { type FakeOllama, faults, startFakeOllama } from '../../testing/fake-ollama/server.ts';
import { PROJECT_ROOT, type ProjectCopy, astroBuild, runCommand } from '../../testing/project-copy.ts';
import { type Behaviour, fixtureCases, fixtureWorkspace, scriptedResponder } from '../../testing/workspace.ts';
import { pageText } from '../../testing/page-text.ts';

// The draft role runs on the fixture case plus the commit-message cases mined from this repository's
// own history, enough for the paired tests to show a difference.
// draft: the incumbent writes a bare "update" every time, llama writes what the authors wrote, granite
// fails hard on every case → llama is shown better and promoted; retiring granite as well would leave
// llama serving alone, so that retirement is held.
// review: gemma4:latest joins as a challenger and beats gemma4:26b on the one case they disagree on —
// not enough to show anything at α 0.05.
const APPROVE_CASE = 'review-code-review-6436e71d6d67';

let cases: Case[];
let draftIds: string[];
let fake: FakeOllama;
let workspace: ProjectCopy;
let report: Report;
let page: string;

beforeAll(async () => {
	workspace = await fixtureWorkspace('lmb-promotion-');
	const minedDraft = path.join(PROJECT_ROOT, 'benchmarks', 'cases', 'draft');
	await cp(minedDraft, path.join(workspace.root, 'benchmarks', 'cases', 'draft'), { recursive: true });
	cases = [
		...(await fixtureCases()),
		...(await Promise.all(
			(await readdir(minedDraft)).map(async (name) => CaseSchema.parse(JSON.parse(await readFile(path.join(minedDraft, name), 'utf8')))),
		)),
	];
	draftIds = [...new Set(cases.filter((c) => c.role === 'draft').map((c) => c.id))];
	const review = path.join(workspace.root, 'benchmarks', 'roles', 'review.yaml');
	await writeFile(review, (await readFile(review, 'utf8')).replace('challengers: []', 'challengers:\n  - gemma4:latest'));
	// One run of hard failures is enough to propose a retirement here, so one build shows the guard at work.
	const policy = path.join(workspace.root, 'benchmarks', 'policy.yaml');
	await writeFile(policy, (await readFile(policy, 'utf8')).replace('all_hard_failures_runs: 2', 'all_hard_failures_runs: 1'));

	const everyDraft = (behaviour: Behaviour) => Object.fromEntries(draftIds.map((id) => [id, behaviour]));
	const script: Record<string, Record<string, Behaviour>> = {
		'gemma4:latest': everyDraft('wrong'),
		'llama3.1:8b': {},
		'granite3.3:8b': everyDraft(faults.serverError()),
		'deepseek-r1:14b': {},
		'gemma4:26b': { [APPROVE_CASE]: 'wrong' },
		'qwen2.5-coder:14b': {},
	};
	fake = await startFakeOllama({
		models: Object.entries(script).map(([name, behaviours]) => ({ name, respond: scriptedResponder(cases, behaviours) })),
	});

	const build = await astroBuild(workspace.root, { OLLAMA_HOST: fake.url });
	expect(build.code, build.output).toBe(0);
	const [name] = (await readdir(path.join(workspace.root, 'reports'))).filter(
		(file) => file.endsWith('.md') && file.startsWith('local-model'),
	);
	report = ReportSchema.parse(
		parse(/^---\n([\s\S]*?)\n---\n/.exec(await readFile(path.join(workspace.root, 'reports', name!), 'utf8'))![1]!),
	);
	page = pageText(await readFile(path.join(workspace.root, 'dist', 'index.html'), 'utf8'));
}, 300_000);
afterAll(async () => {
	await fake?.close();
	await workspace?.dispose();
});

describe('a run where one challenger is shown better, one retirement would leave one family, and one race is too close to call', () => {
	it('records exactly those verdicts, each gate with its test', () => {
		expect(draftIds.length).toBeGreaterThanOrEqual(6);
		expect(report.verdicts.map((v) => `${v.role} ${v.challenger} ${v.outcome}`)).toEqual([
			'draft llama3.1:8b promote',
			'draft granite3.3:8b hold',
			'review gemma4:latest hold: not enough evidence',
		]);
		const acceptance = report.verdicts[0]!.gates.find((g) => g.gate === 'acceptance_rate')!;
		expect(acceptance).toMatchObject({ incumbent: 0, pass: true, test: expect.stringMatching(/^exact sign test/) });
		expect(acceptance.p_better).toBeLessThanOrEqual(0.05);
		expect(report.verdicts[2]!.more_evidence!.cases).toBeGreaterThan(0);
		expect(report.verdicts[2]!.reason).toMatch(
			/^gemma4:latest holds for more evidence: .*about \d+ more case\(s\) at the observed rates would settle it$/,
		);
		expect(report.proposals).toEqual([
			{ kind: 'promote', role: 'draft', model: 'llama3.1:8b', replaces: 'gemma4:latest', reason: report.verdicts[0]!.reason },
		]);
		expect(report.held_proposals).toEqual([
			{
				proposal: {
					kind: 'retire',
					role: 'draft',
					model: 'granite3.3:8b',
					reason: 'failed hard on every case in each of the last 1 run(s)',
				},
				reason:
					'held: retiring granite3.3:8b together with promoting llama3.1:8b would leave draft served by 1 family (meta-llama), the policy needs 2',
			},
		]);
	});

	it('shows them in the policy section of the page', () => {
		expect(page).toContain(`promote — ${report.verdicts[0]!.reason}`);
		expect(page).toContain(`hold: not enough evidence — ${report.verdicts[2]!.reason}`);
		expect(page).toContain('Proposed: promote llama3.1:8b in draft.');
		expect(page).toContain('Held: retire granite3.3:8b from draft');
	});

	it('writes the promotion into the registry with npm run promote, once, and explains the close race', async () => {
		const draftFile = path.join(workspace.root, 'benchmarks', 'roles', 'draft.yaml');
		const explain = await runCommand(process.execPath, ['scripts/promote.ts', '--explain', 'review'], workspace.root);
		expect(explain.code, explain.output).toBe(0);
		expect(explain.stdout).toContain('gemma4:latest: hold: not enough evidence');
		expect(explain.stdout).toMatch(/more evidence that would settle it: about \d+ more case\(s\)/);
		expect(explain.stdout).toMatch(
			/acceptance_rate\s+1\s+0\.6667\s+yes\s+worse 1, better 0\.5\s+challenger better on 1 case, incumbent on 0, 2 tied/,
		);

		const first = await runCommand(process.execPath, ['scripts/promote.ts'], workspace.root);
		expect(first.code, first.output).toBe(0);
		expect(first.stdout).toContain('held in the run: retire granite3.3:8b in draft: held: retiring granite3.3:8b');
		expect(first.stdout).toContain('applied: benchmarks/roles/draft.yaml: llama3.1:8b now serves draft; gemma4:latest retired');
		const once = await readFile(draftFile, 'utf8');
		expect(once).toContain('incumbent: llama3.1:8b');
		expect(once).toMatch(/challengers:\n {2}- granite3\.3:8b\n/);

		const second = await runCommand(process.execPath, ['scripts/promote.ts'], workspace.root);
		expect(second.stdout).toContain('skipped: benchmarks/roles/draft.yaml: llama3.1:8b already serves draft');
		expect(await readFile(draftFile, 'utf8')).toBe(once);
	});
});
