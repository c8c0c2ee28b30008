/**
 * A busy or out-of-memory server is not a bad model: the whole pipeline against a fake Ollama that refuses
 * as the real one does (503 busy, a reset before the first token, a load that does not fit). Refused
 * requests are retried and never scored; what the retries cannot get is "not run", shown, kept out of
 * every metric and gate, and asked again by the next run.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registryWorkspace, siteWorkspace, withoutEscalation } from '../../bench/support/perf-workspace.ts';
import { runBenchmarkPipeline } from '../../src/lib/pipeline/benchmark-pipeline.ts';
import type { Case } from '../../src/lib/schema/case.ts';
import { type Report, ReportSchema, type ResultsFile, ResultsFileSchema, type RoleMetrics } from '../../src/lib/schema/report.ts';
import {
	type FakeModel,
	type FakeOllama,
	type FakeReply,
	type FakeRequest,
	faults,
	startFakeOllama,
} from '../../testing/fake-ollama/server.ts';
import { PROJECT_ROOT, type ProjectCopy, astroBuild } from '../../testing/project-copy.ts';
import { readCaseTree, rightAnswer } from '../../testing/workspace.ts';
import { gradeContexts, taskFor } from '../../src/lib/tasks/index.ts';
import type { Grade } from '../../src/lib/tasks/task-definition.ts';
import { pageText } from '../../testing/page-text.ts';

const INCUMBENT = 'gemma4:latest';
const CHALLENGER = 'llama3.1:8b';
const OTHER = 'granite3.3:8b';

let draft: Case[];
let fake: FakeOllama | undefined;
let workspace: ProjectCopy | undefined;
const logged: string[] = [];
const logger = { info: (line: string) => logged.push(line), warn: (line: string) => logged.push(`warn: ${line}`) };

beforeAll(async () => {
	// The committed commit-message cases (57 when this was written), read only: graded without running any
	// code, and real enough for the grader to be valid on them, so verdicts are judged on their gates.
	draft = (await readCaseTree(path.join(PROJECT_ROOT, 'benchmarks', 'cases'))).filter((testCase) => testCase.role === 'draft');
});
afterEach(async () => {
	await fake?.close();
	await workspace?.dispose();
	fake = undefined;
	workspace = undefined;
	logged.length = 0;
});

/** Which case a chat request asks about: its diff is in the prompt verbatim. */
function caseIndexOf(request: Pick<FakeRequest, 'messages'>): number {
	const text = request.messages.map((message) => message.content).join('\n');
	const index = draft.findIndex((testCase) => 'diff' in testCase.input && text.includes(testCase.input.diff));
	if (index < 0) throw new Error(`no case matches the prompt: ${text.slice(0, 80)}`);
	return index;
}

/**
 * A model with a mixed record, the same on every run: per case index, right (accepted), a bare "update"
 * (rejected), or an empty answer (a hard failure of the model's own). `shift` makes two models differ.
 */
/** The cases among `cases` whose real message the commit-message grader accepts, graded as a run grades them. */
function referencesAccepted(cases: Case[]): Set<string> {
	const task = taskFor('commit-message');
	const context = gradeContexts(cases)('commit-message');
	return new Set(
		cases
			.filter((testCase) => {
				const parsed = task.parse(rightAnswer(testCase), testCase);
				return parsed.ok && (task.grade(testCase, parsed.value, context) as Grade).checks.every((check) => check.pass || !check.required);
			})
			.map((testCase) => testCase.id),
	);
}

function mixedAnswers(shift = 0): (request: FakeRequest) => FakeReply {
	return (request) => {
		const index = caseIndexOf(request);
		const testCase = draft[index]!;
		switch ((index + shift) % 5) {
			case 0:
			case 1:
				return { content: rightAnswer(testCase), evalCount: 40, evalDurationMs: 400 };
			case 2:
			case 3:
				return { content: 'update', evalCount: 2, evalDurationMs: 20 };
			default:
				return { content: '' };
		}
	};
}

