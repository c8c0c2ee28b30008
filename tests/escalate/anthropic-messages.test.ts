import { afterEach, describe, expect, it } from 'vitest';
import { ANTHROPIC_VERSION, callMessagesApi, messagesBody } from '../../src/lib/escalate/anthropic-messages.ts';
import type { Prompt } from '../../src/lib/tasks/index.ts';
import { closedAddress } from '../../testing/project-copy.ts';
import { type FakeAnthropic, type MessagesReply, anthropicErrors, startFakeAnthropic } from '../../testing/fake-anthropic.ts';

const KEY = 'sk-ant-api03-unit-TESTKEY-9f3c2a7e5b1d';
const prompt: Prompt = {
	messages: [
		{ role: 'system', content: 'You review diffs. You answer with JSON only.' },
		{ role: 'user', content: 'Review this diff:\n```diff\n+x\n```' },
	],
	format: { type: 'object' },
};

let fake: FakeAnthropic | undefined;
afterEach(async () => {
	await fake?.close();
	fake = undefined;
});

async function ask(
	reply: MessagesReply | ((call: number) => MessagesReply),
	overrides: Partial<Parameters<typeof callMessagesApi>[0]> = {},
) {
	fake = await startFakeAnthropic({ apiKey: KEY, respond: (call) => (typeof reply === 'function' ? reply(call.call) : reply) });
	return callMessagesApi({
		baseUrl: fake.url,
		apiKey: KEY,
		model: 'claude-sonnet-4-5',
		maxTokens: 4096,
		temperature: 0,
		prompt,
		timeoutMs: 5000,
		...overrides,
	});
}

describe('the Messages API client', () => {
	it('sends the real request shape and reads the content blocks and usage', async () => {
		const result = await ask({ text: '{"verdict":"approve","findings":[]}', inputTokens: 812, outputTokens: 17 });
		expect(fake!.violations).toEqual([]);
		const [request] = fake!.requests;
		expect(request).toMatchObject({ method: 'POST', path: '/v1/messages', status: 200 });
		expect(request!.key).toBe('accepted');
		expect(JSON.stringify(request)).not.toContain(KEY);
		expect(request!.headers['anthropic-version']).toBe(ANTHROPIC_VERSION);
		expect(request!.headers['content-type']).toBe('application/json');
		expect(request!.body).toEqual({
			model: 'claude-sonnet-4-5',
			max_tokens: 4096,
			system: 'You review diffs. You answer with JSON only.',
			messages: [{ role: 'user', content: 'Review this diff:\n```diff\n+x\n```' }],
			temperature: 0,
		});
		expect(result).toMatchObject({
			ok: true,
			answer: { text: '{"verdict":"approve","findings":[]}', stopReason: 'end_turn', inputTokens: 812, outputTokens: 17 },
		});
	});

	it('leaves out an empty system prompt and caps the temperature at the API maximum of 1', () => {
		const body = messagesBody({ model: 'm', maxTokens: 10, temperature: 1.5, prompt: { messages: [{ role: 'user', content: 'hi' }] } });
		expect(body).toEqual({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], temperature: 1 });
	});

	it.each([
		['401 authentication_error', anthropicErrors.unauthorized(), 'unauthorized'],
		['403 permission_error', anthropicErrors.permission(), 'unauthorized'],
		['429 rate_limit_error', anthropicErrors.rateLimited(), 'quota'],
		['529 overloaded_error', anthropicErrors.overloaded(), 'unavailable'],
		['500 api_error', anthropicErrors.apiError(), 'error'],
		['400 invalid_request_error', anthropicErrors.invalid('model: claude-nope not found'), 'error'],
	] as const)('maps %s to %s, with the status and error type in its own message', async (_name, reply, outcome) => {
		const result = await ask(reply);
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.failure.outcome).toBe(outcome);
		expect(result.failure.detail).toContain(`HTTP ${reply.status} (${reply.type}`);
	});

	it('refuses a wrong key the way the API does', async () => {
		const result = await ask({ text: 'never sent' }, { apiKey: 'sk-ant-api03-someone-elses-key-000' });
		expect(result).toMatchObject({ ok: false, failure: { outcome: 'unauthorized' } });
		expect(JSON.stringify(result)).not.toContain('someone-elses');
	});

	it('redacts the key when a server echoes it back in an error message', async () => {
		const result = await ask(anthropicErrors.invalid(`header x-api-key=${KEY} is malformed`));
		expect(result.ok).toBe(false);
		expect(JSON.stringify(result)).not.toContain(KEY);
		expect(JSON.stringify(result)).toContain('[redacted]');
	});

	it('redacts the key before shortening a long server message, so no half of it survives', async () => {
		const result = await ask(anthropicErrors.invalid(`${'x'.repeat(140)} ${KEY} and more`));
		expect(result.ok).toBe(false);
		expect(JSON.stringify(result)).not.toContain('sk-ant-api03-unit');
	});

	it('calls an unreachable API unavailable without quoting the request', async () => {
		const result = await callMessagesApi({
			baseUrl: await closedAddress(),
			apiKey: KEY,
			model: 'm',
			maxTokens: 10,
			temperature: 0,
			prompt,
			timeoutMs: 2000,
		});
		expect(result).toMatchObject({
			ok: false,
			failure: { outcome: 'unavailable', detail: expect.stringMatching(/^could not reach http:\/\/127\.0\.0\.1:\d+: connection refused$/) },
		});
	});

	it('gives up after the call timeout', async () => {
		const result = await ask({ text: 'late', delayMs: 1500 }, { timeoutMs: 300 });
		expect(result).toMatchObject({
			ok: false,
			failure: { outcome: 'error', detail: expect.stringContaining('within run.call_timeout_s') },
		});
		expect(result.ok === false && result.latencyMs).toBeLessThan(1400);
	});

	it('treats a 200 that is not a Messages response as an error', async () => {
		const result = await callMessagesApi({
			baseUrl: 'http://127.0.0.1:1',
			apiKey: KEY,
			model: 'm',
			maxTokens: 10,
			temperature: 0,
			prompt,
			timeoutMs: 1000,
			fetch: async () => new Response('<html>captive portal</html>', { status: 200 }),
		});
		expect(result).toMatchObject({ ok: false, failure: { outcome: 'error', detail: expect.stringContaining('not a Messages response') } });
	});
});

