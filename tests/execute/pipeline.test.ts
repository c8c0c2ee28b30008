import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecutor } from '../../src/lib/execute/executor.ts';
import { stableStringify } from '../../src/lib/mine/serialize.ts';
import { runBenchmarkPipeline } from '../../src/lib/pipeline/benchmark-pipeline.ts';
import type { Case } from '../../src/lib/schema/case.ts';
import { CoderSchema } from '../../src/lib/schema/policy.ts';
import { ResultsFileSchema } from '../../src/lib/schema/report.ts';
import { type FakeOllama, startFakeOllama } from '../../testing/fake-ollama/server.ts';
import { astroBuild, type ProjectCopy } from '../../testing/project-copy.ts';
import { referenceAnswer, type ImplementChangeCase } from '../../src/lib/tasks/implement-change.ts';
import { caseOf, fixtureCases, fixtureWorkspace, scriptedResponder } from '../../testing/workspace.ts';
import { createCalcStory, type CalcStory, mineCalcCoderCases } from './calc-repo.ts';

let story: CalcStory;
let scratch: string;
let coderCases: Case[];
let cases: Case[];
const logged: string[] = [];
const logger = { info: (line: string) => logged.push(line), warn: (line: string) => logged.push(`warn: ${line}`) };

beforeAll(async () => {
	story = createCalcStory();
	scratch = await mkdtemp(path.join(tmpdir(), 'execute-pipeline-'));
	const executor = await createExecutor({
		projectRoot: story.repo.dir,
		settings: CoderSchema.parse({}),
		log: () => {},
		cacheDir: path.join(scratch, 'mine-cache'),
	});
	const mined = await mineCalcCoderCases(story, executor);
	coderCases = mined.cases;
	cases = [...(await fixtureCases()).filter((testCase) => testCase.role !== 'coder'), ...coderCases];
}, 120_000);

