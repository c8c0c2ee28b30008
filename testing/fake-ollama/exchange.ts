/**
 * One request in flight and the ways to answer it the way gin does: compact Go JSON, plain-text pages,
 * NDJSON lines whose headers leave with the first chunk, and waits that end when the client goes away.
 */
import type http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoggedRequest } from './types.ts';
import { goJson } from './wire.ts';

/** Per-request state: where to write, whether the client is still there, what to record. */
export interface Exchange {
	res: http.ServerResponse;
	signal: AbortSignal;
	entry: LoggedRequest;
	started: bigint;
	/** Settles when the last streamed write reached the socket (Node corks responses until the next tick). */
	flushed: Promise<void>;
}

function startStream(ex: Exchange): void {
	if (ex.res.headersSent) return;
	ex.entry.status = 200;
	// Go writes the headers with the first chunk, so the client's fetch only resolves with the first token.
	ex.res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
}

/** Writes raw stream text (headers go out first, with status 200); remembers when it reached the socket. */
export function writeRaw(ex: Exchange, text: string): void {
	if (ex.signal.aborted) return;
	startStream(ex);
	ex.flushed = new Promise((resolve) => ex.res.write(text, () => resolve()));
}

/** Writes one NDJSON line. */
export function writeLine(ex: Exchange, value: unknown): void {
	writeRaw(ex, `${goJson(value)}\n`);
}

/** gin's c.JSON: compact Go JSON, no trailing newline, Content-Length set; `headers` adds to them. */
export function sendJson(ex: Exchange, status: number, value: unknown, headers: Record<string, string> = {}): void {
	if (ex.signal.aborted || ex.res.headersSent) return;
	const body = goJson(value);
	ex.entry.status = status;
	ex.res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
	ex.res.end(body);
}

/** Ollama's error answer: `{"error": …}` (plus any extra fields) with `status`, and any extra headers. */
export function sendError(
	ex: Exchange,
	status: number,
	error: string,
	extra?: Record<string, unknown>,
	headers?: Record<string, string>,
): void {
	// gin.H is a map: Go sorts its keys, and "error" sorts before "signin_url".
	sendJson(ex, status, { error, ...extra }, headers);
}

/** gin's c.String and its plain-text 404/405 pages. */
export function sendText(ex: Exchange, status: number, text: string): void {
	if (ex.signal.aborted || ex.res.headersSent) return;
	ex.entry.status = status;
	ex.res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
	ex.res.end(text);
}

/** Waits `ms` unless the request is aborted first; the timer is cleared on abort, so nothing leaks. */
export async function pause(ms: number | undefined, signal: AbortSignal): Promise<void> {
	if (ms === undefined || ms <= 0) {
		if (signal.aborted) throw abortError();
		return;
	}
	await sleep(ms, undefined, { signal });
}

/** Resolves when the client goes away or the server closes: a stall that holds no timer. */
export function untilAborted(signal: AbortSignal): Promise<void> {
	if (signal.aborted) return Promise.resolve();
	return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

function abortError(): Error {
	const error = new Error('The operation was aborted');
	error.name = 'AbortError';
	return error;
}
