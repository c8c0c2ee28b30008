import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateCases, rightAnswerResponder } from '../../bench/support/generated-cases.ts';
import { projectPolicy } from '../../bench/support/perf-workspace.ts';
import { type AnswerCache, createFileCache } from '../../src/lib/run/answer-cache.ts';
import { type CaseOrders, createCaseOrders, stratifiedOrder } from '../../src/lib/run/case-order.ts';
import { createOllamaClient } from '../../src/lib/run/model-client.ts';
import { planRun } from '../../src/lib/run/plan-run.ts';
import { type GoOnRule, runBenchmark } from '../../src/lib/run/run-benchmark.ts';
import type { Case } from '../../src/lib/schema/case.ts';
import { ModelSchema } from '../../src/lib/schema/model.ts';
import type { Policy } from '../../src/lib/schema/policy.ts';
import type { CaseResult } from '../../src/lib/schema/report.ts';
import { RoleSchema } from '../../src/lib/schema/role.ts';
import { gradeContexts } from '../../src/lib/tasks/index.ts';
import { type FakeOllama, faults, startFakeOllama } from '../../testing/fake-ollama/server.ts';

const INCUMBENT = 'keeper:8b';
const CHALLENGER = 'hopeful:8b';

let all: Case[];
let draft: Case[];
let policy: Policy;
let dir: string;
let cache: AnswerCache;
let fake: FakeOllama | undefined;

beforeAll(async () => {
	all = await generateCases(48);
	draft = all.filter((testCase) => testCase.role === 'draft');
	policy = await projectPolicy();
});
beforeEach(async () => {
	dir = await mkdtemp(path.join(os.tmpdir(), 'lmb-sequential-run-'));
	cache = createFileCache(path.join(dir, 'answers'));
	fake = await startFakeOllama({
		models: [
			{ name: INCUMBENT, respond: rightAnswerResponder(all) },
			{ name: CHALLENGER, respond: rightAnswerResponder(all) },
		],
	});
});
afterEach(async () => {
	await fake?.close();
	fake = undefined;
	await rm(dir, { recursive: true, force: true });
});

/**
 * A test double of the policy stage's stop rule, through the interface the run asks: it stops `model` in a
 * role once it has seen `after` of its results there (cached or not), and keeps what it was told.
 */
function stopAfter(model: string, after: number): GoOnRule & { observed: CaseResult[]; skipped: string[] } {
	const observed: CaseResult[] = [];
	const skipped: string[] = [];
	return {
		observed,
		skipped,
		goOn: (role, asked) => asked !== model || observed.filter((result) => result.role === role && result.model === model).length < after,
		observe: (result) => void observed.push(result),
		skip: (role, asked, caseId) => void skipped.push(`${role}/${asked}/${caseId}`),
	};
}

async function run(rule: GoOnRule | undefined, cases: readonly Case[] = draft, orders: CaseOrders = createCaseOrders()) {
	const registry = {
		models: [ModelSchema.parse({ id: INCUMBENT, family: 'keeper' }), ModelSchema.parse({ id: CHALLENGER, family: 'hopeful' })],
		// The challenger sorts first by id: the plan still runs the incumbent first.
		roles: [
			{
				file: 'draft.yaml',
				role: RoleSchema.parse({
					role: 'draft',
					description: 'Sequential run test role.',
					incumbent: INCUMBENT,
					challengers: [CHALLENGER],
				}),
			},
		],
		cases: cases.map((testCase) => ({ file: `${testCase.id}.json`, case: testCase })),
		policy,
	};
	const outcome = await runBenchmark(
		planRun(registry, fake!.url),
		{
			clientFor: (url) => createOllamaClient(url),
			cache,
			gradeContext: gradeContexts(all),
			logger: { info: () => {}, warn: () => {} },
			...(rule ? { sequential: { rule, orders } } : {}),
		},
		{ run: { ...policy.run, retries: 0 }, repeats: 1, useCache: true },
	);
	await cache.close?.();
	cache = createFileCache(path.join(dir, 'answers'));
	return outcome;
}

/** The cases a model was really asked (load requests carry no messages). */
const asked = (model: string) =>
	fake!
		.requestsFor(model, 'chat')
		.filter((request) => (request.body?.messages?.length ?? 0) > 0)
		.map((request) => request.at);

