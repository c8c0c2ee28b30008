import { AsyncLocalStorage } from 'node:async_hooks';
import { Ollama, type ChatRequest as OllamaChatRequest, type Message } from 'ollama';
import { modelKey } from '../schema/model-name.ts';
import type { HardFailureClass } from '../schema/report.ts';
import { describeFetchFailure } from './probe-ollama.ts';
import { type TransientFault, parseRetryAfter } from './retry.ts';

/** What Ollama says about an installed model: its identity is the digest, not the tag. */
export interface ModelIdentity {
	/** The name as the server lists it. */
	id: string;
	digest: string;
	family: string | null;
	parameterSize: string | null;
	quantization: string | null;
	/**
	 * The length the model was trained for (`details.context_length` in /api/tags since Ollama 0.30, else
	 * `<architecture>.context_length` in /api/show); null when the server says neither. Ollama caps a larger
	 * `num_ctx` at it without a word.
	 */
	contextLength: number | null;
}

/** The options sent with every chat call; all of them explicit, so the report can say what was sent. */
export interface CallOptions {
	num_ctx: number;
	num_predict: number;
	temperature: number;
	seed: number;
	think: ThinkSetting;
}

/** What Ollama accepts as `think` (api.ThinkValue): on, off, or an effort level (`max` since Ollama 0.21.3). */
export type ThinkSetting = boolean | 'low' | 'medium' | 'high' | 'max';

/** `think` for ollama-js, whose 0.6 types predate `max`: the value goes to the server as it is. */
export function clientThink(think: ThinkSetting): OllamaChatRequest['think'] {
	return think as OllamaChatRequest['think'];
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
	/** Ollama's `prompt_eval_duration`: time spent reading the prompt, ns (absent in answers cached before it was kept). */
	promptEvalDurationNs?: number;
	loadDurationNs: number;
}

/**
 * A call that produced no usable answer, with its class. `transient` is set when the server could not
 * serve it (busy, 429, a reset before the first token, out of memory): the host's state, worth asking
 * again; `failureClass` is then only what it would count as if it were never retried.
 */
export class CallFailure extends Error {
	readonly failureClass: HardFailureClass;
	readonly transient: TransientFault | undefined;

