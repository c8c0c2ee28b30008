import type { EscalationOutcome } from '../schema/escalation.ts';
import type { CallFailure } from '../run/model-client.ts';

/** Why a step did not answer: its outcome and a one-line reason in the harness's own words. */
export interface StepFailure {
	outcome: Exclude<EscalationOutcome, 'answered' | 'skipped-no-key' | 'skipped-budget'>;
	detail: string;
}

/** Longest piece of a server's own message kept in a detail: enough to say what happened, never a body dump. */
const SERVER_TEXT_MAX = 160;

/** A server's message, on one line and cut to a readable length. */
export function serverText(text: string | undefined): string {
	const line = (text ?? '').replace(/\s+/g, ' ').trim();
	return line.length > SERVER_TEXT_MAX ? `${line.slice(0, SERVER_TEXT_MAX - 1)}…` : line;
}

/** The HTTP status behind a failed Ollama call, when the failure came from an HTTP error (ollama-js `ResponseError`). */
function statusOf(failure: CallFailure): number | undefined {
	const cause = failure.cause as { name?: string; status_code?: unknown } | undefined;
	return cause?.name === 'ResponseError' && typeof cause.status_code === 'number' ? cause.status_code : undefined;
}

/**
 * The outcome of an Ollama step that failed, from the client's `CallFailure`. The statuses are the ones
 * Ollama answers for a cloud model (server/routes.go, server/cloud_proxy.go): 401 not signed in, 429 the
 * ollama.com usage limit, 403 cloud disabled (OLLAMA_NO_CLOUD), 502 ollama.com unreachable. Pure.
 */
export function ollamaStepFailure(failure: CallFailure, model: string): StepFailure {
	const status = statusOf(failure);
	const said = serverText(failure.message.replace(/^HTTP \d+: /, ''));
	if (status === 401)
		return {
			outcome: 'unauthorized',
			detail: `${model}: this Ollama is not signed in to ollama.com (HTTP 401); run \`ollama signin\` on it`,
		};
	if (status === 429) return { outcome: 'quota', detail: `${model}: usage limit reached (HTTP 429: ${said})` };
	if (status === 403) return { outcome: 'unavailable', detail: `${model}: cloud models are disabled on this Ollama (HTTP 403: ${said})` };
	if (failure.failureClass === 'model-missing' || status === 404) {
		return { outcome: 'unavailable', detail: `${model} is not on this Ollama; pull it with \`ollama pull ${model}\`` };
	}
	if (status === 502 || status === 503 || status === 504)
		return { outcome: 'unavailable', detail: `${model}: the cloud could not be reached (HTTP ${status}: ${said})` };
	if (failure.failureClass === 'transport') return { outcome: 'unavailable', detail: `${model}: Ollama could not be reached (${said})` };
	if (failure.failureClass === 'timeout') return { outcome: 'error', detail: `${model}: no answer within run.call_timeout_s` };
	if (failure.failureClass === 'stall')
		return { outcome: 'error', detail: `${model}: the answer stalled for longer than run.stall_timeout_s` };
	return { outcome: 'error', detail: `${model}: ${status === undefined ? '' : `HTTP ${status}: `}${said}` };
}

/**
 * The outcome of a frontier-API answer that was not a success, from its HTTP status and the
 * `{"type":"error","error":{"type","message"}}` body Anthropic sends. 401 `authentication_error` and
 * 403 `permission_error` are both a refused key; 429 `rate_limit_error` is a limit; 529
 * `overloaded_error` and the gateway statuses mean the service cannot serve now. Pure.
 */
export function frontierHttpFailure(status: number, errorType: string | undefined, message: string | undefined): StepFailure {
	const said = [errorType, serverText(message)].filter(Boolean).join(': ');
	const what = `HTTP ${status}${said ? ` (${said})` : ''}`;
	if (status === 401) return { outcome: 'unauthorized', detail: `the API key was refused: ${what}` };
	if (status === 403) return { outcome: 'unauthorized', detail: `the API key may not use this model: ${what}` };
	if (status === 429) return { outcome: 'quota', detail: `rate or usage limit reached: ${what}` };
	if (status === 529 || status === 502 || status === 503 || status === 504)
		return { outcome: 'unavailable', detail: `the API cannot serve now: ${what}` };
	return { outcome: 'error', detail: `the API refused the request: ${what}` };
}
