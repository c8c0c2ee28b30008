import { spawn } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runBenchmarkPipeline } from '../../src/lib/pipeline/benchmark-pipeline.ts';
import { renderReport } from '../../src/lib/report/render-report.ts';
import { OllamaGoneError } from '../../src/lib/run/run-benchmark.ts';
import type { Case } from '../../src/lib/schema/case.ts';
import { type ResultsFile, ResultsFileSchema } from '../../src/lib/schema/report.ts';
import { type FakeModel, type FakeOllama, type FakeReply, faults, startFakeOllama } from '../../testing/fake-ollama/server.ts';
import { PROJECT_ROOT, type ProjectCopy, closedAddress } from '../../testing/project-copy.ts';
import { fixtureCases, fixtureWorkspace, scriptedResponder } from '../../testing/workspace.ts';

let cases: Case[];
let fake: FakeOllama;
let workspace: ProjectCopy;
const logged: string[] = [];
const logger = { info: (line: string) => logged.push(line), warn: (line: string) => logged.push(`warn: ${line}`) };

beforeAll(async () => {
	cases = await fixtureCases();
});
beforeEach(async () => {
	workspace = await fixtureWorkspace('lmb-engine-');
	logged.length = 0;
});
afterEach(async () => {
	await fake?.close();
	await workspace.dispose();
});

/** Puts extra models into the workspace's registry: each joins `role` as a challenger. */
async function addChallengers(role: string, ids: string[], extra: Record<string, object> = {}): Promise<void> {
	const modelsFile = path.join(workspace.root, 'benchmarks', 'models.yaml');
	const models = parse(await readFile(modelsFile, 'utf8')) as { id: string }[];
	models.push(...ids.map((id, index) => ({ id, family: `test-family-${index}`, cost_tier: 'free', ...extra[id] })));
	await writeFile(modelsFile, stringify(models));
	const roleFile = path.join(workspace.root, 'benchmarks', 'roles', `${role}.yaml`);
	const data = parse(await readFile(roleFile, 'utf8')) as { challengers: string[] };
	data.challengers.push(...ids);
	await writeFile(roleFile, stringify(data));
}

/** Shortens the run's timeouts so stall and timeout faults finish quickly. */
async function setRunOptions(changes: Record<string, number>): Promise<void> {
	const file = path.join(workspace.root, 'benchmarks', 'policy.yaml');
	const policy = parse(await readFile(file, 'utf8')) as { run: Record<string, unknown> };
	Object.assign(policy.run, changes);
	await writeFile(file, stringify(policy));
}

const seedModels = (overrides: Record<string, Partial<FakeModel>> = {}): FakeModel[] =>
	['gemma4:latest', 'llama3.1:8b', 'granite3.3:8b', 'deepseek-r1:14b', 'gemma4:26b', 'qwen2.5-coder:14b'].map((name) => ({
		name,
		respond: scriptedResponder(cases),
		...overrides[name],
	}));

const run = (extra: Partial<Parameters<typeof runBenchmarkPipeline>[0]> = {}) =>
	runBenchmarkPipeline({
		root: workspace.root,
		env: { OLLAMA_HOST: fake.url },
		logger,
		now: () => new Date('2026-11-26T12:00:00Z'),
		...extra,
	});

const reportFiles = async () =>
	(await readdir(path.join(workspace.root, 'reports'))).filter((name) => name.startsWith('local-model-benchmark-')).sort();
const snapshotReports = async () =>
	Object.fromEntries(
		await Promise.all(
			(await reportFiles()).map(async (name) => [name, await readFile(path.join(workspace.root, 'reports', name), 'utf8')] as const),
		),
	);
const caseCalls = () => fake.requests.filter((request) => request.endpoint === 'chat' && (request.body?.messages?.length ?? 0) > 0).length;
const readResults = async (name: string): Promise<ResultsFile> =>
	ResultsFileSchema.parse(JSON.parse(await readFile(path.join(workspace.root, 'reports', name), 'utf8')));

