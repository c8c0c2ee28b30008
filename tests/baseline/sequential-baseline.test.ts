import { cp, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBenchmarkPipeline } from '../../src/lib/pipeline/benchmark-pipeline.ts';
import { type Case, CaseSchema } from '../../src/lib/schema/case.ts';
import type { Report } from '../../src/lib/schema/report.ts';
import { type FakeAnthropic, startFakeAnthropic } from '../../testing/fake-anthropic.ts';
import { type FakeOllama, startFakeOllama } from '../../testing/fake-ollama/server.ts';
import { PROJECT_ROOT, type ProjectCopy } from '../../testing/project-copy.ts';
import { fixtureCases, fixtureWorkspace } from '../../testing/workspace.ts';
import { seedModels } from '../escalate/support.ts';
import { BASELINE, BASELINE_ID, baselineScript, configureBaseline, setSequential } from './support.ts';

const KEY = 'sk-ant-api03-sequential-TESTKEY-5eq5eq';
const SAMPLE = 120;

// The draft role on the commit-message cases mined from this repository. The frontier baseline answers
// every one wrong while the local incumbent answers right, so under `evidence.sequential: anytime` the
// routing verdict ("stay local") is settled long before the baseline's sample is asked through.
let cases: Case[];
let ollama: FakeOllama;
let frontier: FakeAnthropic;
let workspace: ProjectCopy;
let report: Report;

beforeAll(async () => {
	workspace = await fixtureWorkspace('lmb-sequential-baseline-');
	const mined = path.join(PROJECT_ROOT, 'benchmarks', 'cases', 'draft');
	await cp(mined, path.join(workspace.root, 'benchmarks', 'cases', 'draft'), { recursive: true });
	cases = [
		...(await fixtureCases()),
		...(await Promise.all(
			(await readdir(mined)).map(async (name) => CaseSchema.parse(JSON.parse(await readFile(path.join(mined, name), 'utf8')))),
		)),
	];
	ollama = await startFakeOllama({ models: seedModels(cases) });
	const draftIds = cases.filter((testCase) => testCase.role === 'draft').map((testCase) => testCase.id);
	frontier = await startFakeAnthropic({
		apiKey: KEY,
		respond: baselineScript(cases, Object.fromEntries(draftIds.map((id) => [id, 'wrong' as const]))),
		models: { [BASELINE]: BASELINE_ID },
	});
	await configureBaseline(workspace.root, frontier.url, {
		roles: ['draft'],
		settings: { max_cases_per_role: SAMPLE, max_calls_per_run: 500 },
	});
	await setSequential(workspace.root, 'anytime');
	const outcome = await runBenchmarkPipeline({
		root: workspace.root,
		env: { OLLAMA_HOST: ollama.url, ANTHROPIC_API_KEY: KEY },
		logger: { info: () => {}, warn: () => {} },
		now: () => new Date('2026-12-07T12:00:00Z'),
	});
	expect(outcome.status).toBe('written');
	if (outcome.status === 'written') report = outcome.report;
}, 300_000);
afterAll(async () => {
	await ollama?.close();
	await frontier?.close();
	await workspace?.dispose();
});

describe('a frontier baseline under evidence.sequential', () => {
	it('makes no further billed call once its routing verdict is settled, and says what that saved in dollars', () => {
		const stop = report.sequential!.stops.find((entry) => entry.kind === 'baseline')!;
		expect(stop).toMatchObject({ role: 'draft', model: BASELINE, planned: SAMPLE, stopped: true });
		expect(frontier.billedCalls).toBe(stop.answered);
		expect(stop.answered).toBeLessThan(SAMPLE);
		expect(report.baseline_run!.billed_calls).toBe(stop.answered);
		// $3 / $15 per million tokens, 1000 in and 100 out a call: $0.0045 a call not made.
		const baselineSaved = SAMPLE - stop.answered;
		expect(report.sequential!.saved.usd).toBeCloseTo(baselineSaved * 0.0045, 6);
		expect(report.routing!.find((entry) => entry.role === 'draft')).toMatchObject({ route: 'local' });
	});
});