interface Setup {
	cases?: readonly Case[];
	challengers?: string[];
	parallel?: number;
	run?: Record<string, number>;
	retirement?: Record<string, number>;
	/** A whole copy of the project, for an astro build, instead of a registry alone. */
	site?: boolean;
}

async function setUp(models: FakeModel[], setup: Setup = {}): Promise<void> {
	const challengers = setup.challengers ?? [CHALLENGER];
	const families: Record<string, string> = { [INCUMBENT]: 'google-gemma', [CHALLENGER]: 'meta-llama', [OTHER]: 'ibm-granite' };
	workspace = await (setup.site ? siteWorkspace : registryWorkspace)('lmb-transient-', {
		models: [INCUMBENT, ...challengers].map((id) => ({ id, family: families[id]!, parallel: setup.parallel ?? 1 })),
		roles: [{ role: 'draft', description: 'Drafts commit messages.', incumbent: INCUMBENT, challengers }],
		cases: setup.cases ?? draft,
		policy: (policy) => {
			withoutEscalation(policy);
			Object.assign(policy.run as object, { retries: 20, retry_initial_s: 0.01, retry_total_s: 60, ...setup.run });
			Object.assign(policy.retirement as object, setup.retirement ?? {});
		},
	});
	fake = await startFakeOllama({ models });
}

const run = (extra: Partial<Parameters<typeof runBenchmarkPipeline>[0]> = {}) =>
	runBenchmarkPipeline({
		root: workspace!.root,
		env: { OLLAMA_HOST: fake!.url },
		logger,
		now: () => new Date('2026-11-26T12:00:00Z'),
		...extra,
	});

async function reportOf(stem: string): Promise<{ report: Report; text: string; results: ResultsFile }> {
	const text = await readFile(path.join(workspace!.root, 'reports', `${stem}.md`), 'utf8');
	const report = ReportSchema.parse(parse(/^---\n([\s\S]*?)\n---\n/.exec(text)![1]!));
	const results = ResultsFileSchema.parse(
		JSON.parse(await readFile(path.join(workspace!.root, 'reports', `${stem}.results.json`), 'utf8')),
	);
	return { report, text, results };
}

/** What a metrics row says about the answers, without the timings. */
const judged = (row: RoleMetrics) => ({
	cases: row.cases,
	accepted: row.accepted,
	rejected: row.rejected,
	hard_failures: row.hard_failures,
	acceptance_rate: row.acceptance_rate,
	hard_failure_rate: row.hard_failure_rate,
	hard_failures_by_class: row.hard_failures_by_class,
	review_pain: row.review_pain,
	severity_weighted_pass: row.severity_weighted_pass,
});

const caseRequests = () =>
	fake!.requests.filter(
		(request) => request.endpoint === 'chat' && (request.body?.messages?.length ?? 0) > 0 && request.model !== undefined,
	);
const loadRequests = (model: string) =>
	fake!.requests.filter(
		(request) =>
			request.endpoint === 'chat' &&
			request.model === model &&
			(request.body?.messages?.length ?? 0) === 0 &&
			request.body?.keep_alive !== 0,
	);