	constructor(failureClass: HardFailureClass, message: string, options: { cause?: unknown; transient?: TransientFault } = {}) {
		super(message, { cause: options.cause });
		this.name = 'CallFailure';
		this.failureClass = failureClass;
		this.transient = options.transient;
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
	/**
	 * Installed models by `normalizeTag` key: what `/api/tags` lists. A cloud model is there once pulled
	 * (listed with its digest and `remote_model`); Ollama would forward an unpulled one to ollama.com too,
	 * but answers are cached by digest, and an unpulled model has none.
	 */
	listModels(): Promise<Map<string, ModelIdentity>>;
	/** The model's trained context length from /api/show's `model_info`, for servers whose /api/tags does not give it. */
	trainedContext(model: string): Promise<number | null>;
	/** Loads the model with the options of the run; returns the load time in ms. */
	load(model: string, options: CallOptions, timeoutMs: number): Promise<number>;
	unload(model: string): Promise<void>;
	chat(request: ChatRequest): Promise<ChatAnswer>;
}

/**
 * The key a model is found under, the way Ollama finds it: `llama3` and `llama3:latest`, `Qwen3:8B` and
 * `qwen3:8b`, `library/qwen3:8b` and `qwen3:8b` are the same model (see `modelKey`).
 */
export function normalizeTag(id: string): string {
	return modelKey(id);
}

/**
 * A `ModelClient` over the official `ollama` package. Every call streams, through a `fetch` that carries
 * the call's AbortSignal: ollama-js has no timeout of its own and cannot abort a non-streaming call.
 */
export function createOllamaClient(host: string, fetchImpl: typeof fetch = fetch): ModelClient {
	// One `Ollama` for the client, not one per call: each call's signal reaches the fetch through an
	// AsyncLocalStorage. Building a client around every call (and combining its signal with the
	// library's own) cost about a tenth of a call to a model that answers at once. The library's own
	// signal is only ever aborted by its `abort()`, which cancels nothing here: the call's signal does.
	const callContext = new AsyncLocalStorage<CallContext>();
	const ollama = new Ollama({
		host,
		fetch: async (input, init) => {
			const context = callContext.getStore();
			const response = await fetchImpl(input, { ...init, signal: context?.signal ?? init?.signal });
			// ollama-js keeps only the status and the error text of a refusal: its Retry-After is read here.
			if (!response.ok && context) context.retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
			return checkNdjson(response);
		},
	});
	const withSignal: WithSignal = (context, call) => callContext.run(context, () => call(ollama));

	return {
		host,
		async version() {
			const response = await fetchImpl(`${host}/api/version`, { signal: AbortSignal.timeout(10_000) });
			if (!response.ok) throw new Error(`GET ${host}/api/version answered HTTP ${response.status}.`);
			return ((await response.json()) as { version: string }).version;
		},
		async listModels() {
			const { models } = await ollama.list().catch((cause: unknown) => {
				throw asCallFailure(cause, host);
			});
			return new Map(
				models.map((model) => [
					normalizeTag(model.name),
					{
						id: model.name,
						digest: model.digest,
						family: model.details?.family || null,
						parameterSize: model.details?.parameter_size || null,
						quantization: model.details?.quantization_level || null,
						// ollama-js 0.6 does not type it yet: Ollama 0.30 and later send it in every entry's details.
						contextLength: positiveOrNull((model.details as { context_length?: unknown } | undefined)?.context_length),
					},
				]),
			);
		},
		async trainedContext(model) {
			const shown = await withSignal({ signal: AbortSignal.timeout(10_000) }, (client) => client.show({ model })).catch(
				(cause: unknown) => {
					throw asCallFailure(cause, host);
				},
			);
			const info = (shown.model_info ?? {}) as unknown as Record<string, unknown>;
			const architecture = info['general.architecture'];
			return typeof architecture === 'string' ? positiveOrNull(info[`${architecture}.context_length`]) : null;
		},
		async load(model, options, timeoutMs) {
			const started = performance.now();
			const signal = AbortSignal.timeout(timeoutMs);
			const context: CallContext = { signal };
			try {
				// An empty chat loads the model and answers done_reason "load"; sending the run's options
				// makes Ollama size the context now, not on the first case.
				const { think: _think, ...loadOptions } = options;
				const stream = await withSignal(context, (client) =>
					client.chat({ model, messages: [], stream: true, options: loadOptions, keep_alive: '10m' }),
				);
				let loadNs = 0;
				for await (const chunk of stream) if (chunk.done) loadNs = chunk.load_duration ?? 0;
				return loadNs > 0 ? loadNs / 1e6 : performance.now() - started;
			} catch (cause) {
				// A load sends no token: a connection dropped during it is always before the first one.
				throw asCallFailure(cause, host, signal.aborted ? 'timeout' : undefined, {
					beforeFirstToken: true,
					retryAfterMs: context.retryAfterMs,
				});
			}
		},
		async unload(model) {
			const stream = await withSignal({ signal: AbortSignal.timeout(30_000) }, (client) =>
				client.chat({ model, messages: [], stream: true, keep_alive: 0 }),
			);
			for await (const _chunk of stream) {
				// drain: the final chunk says done_reason "unload"
			}
		},
		chat: (request) => streamChat(withSignal, host, request),
	};
}

/** What the client's fetch knows about the call it serves: the signal it carries, and a refusal's Retry-After. */
interface CallContext {
	signal: AbortSignal;
	retryAfterMs?: number;
}

/** Runs `call` on the client's `Ollama` with the context's signal on every fetch it makes. */
type WithSignal = <T>(context: CallContext, call: (client: Ollama) => Promise<T>) => Promise<T>;

async function streamChat(withSignal: WithSignal, host: string, request: ChatRequest): Promise<ChatAnswer> {
	const controller = new AbortController();
	let abortedBy: 'timeout' | 'stall' | undefined;
	const abort = (reason: 'timeout' | 'stall') => {
		abortedBy ??= reason;
		controller.abort(new Error(reason));
	};
	const callTimer = setTimeout(() => abort('timeout'), request.callTimeoutMs);
	// One stall timer per call rather than one per chunk: a chunk only notes the time, and the timer, when
	// it fires, either cuts the call or re-arms for what is left of the window. Re-setting a timer on each
	// of an answer's hundreds of chunks was a measurable part of the harness's own cost per call.
	let lastChunkAt = performance.now();
	const watchStall = () => {
		const silentMs = performance.now() - lastChunkAt;
		if (silentMs >= request.stallTimeoutMs) abort('stall');
		else stallTimer = setTimeout(watchStall, request.stallTimeoutMs - silentMs);
	};
	let stallTimer = setTimeout(watchStall, request.stallTimeoutMs);
	const touch = () => {
		lastChunkAt = performance.now();
	};

	const started = performance.now();
	let ttftMs: number | null = null;
	let content = '';
	let thinking = '';
	const context: CallContext = { signal: controller.signal };
	try {
		const { think, ...options } = request.options;
		const stream = await withSignal(context, (client) =>
			client.chat({
				model: request.model,
				messages: request.messages,
				stream: true,
				think: clientThink(think),
				options,
				...(request.format ? { format: request.format } : {}),
			}),
		);
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
					promptEvalDurationNs: chunk.prompt_eval_duration ?? 0,
					loadDurationNs: chunk.load_duration ?? 0,
				};
			}
		}
		throw new CallFailure('transport', 'the stream ended without a final chunk');
	} catch (cause) {
		// Ollama ends a generation that repeats one token more than 30 times in a row by closing the stream:
		// HTTP 200, the tokens so far, no done chunk (llm/llama_server.go). After tokens, that is the model's
		// loop; before any, the connection's fault.
		if (ttftMs !== null && abortedBy === undefined && endedWithoutDone(cause)) {
			throw new CallFailure(
				'repetition',
				`the stream ended after ${content.length + thinking.length} characters without a final chunk: Ollama stops a model that repeats one token more than 30 times`,
				{ cause },
			);
		}
		throw asCallFailure(cause, host, abortedBy, { beforeFirstToken: ttftMs === null, retryAfterMs: context.retryAfterMs });
	} finally {
		clearTimeout(callTimer);
		clearTimeout(stallTimer);
		// Closes whatever the server may still send. The reason is made once: aborting without one builds
		// a DOMException, stack trace and all, on every call.
		controller.abort(CALL_ENDED);
	}
}

