/**
 * A fake Anthropic Messages API for tests: a real `node:http` server on 127.0.0.1 (port chosen by the OS)
 * that holds every request to the shape the real API demands and answers the way it does.
 *
 * Checked like the real API (docs.anthropic.com, "Messages", "Models" and "Errors"): `POST /v1/messages`
 * and `GET /v1/models/{id}` (an alias resolves to its dated id; an unknown model is 404 `not_found_error`);
 * `x-api-key` (401 `authentication_error` without it or with another key), `anthropic-version` (400
 * without it), a JSON body with `model`, a positive integer `max_tokens`, non-empty `messages` of
 * `user`/`assistant` turns starting with `user`, an optional `system`, `temperature` in [0, 1], and no
 * unknown field ("Extra inputs are not permitted"). Answers are `{"type":"message", "content": [text
 * blocks], "stop_reason", "usage": {input_tokens, output_tokens…}}`; errors are
 * `{"type":"error","error":{"type","message"},"request_id"}` with their HTTP status and a `request-id`
 * header. Every deviation of a request is also collected in `violations`, so a test can insist on none.
 *
 * As the API is now (2026): a model released after Claude Opus 4.6 refuses any `temperature` with a 400;
 * content may start with a `thinking` block (billed inside `output_tokens`); `usage` carries cache tokens
 * and `service_tier`; the answer names the dated model that answered; a spent budget is a 429 with
 * `error.details.error_code: enforced_spend_limit_reached` and no `retry-after`, or a 402 `billing_error`.
 * The request log keeps headers with the key replaced by `[redacted]`, so nothing a test writes can hold it.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A request as the fake understood it, handed to the script. */
export interface MessagesCall {
	model: string;
	maxTokens: number;
	system: string;
	messages: { role: string; content: string }[];
	temperature: number | undefined;
	/** 1-based count of valid requests received. */
	call: number;
}

/** A successful answer: text blocks and the usage to report. */
export interface TextAnswer {
	text: string;
	/** Default `end_turn`. */
	stopReason?: string;
	/** Default: about a token per 4 characters of the prompt. */
	inputTokens?: number;
	/** Default: about a token per 4 characters of the text. */
	outputTokens?: number;
	/** Wait before answering (the real API sends nothing until the message is complete). */
	delayMs?: number;
	/** A thinking block sent before the text (its tokens are part of `outputTokens`). */
	thinking?: string;
	/** Default 0. */
	cacheCreationInputTokens?: number;
	/** Default 0. */
	cacheReadInputTokens?: number;
}

/** An error answer: HTTP status, error type and message. */
export interface ErrorAnswer {
	status: number;
	type: string;
	message: string;
	/** `error.details.error_code`, e.g. `enforced_spend_limit_reached`. */
	errorCode?: string;
	/** The `retry-after` header; by default `30` on a rate-limit 429 without an error code, absent otherwise. */
	retryAfter?: string;
}

export type MessagesReply = TextAnswer | ErrorAnswer;

/** The errors the real API sends, with its texts. */
export const anthropicErrors = {
	unauthorized: (): ErrorAnswer => ({ status: 401, type: 'authentication_error', message: 'invalid x-api-key' }),
	permission: (): ErrorAnswer => ({
		status: 403,
		type: 'permission_error',
		message: 'Your API key does not have permission to use the specified resource.',
	}),
	rateLimited: (): ErrorAnswer => ({
		status: 429,
		type: 'rate_limit_error',
		message:
			'This request would exceed the rate limit for your organization of 50 requests per minute. Please reduce the prompt length or the maximum tokens requested, or try again later.',
	}),
	/** A rate limit that passes: `retry-after` says when to ask again. */
	rateLimitedFor: (seconds: number): ErrorAnswer => ({ ...anthropicErrors.rateLimited(), retryAfter: String(seconds) }),
	/** The organisation's monthly spend cap: asking again fails until it resets (no `retry-after`). */
	spendCap: (): ErrorAnswer => ({
		status: 429,
		type: 'rate_limit_error',
		message: 'You have reached your organization’s monthly usage limit. Access resumes on the first of next month.',
		errorCode: 'enforced_spend_limit_reached',
	}),
	billing: (): ErrorAnswer => ({
		status: 402,
		type: 'billing_error',
		message: 'Your credit balance is too low to access the Anthropic API.',
	}),
	apiError: (): ErrorAnswer => ({ status: 500, type: 'api_error', message: 'Internal server error' }),
	overloaded: (): ErrorAnswer => ({ status: 529, type: 'overloaded_error', message: 'Overloaded' }),
	invalid: (message: string): ErrorAnswer => ({ status: 400, type: 'invalid_request_error', message }),
};

