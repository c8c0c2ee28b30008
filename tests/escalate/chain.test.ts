import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runBenchmarkPipeline } from '../../src/lib/pipeline/benchmark-pipeline.ts';
import { readLatestReport } from '../../src/lib/report/read-reports.ts';
import type { Case } from '../../src/lib/schema/case.ts';
import type { EscalationOutcome } from '../../src/lib/schema/escalation.ts';
import { type CaseResult, type Report, ResultsFileSchema } from '../../src/lib/schema/report.ts';
import { type FakeOllama, type FakeReply, faults, startFakeOllama } from '../../testing/fake-ollama/server.ts';
import { type ProjectCopy, closedAddress } from '../../testing/project-copy.ts';
import { fixtureCases, fixtureWorkspace, rightAnswer } from '../../testing/workspace.ts';
import { type FakeAnthropic, type MessagesReply, anthropicErrors, startFakeAnthropic } from '../../testing/fake-anthropic.ts';
import { BUG_CASES, CLEAN_CASE, CLOUD, caseInText, editPolicy, frontierScript, pointFrontierAt, seedModels } from './support.ts';

const KEY = 'sk-ant-api03-chain-TESTKEY-5c0ffee5ca1ab1e';

let cases: Case[];
let ollama: FakeOllama;
let frontier: FakeAnthropic;
let workspace: ProjectCopy;
const logged: string[] = [];
const logger = { info: (line: string) => logged.push(line), warn: (line: string) => logged.push(`warn: ${line}`) };
// The fixture workspace's coder case carries no tests, so every run also warns that the coder role cannot
// be promoted; that warning is about another role, not about the escalation these tests watch.
const escalationWarnings = () => logged.filter((line) => line.startsWith('warn:') && !/\bcoder\b|implement-change/.test(line));

beforeAll(async () => {
	cases = await fixtureCases();
});
beforeEach(async () => {
	workspace = await fixtureWorkspace('lmb-escalate-');
	logged.length = 0;
});
afterEach(async () => {
	await ollama?.close();
	await frontier?.close();
	await workspace.dispose();
});

/** Starts both fakes: the cloud model answers as `cloud` says (absent: not pulled), the frontier as `answers` says. */
async function start(
	cloud: ((testCase: Case) => FakeReply | string) | undefined,
	answers: Parameters<typeof frontierScript>[1] = {},
	budget?: number,
) {
	ollama = await startFakeOllama({
		models: [
			...seedModels(cases),
			...(cloud
				? [
						{
							name: CLOUD,
							respond: (request: { messages: { content: string }[] }) =>
								cloud(caseInText(request.messages.map((m) => m.content).join('\n'), cases)),
						},
					]
				: []),
		],
	});
	frontier = await startFakeAnthropic({ apiKey: KEY, respond: frontierScript(cases, answers) });
	await pointFrontierAt(workspace.root, frontier.url, budget);
}

const run = (env: Record<string, string> = { ANTHROPIC_API_KEY: KEY }, extra: Partial<Parameters<typeof runBenchmarkPipeline>[0]> = {}) =>
	runBenchmarkPipeline({
		root: workspace.root,
		env: { OLLAMA_HOST: ollama.url, ...env },
		logger,
		now: () => new Date('2026-11-27T12:00:00Z'),
		...extra,
	});

async function latest(): Promise<{ report: Report; results: CaseResult[]; text: string }> {
	const found = await readLatestReport(path.join(workspace.root, 'reports'));
	if (!found) throw new Error('no report was written');
	const text = await readFile(path.join(workspace.root, 'reports', `${found.stem}.md`), 'utf8');
	const sidecar = ResultsFileSchema.parse(
		JSON.parse(await readFile(path.join(workspace.root, found.report.manifest.results_file), 'utf8')),
	);
	return { report: found.report, results: sidecar.results, text };
}

const escalated = (results: CaseResult[]) =>
	results.filter((result) => result.escalation).sort((a, b) => a.case_id.localeCompare(b.case_id));
const outcomesOf = (result: CaseResult) => result.escalation!.steps.map((step) => step.outcome);
const cloudCalls = () => ollama.requestsFor(CLOUD, 'chat').length;
const right = (testCase: Case) => rightAnswer(testCase);

