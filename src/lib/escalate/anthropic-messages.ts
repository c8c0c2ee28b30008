import type { ChatAnswer } from '../run/model-client.ts';
import type { Prompt } from '../tasks/index.ts';
import { type StepFailure, frontierHttpFailure } from './classify-failure.ts';
import { redactSecrets } from './redact.ts';

/** The Messages API version this client speaks (sent as `anthropic-version`). */
export const ANTHROPIC_VERSION = '2023-06-01';

/** One request to the Anthropic Messages API. */
export interface MessagesRequest {
	/** e.g. `https://api.anthropic.com`; `/v1/messages` is appended. */
	baseUrl: string;
	apiKey: string;
	model: string;
	maxTokens: number;
	/**
	 * Sampling temperature, capped at 1; left out of the request when undefined (the model's default, 1.0).
	 * Models after Claude Opus 4.6 refuse any temperature with a 400, so the frontier baseline never sends one.
	 */
	temperature?: number;
	/** The case's prompt, as sent to Ollama: system messages become `system`, the rest `messages`. */
	prompt: Prompt;
	timeoutMs: number;
	fetch?: typeof fetch;
}

/** What the API billed for one answer, as its `usage` says (thinking tokens are inside `outputTokens`). */
export interface MessagesUsage {
	inputTokens: number;
	outputTokens: number;
	cacheCreationInputTokens: number;
	cacheReadInputTokens: number;
	/** `standard`, `priority`, `batch`, or null when the API left it out. */
	serviceTier: string | null;
}

/** A successful answer: the text of its content blocks and the usage the API billed. */
export interface MessagesAnswer {
	text: string;
	/** The text of the thinking blocks the content may start with (billed as output, never graded). */
	thinking: string;
	/** `end_turn`, `max_tokens`, `stop_sequence`, `refusal`, `model_context_window_exceeded`…, or null when the API left it out. */
	stopReason: string | null;
	/** The model the API says answered (an alias resolves to a dated id), or null when it left it out. */
	model: string | null;
	inputTokens: number;
	outputTokens: number;
	usage: MessagesUsage;
	/** The temperature the answer was asked at; null when none was sent (the model's default, 1.0). */
	temperatureSent: number | null;
	latencyMs: number;
}

/**
 * A Messages answer as the harness keeps every answer: its text (and, when kept, its thinking) as
 * `scrub` leaves them, tokens in and out, and no stream timing or load, which the API does not report.
 */
export function chatAnswerOf(answer: MessagesAnswer, scrub: (text: string) => string, keepThinking: boolean): ChatAnswer {
	return {
		content: scrub(answer.text),
		thinking: keepThinking ? scrub(answer.thinking) : '',
		doneReason: answer.stopReason ?? 'end_turn',
		latencyMs: answer.latencyMs,
		ttftMs: null,
		evalCount: answer.outputTokens,
		evalDurationNs: 0,
		promptEvalCount: answer.inputTokens,
		loadDurationNs: 0,
	};
}

/** What an error answer said besides its outcome: enough to tell a passing limit from a spent budget. */
export interface MessagesErrorFacts {
	/** The HTTP status, or null when no answer came. */
	status: number | null;
	/** `rate_limit_error`, `overloaded_error`, `billing_error`…, or null. */
	errorType: string | null;
	/** `error.details.error_code`, e.g. `enforced_spend_limit_reached`, or null. */
	errorCode: string | null;
	/** The `retry-after` header in seconds, or null. */
	retryAfterS: number | null;
	/** The server's message, key redacted, or null. */
	message: string | null;
}

export type MessagesResult =
	{ ok: true; answer: MessagesAnswer } | { ok: false; failure: StepFailure; latencyMs: number; facts: MessagesErrorFacts };

