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
	temperature: number;
	/** The case's prompt, as sent to Ollama: system messages become `system`, the rest `messages`. */
	prompt: Prompt;
	timeoutMs: number;
	fetch?: typeof fetch;
}

/** A successful answer: the text of its content blocks and the usage the API billed. */
export interface MessagesAnswer {
	text: string;
	/** `end_turn`, `max_tokens`, `stop_sequence`, `refusal`…, or null when the API left it out. */
	stopReason: string | null;
	inputTokens: number;
	outputTokens: number;
	latencyMs: number;
}

export type MessagesResult = { ok: true; answer: MessagesAnswer } | { ok: false; failure: StepFailure; latencyMs: number };

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
		temperature: Math.min(1, request.temperature),
	};
}

/**
 * Asks the Messages API once, over plain `fetch` (one POST needs no SDK). Never throws: every failure
 * becomes a step outcome. Every message is the harness's own, built from the status, the error type and
 * the server's message with the key redacted — never from a fetch error, whose text can carry the
 * request — so the key cannot reach a report or a log through it.
 */
export async function callMessagesApi(request: MessagesRequest): Promise<MessagesResult> {
	const fetchImpl = request.fetch ?? fetch;
	const origin = originOf(request.baseUrl);
	const started = performance.now();
	const failed = (failure: StepFailure): MessagesResult => ({
		ok: false,
		failure: { ...failure, detail: redactSecrets(failure.detail, [request.apiKey]) },
		latencyMs: performance.now() - started,
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
			const error = (body as { error?: { type?: unknown; message?: unknown } } | undefined)?.error;
			// Redacted before it is shortened: a key cut in half by the shortening would no longer match.
			const said = stringOr(error?.message);
			return failed(
				frontierHttpFailure(response.status, stringOr(error?.type), said === undefined ? undefined : redactSecrets(said, [request.apiKey])),
			);
		}
		const answer = readAnswer(body);
		if (!answer)
			return failed({ outcome: 'error', detail: `${origin} answered HTTP ${response.status} with a body that is not a Messages response` });
		return { ok: true, answer: { ...answer, latencyMs: performance.now() - started } };
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

/** The text blocks and usage of a Messages response, or undefined when the body is not one. */
function readAnswer(body: unknown): Omit<MessagesAnswer, 'latencyMs'> | undefined {
	const message = body as
		{ content?: unknown; usage?: { input_tokens?: unknown; output_tokens?: unknown }; stop_reason?: unknown } | undefined;
	if (!message || !Array.isArray(message.content)) return undefined;
	const text = message.content
		.filter((block): block is { type: 'text'; text: string } => block?.type === 'text' && typeof block.text === 'string')
		.map((block) => block.text)
		.join('');
	return {
		text,
		stopReason: typeof message.stop_reason === 'string' ? message.stop_reason : null,
		inputTokens: tokenCount(message.usage?.input_tokens),
		outputTokens: tokenCount(message.usage?.output_tokens),
	};
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
