import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS, inputTokensAtMost, runBaseline } from '../../src/lib/baseline/run-baseline.ts';
import { sampleCases } from '../../src/lib/baseline/sample-cases.ts';
import { loadRegistry } from '../../src/lib/registry/load-registry.ts';
import type { AnswerCache, CachedAnswer } from '../../src/lib/run/answer-cache.ts';
import { createCaseOrders, stratifiedOrder } from '../../src/lib/run/case-order.ts';
import type { GoOnRule, SequentialRun } from '../../src/lib/run/run-benchmark.ts';
import type { CaseResult } from '../../src/lib/schema/report.ts';
import type { Case } from '../../src/lib/schema/case.ts';
import { gradeContexts, taskFor } from '../../src/lib/tasks/index.ts';
import { type FakeAnthropic, type MessagesReply, anthropicErrors, startFakeAnthropic } from '../../testing/fake-anthropic.ts';
import type { ProjectCopy } from '../../testing/project-copy.ts';
import { fixtureCases, fixtureWorkspace, rightAnswer } from '../../testing/workspace.ts';
import { BASELINE, BASELINE_ID, baselineScript, caseAsked, configureBaseline } from './support.ts';

const KEY = 'sk-ant-api03-baseline-TESTKEY-0ddba11';

let cases: Case[];
let workspace: ProjectCopy;
let frontier: FakeAnthropic | undefined;
const logged: string[] = [];
const logger = { info: (line: string) => logged.push(line), warn: (line: string) => logged.push(`warn: ${line}`) };
const waits: number[] = [];

/** An in-memory answer cache with the real interface. */
function memoryCache(): AnswerCache & { entries: Map<string, CachedAnswer> } {
	const entries = new Map<string, CachedAnswer>();
	return {
		entries,
		get: async (key, scope) => entries.get(`${scope}/${key}`),
		set: async (key, value, scope) => void entries.set(`${scope}/${key}`, value),
	};
}

beforeAll(async () => {
	cases = await fixtureCases();
});
beforeEach(async () => {
	workspace = await fixtureWorkspace('lmb-baseline-');
	logged.length = 0;
	waits.length = 0;
});
afterEach(async () => {
	await frontier?.close();
	frontier = undefined;
	await workspace.dispose();
});

async function ask(
	respond: Parameters<typeof startFakeAnthropic>[0]['respond'],
	options: {
		settings?: Record<string, unknown>;
		env?: Record<string, string>;
		cache?: AnswerCache;
		prices?: boolean;
		models?: Record<string, string>;
		sequential?: SequentialRun;
	} = {},
) {
	frontier ??= await startFakeAnthropic({ apiKey: KEY, respond, models: options.models ?? { [BASELINE]: BASELINE_ID } });
	await configureBaseline(workspace.root, frontier.url, { settings: options.settings ?? {}, prices: options.prices ?? true });
	const registry = await loadRegistry(workspace.root);
	const context = gradeContexts(registry.cases.map((entry) => entry.case));
	return runBaseline(registry, {
		env: options.env ?? { ANTHROPIC_API_KEY: KEY },
		cache: options.cache ?? memoryCache(),
		logger,
		gradeContext: context,
		callTimeoutMs: 10_000,
		sleep: async (ms) => void waits.push(ms),
		...(options.sequential ? { sequential: options.sequential } : {}),
	});
}

const messageCalls = () => frontier!.requests.filter((request) => request.path === '/v1/messages');