/** The JSON body of a Messages request, exactly as sent. Pure. */
export function messagesBody(request: Pick<MessagesRequest, 'model' | 'maxTokens' | 'temperature' | 'prompt'>): Record<string, unknown> {
	const system = request.prompt.messages
		.filter((message) => message.role === 'system')
		.map((message) => message.content)
		.join('\n\n');
	return {
		model: request.model,
		max_tokens: request.maxTokens,
		...(system ? { system } : {}),
		messages: request.prompt.messages
			.filter((message) => message.role !== 'system')
			.map((message) => ({ role: message.role, content: message.content })),
		// The Messages API takes 0–1 where Ollama takes 0–2: the run's temperature, capped.
		...(request.temperature === undefined ? {} : { temperature: Math.min(1, request.temperature) }),
	};
}

/**
 * Asks the Messages API once, over plain `fetch` (one POST needs no SDK). Never throws: every failure
 * becomes a step outcome. Every message is the harness's own, built from the status, the error type and
 * the server's message with the key redacted — never from a fetch error, whose text can carry the
 * request — so the key cannot reach a report or a log through it.
 */
export async function callMessagesApi(request: MessagesRequest): Promise<MessagesResult> {
	const first = await callOnce(request);
	// Models after Claude Opus 4.6 refuse any temperature (400 "`temperature` is deprecated for this model"):
	// asked again without one, the model answers at its default, and the answer says it was not at ours.
	if (!first.ok && request.temperature !== undefined && first.facts.status === 400 && /\btemperature\b/i.test(first.facts.message ?? '')) {
		const again = await callOnce({ ...request, temperature: undefined });
		return again.ok ? { ok: true, answer: { ...again.answer, temperatureSent: null } } : again;
	}
	return first;
}

async function callOnce(request: MessagesRequest): Promise<MessagesResult> {
	const fetchImpl = request.fetch ?? fetch;
	const origin = originOf(request.baseUrl);
	const started = performance.now();
	const noFacts: MessagesErrorFacts = { status: null, errorType: null, errorCode: null, retryAfterS: null, message: null };
	const failed = (failure: StepFailure, facts: MessagesErrorFacts = noFacts): MessagesResult => ({
		ok: false,
		failure: { ...failure, detail: redactSecrets(failure.detail, [request.apiKey]) },
		latencyMs: performance.now() - started,
		facts,
	});
	try {
		const response = await fetchImpl(`${request.baseUrl.replace(/\/+$/, '')}/v1/messages`, {
			method: 'POST',
			headers: { 'x-api-key': request.apiKey, 'anthropic-version': ANTHROPIC_VERSION, 'content-type': 'application/json' },
			body: JSON.stringify(messagesBody(request)),
			signal: AbortSignal.timeout(request.timeoutMs),
		});
		const text = await response.text();
		const body = parseJson(text);
		if (!response.ok) {
			const error = (body as { error?: { type?: unknown; message?: unknown; details?: { error_code?: unknown } } } | undefined)?.error;
			// Redacted before it is shortened: a key cut in half by the shortening would no longer match.
			const said = stringOr(error?.message);
			const message = said === undefined ? undefined : redactSecrets(said, [request.apiKey]);
			const retryAfter = Number(response.headers.get('retry-after'));
			return failed(frontierHttpFailure(response.status, stringOr(error?.type), message), {
				status: response.status,
				errorType: stringOr(error?.type) ?? null,
				errorCode: stringOr(error?.details?.error_code) ?? null,
				retryAfterS: response.headers.has('retry-after') && Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : null,
				message: message ?? null,
			});
		}
		const answer = readAnswer(body);
		if (!answer)
			return failed({ outcome: 'error', detail: `${origin} answered HTTP ${response.status} with a body that is not a Messages response` });
		return {
			ok: true,
			answer: {
				...answer,
				latencyMs: performance.now() - started,
				temperatureSent: request.temperature === undefined ? null : Math.min(1, request.temperature),
			},
		};
	} catch (cause) {
		const name = (cause as { name?: string } | undefined)?.name;
		if (name === 'TimeoutError' || name === 'AbortError') {
			return failed({
				outcome: 'error',
				detail: `no answer from ${origin} within run.call_timeout_s (${Math.round(request.timeoutMs / 1000)} s)`,
			});
		}
		return failed({ outcome: 'unavailable', detail: `could not reach ${origin}: ${networkReason(cause)}` });
	}
}