describe('a run under evidence.sequential', () => {
	it('asks a challenger no further case once the rule says its verdict is settled: no result, no not-run record, counted', async () => {
		expect(draft.length).toBeGreaterThanOrEqual(8);
		const rule = stopAfter(CHALLENGER, 3);
		const orders = createCaseOrders();
		const outcome = await run(rule, draft, orders);
		expect(asked(INCUMBENT)).toHaveLength(draft.length);
		expect(asked(CHALLENGER)).toHaveLength(3);
		// The incumbent first, although the challenger sorts before it.
		expect(Math.max(...asked(INCUMBENT))).toBeLessThanOrEqual(Math.min(...asked(CHALLENGER)));
		const challenger = outcome.results.filter((result) => result.model === CHALLENGER);
		// The first three of its seeded order: nothing was cached.
		const order = stratifiedOrder(draft, policy.run.seed).map((testCase) => testCase.id);
		expect(orders.get('draft', CHALLENGER)).toEqual(order);
		expect(challenger.map((result) => result.case_id).sort()).toEqual(order.slice(0, 3).sort());
		expect(outcome.notRun).toEqual([]);
		expect(outcome.notAsked).toEqual([{ role: 'draft', model: CHALLENGER, units: draft.length - 3 }]);
		expect(outcome.modelCalls).toBe(draft.length + 3);
		// Every result was told to the rule, and the results are in the report's order (by case id).
		expect(rule.observed).toHaveLength(outcome.results.length);
		expect(challenger.map((result) => result.case_id)).toEqual(
			challenger.map((result) => result.case_id).sort((a, b) => a.localeCompare(b)),
		);
	});

	it('reads a model’s cached answers first on the next run and asks only what the rule still wants', async () => {
		const first = await run(stopAfter(CHALLENGER, 3));
		const answered = first.results.filter((result) => result.model === CHALLENGER).map((result) => result.case_id);
		fake!.clearLog();
		const orders = createCaseOrders();
		const second = await run(stopAfter(CHALLENGER, 5), draft, orders);
		expect(asked(INCUMBENT)).toHaveLength(0);
		expect(asked(CHALLENGER)).toHaveLength(2);
		expect(orders.get('draft', CHALLENGER).slice(0, 3).toSorted()).toEqual(answered.toSorted());
		const challenger = second.results.filter((result) => result.model === CHALLENGER);
		expect(
			challenger
				.filter((result) => result.cached)
				.map((result) => result.case_id)
				.sort(),
		).toEqual(answered.sort());
		expect(challenger).toHaveLength(5);
		expect(second.notAsked).toEqual([{ role: 'draft', model: CHALLENGER, units: draft.length - 5 }]);
	});

	it('asks a stopped challenger nothing when a new case arrives, while the incumbent answers it', async () => {
		const [added, ...older] = draft;
		await run(stopAfter(CHALLENGER, 3), older);
		fake!.clearLog();
		const second = await run(stopAfter(CHALLENGER, 3), draft);
		expect(asked(INCUMBENT)).toHaveLength(1);
		expect(asked(CHALLENGER)).toHaveLength(0);
		expect(second.results.filter((result) => result.model === INCUMBENT && !result.cached).map((result) => result.case_id)).toEqual([
			added!.id,
		]);
		expect(second.results.filter((result) => result.model === CHALLENGER).every((result) => result.cached)).toBe(true);
	});

	it('still reads a cached answer after the rule said stop: it is free, and a rebuild reads what the run read', async () => {
		const full = await run(undefined);
		fake!.clearLog();
		const rebuilt = await run(stopAfter(CHALLENGER, 0));
		expect(fake!.calls.chat).toBe(0);
		expect(rebuilt.results).toHaveLength(full.results.length);
		expect(rebuilt.notAsked).toEqual([]);
	});

	it('tells the rule about a case the server could not serve, and keeps it out of the results', async () => {
		const [busy] = stratifiedOrder(draft, policy.run.seed);
		const diff = 'diff' in busy!.input ? busy!.input.diff : '';
		expect(diff).not.toBe('');
		const right = rightAnswerResponder(all);
		fake!.addModel({
			name: CHALLENGER,
			respond: (request) => (request.messages.some((message) => message.content.includes(diff)) ? faults.busy() : right(request)),
		});
		const rule = stopAfter(CHALLENGER, 2);
		const outcome = await run(rule);
		expect(rule.skipped).toEqual([`draft/${CHALLENGER}/${busy!.id}`]);
		expect(outcome.notRun.map((entry) => entry.case_id)).toEqual([busy!.id]);
		// The case it could not serve is no evidence: two results, three cases tried, the rest not asked.
		expect(outcome.results.filter((result) => result.model === CHALLENGER)).toHaveLength(2);
		expect(outcome.notAsked).toEqual([{ role: 'draft', model: CHALLENGER, units: draft.length - 3 }]);
	});
});