describe('a busy server is not a bad model', () => {
	it('retries every third chat refused 503 busy under parallel 8: the same acceptance and hard-failure rates as an unrefused run', async () => {
		let refusing = false;
		const refusedCases = new Set<string>();
		const script =
			(shift: number) =>
			(request: FakeRequest): FakeReply => {
				if (refusing && request.call % 3 === 0) {
					refusedCases.add(`${request.model} ${draft[caseIndexOf(request)]!.id}`);
					return faults.busy();
				}
				return mixedAnswers(shift)(request);
			};
		await setUp(
			[
				{ name: INCUMBENT, respond: script(0) },
				{ name: CHALLENGER, respond: script(2) },
			],
			// A first wait of at least 0.5 s, so a retried case's latency shows whether the wait was counted in it.
			{ parallel: 8, run: { retry_initial_s: 1 } },
		);
		const unrefused = await run();
		expect(unrefused.status).toBe('written');

		refusing = true;
		fake!.clearLog();
		const refused = await run({ useCache: false });
		expect(refused.status).toBe('written');
		if (refused.status !== 'written' || unrefused.status !== 'written') return;

		const busyAnswers = fake!.requests.filter((request) => request.status === 503).length;
		expect(busyAnswers).toBeGreaterThanOrEqual(Math.floor((2 * draft.length) / 3));
		// Every case was answered in the end: the same counts, rates and classes, none of it the server's.
		expect(refused.report.metrics.map(judged)).toEqual(unrefused.report.metrics.map(judged));
		expect(refused.report.metrics.map((row) => row.cases)).toEqual([draft.length, draft.length]);
		expect(refused.report.metrics[0]!.hard_failures_by_class).toEqual({ empty: expect.any(Number) });
		expect(refused.report.not_run).toBeUndefined();
		// Retries are requests: 2 × 57 answers, and one more request per refusal.
		expect(refused.modelCalls).toBe(2 * draft.length + busyAnswers);

		// A retried case's latency is its answered request's, never the back-off before it: shorter than the time
		// from its first (refused) request to its last, which holds at least one wait of 0.5 s or more.
		const { results } = await reportOf(refused.stem);
		const retried = results.results.filter((result) => refusedCases.has(`${result.model} ${result.case_id}`));
		expect(retried.length).toBe(refusedCases.size);
		const requestsOf = (model: string, caseId: string) =>
			caseRequests().filter(
				(request) => request.model === model && draft[caseIndexOf({ messages: request.body!.messages! })]!.id === caseId,
			);
		for (const result of retried) {
			const arrivals = requestsOf(result.model, result.case_id).map((request) => request.at);
			const span = Math.max(...arrivals) - Math.min(...arrivals);
			expect(span).toBeGreaterThanOrEqual(500);
			expect(result.latency_ms!).toBeLessThan(span);
		}
		expect(logged.some((line) => /retry 1 of 20 in \d\.\d s$/.test(line) && line.includes('server busy'))).toBe(true);
	}, 120_000);

	it('retries a connection reset before the first token on a host that still answers, instead of failing the model', async () => {
		const script = (request: FakeRequest): FakeReply =>
			request.call % 4 === 0 ? faults.reset(0, { content: 'never sent' }) : mixedAnswers()(request);
		const cases = draft.slice(0, 20);
		await setUp(
			[
				{ name: INCUMBENT, respond: mixedAnswers() },
				{ name: CHALLENGER, respond: script },
			],
			{ cases, parallel: 4 },
		);
		const outcome = await run();
		expect(outcome.status).toBe('written');
		if (outcome.status !== 'written') return;
		const challenger = outcome.report.metrics.find((row) => row.model === CHALLENGER);
		const incumbent = outcome.report.metrics.find((row) => row.model === INCUMBENT);
		// Both answered the same way, so one's record is the other's: no `transport` failure was the model's.
		expect(judged(challenger!)).toEqual(judged(incumbent!));
		expect(challenger!.hard_failures_by_class.transport).toBeUndefined();
		expect(outcome.report.not_run).toBeUndefined();
	}, 60_000);

	it("asks again a request queued behind the server's parallel slots (silent before its first token), instead of failing the model with a stall", async () => {
		// models.yaml sends 3 at once; the server runs 1 (OLLAMA_NUM_PARALLEL=1) and holds the others without a
		// byte until its slot frees, longer than run.stall_timeout_s.
		const cases = draft.slice(0, 10);
		const paced =
			(shift: number) =>
			(request: FakeRequest): FakeReply => ({ ...mixedAnswers(shift)(request), chunks: 4, chunkDelayMs: 60 });
		await setUp(
			[
				{ name: INCUMBENT, respond: paced(0), numParallel: 1 },
				{ name: CHALLENGER, respond: paced(1), numParallel: 1 },
			],
			{ cases, parallel: 3, run: { stall_timeout_s: 0.12, retries: 40, retry_total_s: 60 } },
		);
		const outcome = await run();
		expect(outcome.status).toBe('written');
		if (outcome.status !== 'written') return;
		// Requests were queued and given up on (more requests than answers) …
		expect(caseRequests().length).toBeGreaterThan(outcome.report.metrics.reduce((sum, row) => sum + row.cases, 0));
		// … and none of it counts against a model: no stall, nothing left unanswered, the scripted record.
		for (const row of outcome.report.metrics) expect(row.hard_failures_by_class.stall).toBeUndefined();
		expect(outcome.report.not_run).toBeUndefined();
		const incumbent = outcome.report.metrics.find((row) => row.model === INCUMBENT)!;
		expect(incumbent.cases).toBe(cases.length);
		// Empty answers (every fifth case) are the only hard failures the script makes.
		expect(incumbent.hard_failures).toBe(cases.filter((_, index) => index % 5 === 4).length);
	}, 120_000);

	it('runs the cases the retries could not get as "not run", out of every metric, and the next run asks exactly those', async () => {
		const cases = draft.slice(0, 20);
		const blocked = new Set([1, 4, 7, 10, 13, 16].map((index) => cases[index]!.id));
		let busyForThese = true;
		const script =
			(shift: number) =>
			(request: FakeRequest): FakeReply =>
				busyForThese && blocked.has(draft[caseIndexOf(request)]!.id) ? faults.busy() : mixedAnswers(shift)(request);
		await setUp(
			[
				{ name: INCUMBENT, respond: mixedAnswers() },
				{ name: CHALLENGER, respond: script(1) },
			],
			{ cases, parallel: 8, run: { retries: 2 } },
		);
		const first = await run();
		expect(first.status).toBe('written');
		if (first.status !== 'written') return;
		const { report, text, results } = await reportOf(first.stem);

		// Counted and shown: the frontmatter, the sidecar, the body.
		expect(report.not_run).toEqual([
			{
				role: 'draft',
				model: CHALLENGER,
				count: 6,
				reasons: { busy: 6 },
				load_failed: false,
				message: 'server busy, please try again.  maximum pending requests exceeded',
			},
		]);
		expect(results.not_run!.map((entry) => entry.case_id).sort()).toEqual([...blocked].sort());
		expect(results.not_run!.every((entry) => entry.attempts === 3 && entry.reason === 'busy' && entry.stage === 'chat')).toBe(true);
		expect(results.results.some((result) => blocked.has(result.case_id) && result.model === CHALLENGER)).toBe(false);
		expect(text).toContain('**6 cases not run**');
		expect(text).toContain(`- ${CHALLENGER}: 6 cases not run: server busy (the metrics above are over the cases it ran)`);
		expect(logged).toContain(
			`warn: draft · ${CHALLENGER}: 6 cases not run: server busy — kept out of every metric and gate; asked again next run`,
		);

		// Out of every metric: the challenger is measured on the 14 cases it ran, the incumbent on all 20.
		const row = report.metrics.find((entry) => entry.model === CHALLENGER)!;
		const ran = cases.filter((testCase) => !blocked.has(testCase.id));
		// A right answer is the case's real message, which the grader accepts on nearly every case, not all.
		const referenceAccepted = referencesAccepted(cases);
		const expectedAccepted = ran.filter((testCase) => (draft.indexOf(testCase) + 1) % 5 < 2 && referenceAccepted.has(testCase.id)).length;
		expect(row).toMatchObject({
			cases: 14,
			accepted: expectedAccepted,
			hard_failures: ran.filter((testCase) => (draft.indexOf(testCase) + 1) % 5 === 4).length,
		});
		expect(row.accepted + row.rejected + row.hard_failures).toBe(14);
		expect(report.metrics.find((entry) => entry.model === INCUMBENT)!.cases).toBe(20);
		// Out of every gate: the case gate and the paired tests count the 14 cases both ran.
		const verdict = report.verdicts.find((entry) => entry.challenger === CHALLENGER)!;
		expect(verdict.gates.find((gate) => gate.gate === 'min_cases_per_role')!.challenger).toBe(14);
		expect(verdict.gates.find((gate) => gate.gate === 'acceptance_rate')!.detail).toMatch(/, \d+ tied$/);
		const paired = verdict.gates.find((gate) => gate.gate === 'review_pain')!.detail!;
		expect(paired).toMatch(/over 14 cases$/);

		// Never cached: the next run asks exactly the six cases, once each, and nothing else.
		busyForThese = false;
		fake!.clearLog();
		const second = await run();
		expect(second.status).toBe('written');
		if (second.status !== 'written') return;
		const asked = caseRequests();
		expect(asked).toHaveLength(6);
		expect(asked.every((request) => request.model === CHALLENGER)).toBe(true);
		expect(new Set(asked.map((request) => draft[caseIndexOf({ messages: request.body!.messages! })]!.id))).toEqual(blocked);
		expect(second.report.not_run).toBeUndefined();
		expect(second.report.metrics.find((entry) => entry.model === CHALLENGER)!.cases).toBe(20);

		// And then nothing is left to ask.
		fake!.clearLog();
		expect((await run()).status).toBe('unchanged');
		expect(caseRequests()).toHaveLength(0);
	}, 60_000);
});

