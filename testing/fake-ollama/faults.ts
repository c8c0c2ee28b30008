/** Scripted faults and the error texts real Ollama sends, and how a stream fault is carried out. */
import type { Exchange } from './exchange.ts';
import { sendError, untilAborted, writeRaw } from './exchange.ts';
import type { FakeReply, HttpErrorReply, StreamFaultReply, TextReply } from './types.ts';
import { goJson, goQuote, goTime } from './wire.ts';

/** The two texts Ollama has used for a chat/generate request naming a model that is not pulled. */
export const missingModelMessages = {
	/** Current Ollama (GetModel fails with os.ErrNotExist in ChatHandler/GenerateHandler). */
	current: (model: string): string => `model '${model}' not found`,
	/** Older Ollama (before the handlers looked the model up themselves; handleScheduleError). */
	legacy: (model: string): string => `model ${goQuote(model)} not found, try pulling it first`,
};

/** `ErrMaxQueue` in server/sched.go: the 503 of a full queue. */
export const serverBusyMessage = 'server busy, please try again.  maximum pending requests exceeded';

/** Ready-made faults, named after what happens, with the texts real Ollama sends. */
export const faults = {
	httpError: (status: number, error: string, extra?: Record<string, unknown>): HttpErrorReply => ({
		fault: 'http-error',
		status,
		error,
		...(extra ? { extra } : {}),
	}),
	/** A 500 such as a crashed runner. */
	serverError: (error = 'llama runner process has terminated: exit status 2'): HttpErrorReply => faults.httpError(500, error),
	/**
	 * The scheduler's queue is full (`OLLAMA_MAX_QUEUE` pending requests, default 512): 503 with `ErrMaxQueue`'s
	 * text, two spaces and all (server/sched.go, handleScheduleError in server/routes.go). No Retry-After.
	 */
	busy: (): HttpErrorReply => faults.httpError(503, serverBusyMessage),
	/**
	 * 429 Too Many Requests, as a rate-limiting proxy in front of a local Ollama sends it (Ollama's own server
	 * never does for a local model), with `Retry-After` in seconds when given.
	 */
	rateLimited: (retryAfterS?: number): HttpErrorReply => ({
		...faults.httpError(429, 'too many requests'),
		...(retryAfterS === undefined ? {} : { headers: { 'Retry-After': String(retryAfterS) } }),
	}),
	/**
	 * A load that does not fit: 500 with the scheduler's text of Ollama up to v0.29 (`model requires more
	 * system memory (%s) than is available (%s)`, sizes as format.HumanBytes2 writes them), or with
	 * `llama-server` (v0.30+) the runner's out-of-memory line as its startup error.
	 */
	outOfMemory: (requiredGiB = 40, availableGiB = 15.2, server: 'scheduler' | 'llama-server' = 'scheduler'): HttpErrorReply =>
		faults.httpError(
			500,
			server === 'scheduler'
				? `model requires more system memory (${requiredGiB.toFixed(1)} GiB) than is available (${availableGiB.toFixed(1)} GiB)`
				: 'llama-server reported out-of-memory during startup: cudaMalloc failed: out of memory',
		),
	streamError: (error: string, afterChunks = 1, text: TextReply = {}): StreamFaultReply => ({
		...text,
		fault: 'stream-error',
		error,
		afterChunks,
	}),
	stall: (afterChunks = 0, text: TextReply = {}): StreamFaultReply => ({ ...text, fault: 'stall', afterChunks }),
	malformed: (afterChunks = 1, text: TextReply = {}, line?: string): StreamFaultReply => ({
		...text,
		fault: 'malformed',
		afterChunks,
		...(line === undefined ? {} : { line }),
	}),
	endEarly: (afterChunks = 1, text: TextReply = {}): StreamFaultReply => ({ ...text, fault: 'end-early', afterChunks }),
	reset: (afterChunks = 0, text: TextReply = {}): StreamFaultReply => ({ ...text, fault: 'reset', afterChunks }),
	/**
	 * A repetition loop: the reply's chunks, then 31 chunks of `token`, then the end of the stream with no
	 * done chunk and status 200. Ollama counts a token equal (trimmed) to the one before; past 30 repeats it
	 * stops the generation and its handler just closes the stream (llm/llama_server.go, "prediction aborted,
	 * token repeat limit reached" goes only to its debug log).
	 */
	repetition: (text: TextReply = {}, token = ' the'): StreamFaultReply => ({
		...text,
		fault: 'repetition',
		afterChunks: Number.MAX_SAFE_INTEGER,
		token,
	}),
	/** Cloud model, not signed in (server/routes.go: `{"error":"unauthorized","signin_url":…}`). */
	cloudUnauthorized: (): HttpErrorReply =>
		faults.httpError(401, 'unauthorized', {
			signin_url: 'https://ollama.com/connect?name=fake-host&key=c3NoLWVkMjU1MTkgQUFBQUMzTnphQzFsWkRJMU5URTVBQUFBSUZha2VLZXk',
		}),
	/** Cloud usage limit, passed through from ollama.com. */
	cloudQuota: (): HttpErrorReply => faults.httpError(429, "you've reached your hourly usage limit, please wait or upgrade to continue"),
	/** Cloud disabled locally (OLLAMA_NO_CLOUD; internal/cloud DisabledError). */
	cloudDisabled: (): HttpErrorReply => faults.httpError(403, 'cloud is disabled: remote model is unavailable'),
	/** ollama.com unreachable (the proxy's `http.DefaultClient.Do` error, HTTP 502). */
	cloudUnreachable: (endpoint: 'chat' | 'generate' = 'chat'): HttpErrorReply =>
		faults.httpError(502, `Post "https://ollama.com:443/api/${endpoint}?ts=1700000000": dial tcp: lookup ollama.com: no such host`),
};

