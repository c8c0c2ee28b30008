import { execFileSync } from 'node:child_process';
import { mkdir, readFile, readdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteWorkspace, withoutEscalation } from '../../bench/support/perf-workspace.ts';
import { writeCases } from '../../src/lib/mine/write-cases.ts';
import { runBenchmarkPipeline } from '../../src/lib/pipeline/benchmark-pipeline.ts';
import { type Case, CaseSchema } from '../../src/lib/schema/case.ts';
import { type Report, ReportSchema } from '../../src/lib/schema/report.ts';
import { type FakeOllama, startFakeOllama } from '../../testing/fake-ollama/server.ts';
import { PROJECT_ROOT, type ProjectCopy, astroBuild } from '../../testing/project-copy.ts';
import { scriptedResponder } from '../../testing/workspace.ts';
import { pageText } from '../../testing/page-text.ts';

// One role of the commit-message cases mined from this repository (all but one, which arrives later): the incumbent writes what the authors wrote, the hopeless challenger
// a bare "update" every time. Under `evidence.sequential: curtail` the challenger is stopped as soon as no
// answer to its remaining cases could change its verdict.
const INCUMBENT = 'keeper:8b';
const HOPELESS = 'hopeless:8b';
let CASES: number;

let draft: Case[];
let spare: Case;
let fake: FakeOllama;
let workspace: ProjectCopy;
let report: Report;
let body: string;
let page: string;
const logged: string[] = [];

/** The cases a model was really asked at the fake Ollama (load requests carry no messages). */
const asked = (model: string) => fake.requestsFor(model, 'chat').filter((request) => (request.body?.messages?.length ?? 0) > 0).length;

const pipeline = () =>
	runBenchmarkPipeline({
		root: workspace.root,
		env: { OLLAMA_HOST: fake.url },
		logger: { info: (line) => logged.push(line), warn: (line) => logged.push(`warn: ${line}`) },
		now: () => new Date('2026-12-07T12:00:00Z'),
	});

const reportFiles = async () =>
	(await readdir(path.join(workspace.root, 'reports'))).filter((name) => name.startsWith('local-model-benchmark-') && name.endsWith('.md'));

beforeAll(async () => {
	// Real cases (copied into the workspace, never written back), so the grader is valid on them.
	const mined = path.join(PROJECT_ROOT, 'benchmarks', 'cases', 'draft');
	const names = (await readdir(mined)).filter((name) => name.endsWith('.json')).sort();
	const cases = await Promise.all(names.map(async (name) => CaseSchema.parse(JSON.parse(await readFile(path.join(mined, name), 'utf8')))));
	CASES = cases.length - 1;
	draft = cases.slice(0, CASES);
	spare = cases[CASES]!;
	workspace = await siteWorkspace('lmb-sequential-', {
		models: [
			{ id: INCUMBENT, family: 'keeper' },
			{ id: HOPELESS, family: 'hopeless' },
		],
		roles: [{ role: 'draft', description: 'Commit messages.', incumbent: INCUMBENT, challengers: [HOPELESS] }],
		cases: draft,
		policy: (policy) => {
			withoutEscalation(policy);
			(policy.evidence as Record<string, unknown>).sequential = 'curtail';
		},
	});
	// A real repository, so the report names the harness commit it ran from.
	const git = (...args: string[]) =>
		execFileSync('git', args, {
			cwd: workspace.root,
			env: { ...process.env, GIT_AUTHOR_DATE: '2026-12-01T00:00:00Z', GIT_COMMITTER_DATE: '2026-12-01T00:00:00Z' },
		});
	git('init', '-q');
	git('add', 'benchmarks', 'src', 'package.json');
	git('-c', 'user.name=Test', '-c', 'user.email=test@example.com', 'commit', '-qm', 'registry');
	fake = await startFakeOllama({
		models: [
			{ name: INCUMBENT, respond: scriptedResponder([...draft, spare]) },
			{ name: HOPELESS, respond: scriptedResponder([...draft, spare], Object.fromEntries([...draft, spare].map((c) => [c.id, 'wrong']))) },
		],
	});
	const build = await astroBuild(workspace.root, { OLLAMA_HOST: fake.url });
	expect(build.code, build.output).toBe(0);
	const [name] = await reportFiles();
	const text = await readFile(path.join(workspace.root, 'reports', name!), 'utf8');
	report = ReportSchema.parse(parse(/^---\n([\s\S]*?)\n---\n/.exec(text)![1]!));
	body = text.slice(text.indexOf('\n---\n') + 5);
	page = pageText(await readFile(path.join(workspace.root, 'dist', 'runs', name!.replace(/\.md$/, ''), 'index.html'), 'utf8'));
}, 300_000);
afterAll(async () => {
	await fake?.close();
	await workspace?.dispose();
});