describe('turbo escalation in a run', () => {
	it('escalates every rejection of the review incumbent to the cloud model, with the case’s own prompt, and stops there when it answers', async () => {
		await start(right);
		expect((await run()).status).toBe('written');
		const { report, results, text } = await latest();

		const escalations = escalated(results);
		expect(escalations.map((result) => [result.case_id, result.model, result.tags])).toEqual(
			[CLEAN_CASE, ...BUG_CASES].sort().map((id) => [id, 'gemma4:26b', ['turbo-escalation']]),
		);
		// The cloud model sees exactly what the incumbent saw.
		for (const request of ollama.requestsFor(CLOUD, 'chat')) {
			const testCase = caseInText((request.body?.messages ?? []).map((m) => m.content).join('\n'), cases);
			const incumbent = ollama
				.requestsFor('gemma4:26b', 'chat')
				.find((r) => JSON.stringify(r.body?.messages) === JSON.stringify(request.body?.messages));
			expect(incumbent, testCase.id).toBeDefined();
			expect(request.body?.format).toEqual(incumbent!.body?.format);
			expect(request.body?.options).toEqual(incumbent!.body?.options);
		}
		expect(cloudCalls()).toBe(3);
		expect(frontier.requests).toHaveLength(0);

		const clean = escalations.find((result) => result.case_id === CLEAN_CASE)!;
		expect(clean.escalation).toMatchObject({ decided_by: CLOUD, verdict: 'approve', overturned: true, reference_verdict: 'approve' });
		expect(clean.escalation!.steps).toEqual([
			expect.objectContaining({
				provider: 'ollama',
				model: CLOUD,
				outcome: 'answered',
				verdict: 'approve',
				accepted: true,
				cached: false,
				detail: null,
			}),
		]);
		expect(clean.escalation!.steps[0]!.output_tokens).toBeGreaterThan(0);
		for (const id of BUG_CASES)
			expect(escalations.find((result) => result.case_id === id)!.escalation).toMatchObject({ verdict: 'reject', overturned: false });

		expect(report.escalations).toMatchObject({
			incumbent: 'gemma4:26b',
			results: 3,
			escalations: 3,
			escalation_rate: 1,
			resolved: 3,
			overturned: 1,
			overturn_rate: 0.3333,
			overturned_right: 1,
			overturned_wrong: 0,
			frontier: { calls: 0, cached: 0, input_tokens: 0, output_tokens: 0, budget: 20 },
		});
		expect(report.escalations!.steps[0]).toMatchObject({ model: CLOUD, outcomes: { answered: 3 }, calls: 3 });
		// Escalation calls are accounted apart from the benchmark's own model calls.
		expect(report.manifest.model_calls).toBe(cases.length + 2);
		expect(text).toContain('## Turbo escalation');
		expect(text).toContain(
			'3 of the 3 code-review or security-review results of gemma4:26b, the review incumbent, were rejections (100 %), and each was escalated.',
		);
		expect(text).toContain('The chain gave a verdict on 3 of them and overturned 1 (33.3 %)');
		expect(logged.filter((line) => line.includes('turbo escalation ·'))).toHaveLength(3);
	});

	it('leaves the incumbent’s metrics and results exactly as they are without escalation', async () => {
		await start(right);
		await editPolicy(workspace.root, (policy) => void (policy.escalation.enabled = false));
		expect((await run()).status).toBe('written');
		const without = await latest();
		expect(without.report.escalations).toBeUndefined();
		expect(without.text).toContain('Escalation was turned off in the policy for this run.');
		expect(cloudCalls()).toBe(0);

		await editPolicy(workspace.root, (policy) => void (policy.escalation.enabled = true));
		expect((await run()).status).toBe('written');
		const withEscalation = await latest();
		// A cached rejection is escalated too: the incumbent was not asked again, the cloud model was.
		expect(ollama.requestsFor('gemma4:26b', 'chat').filter((r) => r.body?.messages?.length)).toHaveLength(3);
		expect(escalated(withEscalation.results)).toHaveLength(3);
		expect(withEscalation.report.metrics).toEqual(without.report.metrics);
		const bare = (results: CaseResult[]) => results.map(({ escalation: _e, tags: _t, cached: _c, ...result }) => result);
		expect(bare(withEscalation.results)).toEqual(bare(without.results));
	});

	it.each([
		['401 not signed in → unauthorized', faults.cloudUnauthorized(), 'unauthorized', /ollama signin/],
		['429 usage limit → quota', faults.cloudQuota(), 'quota', /HTTP 429: you've reached your hourly usage limit/],
		['403 cloud disabled → unavailable', faults.cloudDisabled(), 'unavailable', /HTTP 403: cloud is disabled/],
		['502 ollama.com unreachable → unavailable', faults.cloudUnreachable(), 'unavailable', /HTTP 502: Post "https:\/\/ollama\.com/],
	] as const)('when the cloud model fails (%s) the frontier API answers', async (_name, fault, outcome, detail) => {
		await start(() => fault);
		expect((await run()).status).toBe('written');
		const { report, results } = await latest();
		for (const result of escalated(results)) {
			expect(outcomesOf(result)).toEqual([outcome, 'answered']);
			expect(result.escalation!.steps[0]!.detail).toMatch(detail);
			expect(result.escalation!.steps[0]!.latency_ms).not.toBeNull();
			expect(result.escalation!.steps[1]).toMatchObject({
				provider: 'anthropic',
				model: 'claude-sonnet-4-5',
				input_tokens: 1000,
				output_tokens: 50,
				cached: false,
			});
			expect(result.escalation!.decided_by).toBe('claude-sonnet-4-5');
		}
		expect(frontier.violations).toEqual([]);
		expect(frontier.requests).toHaveLength(3);
		expect(frontier.requests.every((request) => request.key === 'accepted' && request.headers['anthropic-version'] === '2023-06-01')).toBe(
			true,
		);
		expect(frontier.requests.map((request) => (request.body as { model: string; max_tokens: number }).model)).toEqual(
			Array(3).fill('claude-sonnet-4-5'),
		);
		expect(report.escalations).toMatchObject({
			resolved: 3,
			overturned: 1,
			steps: [
				{ outcomes: { [outcome]: 3 }, calls: 3 },
				{ outcomes: { answered: 3 }, calls: 3 },
			],
			frontier: { calls: 3, cached: 0, input_tokens: 3000, output_tokens: 150 },
		});
	});

	it('says how to get a cloud model that is not pulled, without asking for it', async () => {
		await start(undefined);
		await run();
		const { results } = await latest();
		for (const result of escalated(results)) {
			expect(outcomesOf(result)).toEqual(['unavailable', 'answered']);
			expect(result.escalation!.steps[0]).toMatchObject({
				latency_ms: null,
				detail: expect.stringContaining('ollama pull gpt-oss:120b-cloud'),
			});
		}
		expect(ollama.callsFor(CLOUD)).toBe(0);
	});

	it('moves on from an answer it cannot use, recording it as an error', async () => {
		await start(() => 'The change looks risky to me.');
		await run();
		const { results } = await latest();
		for (const result of escalated(results)) {
			expect(outcomesOf(result)).toEqual(['error', 'answered']);
			expect(result.escalation!.steps[0]).toMatchObject({
				verdict: null,
				output: 'The change looks risky to me.',
				detail: expect.stringContaining('unparseable'),
			});
		}
	});

	const frontierFailures: [string, MessagesReply | 'unreachable', EscalationOutcome][] = [
		['401 authentication_error → unauthorized', anthropicErrors.unauthorized(), 'unauthorized'],
		['403 permission_error → unauthorized', anthropicErrors.permission(), 'unauthorized'],
		['429 rate_limit_error → quota', anthropicErrors.rateLimited(), 'quota'],
		['529 overloaded_error → unavailable', anthropicErrors.overloaded(), 'unavailable'],
		['500 api_error → error', anthropicErrors.apiError(), 'error'],
		['unreachable → unavailable', 'unreachable', 'unavailable'],
	];
	it.each(frontierFailures)('when the frontier API fails too (%s) the escalation has no verdict', async (_name, reply, outcome) => {
		await start(
			() => faults.cloudUnauthorized(),
			Object.fromEntries([CLEAN_CASE, ...BUG_CASES].map((id) => [id, reply === 'unreachable' ? 'right' : reply])),
		);
		if (reply === 'unreachable') await pointFrontierAt(workspace.root, await closedAddress());
		expect((await run()).status).toBe('written');
		const { report, results } = await latest();
		for (const result of escalated(results)) {
			expect(outcomesOf(result)).toEqual(['unauthorized', outcome]);
			expect(result.escalation).toMatchObject({ decided_by: null, verdict: null, overturned: false });
			expect(result.escalation!.steps[1]!.detail).not.toContain(KEY);
		}
		expect(report.escalations).toMatchObject({
			escalations: 3,
			resolved: 0,
			overturned: 0,
			overturn_rate: null,
			frontier: { calls: 3, input_tokens: 0, output_tokens: 0 },
		});
		expect(escalationWarnings()).toEqual([]);
	});

	it('skips the frontier step without a key, says so once, and is no error', async () => {
		await start(() => faults.cloudUnauthorized());
		const result = await run({});
		expect(result.status).toBe('written');
		const { report, results } = await latest();
		for (const escalatedResult of escalated(results)) expect(outcomesOf(escalatedResult)).toEqual(['unauthorized', 'skipped-no-key']);
		expect(frontier.requests).toHaveLength(0);
		expect(logged.filter((line) => line.includes('skipped-no-key'))).toEqual([
			'turbo escalation: ANTHROPIC_API_KEY is not set, so the anthropic step (claude-sonnet-4-5) is skipped for this run (skipped-no-key)',
		]);
		expect(logged.filter((line) => line.includes('ANTHROPIC_API_KEY'))).toHaveLength(1);
		expect(escalationWarnings()).toEqual([]);
		expect(report.escalations!.steps[1]!.outcomes).toEqual({ 'skipped-no-key': 3 });
		expect(report.escalations!.frontier.calls).toBe(0);

		// A blank key is no key either; the note comes once per run.
		logged.length = 0;
		await run({ ANTHROPIC_API_KEY: '   ' });
		expect(logged.filter((line) => line.includes('skipped-no-key'))).toHaveLength(1);
	});

	it('stops calling the frontier API at the budget, per run; cached answers cost nothing', async () => {
		await start(() => faults.cloudQuota(), {}, 2);
		await run();
		let { report, results } = await latest();
		expect(escalated(results).map(outcomesOf)).toEqual([
			['quota', 'answered'],
			['quota', 'answered'],
			['quota', 'skipped-budget'],
		]);
		expect(frontier.requests).toHaveLength(2);
		expect(report.escalations).toMatchObject({ resolved: 2, frontier: { calls: 2, cached: 0, budget: 2 } });
		expect(report.escalations!.steps[1]!.outcomes).toEqual({ answered: 2, 'skipped-budget': 1 });

		// The next run has a fresh budget; the two answers come from the cache.
		frontier.clearLog();
		await run();
		({ report, results } = await latest());
		expect(escalated(results).map(outcomesOf)).toEqual(Array(3).fill(['quota', 'answered']));
		expect(frontier.requests).toHaveLength(1);
		expect(report.escalations).toMatchObject({ resolved: 3, frontier: { calls: 1, cached: 2, input_tokens: 3000, output_tokens: 150 } });

		// A budget of 0 with the cache bypassed: every frontier step is skipped.
		frontier.clearLog();
		await pointFrontierAt(workspace.root, frontier.url, 0);
		await run(undefined, { useCache: false });
		({ report } = await latest());
		expect(frontier.requests).toHaveLength(0);
		expect(report.escalations!.steps[1]!.outcomes).toEqual({ 'skipped-budget': 3 });
	});

	it('asks no answered step again on an unchanged rebuild, retries failures, and writes no report', async () => {
		await start(() => faults.cloudUnauthorized());
		expect((await run()).status).toBe('written');
		ollama.clearLog();
		frontier.clearLog();
		const again = await run();
		expect(again.status).toBe('unchanged');
		// A refused step is not cached: a sign-in may have happened since. The frontier answers were.
		expect(cloudCalls()).toBe(3);
		expect(frontier.requests).toHaveLength(0);
		expect(logged.filter((line) => line.includes('claude-sonnet-4-5 answered (cached)'))).toHaveLength(3);
	});

	it('caches the cloud model’s answers under the engine’s key, so a rebuild calls no model at all', async () => {
		await start(right);
		await run();
		ollama.clearLog();
		expect((await run()).status).toBe('unchanged');
		expect(ollama.calls.chat).toBe(0);
	});

	it('keeps the run when the cache cannot be written: a failed write is a warning, never the step’s error', async () => {
		// A file where the cache folder belongs: every write fails, as on a read-only or full disk.
		await mkdir(path.join(workspace.root, '.cache'), { recursive: true });
		await writeFile(path.join(workspace.root, '.cache', 'answers'), 'not a folder\n');
		await start(right);
		expect((await run()).status).toBe('written');
		expect(escalated((await latest()).results).map(outcomesOf)).toEqual(Array(3).fill(['answered']));
		const cloudWarnings = logged.filter((line) => line.startsWith(`warn: caching ${CLOUD}'s escalation answer to `));
		expect(cloudWarnings).toHaveLength(3);
		expect(cloudWarnings[0]).toMatch(/failed \(ENOTDIR: not a directory, mkdir '.*answers\/log'\); it will be asked again next run$/);
	});

	it('keeps a paid frontier answer when the cache cannot be written', async () => {
		await mkdir(path.join(workspace.root, '.cache'), { recursive: true });
		await writeFile(path.join(workspace.root, '.cache', 'answers'), 'not a folder\n');
		await start(() => faults.cloudUnauthorized());
		expect((await run()).status).toBe('written');
		expect(escalated((await latest()).results).map(outcomesOf)).toEqual(Array(3).fill(['unauthorized', 'answered']));
		expect(frontier.requests).toHaveLength(3);
		expect(logged.filter((line) => line.startsWith("warn: caching claude-sonnet-4-5's escalation answer to "))).toHaveLength(3);
	});

	it('escalates again with --no-cache', async () => {
		await start(right);
		await run();
		ollama.clearLog();
		await run(undefined, { useCache: false });
		expect(cloudCalls()).toBe(3);
	});
});
