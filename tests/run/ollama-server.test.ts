import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateCases, rightAnswerResponder } from '../../bench/support/generated-cases.ts';
import { projectPolicy } from '../../bench/support/perf-workspace.ts';
import { type AnswerCache, createFileCache } from '../../src/lib/run/answer-cache.ts';
import { contextShiftPromptLimit } from '../../src/lib/run/evaluate-answer.ts';
import { createOllamaClient } from '../../src/lib/run/model-client.ts';
import { planRun } from '../../src/lib/run/plan-run.ts';
import { runBenchmark } from '../../src/lib/run/run-benchmark.ts';
import type { Case } from '../../src/lib/schema/case.ts';
import { ModelSchema } from '../../src/lib/schema/model.ts';
import { type Policy, type RunOptions, RunOptionsSchema } from '../../src/lib/schema/policy.ts';
import { RoleSchema } from '../../src/lib/schema/role.ts';
import { gradeContexts, promptTokens, taskFor } from '../../src/lib/tasks/index.ts';
import { type FakeModel, type FakeOllama, startFakeOllama } from '../../testing/fake-ollama/server.ts';

const MODEL = 'writer:8b';
let all: Case[];
let draft: Case[];
let policy: Policy;
let dir: string;
let cache: AnswerCache;
let fake: FakeOllama | undefined;
const warnings: string[] = [];

beforeAll(async () => {
	all = await generateCases(12);
	draft = all.filter((testCase) => testCase.role === 'draft');
	policy = await projectPolicy();
});
beforeEach(async () => {
	dir = await mkdtemp(path.join(os.tmpdir(), 'lmb-ollama-server-'));
	cache = createFileCache(path.join(dir, 'answers'));
	warnings.length = 0;
});
afterEach(async () => {
	await fake?.close();
	fake = undefined;
	await rm(dir, { recursive: true, force: true });
});

async function serve(model: Partial<FakeModel> = {}, version = '0.32.15'): Promise<FakeOllama> {
	fake = await startFakeOllama({ version, models: [{ name: MODEL, respond: rightAnswerResponder(all), ...model }] });
	return fake;
}

async function run(host: string, run: Partial<RunOptions> = {}, cases: readonly Case[] = draft) {
	const registry = {
		models: [ModelSchema.parse({ id: MODEL, family: 'writer', host })],
		roles: [{ file: 'draft.yaml', role: RoleSchema.parse({ role: 'draft', description: 'Server facts test role.', incumbent: MODEL }) }],
		cases: cases.map((testCase) => ({ file: `${testCase.id}.json`, case: testCase })),
	};
	const outcome = await runBenchmark(
		planRun(registry, host),
		{
			clientFor: (url) => createOllamaClient(url),
			cache,
			gradeContext: gradeContexts(all),
			logger: { info: () => {}, warn: (line) => warnings.push(line) },
		},
		{ run: { ...policy.run, ...run }, repeats: 1, useCache: true },
	);
	// What a build does at its end: the run's answers folded into the cache's stores.
	await cache.close?.();
	cache = createFileCache(path.join(dir, 'answers'));
	return outcome;
}

const sentNumCtx = (server: FakeOllama) =>
	server.requests
		.filter((request) => request.endpoint === 'chat' && (request.body?.messages?.length ?? 0) > 0)
		.map((r) => r.body?.options?.num_ctx);

describe('what the Ollama server does with what it is sent', () => {
	it('caps num_ctx at the context the model was trained for, says so and records it', async () => {
		const server = await serve({ contextLength: 8192 });
		expect(policy.run.num_ctx).toBeGreaterThan(8192);
		const outcome = await run(server.url);
		expect(new Set(sentNumCtx(server))).toEqual(new Set([8192]));
		expect(outcome.models[0]).toMatchObject({ options: { num_ctx: 8192 }, context_length: 8192 });
		expect(
			warnings.some(
				(line) =>
					line.includes(`${MODEL} was trained for a context of 8192 tokens`) && line.includes(`not run.num_ctx ${policy.run.num_ctx}`),
			),
		).toBe(true);
		expect(outcome.results.every((result) => result.outcome === 'accepted')).toBe(true);
	});

	it('sends num_ctx as it is, without a word, to a model trained for more', async () => {
		const server = await serve({ contextLength: 131_072 });
		const outcome = await run(server.url);
		expect(new Set(sentNumCtx(server))).toEqual(new Set([policy.run.num_ctx]));
		expect(outcome.models[0]).toMatchObject({ options: { num_ctx: policy.run.num_ctx }, context_length: 131_072 });
		expect(warnings).toEqual([]);
	});

	it('never grades a right answer to a prompt the server cut to half of num_ctx', async () => {
		// A prompt the harness estimates to fit num_ctx with room for the answer, which the model's tokenizer
		// counts past num_ctx: Ollama keeps num_keep and the BOS token and drops half of the rest.
		const [testCase] = draft;
		const estimate = promptTokens(taskFor(testCase!.task).buildPrompt(testCase!));
		const options = { num_ctx: estimate + Math.floor(estimate / 2), num_predict: Math.floor(estimate / 2) };
		expect(estimate + options.num_predict).toBeLessThanOrEqual(options.num_ctx);
		const right = rightAnswerResponder(all);
		let cutTo = 0;
		const server = await serve({
			respond: (request) => ({ ...right(request), promptEvalCount: (cutTo = contextShiftPromptLimit(Number(request.options.num_ctx), 5)) }),
		});
		const outcome = await run(server.url, options, [testCase!]);
		expect(cutTo).toBe(options.num_ctx - Math.floor((options.num_ctx - 5) / 2));
		expect(outcome.results.map((result) => result.failure_class)).toEqual(['context-overflow']);
		expect(outcome.results[0]!.failure_message).toMatch(/^Ollama cut the prompt to fit num_ctx \d+: it evaluated \d+ tokens/);
		// The answer to the cut prompt is cached like any answer (the same question is cut the same way) and
		// graded again, never accepted, on a rerun; a larger num_ctx is a new question.
		expect((await run(server.url, options, [testCase!])).results.map((result) => [result.cached, result.failure_class])).toEqual([
			[true, 'context-overflow'],
		]);
		// The same answer to the whole prompt (the fake's own count, a little under the harness's estimate) is graded.
		server.setModels([{ name: MODEL, respond: right }]);
		cache = createFileCache(path.join(dir, 'fresh'));
		const whole = await run(server.url, options, [testCase!]);
		expect(whole.results.map((result) => result.outcome)).toEqual(['accepted']);
	});

	it('classes a repetition loop as the model’s own failure, asked again next run', async () => {
		const server = await serve({ respond: () => ({ fault: 'repetition', afterChunks: 1, content: 'fix: the' }) });
		const first = await run(server.url);
		expect(first.results.map((result) => result.failure_class)).toEqual(draft.map(() => 'repetition'));
		expect((await run(server.url)).modelCalls).toBe(draft.length);
	});
});

