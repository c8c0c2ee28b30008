/**
 * Contract tests for the fake Ollama: the real `ollama` client (0.6.x) reads everything the fake sends, and
 * raw `fetch` checks the wire format against what Ollama's Go server writes (server/routes.go, api/types.go).
 * If the fake drifts from the real protocol, these tests are where it shows.
 */
import { createHash } from 'node:crypto';
import { Ollama } from 'ollama';
import type { ChatResponse } from 'ollama';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { estimateTokens, faults, missingModelMessages, startFakeOllama } from '../../testing/fake-ollama/server.ts';
import type { FakeOllama, FakeRequest } from '../../testing/fake-ollama/server.ts';

/** RFC 3339 with up to nine fractional digits, UTC: what Go's time.Time marshals to. */
const GO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;
const HEX64 = /^[0-9a-f]{64}$/;
const DURATIONS = ['total_duration', 'load_duration', 'prompt_eval_duration', 'eval_duration'] as const;

const user = (content: string) => [{ role: 'user', content }];

/** A client whose every request carries `signal`: the way to abort ollama-js 0.6 calls. */
function abortableClient(host: string, signal: AbortSignal): Ollama {
	return new Ollama({ host, fetch: (input, init) => fetch(input, { ...init, signal }) });
}

async function post(fake: FakeOllama, path: string, body: unknown): Promise<Response> {
	return fetch(`${fake.url}${path}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
}

/** Splits an NDJSON body, asserting every line is terminated. */
function ndjsonLines(text: string): string[] {
	expect(text.endsWith('\n')).toBe(true);
	return text.slice(0, -1).split('\n');
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
	const parts: T[] = [];
	for await (const part of stream) parts.push(part);
	return parts;
}

async function caught(promise: Promise<unknown>): Promise<Error & { status_code?: number; error?: string; cause?: unknown }> {
	try {
		await promise;
	} catch (error) {
		return error as Error & { status_code?: number; error?: string };
	}
	throw new Error('expected a rejection');
}

describe('general endpoints', () => {
	let fake: FakeOllama;
	let client: Ollama;
	beforeAll(async () => {
		fake = await startFakeOllama({
			version: '0.12.6',
			models: [
				{ name: 'old-model:1b', modifiedAt: '2024-01-01T00:00:00Z', parameterSize: '1.2B' },
				{
					name: 'qwen3:8b',
					family: 'qwen3',
					parameterSize: '8.2B',
					quantization: 'Q4_K_M',
					contextLength: 40960,
					capabilities: ['completion', 'thinking'],
					parameters: { temperature: 0.6, stop: ['<|im_start|>', '<|im_end|>'] },
					modifiedAt: '2025-05-01T10:00:00Z',
				},
				{ name: 'llama3.2', digest: 'a'.repeat(64), modifiedAt: '2025-03-01T00:00:00Z' },
			],
		});
		client = new Ollama({ host: fake.url });
	});
	afterAll(() => fake.close());

	it('GET / and HEAD / answer "Ollama is running" as plain text', async () => {
		const get = await fetch(`${fake.url}/`);
		expect(get.status).toBe(200);
		expect(get.headers.get('content-type')).toBe('text/plain; charset=utf-8');
		expect(await get.text()).toBe('Ollama is running');
		const head = await fetch(`${fake.url}/`, { method: 'HEAD' });
		expect(head.status).toBe(200);
		expect(await head.text()).toBe('');
	});

	it('reports the configured version, through the client and on the wire', async () => {
		expect(await client.version()).toEqual({ version: '0.12.6' });
		fake.setVersion('0.13.1');
		const res = await fetch(`${fake.url}/api/version`);
		expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
		expect(await res.text()).toBe('{"version":"0.13.1"}');
		fake.setVersion('0.12.6');
	});

	it('lists models newest first with stable 64-hex digests and full details', async () => {
		const { models } = await client.list();
		expect(models.map((m) => m.name)).toEqual(['qwen3:8b', 'llama3.2:latest', 'old-model:1b']);
		const qwen = models[0];
		expect(qwen).toMatchObject({
			name: 'qwen3:8b',
			model: 'qwen3:8b',
			details: {
				parent_model: '',
				format: 'gguf',
				family: 'qwen3',
				families: ['qwen3'],
				parameter_size: '8.2B',
				quantization_level: 'Q4_K_M',
			},
		});
		expect(qwen?.digest).toMatch(HEX64);
		expect(qwen?.digest).toBe(createHash('sha256').update('qwen3:8b').digest('hex'));
		expect(models[1]?.digest).toBe('a'.repeat(64));
		expect(String(qwen?.modified_at)).toBe('2025-05-01T10:00:00Z');
		expect(qwen?.size).toBe(Math.round(8.2e9 * 0.6));
		// Since Ollama 0.30: the trained context and the capabilities in every entry.
		expect((qwen?.details as unknown as Record<string, unknown>).context_length).toBe(40960);
		expect((qwen as unknown as Record<string, unknown>).capabilities).toEqual(['completion', 'thinking']);
		// Stable across calls: the harness keys its cache on it.
		expect((await client.list()).models[0]?.digest).toBe(qwen?.digest);
	});

	it('shows a model: details, capabilities, model_info with the trained context length, parameters', async () => {
		const shown = await client.show({ model: 'qwen3:8b' });
		expect(shown.capabilities).toEqual(['completion', 'thinking']);
		expect(shown.details.family).toBe('qwen3');
		const info = shown.model_info as unknown as Record<string, unknown>;
		expect(info['general.architecture']).toBe('qwen3');
		expect(info['qwen3.context_length']).toBe(40960);
		expect(info['general.parameter_count']).toBe(8.2e9);
		expect(shown.parameters).toBe(
			[
				'stop                           "<|im_start|>"',
				'stop                           "<|im_end|>"',
				'temperature                    0.6',
			].join('\n'),
		);
		expect(shown.modelfile).toContain('# FROM qwen3:8b');
		expect(shown.modelfile).toContain('PARAMETER stop "<|im_start|>"');
		expect(String(shown.modified_at)).toMatch(GO_TIME);
		// A name without a tag means :latest.
		expect((await client.show({ model: 'llama3.2' })).details.family).toBe('llama');
	});

	it('answers /api/show for an unknown model with 404 "model \'x\' not found"', async () => {
		const error = await caught(client.show({ model: 'ghost:1b' }));
		expect(error.name).toBe('ResponseError');
		expect(error.status_code).toBe(404);
		expect(error.message).toBe("model 'ghost:1b' not found");
		// ShowHandler names the model as Name.DisplayShortest(): the tag always, `library/` never.
		expect((await caught(client.show({ model: 'ghost' }))).message).toBe("model 'ghost:latest' not found");
		expect((await caught(client.show({ model: 'library/ghost' }))).message).toBe("model 'ghost:latest' not found");
		expect((await caught(client.show({ model: 'me/ghost:2b' }))).message).toBe("model 'me/ghost:2b' not found");
		expect((await caught(client.show({ model: 'hf.co/me/ghost' }))).message).toBe("model 'hf.co/me/ghost:latest' not found");
		const res = await post(fake, '/api/show', {});
		expect(res.status).toBe(400);
		expect(await res.text()).toBe('{"error":"model is required"}');
	});

	it('escapes <, > and & in JSON the way Go does', async () => {
		fake.addModel({ name: 'html', respond: () => '<b>a & b</b>' });
		const res = await post(fake, '/api/chat', { model: 'html', messages: user('x'), stream: false });
		const text = await res.text();
		expect(text).toContain('"content":"\\u003cb\\u003ea \\u0026 b\\u003c/b\\u003e"');
		expect((JSON.parse(text) as ChatResponse).message.content).toBe('<b>a & b</b>');
		fake.removeModel('html');
	});
});

describe('chat', () => {
	let fake: FakeOllama;
	let client: Ollama;
	const seen: FakeRequest[] = [];
	beforeAll(async () => {
		fake = await startFakeOllama({
			models: [
				{
					name: 'writer:7b',
					respond: (request) => {
						seen.push(request);
						return { content: 'feat: add the fake Ollama server', chunks: 4 };
					},
				},
				{
					name: 'thinker:8b',
					capabilities: ['completion', 'thinking'],
					respond: () => ({ thinking: 'The diff adds a server.', content: 'test: add contract', thinkingChunks: 3, chunks: 2 }),
				},
				{ name: 'slowload:3b', loadMs: 150, respond: () => 'ok' },
				{ name: 'budget:1b', capabilities: ['completion', 'thinking'], respond: () => ({ thinking: 'x'.repeat(400), content: 'answer' }) },
				{ name: 'empty:1b', respond: () => '' },
				{ name: 'silent-count:1b', respond: () => ({ content: '', evalCount: 0 }) },
				{ name: 'embedder:1b', capabilities: ['embedding'] },
				{ name: 'noshift:1b', contextShift: false },
			],
		});
		client = new Ollama({ host: fake.url });
	});
	afterAll(() => fake.close());

	it('streams content chunks and a final chunk with done_reason, counts and nanosecond durations', async () => {
		const prompt = 'Write a commit message for this diff, please.';
		const parts = await collect(
			await client.chat({ model: 'writer:7b', messages: user(prompt), stream: true, options: { num_ctx: 8192 } }),
		);
		expect(parts).toHaveLength(5);
		expect(parts.slice(0, -1).every((p) => p.done === false && p.done_reason === undefined)).toBe(true);
		expect(parts.map((p) => p.message.content).join('')).toBe('feat: add the fake Ollama server');
		const last = parts.at(-1) as ChatResponse;
		expect(last).toMatchObject({ model: 'writer:7b', done: true, done_reason: 'stop', message: { role: 'assistant', content: '' } });
		expect(last.prompt_eval_count).toBe(Math.ceil(prompt.length / 4));
		expect(last.eval_count).toBe(estimateTokens('feat: add the fake Ollama server'));
		for (const key of DURATIONS) {
			expect(Number.isInteger(last[key])).toBe(true);
			expect(last[key]).toBeGreaterThan(0);
		}
		expect(last.total_duration).toBeGreaterThanOrEqual(last.load_duration + last.prompt_eval_duration + last.eval_duration);
		for (const p of parts) expect(String(p.created_at)).toMatch(GO_TIME);
	});

	it('puts NDJSON on the wire: application/x-ndjson, one JSON object per line, zero metrics omitted', async () => {
		// No `stream` field: Ollama streams by default.
		const res = await post(fake, '/api/chat', { model: 'writer:7b', messages: user('hi') });
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('application/x-ndjson');
		const lines = ndjsonLines(await res.text());
		expect(lines).toHaveLength(5);
		const objects = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
		expect(Object.keys(objects[0] as object)).toEqual(['model', 'created_at', 'message', 'done']);
		expect(Object.keys(objects[4] as object)).toEqual([
			'model',
			'created_at',
			'message',
			'done',
			'done_reason',
			'total_duration',
			'load_duration',
			'prompt_eval_count',
			'prompt_eval_duration',
			'eval_count',
			'eval_duration',
		]);
		expect(lines[4]).toMatch(
			/"total_duration":\d+,"load_duration":\d+,"prompt_eval_count":1,"prompt_eval_duration":\d+,"eval_count":\d+,"eval_duration":\d+\}$/,
		);
	});

	it('answers stream:false with one application/json object holding the whole text', async () => {
		const res = await post(fake, '/api/chat', { model: 'writer:7b', messages: user('hi'), stream: false });
		expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
		const text = await res.text();
		expect(text.includes('\n')).toBe(false);
		const body = JSON.parse(text) as ChatResponse;
		expect(body.message.content).toBe('feat: add the fake Ollama server');
		expect(body.done_reason).toBe('stop');
		const viaClient = await client.chat({ model: 'writer:7b', messages: user('hi') });
		expect(viaClient.message).toEqual({ role: 'assistant', content: 'feat: add the fake Ollama server' });
	});

	it('hands the script what the client sent, and records it for assertions', async () => {
		seen.length = 0;
		const schema = { type: 'object', properties: { subject: { type: 'string' } }, required: ['subject'] };
		await client.chat({
			model: 'writer:7b',
			messages: [
				{ role: 'system', content: 'Be brief.' },
				{ role: 'user', content: 'the diff' },
			],
			format: schema,
			keep_alive: '10m',
			think: false,
			options: { num_ctx: 16384, seed: 42, temperature: 0 },
		});
		expect(seen).toHaveLength(1);
		expect(seen[0]).toMatchObject({
			endpoint: 'chat',
			model: 'writer:7b',
			prompt: 'the diff',
			stream: false,
			think: false,
			keepAlive: '10m',
			options: { num_ctx: 16384, seed: 42, temperature: 0 },
			format: schema,
		});
		expect(seen[0]?.messages).toHaveLength(2);
		const logged = fake.lastRequest('chat');
		expect(logged?.body?.options).toEqual({ num_ctx: 16384, seed: 42, temperature: 0 });
		expect(logged?.body?.format).toEqual(schema);
		expect(logged?.body?.keep_alive).toBe('10m');
		expect(logged?.body?.think).toBe(false);
		expect(logged?.status).toBe(200);
		expect(logged?.headers['user-agent']).toMatch(/^ollama-js\/0\.6\./);
	});

	it('streams thinking chunks before content when the request thinks, and only then', async () => {
		const parts = await collect(await client.chat({ model: 'thinker:8b', messages: user('review'), think: true, stream: true }));
		const kinds = parts.slice(0, -1).map((p) => (p.message.thinking ? 'thinking' : 'content'));
		expect(kinds).toEqual(['thinking', 'thinking', 'thinking', 'content', 'content']);
		expect(parts.map((p) => p.message.thinking ?? '').join('')).toBe('The diff adds a server.');
		expect(parts.map((p) => p.message.content).join('')).toBe('test: add contract');
		// Thinking-capable models think by default (Ollama sets think=true when it is unset).
		const byDefault = await client.chat({ model: 'thinker:8b', messages: user('review') });
		expect(byDefault.message.thinking).toBe('The diff adds a server.');
		const off = await client.chat({ model: 'thinker:8b', messages: user('review'), think: false });
		expect(off.message.thinking).toBeUndefined();
		expect(off.message.content).toBe('test: add contract');
	});

	it('rejects think on a model without the thinking capability (400)', async () => {
		const error = await caught(client.chat({ model: 'writer:7b', messages: user('x'), think: true }));
		expect(error.status_code).toBe(400);
		expect(error.message).toBe('"writer:7b" does not support thinking');
		const high = await caught(client.chat({ model: 'writer:7b', messages: user('x'), think: 'high' }));
		expect(high.status_code).toBe(400);
	});

	it('rejects chat on a model without the completion capability (400)', async () => {
		const error = await caught(client.chat({ model: 'embedder:1b', messages: user('x') }));
		expect(error.status_code).toBe(400);
		expect(error.message).toBe('"embedder:1b" does not support chat');
	});

	it('loads on an empty request (done_reason load), unloads with keep_alive 0 (done_reason unload)', async () => {
		const loaded = await client.chat({ model: 'writer:7b', messages: [], keep_alive: '30m', options: { num_ctx: 8192 } });
		expect(loaded).toMatchObject({ model: 'writer:7b', done: true, done_reason: 'load', message: { role: 'assistant', content: '' } });
		expect(loaded.total_duration).toBeUndefined(); // no metrics on a load answer
		const ps = (await client.ps()).models.find((m) => m.name === 'writer:7b');
		expect(ps).toMatchObject({ model: 'writer:7b', size_vram: ps?.size, context_length: 8192 });
		expect(ps?.digest).toMatch(HEX64);
		const expiresIn = new Date(ps?.expires_at as Date).getTime() - Date.now();
		expect(expiresIn).toBeGreaterThan(29 * 60_000);
		expect(expiresIn).toBeLessThanOrEqual(30 * 60_000);
		const unloaded = await client.chat({ model: 'writer:7b', messages: [], keep_alive: 0 });
		expect(unloaded.done_reason).toBe('unload');
		expect((await client.ps()).models.map((m) => m.name)).not.toContain('writer:7b');
		// A load with stream:true is still a single JSON object, which the client reads as a one-item stream.
		const streamed = await collect(await client.chat({ model: 'writer:7b', messages: [], stream: true }));
		expect(streamed.map((p) => p.done_reason)).toEqual(['load']);
	});

	it('keeps a model forever with a negative keep_alive and drops it after a keep_alive 0 generation', async () => {
		await client.chat({ model: 'writer:7b', messages: [], keep_alive: -1 });
		const forever = (await client.ps()).models.find((m) => m.name === 'writer:7b');
		expect(new Date(forever?.expires_at as Date).getFullYear()).toBeGreaterThan(2200);
		await client.chat({ model: 'writer:7b', messages: user('x'), keep_alive: 0 });
		expect(fake.loadedModels()).not.toContain('writer:7b');
	});

	it('reports load_duration for a cold load, and reloads when num_ctx changes', async () => {
		const started = Date.now();
		const cold = await client.chat({ model: 'slowload:3b', messages: user('x'), options: { num_ctx: 4096 } });
		expect(Date.now() - started).toBeGreaterThanOrEqual(140);
		expect(cold.load_duration).toBeGreaterThanOrEqual(140e6);
		const warm = await client.chat({ model: 'slowload:3b', messages: user('x'), options: { num_ctx: 4096 } });
		expect(warm.load_duration).toBeLessThan(100e6);
		const reloaded = await client.chat({ model: 'slowload:3b', messages: user('x'), options: { num_ctx: 8192 } });
		expect(reloaded.load_duration).toBeGreaterThanOrEqual(140e6);
		// ollama-js 0.6.4 does not type `context_length`, but Ollama sends it.
		const entry = (await client.ps()).models.find((m) => m.name === 'slowload:3b') as unknown as { context_length: number };
		expect(entry.context_length).toBe(8192);
	});

	it('cuts a prompt that does not fit num_ctx to about half of it, silently (contextShiftPromptLimit)', async () => {
		const fits = await client.chat({ model: 'writer:7b', messages: user('y'.repeat(4000)), options: { num_ctx: 2048 } });
		expect(fits.prompt_eval_count).toBe(1000);
		// num_ctx − ⌊(num_ctx − keep) / 2⌋ with keep = num_keep 4 + the BOS token: 2048 − 1021.
		const overflow = await client.chat({ model: 'writer:7b', messages: user('y'.repeat(40_000)), options: { num_ctx: 2048 } });
		expect(overflow.prompt_eval_count).toBe(1027);
		expect(overflow.done_reason).toBe('stop'); // no error: Ollama cuts silently
		// One token short of num_ctx still fits; num_ctx itself is cut.
		const edge = await client.chat({ model: 'writer:7b', messages: user('y'.repeat(4 * 2047)), options: { num_ctx: 2048 } });
		expect(edge.prompt_eval_count).toBe(2047);
		const over = await client.chat({ model: 'writer:7b', messages: user('y'.repeat(4 * 2048)), options: { num_ctx: 2048 } });
		expect(over.prompt_eval_count).toBe(1027);
		// A larger num_keep keeps more of the start: 2048 − ⌊(2048 − 101) / 2⌋.
		const kept = await client.chat({
			model: 'writer:7b',
			messages: user('y'.repeat(40_000)),
			options: { num_ctx: 2048, num_keep: 100 },
		});
		expect(kept.prompt_eval_count).toBe(1075);
		// Without num_ctx the fake uses Ollama's default context of 4096.
		const unset = await client.chat({ model: 'writer:7b', messages: user('y'.repeat(40_000)) });
		expect(unset.prompt_eval_count).toBe(2051);
	});

	it('refuses a prompt longer than num_ctx with a 400 on a model without context shift', async () => {
		const error = await caught(client.chat({ model: 'noshift:1b', messages: user('y'.repeat(40_000)), options: { num_ctx: 2048 } }));
		expect(error.name).toBe('ResponseError');
		expect(error.status_code).toBe(400);
		expect(error.message).toBe(
			'the prompt is longer than the context length currently available to the model; shorten the prompt, adjust the context length in settings, or use a model with a longer context length',
		);
		expect(fake.loadedModels()).toContain('noshift:1b'); // refused by the runner, once loaded
		const fits = await client.chat({ model: 'noshift:1b', messages: user('y'.repeat(400)), options: { num_ctx: 2048 } });
		expect(fits.prompt_eval_count).toBe(100);
	});

	it('answers format with thinking in two passes: the thinking counted in prompt_eval_count, not in eval_count', async () => {
		const format = { type: 'object', properties: { subject: { type: 'string' } } };
		// 'x'.repeat(400) thinks 100 tokens; 'answer' is 2; the prompt 'review' is 2.
		const twoPass = await client.chat({ model: 'budget:1b', messages: user('review'), think: true, format });
		expect(twoPass.message.thinking).toHaveLength(400);
		expect(twoPass.prompt_eval_count).toBe(2 + 100);
		expect(twoPass.eval_count).toBe(2);
		// Without format: one pass, the thinking counted with the answer.
		const onePass = await client.chat({ model: 'budget:1b', messages: user('review'), think: true });
		expect(onePass.prompt_eval_count).toBe(2);
		expect(onePass.eval_count).toBe(102);
		// Each pass has its own num_predict: 100 tokens of thinking and the answer fit a budget of 100.
		const budgeted = await client.chat({
			model: 'budget:1b',
			messages: user('review'),
			think: true,
			format,
			options: { num_predict: 100 },
		});
		expect(budgeted).toMatchObject({ done_reason: 'stop', eval_count: 2, message: { content: 'answer' } });
	});

	it('accepts think "max" (api.ThinkValue), and refuses an unknown level', async () => {
		const max = await client.chat({ model: 'thinker:8b', messages: user('review'), think: 'max' as unknown as 'high' });
		expect(max.message.thinking).toBe('The diff adds a server.');
		expect(fake.lastRequest('chat')?.body?.think).toBe('max');
		const res = await post(fake, '/api/chat', { model: 'thinker:8b', messages: user('x'), think: 'maximum' });
		expect(res.status).toBe(400);
		expect(await res.json()).toEqual({ error: 'invalid think value: "maximum" (must be "high", "medium", "low", "max", true, or false)' });
	});

	it('stops at num_predict with done_reason length; thinking can use the whole budget', async () => {
		const cut = await client.chat({ model: 'writer:7b', messages: user('x'), options: { num_predict: 3 } });
		expect(cut).toMatchObject({ done_reason: 'length', eval_count: 3, message: { content: 'feat: add th' } });
		const spent = await client.chat({ model: 'budget:1b', messages: user('x'), options: { num_predict: 50 } });
		expect(spent.done_reason).toBe('length');
		expect(spent.message.content).toBe('');
		expect(spent.message.thinking).toHaveLength(200);
	});

	it('answers an empty reply with only the final chunk; a zero eval_count is omitted like Go omitempty', async () => {
		const parts = await collect(await client.chat({ model: 'empty:1b', messages: user('x'), stream: true }));
		expect(parts).toHaveLength(1);
		expect(parts[0]).toMatchObject({ done: true, done_reason: 'stop', eval_count: 1, message: { content: '' } });
		const res = await post(fake, '/api/chat', { model: 'silent-count:1b', messages: user('x'), stream: false });
		const body = (await res.json()) as Record<string, unknown>;
		expect('eval_count' in body).toBe(false);
		expect(body.prompt_eval_count).toBe(1);
	});
});

describe('generate', () => {
	let fake: FakeOllama;
	let client: Ollama;
	beforeAll(async () => {
		fake = await startFakeOllama({
			models: [
				{ name: 'coder:7b', respond: (request) => ({ content: `echo:${request.prompt}`, chunks: 3 }) },
				{ name: 'reasoner:8b', capabilities: ['completion', 'thinking'], respond: () => ({ thinking: 'hmm', content: '42' }) },
			],
		});
		client = new Ollama({ host: fake.url });
	});
	afterAll(() => fake.close());

	it('streams response chunks; the final chunk has done_reason, context and metrics', async () => {
		const parts = await collect(await client.generate({ model: 'coder:7b', prompt: 'abc', stream: true }));
		expect(parts).toHaveLength(4);
		expect(parts.map((p) => p.response).join('')).toBe('echo:abc');
		const last = parts[3];
		expect(last).toMatchObject({ done: true, done_reason: 'stop', response: '', prompt_eval_count: 1, eval_count: 2 });
		expect(last?.context).toHaveLength(3);
		const res = await post(fake, '/api/generate', { model: 'coder:7b', prompt: 'abc' });
		expect(res.headers.get('content-type')).toBe('application/x-ndjson');
		const final = JSON.parse(ndjsonLines(await res.text()).at(-1) as string) as Record<string, unknown>;
		expect(Object.keys(final).slice(0, 6)).toEqual(['model', 'created_at', 'response', 'done', 'done_reason', 'context']);
	});

	it('answers stream:false with the whole response and thinking', async () => {
		const whole = await client.generate({ model: 'reasoner:8b', prompt: 'q' });
		expect(whole).toMatchObject({ response: '42', thinking: 'hmm', done: true, done_reason: 'stop' });
		expect(Number.isInteger(whole.eval_duration)).toBe(true);
	});

	it('loads on an empty prompt and unloads with keep_alive 0', async () => {
		expect(await client.generate({ model: 'coder:7b', prompt: '' })).toMatchObject({ done: true, done_reason: 'load', response: '' });
		expect(fake.loadedModels()).toContain('coder:7b');
		expect(await client.generate({ model: 'coder:7b', prompt: '', keep_alive: 0 })).toMatchObject({ done_reason: 'unload' });
		expect(fake.loadedModels()).not.toContain('coder:7b');
	});

	it('answers a missing model field with the historical 404 "model \'\' not found"', async () => {
		const res = await post(fake, '/api/generate', { prompt: 'x' });
		expect(res.status).toBe(404);
		expect(await res.text()).toBe(`{"error":"model '' not found"}`);
	});
});

describe('errors', () => {
	let fake: FakeOllama;
	let client: Ollama;
	beforeAll(async () => {
		fake = await startFakeOllama({
			models: [
				{ name: 'ok:1b', respond: () => 'fine' },
				{ name: 'crash:1b', respond: () => faults.serverError() },
				{
					name: 'midway:1b',
					respond: () =>
						faults.streamError('an error was encountered while running the model: GGML_ASSERT failed', 2, {
							content: 'partial answer',
							chunks: 4,
						}),
				},
				{ name: 'early-error:1b', respond: () => faults.streamError('out of memory', 0) },
				{ name: 'gpt-oss:120b-cloud', respond: (request) => (request.call === 1 ? faults.cloudUnauthorized() : faults.cloudQuota()) },
				{ name: 'glm:cloud', respond: () => faults.cloudDisabled() },
				{ name: 'kimi:cloud', respond: () => faults.cloudUnreachable() },
				{ name: 'oom:70b', loadFault: faults.httpError(500, 'model requires more system memory (40.0 GiB) than is available (15.2 GiB)') },
				{ name: 'queued:8b', respond: () => faults.busy() },
				{ name: 'proxied:8b', respond: () => faults.rateLimited(3) },
				{ name: 'busy-once:8b', loadFault: (attempt) => (attempt === 1 ? faults.busy() : undefined), respond: () => 'loaded now' },
				{ name: 'oom-new:70b', loadFault: faults.outOfMemory(40, 15.2, 'llama-server') },
			],
		});
		client = new Ollama({ host: fake.url });
	});
	afterAll(() => fake.close());

	it("answers a chat for a model that is not pulled with 404 and Ollama's text", async () => {
		const error = await caught(client.chat({ model: 'ghost:7b', messages: user('x'), stream: true }));
		expect(error.name).toBe('ResponseError');
		expect(error.status_code).toBe(404);
		expect(error.error).toBe("model 'ghost:7b' not found");
		const res = await post(fake, '/api/chat', { model: 'ghost:7b', messages: user('x') });
		expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
		expect(await res.text()).toBe(`{"error":"model 'ghost:7b' not found"}`);
	});

	it('can use the older "try pulling it first" text', async () => {
		const legacy = await startFakeOllama({ missingModelMessage: missingModelMessages.legacy });
		try {
			const error = await caught(new Ollama({ host: legacy.url }).chat({ model: 'ghost', messages: user('x') }));
			expect(error.status_code).toBe(404);
			expect(error.message).toBe('model "ghost" not found, try pulling it first');
		} finally {
			await legacy.close();
		}
	});

	it("answers malformed requests with gin's 400s", async () => {
		const cases: [string, string][] = [
			['', 'missing request body'],
			['hello', "invalid character 'h' looking for beginning of value"],
			['nope', "invalid character 'o' in literal null (expecting 'u')"],
			['{"model":', 'unexpected EOF'],
			[JSON.stringify({ messages: user('x') }), 'model is required'],
			[
				JSON.stringify({ model: 'ok:1b', messages: 'hi' }),
				'json: cannot unmarshal string into Go struct field ChatRequest.messages of type []api.Message',
			],
			[JSON.stringify({ model: 'ok:1b', messages: user('x'), keep_alive: '5' }), 'time: missing unit in duration "5"'],
			[
				JSON.stringify({ model: 'ok:1b', messages: user('x'), think: 'extreme' }),
				'invalid think value: "extreme" (must be "high", "medium", "low", "max", true, or false)',
			],
			[
				JSON.stringify({ model: 'ok:1b', messages: user('x'), think: 3 }),
				'think must be a boolean or string ("high", "medium", "low", "max", true, or false)',
			],
		];
		for (const [body, error] of cases) {
			const res = await post(fake, '/api/chat', body);
			expect(res.status, body).toBe(400);
			expect(await res.json(), body).toEqual({ error });
		}
	});

	it('fails a wrongly typed option with a 500, as Options.FromMap does', async () => {
		const res = await post(fake, '/api/chat', { model: 'ok:1b', messages: user('x'), options: { num_ctx: '8192' } });
		expect(res.status).toBe(500);
		expect(await res.json()).toEqual({ error: 'option "num_ctx" must be of type integer' });
	});

	it('answers a wrong method with 405 and an unknown path with 404, as gin plain text', async () => {
		const wrongMethod = await fetch(`${fake.url}/api/chat`);
		expect(wrongMethod.status).toBe(405);
		expect(wrongMethod.headers.get('content-type')).toBe('text/plain; charset=utf-8');
		expect(await wrongMethod.text()).toBe('405 method not allowed');
		const unknown = await fetch(`${fake.url}/api/nothing`);
		expect(unknown.status).toBe(404);
		expect(await unknown.text()).toBe('404 page not found');
	});

	it('surfaces a server error before the stream as ResponseError 500', async () => {
		const error = await caught(client.chat({ model: 'crash:1b', messages: user('x'), stream: true }));
		expect(error.name).toBe('ResponseError');
		expect(error.status_code).toBe(500);
		expect(error.message).toBe('llama runner process has terminated: exit status 2');
	});

	it('fails a cold load with the scripted load error and leaves nothing loaded', async () => {
		const error = await caught(client.chat({ model: 'oom:70b', messages: [] }));
		expect(error.status_code).toBe(500);
		expect(error.message).toBe('model requires more system memory (40.0 GiB) than is available (15.2 GiB)');
		expect(fake.loadedModels()).not.toContain('oom:70b');
	});

	it("answers a full queue with the scheduler's 503, exactly as Ollama writes it, and no Retry-After", async () => {
		const res = await post(fake, '/api/chat', { model: 'queued:8b', messages: user('x') });
		expect(res.status).toBe(503);
		expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
		expect(res.headers.get('retry-after')).toBeNull();
		expect(await res.text()).toBe('{"error":"server busy, please try again.  maximum pending requests exceeded"}');
		const error = await caught(client.chat({ model: 'queued:8b', messages: user('x'), stream: true }));
		expect(error.name).toBe('ResponseError');
		expect(error.status_code).toBe(503);
		expect(error.message).toBe('server busy, please try again.  maximum pending requests exceeded');
	});

	it('answers 429 with Retry-After, as a rate-limiting proxy in front of Ollama does', async () => {
		const res = await post(fake, '/api/chat', { model: 'proxied:8b', messages: user('x') });
		expect(res.status).toBe(429);
		expect(res.headers.get('retry-after')).toBe('3');
		expect(await res.json()).toEqual({ error: 'too many requests' });
	});

	it('refuses the first load of a model as busy, then loads it', async () => {
		const refused = await post(fake, '/api/chat', { model: 'busy-once:8b', messages: [] });
		expect(refused.status).toBe(503);
		expect(fake.loadedModels()).not.toContain('busy-once:8b');
		const loaded = await client.chat({ model: 'busy-once:8b', messages: [] });
		expect(loaded.done_reason).toBe('load');
		expect(fake.loadedModels()).toContain('busy-once:8b');
	});

	it('fails a load that does not fit with the out-of-memory text of the llama-server engine', async () => {
		const error = await caught(client.chat({ model: 'oom-new:70b', messages: user('x'), stream: true }));
		expect(error.status_code).toBe(500);
		expect(error.message).toBe('llama-server reported out-of-memory during startup: cudaMalloc failed: out of memory');
		expect(faults.outOfMemory(7.6, 3.2).error).toBe('model requires more system memory (7.6 GiB) than is available (3.2 GiB)');
	});

	it('sends an error line mid-stream with no done chunk after it', async () => {
		const res = await post(fake, '/api/chat', { model: 'midway:1b', messages: user('x') });
		expect(res.status).toBe(200);
		const lines = ndjsonLines(await res.text());
		expect(lines).toHaveLength(3);
		expect(JSON.parse(lines[0] as string)).toMatchObject({ done: false, message: { content: 'par' } });
		expect(lines[2]).toBe('{"error":"an error was encountered while running the model: GGML_ASSERT failed"}');
		expect(lines.some((line) => line.includes('"done":true'))).toBe(false);
	});

	it('makes the client throw on the error line, after the chunks before it (a plain Error, not ResponseError)', async () => {
		const received: string[] = [];
		const error = await caught(
			(async () => {
				for await (const part of await client.chat({ model: 'midway:1b', messages: user('x'), stream: true }))
					received.push(part.message.content);
			})(),
		);
		expect(received).toEqual(['par', 'tial']);
		// ollama-js 0.6.4's AbortableAsyncIterator throws `new Error(message.error)`: no status_code mid-stream.
		expect(error.name).toBe('Error');
		expect(error.message).toBe('an error was encountered while running the model: GGML_ASSERT failed');
		expect(error.status_code).toBeUndefined();
	});

	it('turns an error into HTTP 500 when nothing was streamed yet, or when not streaming', async () => {
		const early = await post(fake, '/api/chat', { model: 'early-error:1b', messages: user('x') });
		expect(early.status).toBe(500);
		expect(early.headers.get('content-type')).toBe('application/json; charset=utf-8');
		expect(await early.text()).toBe('{"error":"out of memory"}');
		const unstreamed = await caught(client.chat({ model: 'midway:1b', messages: user('x') }));
		expect(unstreamed.name).toBe('ResponseError');
		expect(unstreamed.status_code).toBe(500);
		expect(unstreamed.message).toBe('an error was encountered while running the model: GGML_ASSERT failed');
	});

	it('reproduces the cloud errors: 401 with signin_url, 429 quota, 403 disabled, 502 unreachable', async () => {
		const unauthorized = await post(fake, '/api/chat', { model: 'gpt-oss:120b-cloud', messages: user('x') });
		expect(unauthorized.status).toBe(401);
		const body = (await unauthorized.json()) as Record<string, string>;
		expect(Object.keys(body)).toEqual(['error', 'signin_url']);
		expect(body.error).toBe('unauthorized');
		expect(body.signin_url).toMatch(/^https:\/\/ollama\.com\/connect\?name=[^&]+&key=[\w-]+$/);

		const quota = await caught(client.chat({ model: 'gpt-oss:120b-cloud', messages: user('x') }));
		expect(quota.status_code).toBe(429);
		expect(quota.message).toContain('usage limit');
		const disabled = await caught(client.chat({ model: 'glm:cloud', messages: user('x') }));
		expect(disabled.status_code).toBe(403);
		expect(disabled.message).toBe('cloud is disabled: remote model is unavailable');
		const unreachable = await caught(client.chat({ model: 'kimi:cloud', messages: user('x') }));
		expect(unreachable.status_code).toBe(502);
		expect(unreachable.message).toMatch(/^Post "https:\/\/ollama\.com:443\/api\/chat/);
	});

	it('lists cloud models with remote_model/remote_host and never loads them', async () => {
		const { models } = await client.list();
		const cloud = models.find((m) => m.name === 'gpt-oss:120b-cloud') as unknown as Record<string, unknown>;
		expect(cloud).toMatchObject({ remote_model: 'gpt-oss:120b', remote_host: 'https://ollama.com:443', size: 384 });
		await client.chat({ model: 'glm:cloud', messages: [] });
		expect(fake.loadedModels()).not.toContain('glm:cloud');
		expect((await client.ps()).models.map((m) => m.name)).not.toContain('glm:cloud');
	});
});

describe('faults in the stream', () => {
	let fake: FakeOllama;
	let client: Ollama;
	beforeAll(async () => {
		fake = await startFakeOllama({
			models: [
				{ name: 'staller:1b', respond: () => faults.stall(2, { content: 'abcdefgh', chunks: 4 }) },
				{ name: 'mute:1b', respond: () => faults.stall(0) },
				{ name: 'slow:1b', respond: () => ({ content: 'late', firstTokenDelayMs: 5_000 }) },
				{ name: 'garbled:1b', respond: () => faults.malformed(1, { content: 'abcd', chunks: 2 }) },
				{ name: 'cut:1b', respond: () => faults.endEarly(1, { content: 'abcd', chunks: 2 }) },
				{ name: 'loop:1b', respond: () => faults.repetition({ content: 'fix: the the', chunks: 2 }) },
				{ name: 'reset:1b', respond: () => faults.reset(1, { content: 'abcd', chunks: 2 }) },
				{ name: 'steady:1b', respond: () => ({ content: 'x'.repeat(40), chunks: 20, chunkDelayMs: 30 }) },
			],
		});
		client = new Ollama({ host: fake.url });
	});
	afterAll(() => fake.close());
	afterEach(() => vi.restoreAllMocks());

	it('stalls after N chunks until the client aborts through its fetch signal', async () => {
		const controller = new AbortController();
		const received: string[] = [];
		const started = Date.now();
		const error = await caught(
			(async () => {
				for await (const part of await abortableClient(fake.url, controller.signal).chat({
					model: 'staller:1b',
					messages: user('x'),
					stream: true,
				})) {
					received.push(part.message.content);
					if (received.length === 2) setTimeout(() => controller.abort(), 100);
				}
			})(),
		);
		expect(received).toEqual(['ab', 'cd']);
		expect(error.name).toBe('AbortError');
		expect(Date.now() - started).toBeLessThan(2_000);
	});

	it('stalls before any header: a non-streaming call is abortable only through the fetch signal', async () => {
		const started = Date.now();
		const error = await caught(abortableClient(fake.url, AbortSignal.timeout(150)).chat({ model: 'mute:1b', messages: user('x') }));
		expect(error.name).toBe('TimeoutError');
		expect(Date.now() - started).toBeLessThan(2_000);
	});

	it('sends no headers before the first token, so a slow model trips a per-call timeout', async () => {
		const started = Date.now();
		const error = await caught(
			abortableClient(fake.url, AbortSignal.timeout(200)).chat({ model: 'slow:1b', messages: user('x'), stream: true }),
		);
		expect(error.name).toBe('TimeoutError');
		expect(Date.now() - started).toBeLessThan(2_000);
	});

	it('writes a line that is not JSON and ends: the client skips it and reports a stream without done', async () => {
		const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
		const received: string[] = [];
		const error = await caught(
			(async () => {
				for await (const part of await client.chat({ model: 'garbled:1b', messages: user('x'), stream: true }))
					received.push(part.message.content);
			})(),
		);
		expect(received).toEqual(['ab']);
		expect(error.message).toBe('Did not receive done or success response in stream.');
		expect(warn).toHaveBeenCalledWith('invalid json: ', expect.stringContaining('"content":"'));
		const raw = ndjsonLines(await (await post(fake, '/api/chat', { model: 'garbled:1b', messages: user('x') })).text());
		expect(raw).toHaveLength(2);
		expect(() => JSON.parse(raw[1] as string)).toThrow();
	});

	it('ends a stream early without done', async () => {
		const error = await caught(collect(await client.chat({ model: 'cut:1b', messages: user('x'), stream: true })));
		expect(error.message).toBe('Did not receive done or success response in stream.');
	});

	it('ends a repetition loop as Ollama does: 31 identical tokens, status 200, no done chunk', async () => {
		const res = await post(fake, '/api/chat', { model: 'loop:1b', messages: user('x') });
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('application/x-ndjson');
		const chunks = ndjsonLines(await res.text()).map((line) => JSON.parse(line) as { message: { content: string }; done: boolean });
		expect(chunks).toHaveLength(2 + 31);
		expect(chunks.every((chunk) => chunk.done === false)).toBe(true);
		expect(chunks.slice(2).every((chunk) => chunk.message.content === ' the')).toBe(true);
		const error = await caught(collect(await client.chat({ model: 'loop:1b', messages: user('x'), stream: true })));
		expect(error.message).toBe('Did not receive done or success response in stream.');
		// Unstreamed, the handler answers what it collected: all the text, done false.
		const whole = (await (await post(fake, '/api/chat', { model: 'loop:1b', messages: user('x'), stream: false })).json()) as ChatResponse;
		expect(whole).toMatchObject({ done: false, message: { content: `fix: the the${' the'.repeat(31)}` } });
	});

	it('resets the connection mid-stream: the client sees a network error', async () => {
		const received: string[] = [];
		const error = await caught(
			(async () => {
				for await (const part of await client.chat({ model: 'reset:1b', messages: user('x'), stream: true }))
					received.push(part.message.content);
			})(),
		);
		expect(received).toEqual(['ab']);
		expect(error).toBeInstanceOf(TypeError);
		expect(error.message).toBe('terminated');
	});

	it('resets before any byte when not streaming: fetch fails', async () => {
		const error = await caught(client.chat({ model: 'reset:1b', messages: user('x') }));
		expect(error).toBeInstanceOf(TypeError);
		expect(error.message).toBe('fetch failed');
	});

	it('closes promptly while a stream is stalled, ending it for the client', async () => {
		const own = await startFakeOllama({ models: [{ name: 'mute:1b', respond: () => faults.stall(0) }] });
		const pending = caught(new Ollama({ host: own.url }).chat({ model: 'mute:1b', messages: user('x') }));
		await vi.waitFor(() => expect(own.calls.chat).toBe(1));
		const started = Date.now();
		await own.close();
		expect(Date.now() - started).toBeLessThan(1_000);
		const error = await pending;
		expect(error).toBeInstanceOf(TypeError);
	});

	it('drops every open connection on destroyConnections() and keeps serving', async () => {
		const received: string[] = [];
		const error = await caught(
			(async () => {
				for await (const part of await client.chat({ model: 'steady:1b', messages: user('x'), stream: true })) {
					received.push(part.message.content);
					if (received.length === 2) fake.destroyConnections();
				}
			})(),
		);
		expect(error.message).toBe('terminated');
		expect(received.length).toBeLessThan(20);
		expect(await client.version()).toEqual({ version: '0.32.15' });
	});
});

describe('lifecycle and bookkeeping', () => {
	let fake: FakeOllama;
	let client: Ollama;
	beforeAll(async () => {
		fake = await startFakeOllama({ models: [{ name: 'a:1b', respond: async (request) => `call ${request.call}` }, { name: 'b' }] });
		client = new Ollama({ host: fake.url });
	});
	afterAll(() => fake.close());

	it('counts calls per endpoint and per model, and can reset them', async () => {
		fake.clearLog();
		await client.list();
		await client.chat({ model: 'a:1b', messages: user('x') });
		await client.chat({ model: 'b', messages: user('x') });
		await client.generate({ model: 'b:latest', prompt: 'x' });
		await caught(client.chat({ model: 'zzz', messages: user('x') }));
		expect(fake.calls).toMatchObject({ tags: 1, chat: 3, generate: 1, total: 5 });
		expect(fake.callsFor('b')).toBe(2);
		expect(fake.callsFor('B:latest', 'chat')).toBe(1);
		expect(fake.callsFor('zzz', 'chat')).toBe(1);
		expect(fake.requestsFor('zzz', 'chat')[0]?.status).toBe(404);
		fake.clearLog();
		expect(fake.calls.total).toBe(0);
		expect(fake.requests).toHaveLength(0);
	});

	it('numbers generation calls per model for the script (load requests excluded)', async () => {
		await client.chat({ model: 'a:1b', messages: [] });
		const next = await client.chat({ model: 'a:1b', messages: user('x') });
		expect(next.message.content).toBe('call 2');
	});

	it('changes the scripted models at runtime', async () => {
		await client.chat({ model: 'b', messages: [] });
		expect(fake.loadedModels()).toContain('b:latest');
		fake.removeModel('b');
		expect((await client.list()).models.map((m) => m.name)).toEqual(['a:1b']);
		expect(fake.loadedModels()).not.toContain('b:latest');
		expect((await caught(client.chat({ model: 'b', messages: user('x') }))).status_code).toBe(404);
		fake.addModel({ name: 'c:2b', respond: () => 'from c' });
		expect((await client.chat({ model: 'c:2b', messages: user('x') })).message.content).toBe('from c');
		fake.setModels([{ name: 'only:1b' }]);
		expect((await client.list()).models.map((m) => m.name)).toEqual(['only:1b']);
		expect((await client.chat({ model: 'only:1b', messages: user('x') })).message.content).toBe('ok');
		fake.setModels([{ name: 'a:1b', respond: async (request) => `call ${request.call}` }, { name: 'b' }]);
	});

	it('goes away (connections refused) and comes back on the same port', async () => {
		await client.chat({ model: 'a:1b', messages: [] });
		await fake.stop();
		// A pooled keep-alive socket may fail first (UND_ERR_SOCKET), as with a real Ollama that died;
		// a fresh connection is refused.
		const codes: string[] = [];
		for (let attempt = 0; attempt < 3 && codes.at(-1) !== 'ECONNREFUSED'; attempt++) {
			const failed = await caught(client.list());
			expect(failed).toBeInstanceOf(TypeError);
			expect(failed.message).toBe('fetch failed');
			codes.push(String((failed.cause as { code?: string }).code));
		}
		expect(codes.at(-1)).toBe('ECONNREFUSED');
		expect(codes.every((code) => code === 'ECONNREFUSED' || code === 'UND_ERR_SOCKET')).toBe(true);
		await fake.restart();
		expect((await client.list()).models).toHaveLength(2);
		expect(fake.loadedModels()).toEqual([]); // a restarted Ollama has nothing loaded
	});
});

// ---------------------------------------------------------------------------------------------------------
// One suite, every implementation: the protocol's shape, checked against the fake and, when
// OLLAMA_CONTRACT_HOST names one, a real Ollama. Nothing here scripts an answer or a fault, so both must
// pass it as they stand; a failure on the real server means the fake's model of the protocol is out of date.
// ---------------------------------------------------------------------------------------------------------

/** RFC 3339 as Go marshals time.Time: a real server writes its local offset, the fake writes UTC. */
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/;

/** A server under contract: where it listens and a model it can answer with. */
interface Implementation {
	url: string;
	model: string;
	close(): Promise<void>;
}

/** The real server's smallest local model, unless OLLAMA_CONTRACT_MODEL names one. */
async function contractModel(host: string): Promise<string> {
	if (process.env.OLLAMA_CONTRACT_MODEL) return process.env.OLLAMA_CONTRACT_MODEL;
	const { models } = await new Ollama({ host }).list();
	const local = models.filter((model) => !('remote_host' in model)).sort((a, b) => a.size - b.size);
	if (!local[0])
		throw new Error(
			`OLLAMA_CONTRACT_HOST=${host} lists no local model; pull a small one (ollama pull qwen3:0.6b) or set OLLAMA_CONTRACT_MODEL.`,
		);
	return local[0].name;
}

const contractHost = process.env.OLLAMA_CONTRACT_HOST;
const IMPLEMENTATIONS: { name: string; start: () => Promise<Implementation> }[] = [
	{
		name: 'the fake',
		start: async () => {
			const fake = await startFakeOllama({ models: [{ name: 'writer:7b', respond: () => 'A short answer.' }] });
			return { url: fake.url, model: 'writer:7b', close: () => fake.close() };
		},
	},
	...(contractHost
		? [
				{
					name: `Ollama at ${contractHost}`,
					start: async () => ({ url: contractHost, model: await contractModel(contractHost), close: async () => {} }),
				},
			]
		: []),
];

/** A real model may load from disk first: room for that, and for a loaded machine. */
const REAL_CALL_TIMEOUT = 180_000;

describe.each(IMPLEMENTATIONS)('protocol shape: $name', ({ start }) => {
	let server: Implementation;
	let client: Ollama;
	beforeAll(async () => {
		server = await start();
		client = new Ollama({ host: server.url });
	});
	afterAll(() => server.close());

	it('answers /api/version with one JSON object naming a dotted version', async () => {
		const res = await fetch(`${server.url}/api/version`);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
		expect(await res.text()).toMatch(/^\{"version":"\d+\.\d+\.\d+[^"]*"\}$/);
	});

	it('lists models in /api/tags with name, date, size, 64-hex digest and details', async () => {
		const res = await fetch(`${server.url}/api/tags`);
		expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
		const { models } = (await res.json()) as { models: Record<string, unknown>[] };
		expect(models.map((model) => model.name)).toContain(server.model);
		for (const model of models) {
			expect(model).toMatchObject({ name: expect.any(String), model: expect.any(String), size: expect.any(Number) });
			expect(String(model.modified_at)).toMatch(RFC3339);
			expect(String(model.digest)).toMatch(HEX64);
			expect(model.details).toMatchObject({
				format: expect.any(String),
				family: expect.any(String),
				parameter_size: expect.any(String),
				quantization_level: expect.any(String),
			});
		}
		// Since Ollama 0.30 a local model's details carry the context it was trained for.
		const local = models.find((model) => model.name === server.model)!;
		expect((local.details as Record<string, unknown>).context_length).toEqual(expect.any(Number));
		expect((local.details as Record<string, number>).context_length).toBeGreaterThan(0);
	});

	it("answers /api/show for a missing model with 404 naming it as Ollama's shortest name", async () => {
		const res = await fetch(`${server.url}/api/show`, { method: 'POST', body: JSON.stringify({ model: 'lmb-contract-missing' }) });
		expect(res.status).toBe(404);
		expect(await res.json()).toEqual({ error: "model 'lmb-contract-missing:latest' not found" });
	});

	it(
		'takes think "max" as a think value: answered, or refused only for a model that cannot think',
		async () => {
			const res = await fetch(`${server.url}/api/chat`, {
				method: 'POST',
				body: JSON.stringify({
					model: server.model,
					messages: user('Say hello.'),
					think: 'max',
					stream: false,
					options: { num_predict: 8 },
				}),
			});
			if (res.status === 200) expect(((await res.json()) as { done: boolean }).done).toBe(true);
			else
				expect({ status: res.status, body: await res.json() }).toEqual({
					status: 400,
					body: { error: `"${server.model}" does not support thinking` },
				});
		},
		REAL_CALL_TIMEOUT,
	);

	it(
		'cuts a prompt longer than num_ctx to about half of it, or refuses it with 400',
		async () => {
			// Some 6,000 tokens or more for any tokenizer, in a 2,048-token context.
			const long = Array.from({ length: 3000 }, (_, i) => `w${i}`).join(' ');
			const res = await fetch(`${server.url}/api/chat`, {
				method: 'POST',
				body: JSON.stringify({
					model: server.model,
					messages: user(long),
					think: false,
					stream: false,
					options: { num_ctx: 2048, num_predict: 1 },
				}),
			});
			const body = (await res.json()) as { prompt_eval_count?: number; error?: string };
			if (res.status === 400) expect(body.error).toMatch(/^the prompt is longer than the context length currently available to the model/);
			else {
				expect(res.status).toBe(200);
				// num_ctx − ⌊(num_ctx − num_keep) / 2⌋ with num_keep 4, plus one for a BOS token.
				expect(body.prompt_eval_count).toBeGreaterThanOrEqual(1026);
				expect(body.prompt_eval_count).toBeLessThanOrEqual(1027);
			}
		},
		REAL_CALL_TIMEOUT,
	);

	it('shows a model: modelfile, template, details, model_info with its architecture, capabilities', async () => {
		const shown = await client.show({ model: server.model });
		expect(shown.modelfile).toEqual(expect.any(String));
		expect(shown.template).toEqual(expect.any(String));
		expect(shown.details.family).toEqual(expect.any(String));
		expect((shown.model_info as unknown as Record<string, unknown>)['general.architecture']).toEqual(expect.any(String));
		expect(shown.capabilities).toContain('completion');
		expect(String(shown.modified_at)).toMatch(RFC3339);
	});

	it(
		'streams chat as NDJSON chunks of the assistant message, ending with one done chunk and its metrics',
		async () => {
			const res = await fetch(`${server.url}/api/chat`, {
				method: 'POST',
				body: JSON.stringify({ model: server.model, messages: user('Say hello.'), options: { num_predict: 16, temperature: 0, seed: 1 } }),
			});
			expect(res.status).toBe(200);
			expect(res.headers.get('content-type')).toBe('application/x-ndjson');
			const chunks = ndjsonLines(await res.text()).map((line) => JSON.parse(line) as Record<string, unknown>);
			const last = chunks.at(-1) as Record<string, unknown>;
			for (const chunk of chunks.slice(0, -1)) {
				expect(Object.keys(chunk)).toEqual(['model', 'created_at', 'message', 'done']);
				expect(chunk).toMatchObject({ model: server.model, done: false, message: { role: 'assistant', content: expect.any(String) } });
				expect(String(chunk.created_at)).toMatch(RFC3339);
			}
			expect(Object.keys(last).slice(0, 5)).toEqual(['model', 'created_at', 'message', 'done', 'done_reason']);
			expect(last).toMatchObject({
				model: server.model,
				done: true,
				done_reason: expect.stringMatching(/^(stop|length)$/),
				message: { role: 'assistant' },
			});
			for (const field of ['total_duration', 'eval_count']) expect(Number.isInteger(last[field]) && (last[field] as number) > 0).toBe(true);
			for (const field of ['load_duration', 'prompt_eval_count', 'prompt_eval_duration', 'eval_duration']) {
				// Zero metrics are omitted (omitempty); a present one is a whole number.
				if (field in last) expect(Number.isInteger(last[field])).toBe(true);
			}
		},
		REAL_CALL_TIMEOUT,
	);

	it(
		'reads the same stream through the ollama client: text chunks, then done with its counts',
		async () => {
			const parts = await collect(
				await client.chat({
					model: server.model,
					messages: user('Say hello.'),
					stream: true,
					options: { num_predict: 16, temperature: 0, seed: 1 },
				}),
			);
			const last = parts.at(-1);
			expect(parts.slice(0, -1).every((part) => part.done === false && typeof part.message.content === 'string')).toBe(true);
			expect(last?.done).toBe(true);
			expect(last?.eval_count).toBeGreaterThan(0);
		},
		REAL_CALL_TIMEOUT,
	);

	it(
		'loads on a chat with no messages: one JSON object, done before done_reason "load"',
		async () => {
			const res = await fetch(`${server.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: server.model, messages: [] }) });
			expect(res.status).toBe(200);
			const body = (await res.json()) as Record<string, unknown>;
			expect(Object.keys(body)).toEqual(['model', 'created_at', 'message', 'done', 'done_reason']);
			expect(body).toMatchObject({ model: server.model, message: { role: 'assistant', content: '' }, done: true, done_reason: 'load' });
		},
		REAL_CALL_TIMEOUT,
	);

	it("answers a chat naming a missing model with 404 and Ollama's error object", async () => {
		const missing = 'lmb-contract-missing:0';
		const res = await fetch(`${server.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: missing, messages: user('hi') }) });
		expect(res.status).toBe(404);
		expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
		const body = (await res.json()) as Record<string, unknown>;
		expect(Object.keys(body)).toEqual(['error']);
		expect([missingModelMessages.current(missing), missingModelMessages.legacy(missing)]).toContain(body.error);
		const error = await caught(client.chat({ model: missing, messages: user('hi') }));
		expect(error.name).toBe('ResponseError');
		expect(error.status_code).toBe(404);
	});
});
