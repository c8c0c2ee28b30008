import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Case } from '../../src/lib/schema/case.ts';
import { type Report, ReportSchema } from '../../src/lib/schema/report.ts';
import { type FakeOllama, startFakeOllama } from '../fake-ollama/server.ts';
import { type ProjectCopy, astroBuild, runCommand } from '../support/project-copy.ts';
import { type Behaviour, fixtureCases, fixtureWorkspace, scriptedResponder } from '../support/workspace.ts';

const DRAFT_CASE = 'draft-commit-message-4479e1f0e5a2';
const APPROVE_CASE = 'review-code-review-6436e71d6d67';

// draft: the incumbent and granite get the case wrong, llama gets it right → llama clearly wins.
// review: gemma4:latest joins as a challenger and beats gemma4:26b, but both are google-gemma: promoting
// it would leave the role single-family.
const script: Record<string, Record<string, Behaviour>> = {
	'gemma4:latest': { [DRAFT_CASE]: 'wrong' },
	'llama3.1:8b': {},
	'granite3.3:8b': { [DRAFT_CASE]: 'wrong' },
	'deepseek-r1:14b': {},
	'gemma4:26b': { [APPROVE_CASE]: 'wrong' },
	'qwen2.5-coder:14b': {},
};

let cases: Case[];
let fake: FakeOllama;
let workspace: ProjectCopy;
let report: Report;
let page: string;

beforeAll(async () => {
	cases = await fixtureCases();
	workspace = await fixtureWorkspace('lmb-promotion-');
	const review = path.join(workspace.root, 'benchmarks', 'roles', 'review.yaml');
	await writeFile(review, (await readFile(review, 'utf8')).replace('challengers: []', 'challengers:\n  - gemma4:latest'));
	fake = await startFakeOllama({ models: Object.entries(script).map(([name, behaviours]) => ({ name, respond: scriptedResponder(cases, behaviours) })) });

	const build = await astroBuild(workspace.root, { OLLAMA_HOST: fake.url });
	expect(build.code, build.output).toBe(0);
	const [name] = (await readdir(path.join(workspace.root, 'reports'))).filter((file) => file.endsWith('.md') && file.startsWith('local-model'));
	report = ReportSchema.parse(parse(/^---\n([\s\S]*?)\n---\n/.exec(await readFile(path.join(workspace.root, 'reports', name!), 'utf8'))![1]!));
	page = (await readFile(path.join(workspace.root, 'dist', 'index.html'), 'utf8')).replace(/<style[^>]*>[\s\S]*?<\/style>/g, ' ').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}, 300_000);
afterAll(async () => {
	await fake?.close();
	await workspace?.dispose();
});

describe('a run where one challenger clearly wins and another would leave its role single-family', () => {
	it('records exactly those verdicts, with the deciding gate', () => {
		expect(report.verdicts.map((v) => `${v.role} ${v.challenger} ${v.outcome}`)).toEqual([
			'draft llama3.1:8b promote',
			'draft granite3.3:8b hold',
			'review gemma4:latest blocked: diversity',
		]);
		expect(report.verdicts[2]!.reason).toBe('gemma4:latest is blocked: the role would be served by 1 family (google-gemma), the policy needs 2');
		expect(report.verdicts[0]!.gates.find((g) => g.gate === 'acceptance_rate')).toEqual({ gate: 'acceptance_rate', challenger: 1, incumbent: 0, pass: true });
		expect(report.proposals).toEqual([{ kind: 'promote', role: 'draft', model: 'llama3.1:8b', replaces: 'gemma4:latest', reason: report.verdicts[0]!.reason }]);
	});

	it('shows them in the policy section of the page', () => {
		expect(page).toContain(`promote — ${report.verdicts[0]!.reason}`);
		expect(page).toContain('blocked: diversity — gemma4:latest is blocked: the role would be served by 1 family (google-gemma), the policy needs 2');
		expect(page).toContain('Proposed: promote llama3.1:8b in draft.');
	});

	it('writes the promotion into the registry with npm run promote, once', async () => {
		const draftFile = path.join(workspace.root, 'benchmarks', 'roles', 'draft.yaml');
		const explain = await runCommand(process.execPath, ['scripts/promote.ts', '--explain', 'review'], workspace.root);
		expect(explain.code, explain.output).toBe(0);
		expect(explain.stdout).toMatch(/gemma4:latest: blocked: diversity\n.*\n.*\n(.*\n)*\s+family_diversity\s+1\s+2\s+NO/);

		const first = await runCommand(process.execPath, ['scripts/promote.ts'], workspace.root);
		expect(first.code, first.output).toBe(0);
		expect(first.stdout).toContain('applied: benchmarks/roles/draft.yaml: llama3.1:8b now serves draft; gemma4:latest retired');
		const once = await readFile(draftFile, 'utf8');
		expect(once).toContain('incumbent: llama3.1:8b');

		const second = await runCommand(process.execPath, ['scripts/promote.ts'], workspace.root);
		expect(second.stdout).toContain('skipped: benchmarks/roles/draft.yaml: llama3.1:8b already serves draft');
		expect(await readFile(draftFile, 'utf8')).toBe(once);
	});
});