describe('think as Ollama takes it', () => {
	it('accepts think "max" in models.yaml and policy.yaml, refuses what Ollama refuses, and sends it', async () => {
		expect(ModelSchema.parse({ id: MODEL, family: 'writer', think: 'max' }).think).toBe('max');
		expect(RunOptionsSchema.parse({ ...policy.run, think: 'max' }).think).toBe('max');
		expect(ModelSchema.safeParse({ id: MODEL, family: 'writer', think: 'maximum' }).success).toBe(false);
		const server = await serve({ capabilities: ['completion', 'thinking'] });
		const outcome = await run(server.url, { think: 'max' });
		expect(outcome.results.every((result) => result.outcome === 'accepted')).toBe(true);
		expect(server.requests.filter((request) => (request.body?.messages?.length ?? 0) > 0).map((request) => request.body?.think)).toEqual(
			draft.map(() => 'max'),
		);
		expect(outcome.models[0]!.options).toMatchObject({ think: 'max' });
	});
});

describe('answers cached under an older Ollama', () => {
	it('records the version that answered, counts reused answers from an older one, and re-asks them when told to', async () => {
		const server = await serve({}, '0.30.2');
		const first = await run(server.url);
		expect(first.modelCalls).toBe(draft.length);
		expect(first.answersFromOlderOllama).toBe(0);
		expect(first.results.every((result) => result.ollama_version === '0.30.2')).toBe(true);

		// The owner upgrades Ollama: the answers are reused, and counted.
		server.setVersion('0.32.15');
		const reused = await run(server.url);
		expect(reused.modelCalls).toBe(0);
		expect(reused.answersFromOlderOllama).toBe(draft.length);
		expect(reused.results.every((result) => result.cached && result.ollama_version === '0.30.2')).toBe(true);
		expect(warnings.some((line) => line.includes(`${draft.length} cached answer(s) came from another Ollama version`))).toBe(true);

		// With run.reask_after_upgrade they are asked of the new server, and stored as its answers.
		const reasked = await run(server.url, { reask_after_upgrade: true });
		expect(reasked.modelCalls).toBe(draft.length);
		expect(reasked.answersFromOlderOllama).toBe(0);
		expect(reasked.results.every((result) => !result.cached && result.ollama_version === '0.32.15')).toBe(true);
		const again = await run(server.url, { reask_after_upgrade: true });
		expect(again.modelCalls).toBe(0);
		expect(again.results.every((result) => result.cached && result.ollama_version === '0.32.15')).toBe(true);
	});

	it('reads entries cached before versions were recorded, and counts them as from another server', async () => {
		const server = await serve();
		await run(server.url);
		// Entries as an earlier harness wrote them: no ollamaVersion.
		const stores = (await readdir(path.join(dir, 'answers'))).filter((name) => name.endsWith('.jsonl'));
		expect(stores.length).toBeGreaterThan(0);
		for (const name of stores) {
			const file = path.join(dir, 'answers', name);
			const lines = (await readFile(file, 'utf8')).trim().split('\n');
			const stripped = lines.map((line) => {
				const entry = JSON.parse(line) as { v: { ollamaVersion?: string } };
				expect(entry.v.ollamaVersion).toBe('0.32.15');
				delete entry.v.ollamaVersion;
				return JSON.stringify(entry);
			});
			await writeFile(file, `${stripped.join('\n')}\n`);
		}
		cache = createFileCache(path.join(dir, 'answers'));
		const reused = await run(server.url);
		expect(reused.modelCalls).toBe(0);
		expect(reused.answersFromOlderOllama).toBe(draft.length);
		expect(reused.results.every((result) => result.ollama_version === null)).toBe(true);
		expect(warnings.some((line) => line.startsWith('ignoring the cached answer'))).toBe(false);
		expect((await run(server.url, { reask_after_upgrade: true })).modelCalls).toBe(draft.length);
	});
});
