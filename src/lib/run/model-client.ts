import { Ollama, type Message } from 'ollama';
import type { HardFailureClass } from '../schema/report.ts';
import { describeFetchFailure } from './probe-ollama.ts';

/** What Ollama says about an installed model: its identity is the digest, not the tag. */
export interface ModelIdentity {
	id: string;
	digest: string;
	family: string | null;
	parameterSize: string | null;
	quantization: string | null;
}

/** The options sent with every chat call; all of them explicit, so the report can say what was sent. */
export interface CallOptions {
	num_ctx: number;
	num_predict: number;
	temperature: number;
	seed: number;
	think: boolean | 'low' | 'medium' | 'high';
}

/** One answer, with the timings the metrics need. */
export interface ChatAnswer {
	content: string;
	thinking: string;
	doneReason: string;
	/** Wall time from sending the request to the last chunk, ms. */
	latencyMs: number;
	/** Wall time to the first content or thinking token, ms (null when none came). */
	ttftMs: number | null;
	evalCount: number;
	evalDurationNs: number;
	promptEvalCount: number;
	loadDurationNs: number;
}

/** A call that produced no usable answer, with its class. */
export class CallFailure extends Error {
	readonly failureClass: HardFailureClass;

	constructor(failureClass: HardFailureClass, message: string, options: { cause?: unknown } = {}) {
		super(message, { cause: options.cause });
		this.name = 'CallFailure';
		this.failureClass = failureClass;
	}
}

export interface ChatRequest {
	model: string;
	messages: Message[];
	format?: Record<string, unknown>;
	options: CallOptions;
	/** Longest the call may take, ms. */
	callTimeoutMs: number;
	/** Longest the stream may stay silent, ms. */
	stallTimeoutMs: number;
}

/** The client the engine talks to; the real one is `createOllamaClient`, over the official `ollama` package. */
export interface ModelClient {
	readonly host: string;
	version(): Promise<string>;
	/** Installed models by tag (`name:tag`, `:latest` added when the tag is missing). */
	listModels(): Promise<Map<string, ModelIdentity>>;
	/** Loads the model with the options of the run; returns the load time in ms. */
	load(model: string, options: CallOptions, timeoutMs: number): Promise<number>;
	unload(model: string): Promise<void>;
	chat(request: ChatRequest): Promise<ChatAnswer>;
}

/** `llama3` and `llama3:latest` are the same model to Ollama. */
export function normalizeTag(id: string): string {
	const name = id.split('/').pop() ?? id;
	return name.includes(':') ? id : `${id}:latest`;
}

/**
 * A `ModelClient` over the official `ollama` package. Every call streams, through a `fetch` that carries
 * the call's AbortSignal: ollama-js has no timeout of its own and cannot abort a non-streaming call.
 */
export function createOllamaClient(host: string, fetchImpl: typeof fetch = fetch): ModelClient {
	const clientWith = (signal?: AbortSignal) =>
		new Ollama({
			host,
			fetch: async (input, init) => {
				const combined = signal && init?.signal ? AbortSignal.any([signal, init.signal]) : (signal ?? init?.signal);
				return checkNdjson(await fetchImpl(input, { ...init, signal: combined }));
			},
		});
	const plain = clientWith();

	return {
		host,
		async version() {
			const response = await fetchImpl(`${host}/api/version`, { signal: AbortSignal.timeout(10_000) });
			if (!response.ok) throw new Error(`GET ${host}/api/version answered HTTP ${response.status}.`);
			return ((await response.json()) as { version: string }).version;
		},
		async listModels() {
			const { models } = await plain.list().catch((cause: unknown) => {
				throw asCallFailure(cause, host);
			});
			return new Map(
				models.map((model) => [
					normalizeTag(model.name),
					{
						id: normalizeTag(model.name),
						digest: model.digest,
						family: model.details?.family || null,
						parameterSize: model.details?.parameter_size || null,
						quantization: model.details?.quantization_level || null,
					},
				]),
			);
		},
		async load(model, options, timeoutMs) {
			const started = performance.now();
			const signal = AbortSignal.timeout(timeoutMs);
			try {
				// An empty chat loads the model and answers done_reason "load"; sending the run's options
				// makes Ollama size the context now, not on the first case.
				const stream = await clientWith(signal).chat({ model, messages: [], stream: true, options: { ...options, think: undefined } as never, keep_alive: '10m' });
				let loadNs = 0;
				for await (const chunk of stream) if (chunk.done) loadNs = chunk.load_duration ?? 0;
				return loadNs > 0 ? loadNs / 1e6 : performance.now() - started;
			} catch (cause) {
				throw asCallFailure(cause, host, signal.aborted ? 'timeout' : undefined);
			}
		},
		async unload(model) {
			const stream = await clientWith(AbortSignal.timeout(30_000)).chat({ model, messages: [], stream: true, keep_alive: 0 });
			for await (const _chunk of stream) {
				// drain: the final chunk says done_reason "unload"
			}
		},
		chat: (request) => streamChat(clientWith, host, request),
	};
}

