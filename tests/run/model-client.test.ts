import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallFailure, type CallOptions, createOllamaClient, normalizeTag } from '../../src/lib/run/model-client.ts';
import { type FakeOllama, type FakeReply, faults, startFakeOllama } from '../../testing/fake-ollama/server.ts';
import { closedAddress } from '../../testing/project-copy.ts';

const options: CallOptions = { num_ctx: 8192, num_predict: 256, temperature: 0, seed: 7, think: false };
const messages = [{ role: 'user', content: 'Write a commit message.' }];

let fake: FakeOllama;
const scripted = (name: string, reply: FakeReply | string) => ({ name, respond: () => reply });

beforeAll(async () => {
	fake = await startFakeOllama({
		models: [
			{
				...scripted('good:1b', { content: 'Fix the parser', chunks: 3, evalCount: 12, evalDurationMs: 200 }),
				family: 'llama',
				parameterSize: '1B',
				quantization: 'Q8_0',
				loadMs: 30,
			},
			{ ...scripted('thinker:1b', { thinking: 'Hmm.', content: 'Done' }), capabilities: ['completion', 'thinking'] },
			scripted('crash:1b', faults.serverError()),
			scripted(
				'midstream:1b',
				faults.streamError('an error was encountered while running the model', 2, { content: 'partial answer here' }),
			),
			scripted('stall:1b', faults.stall(1, { content: 'starts then stops' })),
			scripted('malformed:1b', faults.malformed(1, { content: 'abc def ghi' })),
			scripted('slow:1b', { content: 'slow but steady', chunks: 10, chunkDelayMs: 100 }),
			scripted('reset:1b', faults.reset(1, { content: 'cut off here' })),
		],
	});
});
afterAll(() => fake.close());

const chat = (model: string, limits = { callTimeoutMs: 5000, stallTimeoutMs: 2000 }) =>
	createOllamaClient(fake.url).chat({ model, messages, options, ...limits });

async function failureOf(promise: Promise<unknown>): Promise<CallFailure> {
	try {
		await promise;
	} catch (error) {
		if (error instanceof CallFailure) return error;
		throw error;
	}
	throw new Error('expected the call to fail');
}

describe('the Ollama model client', () => {
	it('streams an answer and sends every option explicitly', async () => {
		const answer = await chat('good:1b');
		expect(answer).toMatchObject({
			content: 'Fix the parser',
			thinking: '',
			doneReason: 'stop',
			evalCount: 12,
			evalDurationNs: 200_000_000,
		});
		expect(answer.ttftMs).not.toBeNull();
		expect(answer.latencyMs).toBeGreaterThanOrEqual(answer.ttftMs!);
		const sent = fake.lastRequest('chat')!.body!;
		expect(sent.stream).toBe(true);
		expect(sent.think).toBe(false);
		expect(sent.options).toEqual({ num_ctx: 8192, num_predict: 256, temperature: 0, seed: 7 });
	});

	it('keeps thinking apart from the answer', async () => {
		const answer = await createOllamaClient(fake.url).chat({
			model: 'thinker:1b',
			messages,
			options: { ...options, think: true },
			callTimeoutMs: 5000,
			stallTimeoutMs: 2000,
		});
		expect(answer).toMatchObject({ content: 'Done', thinking: 'Hmm.' });
	});

	it('reads identities from /api/tags and the version', async () => {
		const client = createOllamaClient(fake.url);
		const models = await client.listModels();
		expect(models.get(normalizeTag('good:1b'))).toMatchObject({
			id: 'good:1b',
			family: 'llama',
			parameterSize: '1B',
			quantization: 'Q8_0',
		});
		expect(models.get(normalizeTag('good:1b'))!.digest).toMatch(/^[0-9a-f]{64}$/);
		expect(await client.version()).toBe('0.12.6');
	});

	it('loads with a request of its own, and unloads', async () => {
		const client = createOllamaClient(fake.url);
		await client.unload('good:1b');
		const loadMs = await client.load('good:1b', options, 5000);
		expect(loadMs).toBeGreaterThanOrEqual(25);
		expect(fake.loadedModels()).toContain('good:1b');
		await client.unload('good:1b');
		expect(fake.loadedModels()).not.toContain('good:1b');
	});

	it.each([
		{ model: 'missing:1b', expected: 'model-missing', message: /not found/ },
		{ model: 'crash:1b', expected: 'server-error', message: /HTTP 500: llama runner process has terminated/ },
		{ model: 'midstream:1b', expected: 'server-error', message: /an error was encountered/ },
		{ model: 'stall:1b', expected: 'stall', message: /stall_timeout_s/ },
		{ model: 'malformed:1b', expected: 'server-error', message: /malformed NDJSON/ },
		{ model: 'reset:1b', expected: 'transport', message: /127\.0\.0\.1/ },
	])('classes $model as $expected', async ({ model, expected, message }) => {
		// A short stall limit only where a stall is the point: elsewhere a loaded machine's pause is no stall.
		const failure = await failureOf(chat(model, { callTimeoutMs: 5000, stallTimeoutMs: expected === 'stall' ? 300 : 4000 }));
		expect(failure.failureClass).toBe(expected);
		expect(failure.message).toMatch(message);
	});

	it('gives up on a slow model at the per-call timeout', async () => {
		const started = performance.now();
		const failure = await failureOf(chat('slow:1b', { callTimeoutMs: 400, stallTimeoutMs: 5000 }));
		expect(failure.failureClass).toBe('timeout');
		expect(performance.now() - started).toBeLessThan(1500);
	});

	it('classes a refused connection as transport', async () => {
		const failure = await failureOf(
			createOllamaClient(await closedAddress()).chat({ model: 'good:1b', messages, options, callTimeoutMs: 2000, stallTimeoutMs: 2000 }),
		);
		expect(failure.failureClass).toBe('transport');
		expect(failure.message).toMatch(/connection refused/);
	});
});