describe('a model that never loads', () => {
	it('loads it after a 503 on its load request, and runs every case as if nothing had happened', async () => {
		const cases = draft.slice(0, 10);
		await setUp(
			[
				{ name: INCUMBENT, respond: mixedAnswers() },
				{ name: CHALLENGER, loadFault: (attempt) => (attempt === 1 ? faults.busy() : undefined), respond: mixedAnswers() },
			],
			{ cases, parallel: 8 },
		);
		const outcome = await run();
		expect(outcome.status).toBe('written');
		if (outcome.status !== 'written') return;
		expect(loadRequests(CHALLENGER).map((request) => request.status)).toEqual([503, 200]);
		expect(caseRequests().filter((request) => request.model === CHALLENGER)).toHaveLength(10);
		const [incumbent, challenger] = [INCUMBENT, CHALLENGER].map((id) => outcome.report.metrics.find((row) => row.model === id)!);
		expect(judged(challenger!)).toEqual(judged(incumbent!));
		expect(outcome.report.not_run).toBeUndefined();
	}, 60_000);

	it('is "not measured" — no metrics, no verdict — and never proposed for retirement, however many runs', async () => {
		const cases = draft.slice(0, 12);
		await setUp(
			[
				{ name: INCUMBENT, respond: mixedAnswers() },
				{ name: CHALLENGER, loadFault: faults.outOfMemory(40, 15.2), respond: mixedAnswers() },
				{ name: OTHER, respond: mixedAnswers(3) },
			],
			// One run of failures would be enough to propose a retirement, if these were failures.
			{ cases, challengers: [CHALLENGER, OTHER], run: { retries: 2 }, retirement: { all_hard_failures_runs: 1, missing_model_runs: 1 } },
		);
		const stems: string[] = [];
		for (let attempt = 1; attempt <= 3; attempt++) {
			fake!.clearLog();
			// Fresh answers each time, so each run is new evidence and writes a report of its own.
			const outcome = await run({ useCache: attempt === 1 });
			expect(outcome.status).toBe('written');
			if (outcome.status !== 'written') return;
			stems.push(outcome.stem);
			// Asked again every run: the load and its two retries; never a case.
			expect(loadRequests(CHALLENGER)).toHaveLength(3);
			expect(caseRequests().filter((request) => request.model === CHALLENGER)).toHaveLength(0);

			const { report, text, results } = await reportOf(outcome.stem);
			expect(report.metrics.map((row) => row.model)).toEqual([INCUMBENT, OTHER]);
			expect(report.verdicts.map((verdict) => verdict.challenger)).toEqual([OTHER]);
			expect(report.proposals).toEqual([]);
			expect(report.held_proposals).toEqual([]);
			expect(report.not_run).toEqual([
				{
					role: 'draft',
					model: CHALLENGER,
					count: 12,
					reasons: { 'out-of-memory': 12 },
					load_failed: true,
					message: 'model requires more system memory (40.0 GiB) than is available (15.2 GiB)',
				},
			]);
			expect(results.not_run).toHaveLength(12);
			expect(results.not_run!.every((entry) => entry.stage === 'load' && entry.attempts === 3)).toBe(true);
			expect(text).toContain(
				`- ${CHALLENGER}: not measured: load failed — model requires more system memory (40.0 GiB) than is available (15.2 GiB) (no metrics, no verdict)`,
			);
		}
		expect(stems).toEqual(['local-model-benchmark-2026-11-26', 'local-model-benchmark-2026-11-26-2', 'local-model-benchmark-2026-11-26-3']);
	}, 120_000);

	it('leaves every challenger without a verdict to be judged against when the incumbent never loads, and retires no one', async () => {
		await setUp(
			[
				{ name: INCUMBENT, loadFault: faults.busy(), respond: mixedAnswers() },
				{ name: CHALLENGER, respond: () => ({ content: '' }) },
			],
			{ run: { retries: 1 }, retirement: { all_hard_failures_runs: 1 } },
		);
		const outcome = await run();
		expect(outcome.status).toBe('written');
		if (outcome.status !== 'written') return;
		expect(outcome.report.verdicts).toEqual([
			expect.objectContaining({
				challenger: CHALLENGER,
				outcome: 'insufficient evidence',
				reason: `${CHALLENGER} cannot be judged: the incumbent ${INCUMBENT} was not measured: load failed — server busy, please try again.  maximum pending requests exceeded`,
			}),
		]);
		// The challenger's own empty answers are its failures: those still count toward its retirement (proposed,
		// then held by the diversity guard, since it is the role's only other family).
		expect([...outcome.report.proposals, ...outcome.report.held_proposals.map((held) => held.proposal)]).toEqual([
			{ kind: 'retire', role: 'draft', model: CHALLENGER, reason: 'failed hard on every case in each of the last 1 run(s)' },
		]);
		expect(outcome.report.metrics.map((row) => row.model)).toEqual([CHALLENGER]);
	}, 60_000);
});

