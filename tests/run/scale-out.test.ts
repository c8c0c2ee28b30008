import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateCases, rightAnswerResponder } from '../../bench/support/generated-cases.ts';
import { projectPolicy } from '../../bench/support/perf-workspace.ts';
import { type AnswerCache, createFileCache } from '../../src/lib/run/answer-cache.ts';
import { createOllamaClient } from '../../src/lib/run/model-client.ts';
import { planRun } from '../../src/lib/run/plan-run.ts';
import { OllamaGoneError, runBenchmark } from '../../src/lib/run/run-benchmark.ts';
import type { Case } from '../../src/lib/schema/case.ts';
import { ModelSchema, type ModelInput } from '../../src/lib/schema/model.ts';
import type { Policy } from '../../src/lib/schema/policy.ts';
import { RoleSchema } from '../../src/lib/schema/role.ts';
import { gradeContexts } from '../../src/lib/tasks/index.ts';
import { type FakeOllama, type FakeRequest, faults, startFakeOllama } from '../../testing/fake-ollama/server.ts';

const MODEL = 'pool-model:8b';
let all: Case[];
let draft: Case[];
let policy: Policy;
let dir: string;
let cache: AnswerCache;
let fakes: FakeOllama[] = [];
const warnings: string[] = [];

beforeAll(async () => {
	// Commit-message cases only: graded without running anything, so the test times the engine, not a sandbox.
	all = await generateCases(120);
	draft = all.filter((testCase) => testCase.role === 'draft');
	policy = await projectPolicy();
});
beforeEach(async () => {
	dir = await mkdtemp(path.join(os.tmpdir(), 'lmb-scale-out-'));
	cache = createFileCache(path.join(dir, 'answers'));
	warnings.length = 0;
});
afterEach(async () => {
	await Promise.all(fakes.map((fake) => fake.close()));
	fakes = [];
	await rm(dir, { recursive: true, force: true });
});

/** A fake Ollama whose model answers every generated case right after `delayMs`, counting the requests it serves at once. */
async function fakeHost(delayMs: number, onRequest: (request: FakeRequest) => void = () => {}) {
	const right = rightAnswerResponder(all);
	const load = { active: 0, most: 0 };
	const fake = await startFakeOllama({
		models: [
			{
				name: MODEL,
				respond: async (request) => {
					onRequest(request);
					load.most = Math.max(load.most, ++load.active);
					await new Promise((resolve) => setTimeout(resolve, delayMs));
					load.active--;
					return right(request);
				},
			},
		],
	});
	fakes.push(fake);
	return { fake, load };
}

function plansFor(model: Omit<ModelInput, 'id' | 'family'>) {
	const registry = {
		models: [ModelSchema.parse({ id: MODEL, family: 'pool', ...model })],
		roles: [{ file: 'draft.yaml', role: RoleSchema.parse({ role: 'draft', description: 'Scale-out test role.', incumbent: MODEL }) }],
		cases: draft.map((testCase) => ({ file: `${testCase.id}.json`, case: testCase })),
	};
	return planRun(registry, 'http://127.0.0.1:9');
}

const run = (plans: ReturnType<typeof plansFor>, runOptions: Partial<Policy['run']> = {}) =>
	runBenchmark(
		plans,
		{
			clientFor: (host) => createOllamaClient(host),
			cache,
			gradeContext: gradeContexts(all),
			logger: { info: () => {}, warn: (line) => warnings.push(line) },
		},
		{ run: { ...policy.run, ...runOptions }, repeats: 1, useCache: true },
	);

const caseCalls = (fake: FakeOllama) =>
	fake.requests.filter((request) => request.endpoint === 'chat' && (request.body?.messages?.length ?? 0) > 0).length;
const loads = (fake: FakeOllama) =>
	fake.requests.filter(
		(request) => request.endpoint === 'chat' && (request.body?.messages?.length ?? 0) === 0 && request.body?.keep_alive !== 0,
	).length;