describe('a run that stops a hopeless challenger early', () => {
	it('asks the incumbent every case and the hopeless challenger only until its verdict is settled', () => {
		expect(asked(INCUMBENT)).toBe(CASES);
		const calls = asked(HOPELESS);
		expect(calls).toBeGreaterThan(0);
		expect(calls).toBeLessThan(CASES);
		const stop = report.sequential!.stops.find((entry) => entry.model === HOPELESS)!;
		expect(stop).toMatchObject({ role: 'draft', kind: 'challenger', answered: calls, planned: CASES, stopped: true });
		expect(report.sequential!.mode).toBe('curtail');
		expect(report.sequential!.saved).toMatchObject({ calls: CASES - calls, full_calls: 2 * CASES });
		// Every answer carried Ollama's durations, so the GPU time saved is measured; there is no baseline.
		expect(report.sequential!.saved.gpu_s).toBeGreaterThan(0);
		expect(report.sequential!.saved.usd).toBeNull();
		expect(report.manifest.model_calls).toBe(CASES + calls);
		expect(report.metrics.find((row) => row.model === HOPELESS)!.cases).toBe(calls);
		expect(report.verdicts.map((verdict) => `${verdict.challenger} ${verdict.outcome}`)).toEqual([`${HOPELESS} hold`]);
		expect(report.verdicts[0]!.reason).toContain(`after ${calls} of its ${CASES} cases`);
	});

	it('says so in the report body and on the run page', () => {
		const stop = report.sequential!.stops.find((entry) => entry.model === HOPELESS)!;
		expect(body).toContain('## Stopped early');
		expect(body).toContain(`| \`draft\` | ${HOPELESS} | ${stop.answered} of ${CASES} | ${stop.reason} |`);
		expect(body).toContain(`${CASES - stop.answered} model calls saved of ${2 * CASES}`);
		expect(body).toContain('frontier dollars saved: none (no baseline stopped)');
		expect(page).toContain('Stopped early');
		expect(page).toContain(`${HOPELESS} answered ${stop.answered} of ${CASES}, stopped early ${stop.reason}`);
		expect(page).toContain(`${CASES - stop.answered} model calls not made : the models they were for had their verdicts settled.`);
		expect(page).toContain(`Model calls saved ${CASES - stop.answered} of ${2 * CASES}`);
		// The per-case table tells a case never asked (settled) from one the server could not serve.
		expect(page).toContain('not asked: settled');
	});

	it('rebuilds with no model call and the same verdicts', async () => {
		fake.clearLog();
		expect(await pipeline()).toMatchObject({ status: 'unchanged' });
		expect(fake.calls.chat).toBe(0);
		// Without the first report to compare with, the rebuild writes its own: from the cache alone, the same.
		const aside = path.join(workspace.root, 'aside');
		await mkdir(aside);
		for (const name of await readdir(path.join(workspace.root, 'reports')))
			if (name.startsWith('local-model-benchmark-')) await rename(path.join(workspace.root, 'reports', name), path.join(aside, name));
		const rebuilt = await pipeline();
		expect(rebuilt.status).toBe('written');
		if (rebuilt.status !== 'written') return;
		expect(rebuilt.modelCalls).toBe(0);
		expect(fake.calls.chat).toBe(0);
		expect(rebuilt.report.verdicts).toEqual(report.verdicts);
		expect(rebuilt.report.sequential!.stops).toEqual(report.sequential!.stops);
		expect(rebuilt.report.manifest.evidence_hash).toBe(report.manifest.evidence_hash);
	});

	it('asks the stopped challenger nothing more when a new case arrives: its cached answers settle it again', async () => {
		await writeCases([spare], path.join(workspace.root, 'benchmarks', 'cases'), { dryRun: false, force: false });
		fake.clearLog();
		const next = await pipeline();
		expect(next.status).toBe('written');
		expect(asked(INCUMBENT)).toBe(1);
		expect(asked(HOPELESS)).toBe(0);
		if (next.status !== 'written') return;
		const stop = next.report.sequential!.stops.find((entry) => entry.model === HOPELESS)!;
		expect(stop).toMatchObject({ planned: CASES + 1, stopped: true, answered: report.sequential!.stops[0]!.answered });
		expect(next.report.verdicts.map((verdict) => verdict.outcome)).toEqual(['hold']);
	});
});