describe('the benchmark engine against a fake Ollama', () => {
	it('gives every fault its hard-failure class, finishes the run, and leaves earlier reports byte-identical', async () => {
		const faulty: Record<string, FakeReply> = {
			'f-500:1b': faults.serverError(),
			'f-midstream:1b': faults.streamError('an error was encountered while running the model', 2, { content: 'Strip diacritics before' }),
			'f-stall:1b': faults.stall(1, { content: 'Strip diacritics before slugifying' }),
			'f-malformed:1b': faults.malformed(1, { content: 'Strip diacritics before slugifying' }),
			'f-empty:1b': { content: '' },
			'f-thinking:1b': { thinking: 'Let me think about this diff at length.', content: '', doneReason: 'length' },
			'f-length:1b': { content: 'Strip diacritics before slugifying titles and', doneReason: 'length' },
			'f-slow:1b': { content: 'Strip diacritics before slugifying titles', chunks: 20, chunkDelayMs: 100 },
			'f-reset:1b': faults.reset(1, { content: 'Strip diacritics before slugifying' }),
			'f-overflow:1b': { content: 'Strip diacritics before slugifying titles', promptEvalCount: 16384 },
			'f-repeat:1b': faults.repetition({ content: 'Strip diacritics before slugifying the' }),
			'f-repeat-said:1b': faults.streamError('prediction aborted, token repeat limit reached', 2, { content: 'Strip the the' }),
		};
		const expected: Record<string, string> = {
			'f-missing:1b': 'model-missing',
			'f-500:1b': 'server-error',
			'f-midstream:1b': 'server-error',
			'f-stall:1b': 'stall',
			'f-malformed:1b': 'server-error',
			'f-empty:1b': 'empty',
			'f-thinking:1b': 'thinking-exhausted',
			'f-length:1b': 'length',
			'f-slow:1b': 'timeout',
			'f-reset:1b': 'transport',
			'f-overflow:1b': 'context-overflow',
			'f-repeat:1b': 'repetition',
			'f-repeat-said:1b': 'repetition',
			'f-short:1b': 'context-overflow',
			'f-garbage:1b': 'unparseable',
		};
		fake = await startFakeOllama({ models: seedModels() });
		await setRunOptions({ stall_timeout_s: 0.4, call_timeout_s: 1 });
		expect((await run()).status).toBe('written');
		const before = await snapshotReports();
		expect(Object.keys(before)).toEqual(['local-model-benchmark-2026-11-26.md', 'local-model-benchmark-2026-11-26.results.json']);

		// A reasoning model is asked to think through its own `think` in models.yaml.
		await addChallengers(
			'draft',
			Object.keys(expected).filter((id) => id !== 'f-garbage:1b'),
			{ 'f-thinking:1b': { think: true } },
		);
		await addChallengers('reason', ['f-garbage:1b']);
		for (const [name, reply] of Object.entries(faulty)) {
			fake.addModel({ name, capabilities: ['completion', 'thinking'], respond: () => reply });
		}
		fake.addModel({ name: 'f-garbage:1b', respond: () => 'I think the files are probably the list ones.' });
		// Trained for 512 tokens: asked with num_ctx 512, where no prompt fits with room for the answer.
		fake.addModel({ name: 'f-short:1b', contextLength: 512, respond: () => 'never' });

		const second = await run();
		expect(second.status).toBe('written');
		const { results } = await readResults('local-model-benchmark-2026-11-26-2.results.json');
		const classes = Object.fromEntries(results.filter((r) => r.model.startsWith('f-')).map((r) => [r.model, r.failure_class]));
		expect(classes).toEqual(expected);
		// The models that behaved are still graded normally in the same run.
		expect(results.filter((r) => !r.model.startsWith('f-')).every((r) => r.outcome === 'accepted')).toBe(true);

		const after = await snapshotReports();
		for (const [name, text] of Object.entries(before)) expect(after[name]).toBe(text);
	}, 60_000);

	it('makes no model call and writes no report when nothing changed', async () => {
		fake = await startFakeOllama({ models: seedModels() });
		const first = await run();
		expect(first).toMatchObject({ status: 'written', modelCalls: cases.length + 2 });
		if (first.status !== 'written') throw new Error('no report');
		// The report says how many answers came from another Ollama version (none yet), in its body when any did.
		expect(first.report.manifest.answers_from_older_ollama).toBe(0);
		expect(renderReport(first.report)).not.toContain('Answers reused from another Ollama version');
		const reused = renderReport({ ...first.report, manifest: { ...first.report.manifest, answers_from_older_ollama: 3 } });
		expect(reused).toContain('- Answers reused from another Ollama version (an older one, or one the cache did not record): 3;');
		fake.clearLog();

		// An upgraded Ollama changes no answer the cache holds: still nothing new to report.
		fake.setVersion('0.99.0');
		const second = await run();
		expect(second).toEqual({ status: 'unchanged', latest: 'local-model-benchmark-2026-11-26' });
		expect(caseCalls()).toBe(0);
		// Not even a load: loading is lazy, and every answer came from the cache.
		expect(fake.calls.chat).toBe(0);
		expect(await reportFiles()).toHaveLength(2);
	});

	it('finds a model the registry spells differently from the server, as Ollama does', async () => {
		fake = await startFakeOllama({ models: seedModels() });
		// Written as `ollama pull` was given them; listed by the server in lower case.
		const written = ['hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M', 'Qwen3:8B', 'library/phi4'];
		for (const name of ['hf.co/bartowski/llama-3.2-3b-instruct-gguf:q4_k_m', 'qwen3:8b', 'phi4:latest'])
			fake.addModel({ name, respond: scriptedResponder(cases) });
		await addChallengers('draft', written);
		expect((await run()).status).toBe('written');
		const { results } = await readResults('local-model-benchmark-2026-11-26.results.json');
		for (const model of written) {
			const mine = results.filter((result) => result.model === model);
			expect(mine.length, model).toBeGreaterThan(0);
			expect(
				mine.map((result) => result.failure_class),
				model,
			).toEqual(mine.map(() => null));
		}
		expect(logged.filter((line) => line.includes('not installed'))).toEqual([]);
	});

	it('writes no report when the same server is spelled differently and nothing was asked', async () => {
		fake = await startFakeOllama({ models: seedModels() });
		const port = new URL(fake.url).port;
		expect((await run({ env: { OLLAMA_HOST: `127.0.0.1:${port}` } })).status).toBe('written');
		fake.clearLog();

		// localhost, a scheme, quotes: the same Ollama, the same digests, every answer from the cache.
		for (const spelling of [`localhost:${port}`, `"http://localhost:${port}/"`, `http://[::ffff:127.0.0.1]:${port}`]) {
			const again = await run({ env: { OLLAMA_HOST: spelling } });
			expect(again, spelling).toEqual({ status: 'unchanged', latest: 'local-model-benchmark-2026-11-26' });
		}
		expect(fake.calls.chat).toBe(0);
		expect(await reportFiles()).toHaveLength(2);
	});

	it('asks again with --no-cache, and with repeats', async () => {
		fake = await startFakeOllama({ models: seedModels() });
		await run();
		fake.clearLog();
		// New answers are new evidence (new timings): a report is written.
		const again = await run({ useCache: false });
		expect(again.status).toBe('written');
		expect(caseCalls()).toBe(cases.length + 2);
		fake.clearLog();
		const repeated = await run({ repeats: 2 });
		expect(repeated.status).toBe('written');
		expect(caseCalls()).toBe(2 * (cases.length + 2));
	});

	it('loads each model once, before its cases, and unloads it after', async () => {
		fake = await startFakeOllama({ models: seedModels() });
		await run();
		const sequence = fake.requests
			.filter((request) => request.endpoint === 'chat')
			.map((request) => `${request.model} ${request.body?.messages?.length ? 'case' : request.body?.keep_alive === 0 ? 'unload' : 'load'}`);
		const gemma = sequence.filter((line) => line.startsWith('gemma4:26b '));
		expect(gemma).toEqual(['gemma4:26b load', 'gemma4:26b case', 'gemma4:26b case', 'gemma4:26b case', 'gemma4:26b unload']);
		// One model at a time on one host: each model's requests are contiguous.
		const order = sequence.map((line) => line.split(' ')[0]);
		const switches = order.filter((model, index) => index > 0 && model !== order[index - 1]).length;
		expect(switches).toBe(5);
	});

	it('stops with a clear error when Ollama goes away mid-run, keeping what was answered', async () => {
		let served = 0;
		const stopAfterTwo = scriptedResponder(cases);
		fake = await startFakeOllama({
			models: seedModels().map((model) => ({
				...model,
				respond: async (request) => {
					served++;
					if (served === 3) {
						setTimeout(() => void fake.stop(), 0);
						return faults.stall(0);
					}
					return stopAfterTwo(request);
				},
			})),
		});
		const error = await run().catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(OllamaGoneError);
		expect((error as Error).message).toMatch(/stopped answering during the run .*after 2 of 8 results.*cached/);
		expect(await reportFiles()).toEqual([]);

		await fake.restart();
		fake.clearLog();
		expect((await run()).status).toBe('written');
		// The two answers given before it went away were cached; only the rest were asked.
		expect(caseCalls()).toBe(cases.length + 2 - 2);
	});

	it('skips with one warning when Ollama is not there, and leaves reports alone', async () => {
		fake = await startFakeOllama({ models: seedModels() });
		await run();
		const before = await snapshotReports();
		const result = await runBenchmarkPipeline({ root: workspace.root, env: { OLLAMA_HOST: await closedAddress() }, logger });
		expect(result.status).toBe('skipped');
		expect(logged.filter((line) => line.startsWith('warn: benchmark skipped'))).toHaveLength(1);
		expect(await snapshotReports()).toEqual(before);
		await expect(
			runBenchmarkPipeline({ root: workspace.root, env: { OLLAMA_HOST: await closedAddress(), BENCH_REQUIRED: '1' }, logger }),
		).rejects.toThrow(/BENCH_REQUIRED=1/);
	});

	it('leaves no partial report when killed with SIGKILL halfway, and the rerun makes only the missing calls', async () => {
		fake = await startFakeOllama({
			models: seedModels(
				Object.fromEntries(
					['gemma4:latest', 'llama3.1:8b', 'granite3.3:8b', 'deepseek-r1:14b', 'gemma4:26b', 'qwen2.5-coder:14b'].map((name) => [
						name,
						{ respond: (request) => ({ ...(scriptedResponder(cases)(request) as object), chunks: 4, chunkDelayMs: 50 }) },
					]),
				),
			),
		});
		const child = spawn(process.execPath, [path.join(workspace.root, 'scripts', 'bench.ts')], {
			cwd: workspace.root,
			env: { ...process.env, OLLAMA_HOST: fake.url },
			stdio: 'ignore',
		});
		const exited = new Promise((resolve) => child.on('exit', resolve));
		const total = cases.length + 2;
		while (caseCalls() < Math.ceil(total / 2)) await new Promise((resolve) => setTimeout(resolve, 20));
		child.kill('SIGKILL');
		await exited;
		expect(await reportFiles()).toEqual([]);

		// The killed run's answers are whole lines of its log (a line the kill tore is not an answer).
		const logDir = path.join(workspace.root, '.cache', 'answers', 'log');
		const logs = await readdir(logDir);
		expect(logs).toHaveLength(1);
		const answeredBeforeKill = (await readFile(path.join(logDir, logs[0]!), 'utf8')).split('\n').slice(0, -1).length;
		expect(answeredBeforeKill).toBeGreaterThan(0);
		expect(answeredBeforeKill).toBeLessThan(total);
		fake.clearLog();
		expect((await run()).status).toBe('written');
		expect(caseCalls()).toBe(total - answeredBeforeKill);
	}, 60_000);
});

// Keep the project's own reports folder out of every test's reach.
afterAll(async () => {
	const own = (await readdir(path.join(PROJECT_ROOT, 'reports'))).filter((name) => name.startsWith('local-model-benchmark-'));
	expect(own.every((name) => !name.includes('2026-11-26'))).toBe(true);
});
