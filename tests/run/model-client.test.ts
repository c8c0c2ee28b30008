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
			scripted('loop:1b', faults.repetition({ content: 'fix: the the', chunks: 2 })),
			scripted('loop-said:1b', faults.streamError('prediction aborted, token repeat limit reached', 2, { content: 'the the the' })),
			scripted('early:1b', faults.endEarly(0)),
			{ ...scripted('noshift:1b', 'never'), contextShift: false, contextLength: 4096 },
			scripted(
				'native:1b',
				faults.httpError(
					400,
					'{"error":{"code":400,"message":"request (9620 tokens) exceeds the available context size (8192 tokens)","type":"exceed_context_size_error","n_prompt_tokens":9620,"n_ctx":8192}}',
				),
			),
			{ ...scripted('max:1b', { thinking: 'At length.', content: 'Done' }), capabilities: ['completion', 'thinking'] },
			scripted('early-reset:1b', faults.reset(0, { content: 'never sent' })),
			scripted('busy:1b', faults.busy()),
			scripted('limited:1b', faults.rateLimited(7)),
			scripted('crash-oom:1b', faults.serverError('llama runner process has terminated: cudaMalloc failed: out of memory')),
			{ name: 'too-big:70b', loadFault: faults.outOfMemory(40, 15.2) },
			{ name: 'too-big-new:70b', loadFault: faults.outOfMemory(40, 15.2, 'llama-server') },
			{ name: 'queue-full:8b', loadFault: faults.busy() },
			{ ...scripted('one-slot:1b', { content: 'the slot frees after this answer', chunks: 8, chunkDelayMs: 100 }), numParallel: 1 },
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
		expect(await client.version()).toBe('0.32.15');
		// The trained context: /api/tags gives it since Ollama 0.30, /api/show's model_info always did.
		expect(models.get(normalizeTag('noshift:1b'))!.contextLength).toBe(4096);
		expect(models.get(normalizeTag('good:1b'))!.contextLength).toBe(32768);
		expect(await client.trainedContext('noshift:1b')).toBe(4096);
	});

	it('sends think "max" as it is', async () => {
		const answer = await createOllamaClient(fake.url).chat({
			model: 'max:1b',
			messages,
			options: { ...options, think: 'max' },
			callTimeoutMs: 5000,
			stallTimeoutMs: 2000,
		});
		expect(answer).toMatchObject({ content: 'Done', thinking: 'At length.' });
		expect(fake.lastRequest('chat')!.body!.think).toBe('max');
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
		// A loop: the model's own failure, not the server's or the connection's.
		{ model: 'loop:1b', expected: 'repetition', message: /ended after 136 characters without a final chunk.*repeats one token/ },
		{ model: 'loop-said:1b', expected: 'repetition', message: /token repeat limit reached/ },
		// A stream that ends before any token is no loop: the connection's fault.
		{ model: 'early:1b', expected: 'transport', message: /without a final chunk/ },
	])('classes $model as $expected', async ({ model, expected, message }) => {
		// A short stall limit only where a stall is the point: elsewhere a loaded machine's pause is no stall.
		const failure = await failureOf(chat(model, { callTimeoutMs: 5000, stallTimeoutMs: expected === 'stall' ? 300 : 4000 }));
		expect(failure.failureClass).toBe(expected);
		expect(failure.message).toMatch(message);
	});

	it('classes the 400 for a prompt longer than the context as context-overflow, not server-error', async () => {
		const failure = await failureOf(
			createOllamaClient(fake.url).chat({
				model: 'noshift:1b',
				messages: [{ role: 'user', content: 'y'.repeat(40_000) }],
				options,
				callTimeoutMs: 5000,
				stallTimeoutMs: 4000,
			}),
		);
		expect(failure.failureClass).toBe('context-overflow');
		expect(failure.message).toMatch(/^HTTP 400: the prompt is longer than the context length currently available to the model/);
		// A model chatting through llama-server's own template: its error body, passed on as Ollama's error.
		const native = await failureOf(chat('native:1b'));
		expect(native.failureClass).toBe('context-overflow');
		expect(native.message).toMatch(/exceeds the available context size \(8192 tokens\)/);
	});

	it.each([
		{ model: 'busy:1b', reason: 'busy', message: 'HTTP 503: server busy, please try again.  maximum pending requests exceeded' },
		{ model: 'limited:1b', reason: 'rate-limited', message: 'HTTP 429: too many requests', retryAfterMs: 7000 },
		{ model: 'early-reset:1b', reason: 'reset', failureClass: 'transport' },
		{ model: 'crash-oom:1b', reason: 'out-of-memory' },
	])(
		"marks $model as the server's transient state ($reason), worth asking again",
		async ({ model, reason, message, retryAfterMs, failureClass }) => {
			const failure = await failureOf(chat(model));
			expect(failure.transient).toEqual(retryAfterMs === undefined ? { reason } : { reason, retryAfterMs });
			expect(failure.failureClass).toBe(failureClass ?? 'server-error');
			if (message) expect(failure.message).toBe(message);
		},
	);

	it.each(['crash:1b', 'midstream:1b', 'stall:1b', 'malformed:1b', 'reset:1b', 'missing:1b'])(
		'leaves %s as a failure of its own, never retried',
		async (model) => {
			const failure = await failureOf(chat(model, { callTimeoutMs: 5000, stallTimeoutMs: model === 'stall:1b' ? 300 : 4000 }));
			// A reset after the first token lost part of an answer: a transport failure, not a retry.
			expect(failure.transient).toBeUndefined();
		},
	);

	it.each([
		{ model: 'too-big:70b', reason: 'out-of-memory', text: 'model requires more system memory (40.0 GiB) than is available (15.2 GiB)' },
		{
			model: 'too-big-new:70b',
			reason: 'out-of-memory',
			text: 'llama-server reported out-of-memory during startup: cudaMalloc failed: out of memory',
		},
		{ model: 'queue-full:8b', reason: 'busy', text: 'server busy, please try again.  maximum pending requests exceeded' },
	])('marks a load refused by a busy or full server ($model) as transient', async ({ model, reason, text }) => {
		const failure = await failureOf(createOllamaClient(fake.url).load(model, options, 5000));
		expect(failure.transient).toEqual({ reason });
		expect(failure.message).toBe(`HTTP ${reason === 'busy' ? 503 : 500}: ${text}`);
	});

	it('marks silence before the first token as transient (a request queued for a slot looks just so), and frees the slot', async () => {
		// One slot (OLLAMA_NUM_PARALLEL=1): the first request holds it for about 700 ms; the second waits without
		// a byte until the client gives up at the stall limit.
		const first = chat('one-slot:1b', { callTimeoutMs: 5000, stallTimeoutMs: 2000 });
		await new Promise((resolve) => setTimeout(resolve, 50));
		const queued = await failureOf(chat('one-slot:1b', { callTimeoutMs: 5000, stallTimeoutMs: 200 }));
		expect(queued.failureClass).toBe('stall');
		expect(queued.transient).toEqual({ reason: 'no-first-token' });
		expect(queued.message).toBe('no first token within run.stall_timeout_s');
		expect((await first).content).toBe('the slot frees after this answer');
		// The slot is free again: asked once more, the request is answered.
		expect((await chat('one-slot:1b', { callTimeoutMs: 5000, stallTimeoutMs: 2000 })).content).toBe('the slot frees after this answer');
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
		// Before any token: the engine probes the host, and retries only if it still answers.
		expect(failure.transient).toEqual({ reason: 'reset' });
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