/** The abort reason of a call that is over, whatever its outcome: nothing reads it. */
const CALL_ENDED = new Error('the call is over');

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
	// A plain pull source over the body's reader rather than `pipeThrough(new TransformStream)`: the pipe
	// machinery costs several promises per chunk, which was a measurable part of the harness's own cost
	// per call when the model answers fast.
	const reader = response.body.getReader();
	const decoder = new TextDecoder();
	let buffer = '';
	const body = new ReadableStream<Uint8Array>({
		async pull(controller) {
			const { done, value } = await reader.read();
			if (done) {
				const error = malformedLine(buffer + decoder.decode());
				if (error) controller.error(error);
				else controller.close();
				return;
			}
			buffer += decoder.decode(value, { stream: true });
			const end = buffer.lastIndexOf('\n');
			if (end >= 0) {
				const error = malformedLine(buffer.slice(0, end));
				buffer = buffer.slice(end + 1);
				if (error) {
					controller.error(error);
					await reader.cancel(error).catch(() => {});
					return;
				}
			}
			controller.enqueue(value);
		},
		cancel(reason) {
			return reader.cancel(reason);
		},
	});
	return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** The error for the first line of `text` (complete lines, newline-separated) that is not JSON, if any. */
function malformedLine(text: string): MalformedStreamError | undefined {
	for (const line of text.split('\n')) {
		if (!line.trim()) continue;
		try {
			JSON.parse(line);
		} catch {
			return new MalformedStreamError(`malformed NDJSON line from Ollama: ${line.slice(0, 80)}`);
		}
	}
	return undefined;
}

