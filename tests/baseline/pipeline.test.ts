import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runBenchmarkPipeline } from '../../src/lib/pipeline/benchmark-pipeline.ts';
import { readLatestReport } from '../../src/lib/report/read-reports.ts';
import type { Case } from '../../src/lib/schema/case.ts';
import { type FakeAnthropic, startFakeAnthropic } from '../../testing/fake-anthropic.ts';
import { type FakeOllama, startFakeOllama } from '../../testing/fake-ollama/server.ts';
import type { ProjectCopy } from '../../testing/project-copy.ts';
import { fixtureCases, fixtureWorkspace } from '../../testing/workspace.ts';
import { seedModels } from '../escalate/support.ts';
import { BASELINE, BASELINE_ID, baselineScript, configureBaseline, setSequential } from './support.ts';

const KEY = 'sk-ant-api03-pipeline-TESTKEY-feedface';

let cases: Case[];
let ollama: FakeOllama;
let frontier: FakeAnthropic;
let workspace: ProjectCopy;
const logged: string[] = [];
const logger = { info: (line: string) => logged.push(line), warn: (line: string) => logged.push(`warn: ${line}`) };

beforeAll(async () => {
	cases = await fixtureCases();
});
beforeEach(async () => {
	workspace = await fixtureWorkspace('lmb-baseline-run-');
	logged.length = 0;
	ollama = await startFakeOllama({ models: seedModels(cases) });
	frontier = await startFakeAnthropic({ apiKey: KEY, respond: baselineScript(cases), models: { [BASELINE]: BASELINE_ID } });
});
afterEach(async () => {
	await ollama.close();
	await frontier.close();
	await workspace.dispose();
});

let day = 0;
const build = (env: Record<string, string>) =>
	runBenchmarkPipeline({
		root: workspace.root,
		env: { OLLAMA_HOST: ollama.url, ...env },
		logger,
		now: () => new Date(Date.UTC(2026, 10, 27 + day++, 12)),
	});

/** Every file under `dir`, recursively (the reports, the answer cache). */
async function filesUnder(dir: string): Promise<string[]> {
	const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
	return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

describe('a build with a frontier baseline', () => {
	it('asks the baseline once, routes every role, and a rebuild makes no frontier call', async () => {
		await configureBaseline(workspace.root, frontier.url, { settings: { max_calls_per_run: 3 } });
		// Every sampled case is to be asked: the cap, not a settled verdict, is what stops the baseline here.
		await setSequential(workspace.root, 'off');
		const first = await build({ ANTHROPIC_API_KEY: KEY });
		expect(first.status).toBe('written');
		// Three calls allowed, four cases to ask: never more than the cap, counted by the fake.
		expect(frontier.billedCalls).toBe(3);
		const report = (await readLatestReport(path.join(workspace.root, 'reports')))!.report;
		expect(report.baseline_run).toMatchObject({ billed_calls: 3, max_calls_per_run: 3 });
		expect(report.baseline_run!.stopped).toContain('max_calls_per_run (3) reached');
		const routes = new Map(report.routing!.map((entry) => [entry.role, entry]));
		expect([...routes.keys()]).toEqual(['coder', 'draft', 'reason', 'review']);
		expect(routes.get('coder')).toMatchObject({ route: 'none', outcome: 'no baseline' });
		// Draft: one case, both accepted: far too few to tell.
		expect(routes.get('draft')).toMatchObject({ route: 'hold', answered_by: BASELINE_ID, cases: 1 });
		expect(routes.get('review')!.baseline_cases).toMatchObject({ role_cases: 3, sampled: 3, answered: 2 });
		expect(report.manifest.notes?.some((note) => note.includes('API default of 1.0'))).toBe(true);
		// Cost for every model: local GPU time from Ollama's durations, the frontier's billed tokens at $3 / $15.
		const draftCosts = report.costs!.filter((row) => row.role === 'draft');
		expect(draftCosts.find((row) => row.kind === 'frontier')!.cost).toMatchObject({
			cases: 1,
			tokens_in: 1000,
			tokens_out: 100,
			usd_per_case: 0.0045,
		});
		const local = draftCosts.find((row) => row.model === 'gemma4:latest')!.cost;
		expect(local.gpu_hours).toBeGreaterThan(0);
		expect(local.usd).toBe(0);
		const text = await readFile(path.join(workspace.root, 'reports', `${first.status === 'written' ? first.stem : ''}.md`), 'utf8');
		expect(text).toContain('## Routing: local or frontier');
		expect(text).toContain('`draft` — hold: not enough evidence');

		// The next build asks only the case left; the one after asks nothing and writes nothing.
		frontier.clearLog();
		expect((await build({ ANTHROPIC_API_KEY: KEY })).status).toBe('written');
		expect(frontier.billedCalls).toBe(1);
		frontier.clearLog();
		expect((await build({ ANTHROPIC_API_KEY: KEY })).status).toBe('unchanged');
		expect(frontier.requests.filter((request) => request.path === '/v1/messages')).toHaveLength(0);

		for (const file of [
			...(await filesUnder(path.join(workspace.root, 'reports'))),
			...(await filesUnder(path.join(workspace.root, '.cache'))),
		])
			expect(await readFile(file, 'utf8'), file).not.toContain(KEY);
	});

	it('without the key, says so once and routes every role to no baseline', async () => {
		await configureBaseline(workspace.root, frontier.url);
		expect((await build({})).status).toBe('written');
		expect(logged.filter((line) => line.includes('baseline skipped: no ANTHROPIC_API_KEY'))).toHaveLength(1);
		expect(frontier.requests).toHaveLength(0);
		const report = (await readLatestReport(path.join(workspace.root, 'reports')))!.report;
		expect(report.routing!.every((entry) => entry.route === 'none' && entry.outcome === 'no baseline')).toBe(true);
		expect(report.routing!.find((entry) => entry.role === 'draft')!.reason).toBe('no baseline: baseline skipped: no ANTHROPIC_API_KEY');
	});

	it('leaves every promotion verdict as it is without a baseline', async () => {
		expect((await build({})).status).toBe('written');
		const without = (await readLatestReport(path.join(workspace.root, 'reports')))!.report;
		await configureBaseline(workspace.root, frontier.url);
		expect((await build({ ANTHROPIC_API_KEY: KEY })).status).toBe('written');
		const withBaseline = (await readLatestReport(path.join(workspace.root, 'reports')))!.report;
		expect(withBaseline.verdicts).toEqual(without.verdicts);
		expect(withBaseline.proposals).toEqual(without.proposals);
		expect(withBaseline.metrics.map((row) => row.model)).toEqual(without.metrics.map((row) => row.model));
	});

	it('says in a dry run how many billed calls the baseline may make, and calls nothing', async () => {
		await configureBaseline(workspace.root, frontier.url, { settings: { max_calls_per_run: 2, budget_usd_per_run: 1 } });
		const result = await runBenchmarkPipeline({
			root: workspace.root,
			env: { OLLAMA_HOST: ollama.url, ANTHROPIC_API_KEY: KEY },
			logger,
			dryRun: true,
		});
		expect(result.status).toBe('dry-run');
		expect(logged).toContain('plan: frontier baseline · 4 case(s), at most 2 billed call(s) and $1 (cached answers are free)');
		// The local calls are an upper bound: under the default curtail a settled challenger asks fewer.
		expect(logged.join('\n')).toMatch(
			/dry run: at most \d+ model call\(s\) \(cached answers are reused; a challenger whose verdict settles early asks fewer, evidence\.sequential: curtail\)/,
		);
		expect(frontier.requests).toHaveLength(0);
	});
});