/** One request received, valid or not. */
export interface ReceivedRequest {
	method: string;
	path: string;
	/** The request's headers, with `x-api-key` replaced by `[redacted]` when sent. */
	headers: http.IncomingHttpHeaders;
	/** Whether `x-api-key` was the accepted key, another one, or missing. */
	key: 'accepted' | 'other' | 'missing';
	rawBody: string;
	body: unknown;
	status: number | undefined;
}

export interface FakeAnthropic {
	/** e.g. `http://127.0.0.1:41234`: the `base_url` to configure. */
	readonly url: string;
	readonly requests: readonly ReceivedRequest[];
	/** What was wrong with requests, one line each; empty when every request had the real shape. */
	readonly violations: readonly string[];
	/** Messages answered with a 200 (what the real API bills), since the start or the last `clearLog`. */
	readonly billedCalls: number;
	clearLog(): void;
	close(): Promise<void>;
}

export interface FakeAnthropicOptions {
	/** The one key accepted; any other gets 401 `invalid x-api-key`. */
	apiKey: string;
	/** The script, per valid request. Default: `{ text: 'ok' }`. */
	respond?: (call: MessagesCall) => MessagesReply | Promise<MessagesReply>;
	/**
	 * The models the account may use, name → the id the API answers with (an alias → its dated id).
	 * Default: every name, answering as itself. A name not here is 404 `not_found_error`.
	 */
	models?: Record<string, string>;
	/** Whether the model refuses `temperature` (400). Default: models released after Claude Opus 4.6 (see `isNewerModel`). */
	refusesTemperature?: (model: string) => boolean;
}

/** Claude Opus 4.7 and later, and every Claude generation 5 and later: these take no `temperature`. */
export function isNewerModel(model: string): boolean {
	const match = /^claude-(?:(?:opus|sonnet|haiku)-)?(\d{1,2})(?:-(\d{1,2})(?!\d))?/.exec(model);
	if (!match) return false;
	const major = Number(match[1]);
	const minor = Number(match[2] ?? 0);
	return major >= 5 || (major === 4 && minor >= 7 && model.includes('opus'));
}

const TOP_LEVEL_FIELDS = new Set([
	'model',
	'max_tokens',
	'messages',
	'system',
	'temperature',
	'top_p',
	'top_k',
	'stop_sequences',
	'metadata',
	'stream',
	'tools',
	'tool_choice',
	'thinking',
	'service_tier',
]);