describe('finding an installed model the way Ollama does', () => {
	let served: FakeOllama;
	const listed = [
		'qwen3:8b',
		'llama3.1:latest',
		'hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M',
		'jmorganca/llama3:8b',
		'gpt-oss:120b-cloud',
		'glm-4.6:cloud',
	];
	beforeAll(async () => {
		served = await startFakeOllama({ models: listed.map((name) => scripted(name, { content: 'ok' })) });
	});
	afterAll(() => served.close());

	// What the registry may write → the name /api/tags lists for it.
	it.each([
		['Qwen3:8B', 'qwen3:8b'],
		['library/qwen3:8b', 'qwen3:8b'],
		['registry.ollama.ai/library/qwen3:8b', 'qwen3:8b'],
		['REGISTRY.OLLAMA.AI/Library/QWEN3:8b', 'qwen3:8b'],
		['llama3.1', 'llama3.1:latest'],
		['Llama3.1:Latest', 'llama3.1:latest'],
		['hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M', 'hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M'],
		['hf.co/bartowski/llama-3.2-3b-instruct-gguf:q4_k_m', 'hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M'],
		['JMorganCA/llama3:8b', 'jmorganca/llama3:8b'],
		['gpt-oss:120b:cloud', 'gpt-oss:120b-cloud'],
		['GPT-OSS:120B-Cloud', 'gpt-oss:120b-cloud'],
		['glm-4.6:cloud', 'glm-4.6:cloud'],
		['qwen3:8b:local', 'qwen3:8b'],
	])('finds %s as %s, with its digest', async (written, name) => {
		const models = await createOllamaClient(served.url).listModels();
		const identity = models.get(normalizeTag(written));
		expect(identity).toMatchObject({ id: name });
		expect(identity!.digest).toMatch(/^[0-9a-f]{64}$/);
		// And the server answers to the name as written.
		const answer = await createOllamaClient(served.url).chat({
			model: written,
			messages,
			options,
			callTimeoutMs: 5000,
			stallTimeoutMs: 4000,
		});
		expect(answer.content).toBe('ok');
	});

	it.each(['qwen3:4b', 'qwen3', 'other/qwen3:8b', 'hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q8_0', 'llama3.1:8b'])(
		'does not take %s for an installed model',
		async (written) => {
			const models = await createOllamaClient(served.url).listModels();
			expect(models.has(normalizeTag(written))).toBe(false);
			expect(models.get(normalizeTag(written))).toBeUndefined();
		},
	);

	// Ollama forwards a cloud model to ollama.com whether or not it was pulled, but only a pulled one is
	// listed with a digest to key its answers by: an unpulled one is not taken for installed.
	it.each(['kimi-k2:1t-cloud', 'deepseek-v3.1:671b:cloud', 'minimax-m2:cloud'])(
		'does not take the unpulled cloud model %s for installed',
		async (written) => {
			const models = await createOllamaClient(served.url).listModels();
			expect(models.has(normalizeTag(written))).toBe(false);
		},
	);
});