/**
 * The text blocks, thinking blocks and usage of a Messages response, or undefined when the body is not
 * one. Content may start with `thinking` (or `redacted_thinking`) blocks; only `text` blocks are the answer.
 */
function readAnswer(body: unknown): Omit<MessagesAnswer, 'latencyMs' | 'temperatureSent'> | undefined {
	const message = body as
		| {
				content?: unknown;
				model?: unknown;
				usage?: Record<string, unknown>;
				stop_reason?: unknown;
		  }
		| undefined;
	if (!message || !Array.isArray(message.content)) return undefined;
	const blocks = message.content as { type?: unknown; text?: unknown; thinking?: unknown }[];
	const text = blocks
		.filter((block) => block?.type === 'text' && typeof block.text === 'string')
		.map((block) => block.text as string)
		.join('');
	const thinking = blocks
		.filter((block) => block?.type === 'thinking' && typeof block.thinking === 'string')
		.map((block) => block.thinking as string)
		.join('');
	const usage: MessagesUsage = {
		inputTokens: tokenCount(message.usage?.input_tokens),
		outputTokens: tokenCount(message.usage?.output_tokens),
		cacheCreationInputTokens: tokenCount(message.usage?.cache_creation_input_tokens),
		cacheReadInputTokens: tokenCount(message.usage?.cache_read_input_tokens),
		serviceTier: stringOr(message.usage?.service_tier) ?? null,
	};
	return {
		text,
		thinking,
		stopReason: typeof message.stop_reason === 'string' ? message.stop_reason : null,
		model: stringOr(message.model) ?? null,
		inputTokens: usage.inputTokens,
		outputTokens: usage.outputTokens,
		usage,
	};
}

/** What `GET /v1/models/{id}` says of a model: the id an alias resolves to, or why it could not tell. */
export type ModelLookup = { ok: true; id: string } | { ok: false; status: number | null; detail: string };

/**
 * Resolves a model name through `GET /v1/models/{model_id}` (not billed): an alias answers with the dated id
 * it points at today, an unknown name with 404. Never throws; the key never reaches the detail.
 */
export async function lookUpModel(
	request: Pick<MessagesRequest, 'baseUrl' | 'apiKey' | 'model' | 'timeoutMs' | 'fetch'>,
): Promise<ModelLookup> {
	const fetchImpl = request.fetch ?? fetch;
	const origin = originOf(request.baseUrl);
	try {
		const response = await fetchImpl(`${request.baseUrl.replace(/\/+$/, '')}/v1/models/${encodeURIComponent(request.model)}`, {
			headers: { 'x-api-key': request.apiKey, 'anthropic-version': ANTHROPIC_VERSION },
			signal: AbortSignal.timeout(request.timeoutMs),
		});
		const body = parseJson(await response.text()) as { id?: unknown; error?: { type?: unknown; message?: unknown } } | undefined;
		if (response.ok && typeof body?.id === 'string') return { ok: true, id: body.id };
		const said = stringOr(body?.error?.message);
		const failure = frontierHttpFailure(
			response.status,
			stringOr(body?.error?.type),
			said === undefined ? undefined : redactSecrets(said, [request.apiKey]),
		);
		return { ok: false, status: response.status, detail: redactSecrets(failure.detail, [request.apiKey]) };
	} catch (cause) {
		return { ok: false, status: null, detail: `could not reach ${origin}: ${networkReason(cause)}` };
	}
}

/** Why a request never got an answer, from the error code only (an error's message can quote the request). */
function networkReason(cause: unknown): string {
	const code = (cause as { cause?: { code?: unknown } } | undefined)?.cause?.code;
	if (code === 'ECONNREFUSED') return 'connection refused';
	if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
	if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset';
	if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code;
	return 'network error';
}

function originOf(baseUrl: string): string {
	try {
		return new URL(baseUrl).origin;
	} catch {
		return 'the API';
	}
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

function stringOr(value: unknown): string | undefined {
	return typeof value === 'string' ? value : undefined;
}

function tokenCount(value: unknown): number {
	return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0;
}