/** A number above 0, or null. */
function positiveOrNull(value: unknown): number | null {
	return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

/** What ollama-js throws for a stream that ended cleanly without a done chunk (the loop itself can end too). */
function endedWithoutDone(cause: unknown): boolean {
	if (cause instanceof CallFailure) return cause.message === 'the stream ended without a final chunk';
	return /Did not receive done or success response in stream/.test((cause as { message?: string })?.message ?? '');
}

/**
 * The 400 Ollama answers, since it runs llama-server, for a prompt longer than `num_ctx` on a model that
 * cannot shift its context: "the prompt is longer than the context length currently available to the
 * model; …" (llm/llama_server.go); a model chatting through llama-server's own template passes on its
 * error body instead ("request (N tokens) exceeds the available context size (M tokens)"). Either way the
 * prompt did not fit: the harness's failure, not the model's.
 */
const PROMPT_TOO_LONG = /prompt is longer than the context length|exceeds the available context size/i;

/**
 * "prediction aborted, token repeat limit reached": in Ollama's source (to 0.33.0-rc2) a debug log line only,
 * the stream just ends; should a build send it as an error, it is the same loop.
 */
const TOKEN_REPEAT = /token repeat limit/i;

/**
 * Ollama's out-of-memory texts: its runner's (`outOfMemorySubstrings` in llm/status.go, which v0.30+ wraps as
 * "llama-server reported out-of-memory during startup: …"), the scheduler's "model requires more system
 * memory (X GiB) than is available (Y GiB)" of earlier versions, and "unable to load full model on GPU".
 */
const OUT_OF_MEMORY =
	/out of (device )?memory|cudaMalloc failed|hipMalloc failed|failed to allocate|allocation failed|not enough memory|insufficient memory|vk_error_out_of_device_memory|erroroutofmemory|requires more system memory|unable to load full model/i;

/** Whether an HTTP refusal is the server's state rather than an answer about the model: worth asking again. */
function transientStatus(status: number, message: string, retryAfterMs: number | undefined): TransientFault | undefined {
	const reason =
		status === 503 ? 'busy' : status === 429 ? 'rate-limited' : status === 500 && OUT_OF_MEMORY.test(message) ? 'out-of-memory' : undefined;
	if (!reason) return undefined;
	return retryAfterMs === undefined ? { reason } : { reason, retryAfterMs };
}

/** What the caller knows about a failed call that the error itself does not say. */
export interface FailureContext {
	/** No content or thinking token had arrived: a connection dropped now lost no answer. */
	beforeFirstToken?: boolean;
	/** The server's Retry-After on a refusal, ms. */
	retryAfterMs?: number;
}

/** Classes an error from the `ollama` client or from fetch. */
export function asCallFailure(cause: unknown, host: string, abortedBy?: 'timeout' | 'stall', context: FailureContext = {}): CallFailure {
	if (cause instanceof CallFailure) return cause;
	if (abortedBy === 'timeout') return new CallFailure('timeout', 'the call took longer than run.call_timeout_s', { cause });
	// Ollama holds a request beyond the runner's OLLAMA_NUM_PARALLEL slots without sending a byte until one
	// frees (llm/server.go Completion): silence before the first token may be a queue, not the model.
	if (abortedBy === 'stall')
		return context.beforeFirstToken
			? new CallFailure('stall', 'no first token within run.stall_timeout_s', { cause, transient: { reason: 'no-first-token' } })
			: new CallFailure('stall', 'no token for longer than run.stall_timeout_s', { cause });
	const error = cause as { name?: string; message?: string; status_code?: number; error?: string };
	if (error?.name === 'ResponseError') {
		const status = error.status_code ?? 0;
		const message = error.error ?? error.message ?? '';
		if (status === 404) return new CallFailure('model-missing', message, { cause });
		if (PROMPT_TOO_LONG.test(message)) return new CallFailure('context-overflow', `HTTP ${status}: ${message}`, { cause });
		if (TOKEN_REPEAT.test(message)) return new CallFailure('repetition', `HTTP ${status}: ${message}`, { cause });
		const transient = transientStatus(status, message, context.retryAfterMs);
		return new CallFailure('server-error', `HTTP ${status}: ${message}`, { cause, ...(transient ? { transient } : {}) });
	}
	const message = error?.message ?? String(cause);
	if (error?.name === 'MalformedStreamError') return new CallFailure('server-error', message, { cause });
	if (PROMPT_TOO_LONG.test(message)) return new CallFailure('context-overflow', message, { cause });
	if (TOKEN_REPEAT.test(message)) return new CallFailure('repetition', message, { cause });
	if (/Did not receive done or success response in stream/.test(message)) {
		return new CallFailure('transport', 'the stream ended without a final chunk', { cause });
	}
	if (cause instanceof TypeError || /fetch failed|ECONNREFUSED|ECONNRESET|socket|terminated|connection/i.test(message)) {
		// Before the first token nothing of the answer was lost: the connection, not the model, failed.
		const transient: TransientFault | undefined = context.beforeFirstToken ? { reason: 'reset' } : undefined;
		return new CallFailure('transport', `${host}: ${describeFetchFailure(cause)}`, { cause, ...(transient ? { transient } : {}) });
	}
	// An {"error": …} line inside the stream surfaces as a plain Error with the server's message.
	return new CallFailure('server-error', message, { cause });
}