afterAll(async () => {
	story?.repo.cleanup();
	if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Runs the benchmark of `workspace` against `fake`, on a fixed day. */
const buildWith = (workspace: ProjectCopy, fake: { url: string }) =>
	runBenchmarkPipeline({ root: workspace.root, env: { OLLAMA_HOST: fake.url }, logger, now: () => new Date('2026-11-26T12:00:00Z') });

/** A project copy whose coder cases are the calc story's, read from its repository, with two challengers. */
async function coderWorkspace(coder: Record<string, unknown> = {}): Promise<ProjectCopy> {
	const workspace = await fixtureWorkspace('lmb-coder-');
	const casesDir = path.join(workspace.root, 'benchmarks', 'cases', 'coder');
	await rm(casesDir, { recursive: true, force: true });
	await mkdir(casesDir, { recursive: true });
	for (const testCase of coderCases) await writeFile(path.join(casesDir, `${testCase.id}.json`), stableStringify(testCase));
	const policyFile = path.join(workspace.root, 'benchmarks', 'policy.yaml');
	const policy = parse(await readFile(policyFile, 'utf8')) as Record<string, unknown>;
	policy.coder = { repository: story.repo.dir, ...coder };
	// Every model answers every case: these tests count test runs and answers, not when a challenger may stop.
	policy.evidence = { ...(policy.evidence as object), sequential: 'off' };
	await writeFile(policyFile, stringify(policy));
	const modelsFile = path.join(workspace.root, 'benchmarks', 'models.yaml');
	const models = parse(await readFile(modelsFile, 'utf8')) as object[];
	models.push({ id: 'coder-a:1b', family: 'family-a', cost_tier: 'free' }, { id: 'coder-b:1b', family: 'family-b', cost_tier: 'free' });
	await writeFile(modelsFile, stringify(models));
	const roleFile = path.join(workspace.root, 'benchmarks', 'roles', 'coder.yaml');
	const role = parse(await readFile(roleFile, 'utf8')) as { challengers: string[] };
	role.challengers = ['coder-a:1b', 'coder-b:1b'];
	await writeFile(roleFile, stringify(role));
	return workspace;
}

/** Per model, how it answers a coder case (the others answer right). */
type CoderScript = Record<string, (testCase: ImplementChangeCase) => string>;

async function fakeFor(coderScript: CoderScript = {}): Promise<FakeOllama> {
	const names = [
		'gemma4:latest',
		'llama3.1:8b',
		'granite3.3:8b',
		'deepseek-r1:14b',
		'gemma4:26b',
		'qwen2.5-coder:14b',
		'coder-a:1b',
		'coder-b:1b',
	];
	return startFakeOllama({
		models: names.map((name) => {
			const scripted = scriptedResponder(cases);
			const coder = coderScript[name];
			return {
				name,
				respond: coder
					? (request: Parameters<typeof scripted>[0]) => {
							const testCase = caseOf(request, cases);
							return testCase.task === 'implement-change'
								? { content: coder(testCase), evalCount: 40, evalDurationMs: 400 }
								: scripted(request);
						}
					: scripted,
			};
		}),
	});
}

/** An edit whose SEARCH text is in no file: it cannot be applied. */
const missingSearch = (testCase: ImplementChangeCase) =>
	`${testCase.input.files[0]!.path}\n\`\`\`\n<<<<<<< SEARCH\nconst nowhere = 'in this file';\n=======\nconst here = 1;\n>>>>>>> REPLACE\n\`\`\`\n`;

describe('the coder role in the benchmark pipeline', () => {
	it('runs the tests once, says which isolation they got, and a warm rebuild executes no test', async () => {
		const workspace = await coderWorkspace();
		const fake = await fakeFor();
		try {
			const run = () => buildWith(workspace, fake);
			logged.length = 0;
			const first = await run();
			expect(first.status).toBe('written');
			expect(logged.filter((line) => line.startsWith('coder tests run in bubblewrap'))).toHaveLength(1);
			const firstCount = logged.find((line) => line.startsWith('coder tests: '));
			expect(firstCount).toMatch(/^coder tests: [1-9]\d* run\(s\), \d+ from the cache$/);
			if (first.status !== 'written') return;
			const results = ResultsFileSchema.parse(JSON.parse(await readFile(first.results, 'utf8'))).results.filter(
				(result) => result.role === 'coder',
			);
			expect(results).toHaveLength(coderCases.length * 3);
			for (const result of results) {
				expect(result.outcome).toBe('accepted');
				expect(result.execution).toMatchObject({ status: 'passed', isolation: 'bubblewrap', runner: 'node', failed: 0 });
			}
			expect(first.report.verdicts.filter((verdict) => verdict.role === 'coder').map((verdict) => verdict.outcome)).not.toContain(
				'insufficient evidence',
			);
			expect(first.report.grader_validity.find((entry) => entry.task === 'implement-change')).toMatchObject({
				valid: true,
				reference: { rate: 1 },
			});

			logged.length = 0;
			const second = await run();
			expect(second.status).toBe('unchanged');
			// Every test run of the first build (models' answers and sentinels) now comes from the cache.
			const [, ran, reused] = (firstCount as string).match(/^coder tests: (\d+) run\(s\), (\d+) from/) as RegExpMatchArray;
			expect(logged).toContain(`coder tests: 0 run(s), ${Number(ran) + Number(reused)} from the cache`);

			// The run page and the case page show each coder result's tests, time and isolation.
			const built = await astroBuild(workspace.root, { BENCH: '0' });
			expect(built.code, built.output).toBe(0);
			const subtract = coderCases.find((testCase) => testCase.source.commit === story.subtract) as Case;
			const casePage = await readFile(path.join(workspace.root, 'dist', 'cases', subtract.id, 'index.html'), 'utf8');
			expect(casePage).toMatch(/Tests: 3 tests: 3 passed, 0 failed · \d+\.\d s · bubblewrap — 3 of 3 tests passed/);
			expect(casePage).toContain('test/calc.test.js');
			const runPage = await readFile(path.join(workspace.root, 'dist', 'runs', first.stem, 'index.html'), 'utf8');
			expect(runPage).toMatch(/<span class="tests"[^>]*>3 tests: 3 passed, 0 failed · \d+\.\d s · bubblewrap<\/span>/);
			// Beside acceptance, the share of answers whose edits parsed and applied.
			expect(runPage).toContain(`well-formed edits 100 % (${coderCases.length} of ${coderCases.length})`);
		} finally {
			await fake.close();
			await workspace.dispose();
		}
	}, 180_000);

	it('with coder.sandbox: none runs the tests but gives the role insufficient evidence, never a promotion', async () => {
		const workspace = await coderWorkspace({ sandbox: 'none' });
		const fake = await fakeFor();
		try {
			logged.length = 0;
			const result = await buildWith(workspace, fake);
			expect(logged.filter((line) => line.startsWith('coder tests run WITHOUT isolation'))).toHaveLength(1);
			expect(result.status).toBe('written');
			if (result.status !== 'written') return;
			const coder = result.report.verdicts.filter((verdict) => verdict.role === 'coder');
			expect(coder).toHaveLength(2);
			for (const verdict of coder) {
				expect(verdict.outcome).toBe('insufficient evidence');
				expect(verdict.reason).toMatch(/coder\.sandbox: none/);
			}
			expect(result.report.proposals.filter((proposal) => proposal.role === 'coder')).toEqual([]);
		} finally {
			await fake.close();
			await workspace.dispose();
		}
	}, 180_000);

	it('makes an edit that does not apply a malformed-edit hard failure naming its block, and reports the well-formed edit rate', async () => {
		const workspace = await coderWorkspace();
		// coder-a writes a block that does not apply; coder-b answers in the other format (whole files as JSON).
		const fake = await fakeFor({ 'coder-a:1b': missingSearch, 'coder-b:1b': (testCase) => referenceAnswer(testCase, 'whole') });
		try {
			const result = await buildWith(workspace, fake);
			expect(result.status).toBe('written');
			if (result.status !== 'written') return;
			const results = ResultsFileSchema.parse(JSON.parse(await readFile(result.results, 'utf8'))).results.filter(
				(entry) => entry.role === 'coder',
			);
			for (const entry of results.filter((candidate) => candidate.model !== 'qwen2.5-coder:14b')) {
				expect(entry).toMatchObject({ outcome: 'hard-failure', failure_class: 'malformed-edit' });
				expect(entry.execution).toBeUndefined();
			}
			const missing = results.find((entry) => entry.model === 'coder-a:1b')!;
			expect(missing.failure_message).toMatch(
				/^malformed edit: block 1 \(\S+, SEARCH "const nowhere = 'in this file';"\): the SEARCH text is not in \S+$/,
			);
			expect(results.find((entry) => entry.model === 'coder-b:1b')!.failure_message).toBe(
				'malformed edit: the answer holds no SEARCH/REPLACE block',
			);
			const metrics = new Map(result.report.metrics.filter((row) => row.role === 'coder').map((row) => [row.model, row]));
			const n = coderCases.length;
			expect(metrics.get('qwen2.5-coder:14b')!.well_formed_edits).toMatchObject({ well_formed: n, answered: n, rate: { value: 1 } });
			expect(metrics.get('coder-a:1b')!.well_formed_edits).toMatchObject({ well_formed: 0, answered: n, rate: { value: 0 } });
			expect(metrics.get('coder-a:1b')!.hard_failures_by_class).toEqual({ 'malformed-edit': n });
			expect(result.report.metrics.find((row) => row.role === 'draft')!.well_formed_edits).toBeNull();
			const body = await readFile(path.join(workspace.root, 'reports', `${result.stem}.md`), 'utf8');
			expect(body).toContain(`well-formed edits 0 % (0 of ${n})`);
			expect(body).toContain(`coder-a:1b hard failures: malformed-edit ${n}`);
			// Every sentinel is written as edits too: the grader stays valid on these cases.
			expect(result.report.grader_validity.find((entry) => entry.task === 'implement-change')).toMatchObject({
				valid: true,
				reference: { rate: 1 },
			});
		} finally {
			await fake.close();
			await workspace.dispose();
		}
	}, 180_000);

	it('with coder.answer_format: whole asks for whole files and grades them, and then an edit answer is unparseable', async () => {
		const workspace = await coderWorkspace({ answer_format: 'whole' });
		const fake = await fakeFor({
			'qwen2.5-coder:14b': (testCase) => referenceAnswer(testCase, 'whole'),
			'coder-a:1b': (testCase) => referenceAnswer(testCase, 'whole'),
			'coder-b:1b': (testCase) => referenceAnswer(testCase, 'edit'),
		});
		try {
			const result = await buildWith(workspace, fake);
			expect(result.status).toBe('written');
			if (result.status !== 'written') return;
			const coderAsks = fake.requests.filter(
				(request) => request.endpoint === 'chat' && JSON.stringify(request.body?.messages ?? []).includes('Make the change'),
			);
			expect(coderAsks.length).toBeGreaterThan(0);
			for (const request of coderAsks) expect(request.body?.format).toMatchObject({ required: ['files'] });
			const metrics = new Map(result.report.metrics.filter((row) => row.role === 'coder').map((row) => [row.model, row]));
			expect(metrics.get('coder-a:1b')!.accepted).toBe(coderCases.length);
			expect(metrics.get('coder-b:1b')!.hard_failures_by_class).toEqual({ unparseable: coderCases.length });
			expect(result.report.grader_validity.find((entry) => entry.task === 'implement-change')).toMatchObject({ valid: true });
		} finally {
			await fake.close();
			await workspace.dispose();
		}
	}, 180_000);
});