/** True for a fault answered as an HTTP error before any output. */
export function isHttpError(reply: FakeReply): reply is HttpErrorReply {
	return 'fault' in reply && reply.fault === 'http-error';
}

/** True for a fault that strikes during the stream. */
export function isStreamFault(reply: FakeReply): reply is StreamFaultReply {
	return 'fault' in reply && reply.fault !== undefined && reply.fault !== 'http-error';
}

/** Carries out a stream fault after `sent` chunks went out (or none, with `stream: false`). */
export async function strike(ex: Exchange, fault: StreamFaultReply, stream: boolean, model: string, sent: number): Promise<void> {
	switch (fault.fault) {
		case 'stream-error': {
			const error = fault.error ?? 'an error was encountered while running the model';
			// streamResponse: an error before anything was written becomes an HTTP error; so does any error
			// when not streaming (the handler collects the channel and answers c.JSON(status, …)).
			if (!stream || !ex.res.headersSent) return sendError(ex, fault.status ?? 500, error);
			ex.res.end(`${goJson({ error })}\n`);
			return;
		}
		case 'stall':
			await untilAborted(ex.signal);
			return;
		case 'malformed': {
			const line = fault.line ?? `{"model":${goJson(model)},"created_at":"${goTime()}","message":{"role":"assistant","content":"`;
			if (!stream) {
				ex.entry.status = 200;
				ex.res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(line) });
				ex.res.end(line);
				return;
			}
			writeRaw(ex, `${line}\n`);
			ex.res.end();
			return;
		}
		case 'end-early':
			if (!stream || sent === 0) {
				ex.entry.status = 200;
				ex.res.writeHead(200, { 'Content-Type': stream ? 'application/x-ndjson' : 'application/json; charset=utf-8' });
			}
			ex.res.end();
			return;
		case 'repetition':
			// Carried out by the inference route, which knows the chunk shape; nothing is left to do here.
			ex.res.end();
			return;
		case 'reset':
			// Let the chunks already written leave first, as they would have from a process that then died.
			await ex.flushed;
			ex.res.socket?.destroy();
			ex.res.destroy();
			return;
	}
}