describe('parallel slots and host pools', () => {
	it('sends a model `parallel` requests at once and reports its results in the order of a sequential run', async () => {
		const { fake, load } = await fakeHost(80);
		const sequential = await run(plansFor({ host: fake.url }));
		expect(load.most).toBe(1);
		cache = createFileCache(path.join(dir, 'fresh'));
		const parallel = await run(plansFor({ host: fake.url, parallel: 4 }));
		expect(load.most).toBe(4);
		expect(parallel.modelCalls).toBe(draft.length);
		expect(parallel.results.map((result) => result.case_id)).toEqual(sequential.results.map((result) => result.case_id));
		expect(parallel.results.map((result) => result.outcome)).toEqual(Array(draft.length).fill('accepted'));
		expect(parallel.models[0]).toMatchObject({ id: MODEL, host: fake.url, parallel: 4 });
		expect(loads(fake)).toBe(2); // once per run, however many slots
	});

	it('shares a model’s cases across its hosts, each loading it once, and says who answered what', async () => {
		const [a, b] = [await fakeHost(40), await fakeHost(40)];
		const outcome = await run(plansFor({ hosts: [a.fake.url, b.fake.url], parallel: 2 }));
		expect(outcome.results.map((result) => result.case_id)).toEqual(draft.map((testCase) => testCase.id).sort());
		expect(outcome.results.every((result) => result.outcome === 'accepted')).toBe(true);
		expect(caseCalls(a.fake) + caseCalls(b.fake)).toBe(draft.length);
		expect(caseCalls(a.fake)).toBeGreaterThan(0);
		expect(caseCalls(b.fake)).toBeGreaterThan(0);
		expect(outcome.results.filter((result) => result.host === a.fake.url)).toHaveLength(caseCalls(a.fake));
		expect(outcome.results.filter((result) => result.host === b.fake.url)).toHaveLength(caseCalls(b.fake));
		expect([loads(a.fake), loads(b.fake)]).toEqual([1, 1]);
		expect(outcome.models[0]).toMatchObject({ hosts: [a.fake.url, b.fake.url], parallel: 2 });
		expect(outcome.ollama.map((entry) => entry.host)).toEqual([a.fake.url, b.fake.url].sort());
	});

	it('finishes on the other host when one goes away mid-run, keeping what it answered and losing nothing', async () => {
		let killed = false;
		const a: Awaited<ReturnType<typeof fakeHost>> = await fakeHost(60, () => {
			// The fourth case request on this host: it is cut off with every open connection.
			if (!killed && caseCalls(a.fake) === 4) {
				killed = true;
				setTimeout(() => void a.fake.stop(), 10);
			}
		});
		const b = await fakeHost(60);
		const outcome = await run(plansFor({ hosts: [a.fake.url, b.fake.url], parallel: 2 }));
		expect(killed).toBe(true);
		expect(outcome.results.map((result) => result.case_id)).toEqual(draft.map((testCase) => testCase.id).sort());
		expect(outcome.results.map((result) => result.outcome)).toEqual(Array(draft.length).fill('accepted'));
		const fromA = outcome.results.filter((result) => result.host === a.fake.url).length;
		expect(fromA).toBeGreaterThan(0); // its answers before it went are kept…
		expect(fromA).toBeLessThan(4); // …and what it had in flight was asked again on the other host
		expect(outcome.results.filter((result) => result.host === b.fake.url)).toHaveLength(draft.length - fromA);
		expect(
			warnings.some((line) => line.includes(`Ollama at ${a.fake.url} stopped answering`) && line.includes(`go to ${b.fake.url}`)),
		).toBe(true);
		// Every answer is in the cache: a rerun asks nothing.
		await cache.close?.();
		cache = createFileCache(path.join(dir, 'answers'));
		const rerun = await run(plansFor({ hosts: [a.fake.url, b.fake.url], parallel: 2 }).map((plan) => ({ ...plan, hosts: [b.fake.url] })));
		expect(rerun.modelCalls).toBe(0);
	});

	it('stops the run, rather than leave a model out, when a host that went away was a later model’s only host', async () => {
		const a: Awaited<ReturnType<typeof fakeHost>> = await fakeHost(30, () => {
			if (caseCalls(a.fake) === 2) setTimeout(() => void a.fake.stop(), 5);
		});
		const b = await fakeHost(30);
		a.fake.addModel({ name: 'solo:1b', respond: rightAnswerResponder(all) });
		const [pooled] = plansFor({ hosts: [a.fake.url, b.fake.url] });
		const solo = { ...pooled!, model: 'solo:1b', hosts: [a.fake.url] };
		await expect(run([pooled!, solo])).rejects.toThrow(OllamaGoneError);
		expect(b.load.most).toBeGreaterThan(0); // the pooled model finished on the other host first
	});

	it('stops the run when every host of a model is gone, as with one host', async () => {
		const a = await fakeHost(30);
		const b = await fakeHost(30);
		let calls = 0;
		const stopBoth = () => {
			if (++calls === 3) void Promise.all([a.fake.stop(), b.fake.stop()]);
		};
		a.fake.setModels([{ name: MODEL, respond: async (request) => (stopBoth(), rightAnswerResponder(all)(request)) }]);
		b.fake.setModels([{ name: MODEL, respond: async (request) => (stopBoth(), rightAnswerResponder(all)(request)) }]);
		await expect(run(plansFor({ hosts: [a.fake.url, b.fake.url] }))).rejects.toThrow(OllamaGoneError);
	});

	it('hands a model’s cases to the other host when it cannot be loaded on one, and runs them all there', async () => {
		const a = await fakeHost(20);
		const b = await fakeHost(20);
		a.fake.setModels([{ name: MODEL, loadFault: faults.outOfMemory(40, 15.2), respond: rightAnswerResponder(all) }]);
		const outcome = await run(plansFor({ hosts: [a.fake.url, b.fake.url], parallel: 2 }), { retries: 2, retry_initial_s: 0.01 });
		expect(outcome.notRun).toEqual([]);
		expect(outcome.results.map((result) => result.case_id)).toEqual(draft.map((testCase) => testCase.id).sort());
		expect(outcome.results.every((result) => result.outcome === 'accepted' && result.host === b.fake.url)).toBe(true);
		expect(loads(a.fake)).toBe(3); // the first try and two retries, shared by its slots
		expect(caseCalls(a.fake)).toBe(0);
		expect(
			warnings.some((line) => line.includes(`${MODEL} could not be loaded on ${a.fake.url}`) && line.includes(`go to ${b.fake.url}`)),
		).toBe(true);
	});

	it('records every case as not run, with no result, when no host of the pool can load the model', async () => {
		const a = await fakeHost(20);
		const b = await fakeHost(20);
		for (const { fake } of [a, b])
			fake.setModels([{ name: MODEL, loadFault: faults.outOfMemory(40, 15.2), respond: rightAnswerResponder(all) }]);
		const outcome = await run(plansFor({ hosts: [a.fake.url, b.fake.url], parallel: 2 }), { retries: 1, retry_initial_s: 0.01 });
		expect(outcome.results).toEqual([]);
		expect(outcome.modelCalls).toBe(0);
		expect(outcome.notRun.map((entry) => entry.case_id)).toEqual(draft.map((testCase) => testCase.id).sort());
		expect(new Set(outcome.notRun.map((entry) => `${entry.reason} ${entry.stage} ${entry.attempts}`))).toEqual(
			new Set(['out-of-memory load 2']),
		);
		expect(outcome.notRun[0]!.message).toBe(
			`loading ${MODEL} failed: HTTP 500: model requires more system memory (40.0 GiB) than is available (15.2 GiB)`,
		);
		expect([loads(a.fake), loads(b.fake)]).toEqual([2, 2]);
	});
});