describe('the site', () => {
	it('shows on the run page how many cases were not run and why, and which model was not measured', async () => {
		const cases = draft.slice(0, 20);
		const blocked = new Set([2, 5, 8].map((index) => cases[index]!.id));
		await setUp(
			[
				{ name: INCUMBENT, respond: mixedAnswers() },
				{
					name: CHALLENGER,
					respond: (request) => (blocked.has(draft[caseIndexOf(request)]!.id) ? faults.busy() : mixedAnswers(1)(request)),
				},
				{ name: OTHER, loadFault: faults.outOfMemory(40, 15.2), respond: mixedAnswers() },
			],
			{ cases, challengers: [CHALLENGER, OTHER], parallel: 4, run: { retries: 1 }, site: true },
		);
		const build = await astroBuild(workspace!.root, { OLLAMA_HOST: fake!.url });
		expect(build.code, build.output).toBe(0);
		// A build runs on the real clock: the report is today's.
		const stem = `local-model-benchmark-${new Date().toISOString().slice(0, 10)}`;
		const html = await readFile(path.join(workspace!.root, 'dist', 'runs', stem, 'index.html'), 'utf8');
		const text = pageText(html);
		expect(text).toContain('23 cases not run : the server could not serve them after the retries');
		expect(text).toContain(`${CHALLENGER} : 3 cases not run: server busy (its metrics are over the cases it ran)`);
		expect(text).toContain(
			`${OTHER} : not measured: load failed — model requires more system memory (40.0 GiB) than is available (15.2 GiB) (no metrics, no verdict)`,
		);
		expect(build.output).toContain(`draft · ${OTHER}: not measured: load failed — model requires more system memory`);
		// The home page's latest run says so too.
		const home = pageText(await readFile(path.join(workspace!.root, 'dist', 'index.html'), 'utf8'));
		expect(home).toContain(
			`${OTHER} in draft: not measured: load failed — model requires more system memory (40.0 GiB) than is available (15.2 GiB); ${CHALLENGER} in draft: 3 cases not run: server busy.`,
		);
	}, 300_000);
});