async function streamChat(clientWith: (signal?: AbortSignal) => Ollama, host: string, request: ChatRequest): Promise<ChatAnswer> {
	const controller = new AbortController();
	let abortedBy: 'timeout' | 'stall' | undefined;
	const abort = (reason: 'timeout' | 'stall') => {
		abortedBy ??= reason;
		controller.abort(new Error(reason));
	};
	const callTimer = setTimeout(() => abort('timeout'), request.callTimeoutMs);
	let stallTimer = setTimeout(() => abort('stall'), request.stallTimeoutMs);
	const touch = () => {
		clearTimeout(stallTimer);
		stallTimer = setTimeout(() => abort('stall'), request.stallTimeoutMs);
	};

	const started = performance.now();
	let ttftMs: number | null = null;
	let content = '';
	let thinking = '';
	try {
		const { think, ...options } = request.options;
		const stream = await clientWith(controller.signal).chat({
			model: request.model,
			messages: request.messages,
			stream: true,
			think,
			options,
			...(request.format ? { format: request.format } : {}),
		});
		for await (const chunk of stream) {
			touch();
			const piece = chunk.message?.content ?? '';
			const thought = chunk.message?.thinking ?? '';
			if (ttftMs === null && (piece || thought)) ttftMs = performance.now() - started;
			content += piece;
			thinking += thought;
			if (chunk.done) {
				return {
					content,
					thinking,
					doneReason: chunk.done_reason ?? 'stop',
					latencyMs: performance.now() - started,
					ttftMs,
					evalCount: chunk.eval_count ?? 0,
					evalDurationNs: chunk.eval_duration ?? 0,
					promptEvalCount: chunk.prompt_eval_count ?? 0,
					loadDurationNs: chunk.load_duration ?? 0,
				};
			}
		}
		throw new CallFailure('transport', 'the stream ended without a final chunk');
	} catch (cause) {
		throw asCallFailure(cause, host, abortedBy);
	} finally {
		clearTimeout(callTimer);
		clearTimeout(stallTimer);
		controller.abort();
	}
}

/** Raised inside a stream whose line is not JSON: ollama-js would skip such a line silently. */
class MalformedStreamError extends Error {
	override name = 'MalformedStreamError';
}

/**
 * Passes an NDJSON body through unchanged while checking that every line parses. ollama-js drops a
 * malformed line with a console warning and carries on, which would pass a broken server off as a
 * short answer; here it fails the call as a server error.
 */
function checkNdjson(response: Response): Response {
	if (!response.body || !response.headers.get('content-type')?.includes('application/x-ndjson')) return response;
	const decoder = new TextDecoder();
	let buffer = '';
	const check = (line: string, controller: TransformStreamDefaultController<Uint8Array>) => {
		if (!line.trim()) return;
		try {
			JSON.parse(line);
		} catch {
			controller.error(new MalformedStreamError(`malformed NDJSON line from Ollama: ${line.slice(0, 80)}`));
		}
	};
	const body = response.body.pipeThrough(
		new TransformStream<Uint8Array, Uint8Array>({
			transform(chunk, controller) {
				buffer += decoder.decode(chunk, { stream: true });
				const lines = buffer.split('\n');
				buffer = lines.pop() ?? '';
				for (const line of lines) check(line, controller);
				controller.enqueue(chunk);
			},
			flush(controller) {
				check(buffer + decoder.decode(), controller);
			},
		}),
	);
	return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** Classes an error from the `ollama` client or from fetch. */
export function asCallFailure(cause: unknown, host: string, abortedBy?: 'timeout' | 'stall'): CallFailure {
	if (cause instanceof CallFailure) return cause;
	if (abortedBy === 'timeout') return new CallFailure('timeout', 'the call took longer than run.call_timeout_s', { cause });
	if (abortedBy === 'stall') return new CallFailure('stall', 'no token for longer than run.stall_timeout_s', { cause });
	const error = cause as { name?: string; message?: string; status_code?: number; error?: string };
	if (error?.name === 'ResponseError') {
		const status = error.status_code ?? 0;
		const message = error.error ?? error.message ?? '';
		if (status === 404) return new CallFailure('model-missing', message, { cause });
		return new CallFailure('server-error', `HTTP ${status}: ${message}`, { cause });
	}
	const message = error?.message ?? String(cause);
	if (error?.name === 'MalformedStreamError') return new CallFailure('server-error', message, { cause });
	if (/Did not receive done or success response in stream/.test(message)) {
		return new CallFailure('transport', 'the stream ended without a final chunk', { cause });
	}
	if (cause instanceof TypeError || /fetch failed|ECONNREFUSED|ECONNRESET|socket|terminated|connection/i.test(message)) {
		return new CallFailure('transport', `${host}: ${describeFetchFailure(cause)}`, { cause });
	}
	// An {"error": …} line inside the stream surfaces as a plain Error with the server's message.
	return new CallFailure('server-error', message, { cause });
}