describe('the fake Messages API itself', () => {
	it('refuses requests the real API would refuse, and says so in violations', async () => {
		fake = await startFakeAnthropic({ apiKey: KEY });
		const post = (headers: Record<string, string>, body: unknown) =>
			fetch(`${fake!.url}/v1/messages`, { method: 'POST', headers, body: JSON.stringify(body) });
		const good = { model: 'm', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] };
		const headers = { 'x-api-key': KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' };
		expect((await post(headers, good)).status).toBe(200);
		expect(fake.violations).toEqual([]);

		const noVersion = await post({ 'x-api-key': KEY, 'content-type': 'application/json' }, good);
		expect(noVersion.status).toBe(400);
		expect(await noVersion.json()).toMatchObject({
			type: 'error',
			error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' },
		});
		expect((await post({ 'anthropic-version': '2023-06-01', 'content-type': 'application/json' }, good)).status).toBe(401);
		expect((await post(headers, { ...good, format: {} })).status).toBe(400);
		expect((await post(headers, { ...good, max_tokens: undefined })).status).toBe(400);
		expect((await post(headers, { ...good, messages: [{ role: 'system', content: 'x' }] })).status).toBe(400);
		expect(fake.violations).toHaveLength(5);
	});
});

describe('the Messages API as it is now', () => {
	it('asks a model that refuses any temperature again without one, and says the answer is at its default', async () => {
		const result = await ask({ text: 'ok' }, { model: 'claude-opus-4-7', temperature: 0 });
		expect(result.ok && result.answer.temperatureSent).toBeNull();
		expect(fake!.requests.map((request) => request.status)).toEqual([400, 200]);
		expect('temperature' in (fake!.requests[1]!.body as object)).toBe(false);
	});

	it('keeps the temperature for a model that takes one', async () => {
		const result = await ask({ text: 'ok' }, { model: 'claude-sonnet-4-5', temperature: 0 });
		expect(result.ok && result.answer.temperatureSent).toBe(0);
		expect(fake!.requests).toHaveLength(1);
	});

	it('reads thinking blocks apart from the text, every usage field, and the model that answered', async () => {
		fake = await startFakeAnthropic({
			apiKey: KEY,
			models: { 'claude-sonnet-4-5': 'claude-sonnet-4-5-20250929' },
			respond: () => ({ text: 'the answer', thinking: 'first, the diff', outputTokens: 90, cacheReadInputTokens: 12 }),
		});
		const result = await callMessagesApi({
			baseUrl: fake.url,
			apiKey: KEY,
			model: 'claude-sonnet-4-5',
			maxTokens: 200,
			prompt,
			timeoutMs: 5000,
		});
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(result.answer).toMatchObject({
			text: 'the answer',
			thinking: 'first, the diff',
			model: 'claude-sonnet-4-5-20250929',
			outputTokens: 90,
		});
		expect(result.answer.usage).toMatchObject({ cacheReadInputTokens: 12, cacheCreationInputTokens: 0, serviceTier: 'standard' });
	});

	it('hands back what an error said: the status, the spend-cap code and retry-after', async () => {
		const capped = await ask(anthropicErrors.spendCap());
		expect(!capped.ok && capped.facts).toMatchObject({ status: 429, errorCode: 'enforced_spend_limit_reached', retryAfterS: null });
		await fake!.close();
		const limited = await ask(anthropicErrors.rateLimitedFor(3));
		expect(!limited.ok && limited.facts).toMatchObject({ status: 429, errorType: 'rate_limit_error', errorCode: null, retryAfterS: 3 });
	});
});

describe('the fake Anthropic API: models', () => {
	it('resolves an alias to its dated id, lists the models, and answers 404 for an unknown one, as the Models API does', async () => {
		fake = await startFakeAnthropic({ apiKey: KEY, models: { 'claude-sonnet-4-5': 'claude-sonnet-4-5-20250929' } });
		const get = (path: string, headers: Record<string, string> = { 'x-api-key': KEY, 'anthropic-version': ANTHROPIC_VERSION }) =>
			fetch(`${fake!.url}${path}`, { headers });
		expect(await (await get('/v1/models/claude-sonnet-4-5')).json()).toMatchObject({ type: 'model', id: 'claude-sonnet-4-5-20250929' });
		expect(await (await get('/v1/models')).json()).toMatchObject({ data: [{ id: 'claude-sonnet-4-5-20250929' }], has_more: false });
		const unknown = await get('/v1/models/claude-nothing-1');
		expect(unknown.status).toBe(404);
		expect(await unknown.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
		expect((await get('/v1/models', { 'x-api-key': KEY })).status).toBe(400);
		expect((await get('/v1/models', { 'x-api-key': 'sk-ant-other', 'anthropic-version': ANTHROPIC_VERSION })).status).toBe(401);
	});
});