describe('the frontier baseline', () => {
	it('asks each role’s cases with the same prompt, sends no temperature, and keeps the answers under the id the API resolved', async () => {
		const outcome = (await ask(baselineScript(cases)))!;
		const review = outcome.roles.find((role) => role.role === 'review')!;
		expect(review.answeredBy).toBe(BASELINE_ID);
		expect(review.answers.map((answer) => answer.result.outcome)).toEqual(['accepted', 'accepted', 'accepted']);
		expect(review.answers.every((answer) => answer.result.tags.includes('frontier-baseline'))).toBe(true);
		expect(frontier!.violations).toEqual([]);
		expect(messageCalls().every((request) => !('temperature' in (request.body as object)))).toBe(true);
		expect(outcome.run).toMatchObject({ billed_calls: 4, stopped: null });
		// 4 calls × (1000 tokens in at $3 + 100 out at $15 per million).
		expect(outcome.run.spent_usd).toBeCloseTo(4 * (0.003 + 0.0015), 9);
	});

	it('asks nothing without the key and says so once', async () => {
		const outcome = (await ask(baselineScript(cases), { env: {} }))!;
		expect(frontier!.requests).toHaveLength(0);
		expect(logged.filter((line) => line.includes('baseline skipped: no ANTHROPIC_API_KEY'))).toHaveLength(1);
		expect(outcome.roles.every((role) => role.skipped === 'baseline skipped: no ANTHROPIC_API_KEY')).toBe(true);
	});

	it('never makes more billed calls than max_calls_per_run, and a second run asks only what is left', async () => {
		const cache = memoryCache();
		const first = (await ask(baselineScript(cases), { settings: { max_calls_per_run: 3 }, cache }))!;
		expect(frontier!.billedCalls).toBe(3);
		expect(first.run.stopped).toContain('max_calls_per_run (3) reached');
		const second = (await ask(baselineScript(cases), { settings: { max_calls_per_run: 3 }, cache }))!;
		expect(frontier!.billedCalls).toBe(4);
		expect(second.run.billed_calls).toBe(1);
		const third = (await ask(baselineScript(cases), { settings: { max_calls_per_run: 3 }, cache }))!;
		expect(frontier!.billedCalls).toBe(4);
		expect(third.roles.flatMap((role) => role.answers).every((answer) => answer.result.cached)).toBe(true);
	});

	it('stops before a call that could pass budget_usd_per_run', async () => {
		// The worst case of a call: its prompt at one token per byte at $3 and 1000 output tokens at $15 per
		// million. The budget leaves room for the first (draft) case's worst case and $0.001 more; the first call
		// costs $0.0045, so the second's worst case no longer fits.
		const draft = cases.find((testCase) => testCase.role === 'draft')!;
		const budget = Math.ceil(((inputTokensAtMost(taskFor('commit-message').buildPrompt(draft)) * 3 + 1000 * 15) / 1e6 + 0.001) * 1e4) / 1e4;
		const outcome = (await ask(baselineScript(cases), { settings: { budget_usd_per_run: budget, max_tokens: 1000 } }))!;
		expect(frontier!.billedCalls).toBe(1);
		expect(outcome.run.stopped).toContain(`budget_usd_per_run ($${budget}) reached`);
		expect(outcome.run.spent_usd!).toBeLessThanOrEqual(budget);
	});

	it('refuses to ask under a dollar budget when the model has no price', async () => {
		const outcome = (await ask(baselineScript(cases), { settings: { budget_usd_per_run: 1 }, prices: false }))!;
		expect(messageCalls()).toHaveLength(0);
		expect(outcome.roles[0]!.skipped).toContain('has no price_per_mtok_in/out');
	});

	it('retries a passing 429, 529 and 500 after retry-after, and never scores a case that kept failing', async () => {
		const tries = new Map<string, number>();
		const outcome = (await ask((call) => {
			const testCase = caseAsked(call, cases);
			const attempt = (tries.get(testCase.id) ?? 0) + 1;
			tries.set(testCase.id, attempt);
			if (testCase.role === 'draft') return anthropicErrors.overloaded();
			if (attempt === 1) return anthropicErrors.rateLimitedFor(7);
			if (attempt === 2) return anthropicErrors.apiError();
			return baselineScript(cases)(call);
		}))!;
		const draft = outcome.roles.find((role) => role.role === 'draft')!;
		expect(draft.answers).toHaveLength(0);
		expect(draft.notScored).toBe(1);
		expect(tries.get(draft.sampled[0]!.id)).toBe(MAX_ATTEMPTS);
		expect(outcome.roles.find((role) => role.role === 'review')!.answers).toHaveLength(3);
		expect(waits).toContain(7000);
		expect(outcome.run.billed_calls).toBe(3);
	});

	it.each([
		['a spend-cap 429', anthropicErrors.spendCap()],
		['a 402', anthropicErrors.billing()],
	])('stops the baseline for the run on %s', async (_, error) => {
		const outcome = (await ask(() => error as MessagesReply))!;
		expect(messageCalls()).toHaveLength(1);
		expect(outcome.run.stopped).toContain('spend limit is reached');
		expect(outcome.roles.every((role) => role.answers.length === 0)).toBe(true);
	});

	it('makes no further billed call for a role once the stop rule settles its baseline, and reads the cached answers first next run', async () => {
		// A test double of the policy stage's rule: the baseline in `review` stops after one result.
		const observed: CaseResult[] = [];
		const rule: GoOnRule = {
			goOn: (role, model) => !(role === 'review' && model === BASELINE) || observed.filter((result) => result.role === 'review').length < 1,
			observe: (result) => void observed.push(result),
			skip: () => {},
		};
		const cache = memoryCache();
		const orders = createCaseOrders();
		const askedIds: string[] = [];
		const script = baselineScript(cases);
		const first = (await ask(
			(call) => {
				askedIds.push(caseAsked(call, cases).id);
				return script(call);
			},
			{ cache, sequential: { rule, orders } },
		))!;
		const review = first.roles.find((role) => role.role === 'review')!;
		const reviewCases = cases.filter((testCase) => testCase.role === 'review');
		expect(review.answers).toHaveLength(1);
		expect(review.notAsked).toBe(reviewCases.length - 1);
		expect(first.run.billed_calls).toBe(2);
		// The draft case, then the first of review's seeded order (nothing was cached).
		expect(askedIds).toEqual([cases.find((testCase) => testCase.role === 'draft')!.id, stratifiedOrder(reviewCases, 42)[0]!.id]);
		// The results carry the role's `baseline:` id, which the rule is asked about.
		expect(observed.map((result) => result.model)).toEqual([BASELINE, BASELINE]);
		expect(orders.get('review', BASELINE)[0]).toBe(review.answers[0]!.result.case_id);
		// Next run, everything asked: the cached answer comes first, then the rest of the seeded order.
		observed.length = 0;
		const again = createCaseOrders();
		await ask(script, { cache, sequential: { rule: { ...rule, goOn: () => true }, orders: again } });
		expect(again.get('review', BASELINE)[0]).toBe(review.answers[0]!.result.case_id);
		expect(frontier!.billedCalls).toBe(2 + reviewCases.length - 1);
	});

	it('names the model in models.yaml when the API does not know it', async () => {
		const outcome = (await ask(baselineScript(cases), { models: {} }))!;
		expect(messageCalls()).toHaveLength(0);
		expect(outcome.roles[0]!.skipped).toContain(
			`the API does not know the model ${BASELINE} (HTTP 404): check its id in benchmarks/models.yaml`,
		);
	});

	it('grades only the text after thinking blocks, fails a refusal, and does not score a cut at our own max_tokens', async () => {
		const review = cases.filter((testCase) => testCase.role === 'review');
		const outcome = (await ask(
			baselineScript(cases, {
				[review[0]!.id]: { text: rightAnswer(review[0]!), thinking: 'Let me think.', stopReason: 'end_turn' },
				[review[1]!.id]: { text: '', stopReason: 'refusal' },
				[review[2]!.id]: { text: '{"verdict":', stopReason: 'max_tokens', thinking: 'long thoughts' },
			}),
		))!;
		const answers = outcome.roles.find((role) => role.role === 'review')!.answers;
		const byCase = new Map(answers.map((answer) => [answer.result.case_id, answer.result]));
		expect(byCase.get(review[0]!.id)!.thinking_chars).toBe('Let me think.'.length);
		expect(byCase.get(review[0]!.id)!.outcome).toBe('accepted');
		expect(byCase.get(review[1]!.id)).toMatchObject({ outcome: 'hard-failure', failure_class: 'refusal' });
		expect(byCase.has(review[2]!.id)).toBe(false);
		expect(outcome.roles.find((role) => role.role === 'review')!.notScored).toBe(1);
	});

	it('keeps the key out of every answer, log line and cached entry', async () => {
		const cache = memoryCache();
		await ask(baselineScript(cases, { [cases.find((c) => c.role === 'draft')!.id]: { text: `fix: header was x-api-key ${KEY}` } }), {
			cache,
		});
		expect(JSON.stringify([...cache.entries.values()])).not.toContain(KEY);
		expect(logged.join('\n')).not.toContain(KEY);
		expect(JSON.stringify(frontier!.requests)).not.toContain(KEY);
	});
});