/** Starts the fake; close it with `close()`. */
export async function startFakeAnthropic(options: FakeAnthropicOptions): Promise<FakeAnthropic> {
	const requests: ReceivedRequest[] = [];
	const violations: string[] = [];
	let calls = 0;
	let billed = 0;
	const resolve = (name: string): string | undefined => (options.models ? options.models[name] : name);
	const refusesTemperature = options.refusesTemperature ?? isNewerModel;

	const server = http.createServer(async (req, res) => {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const rawBody = Buffer.concat(chunks).toString('utf8');
		const path = (req.url ?? '/').split('?')[0] ?? '/';
		const sentKey = req.headers['x-api-key'];
		const entry: ReceivedRequest = {
			method: req.method ?? 'GET',
			path,
			headers: { ...req.headers, ...(sentKey === undefined ? {} : { 'x-api-key': '[redacted]' }) },
			key: typeof sentKey !== 'string' || sentKey === '' ? 'missing' : sentKey === options.apiKey ? 'accepted' : 'other',
			rawBody,
			body: undefined,
			status: undefined,
		};
		requests.push(entry);
		const requestId = `req_${randomBytes(12).toString('hex')}`;
		const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
			entry.status = status;
			res.writeHead(status, { 'content-type': 'application/json', 'request-id': requestId, ...headers });
			res.end(JSON.stringify(body));
		};
		const fail = (error: ErrorAnswer, violation?: string) => {
			if (violation) violations.push(`${entry.method} ${path}: ${violation}`);
			const retryAfter = error.retryAfter ?? (error.status === 429 && error.errorCode === undefined ? '30' : undefined);
			send(
				error.status,
				{
					type: 'error',
					error: { type: error.type, message: error.message, ...(error.errorCode ? { details: { error_code: error.errorCode } } : {}) },
					request_id: requestId,
				},
				retryAfter === undefined ? {} : { 'retry-after': retryAfter },
			);
		};

		const modelPath = /^\/v1\/models(?:\/([^/]+))?$/.exec(path);
		if (modelPath && entry.method === 'GET') {
			if (entry.key === 'missing')
				return fail({ status: 401, type: 'authentication_error', message: 'x-api-key header is required' }, 'no x-api-key');
			if (req.headers['anthropic-version'] !== '2023-06-01')
				return fail(
					anthropicErrors.invalid('anthropic-version: header is required'),
					`anthropic-version is ${JSON.stringify(req.headers['anthropic-version'])}`,
				);
			if (entry.key === 'other') return fail(anthropicErrors.unauthorized());
			const describe = (id: string) => ({ type: 'model', id, display_name: id, created_at: '2026-01-01T00:00:00Z' });
			if (modelPath[1] === undefined) {
				// The list: the ids the account may use (none to list when every name is accepted as itself).
				const data = [...new Set(Object.values(options.models ?? {}))].sort().map(describe);
				return send(200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
			}
			const name = decodeURIComponent(modelPath[1]);
			const id = resolve(name);
			if (id === undefined) return fail({ status: 404, type: 'not_found_error', message: `model: ${name}` });
			return send(200, describe(id));
		}
		if (path !== '/v1/messages') return fail({ status: 404, type: 'not_found_error', message: 'Not Found' }, 'not /v1/messages');
		if (entry.method !== 'POST')
			return fail({ status: 405, type: 'invalid_request_error', message: 'Method Not Allowed' }, `method ${entry.method}`);
		const key = req.headers['x-api-key'];
		if (typeof key !== 'string' || key === '')
			return fail({ status: 401, type: 'authentication_error', message: 'x-api-key header is required' }, 'no x-api-key');
		if (req.headers['anthropic-version'] !== '2023-06-01') {
			return fail(
				anthropicErrors.invalid('anthropic-version: header is required'),
				`anthropic-version is ${JSON.stringify(req.headers['anthropic-version'])}`,
			);
		}
		if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
			return fail(
				anthropicErrors.invalid('content-type must be application/json'),
				`content-type is ${JSON.stringify(req.headers['content-type'])}`,
			);
		}
		if (req.headers.authorization !== undefined) violations.push(`POST ${path}: an Authorization header was sent besides x-api-key`);
		if (key !== options.apiKey) return fail(anthropicErrors.unauthorized());

		let body: Record<string, unknown>;
		try {
			body = JSON.parse(rawBody) as Record<string, unknown>;
			entry.body = body;
		} catch {
			return fail(anthropicErrors.invalid('There was an issue with your request body: it is not valid JSON'), 'body is not JSON');
		}
		const problem = shapeProblem(body);
		if (problem) return fail(anthropicErrors.invalid(problem), problem);
		const answering = resolve(body.model as string);
		if (answering === undefined) return fail({ status: 404, type: 'not_found_error', message: `model: ${String(body.model)}` });
		if (body.temperature !== undefined && refusesTemperature(answering))
			return fail(anthropicErrors.invalid('`temperature` is deprecated for this model.'), `temperature sent to ${answering}`);

		calls++;
		const messages = (body.messages as { role: string; content: unknown }[]).map((message) => ({
			role: message.role,
			content: textOf(message.content),
		}));
		const system = textOf(body.system ?? '');
		const call: MessagesCall = {
			model: body.model as string,
			maxTokens: body.max_tokens as number,
			system,
			messages,
			temperature: body.temperature as number | undefined,
			call: calls,
		};
		let reply: MessagesReply;
		try {
			reply = options.respond ? await options.respond(call) : { text: 'ok' };
		} catch (error) {
			return fail({ status: 500, type: 'api_error', message: `fake-anthropic script failed: ${(error as Error).message}` });
		}
		if ('status' in reply) return fail(reply);
		if (reply.delayMs) await sleep(reply.delayMs);
		if (res.destroyed) return;
		const promptChars = system.length + messages.reduce((sum, message) => sum + message.content.length, 0);
		billed++;
		send(200, {
			id: `msg_${randomBytes(12).toString('hex')}`,
			type: 'message',
			role: 'assistant',
			model: answering,
			content: [
				...(reply.thinking === undefined
					? []
					: [{ type: 'thinking', thinking: reply.thinking, signature: randomBytes(24).toString('base64') }]),
				{ type: 'text', text: reply.text },
			],
			stop_reason: reply.stopReason ?? 'end_turn',
			stop_sequence: null,
			usage: {
				input_tokens: reply.inputTokens ?? Math.ceil(promptChars / 4),
				cache_creation_input_tokens: reply.cacheCreationInputTokens ?? 0,
				cache_read_input_tokens: reply.cacheReadInputTokens ?? 0,
				output_tokens: reply.outputTokens ?? Math.ceil(((reply.thinking ?? '').length + reply.text.length) / 4),
				service_tier: 'standard',
			},
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		violations,
		get billedCalls() {
			return billed;
		},
		clearLog() {
			requests.length = 0;
			violations.length = 0;
			billed = 0;
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

/** What the real API would refuse in a request body, as its message says it; undefined when the body is fine. */
function shapeProblem(body: Record<string, unknown>): string | undefined {
	for (const field of Object.keys(body)) if (!TOP_LEVEL_FIELDS.has(field)) return `${field}: Extra inputs are not permitted`;
	if (typeof body.model !== 'string' || body.model === '') return 'model: Field required';
	if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1) return 'max_tokens: Input should be a positive integer';
	if (body.temperature !== undefined && (typeof body.temperature !== 'number' || body.temperature < 0 || body.temperature > 1)) {
		return 'temperature: Input should be less than or equal to 1';
	}
	if (body.system !== undefined && typeof body.system !== 'string' && !Array.isArray(body.system))
		return 'system: Input should be a valid string';
	if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: at least one message is required';
	for (const [index, message] of (body.messages as unknown[]).entries()) {
		const { role, content, ...rest } = (message ?? {}) as { role?: unknown; content?: unknown };
		const extra = Object.keys(rest)[0];
		if (extra) return `messages.${index}.${extra}: Extra inputs are not permitted`;
		if (role !== 'user' && role !== 'assistant') return `messages.${index}.role: Input should be 'user' or 'assistant'`;
		if (typeof content !== 'string' && !Array.isArray(content)) return `messages.${index}.content: Input should be a valid list`;
	}
	if ((body.messages as { role: string }[])[0]?.role !== 'user') return 'messages: first message must use the "user" role';
	return undefined;
}

/** A string, or the text of an array of content blocks. */
function textOf(content: unknown): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) return content.map((block) => (typeof block?.text === 'string' ? block.text : '')).join('');
	return '';
}