describe('sampleCases', () => {
	const many = Array.from({ length: 40 }, (_, index) => ({
		id: `case-${String(index).padStart(2, '0')}`,
		severity: (['low', 'low', 'medium', 'high', 'critical'] as const)[index % 5]!,
	}));

	it('keeps every severity in its share and draws the same sample from the same seed', () => {
		const sample = sampleCases(many, 10, 42);
		expect(sample).toHaveLength(10);
		const count = (severity: string) => sample.filter((entry) => entry.severity === severity).length;
		expect([count('low'), count('medium'), count('high'), count('critical')]).toEqual([4, 2, 2, 2]);
		expect(sampleCases([...many].reverse(), 10, 42)).toEqual(sample);
		expect(sampleCases(many, 10, 43)).not.toEqual(sample);
	});

	it('moves little when a case is added', () => {
		const before = sampleCases(many, 10, 42).map((entry) => entry.id);
		const after = sampleCases([...many, { id: 'case-new', severity: 'low' as const }], 10, 42).map((entry) => entry.id);
		expect(before.filter((id) => after.includes(id)).length).toBeGreaterThanOrEqual(9);
	});

	it('takes every case when the cap is not reached', () => {
		expect(sampleCases(many.slice(0, 3), 10, 1)).toHaveLength(3);
		expect(sampleCases(many, undefined, 1)).toHaveLength(40);
	});
});
