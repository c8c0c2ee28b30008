/** The fake Ollama's public types: what a script receives and returns, what the fake logs, its controls. */
import type http from 'node:http';
import type { Message, Options } from 'ollama';

/** The endpoints the fake tells apart in its counters and log (`other` is any unknown or unsupported path). */
export type Endpoint = 'root' | 'version' | 'tags' | 'show' | 'ps' | 'chat' | 'generate' | 'other';

/** What a chat or generate request asked for, handed to a model's `respond` script. */
export interface FakeRequest {
	endpoint: 'chat' | 'generate';
	/** The model name exactly as the client sent it. */
	model: string;
	/** Chat: the messages as sent. Generate: the system prompt (if any) and the prompt as a user message. */
	messages: Message[];
	/** Generate: the prompt. Chat: the content of the last user message. */
	prompt: string;
	options: Partial<Options>;
	format?: string | object;
	/** The effective think setting: Ollama turns thinking on for thinking-capable models when it is unset. */
	think?: boolean | 'high' | 'medium' | 'low' | 'max';
	keepAlive?: string | number;
	/** Whether the answer is streamed (Ollama's default is true when `stream` is absent). */
	stream: boolean;
	/** 1-based count of generation requests this model has received (load/unload requests excluded). */
	call: number;
	/** Aborted when the client goes away or the server closes, for scripts that wait. */
	signal: AbortSignal;
	/** The parsed request body. */
	body: LoggedBody;
}

/** A normal answer. Every field is optional: the fake derives realistic values for what is left out. */
export interface TextReply {
	/** The answer text (`message.content` / `response`). Default: empty. */
	content?: string;
	/** Reasoning text, streamed as `thinking` chunks before the content when the request thinks. */
	thinking?: string;
	/** Default `stop`, or `length` when `options.num_predict` cut the answer short. */
	doneReason?: string;
	/** How many chunks the content is split into. Default: one per ~4 characters, at most 32. */
	chunks?: number;
	/** How many chunks the thinking is split into (same default). */
	thinkingChunks?: number;
	/** Wait before the first chunk (prompt evaluation). HTTP headers are only sent with the first chunk. */
	firstTokenDelayMs?: number;
	/** Wait between chunks. */
	chunkDelayMs?: number;
	/**
	 * Reported `prompt_eval_count`. Default: `estimateTokens(prompt)`; a prompt of `num_ctx` tokens or more is
	 * cut the way Ollama cuts it (`num_ctx − ⌊(num_ctx − num_keep − 1) / 2⌋`), and after a two-pass answer
	 * (`format` with thinking) the thinking is counted too.
	 */
	promptEvalCount?: number;
	/** Reported `eval_count` (0 omits the field, as Ollama's omitempty does). Default: estimated tokens. */
	evalCount?: number;
	/** Reported `prompt_eval_duration` in ms. Default: measured. */
	promptEvalDurationMs?: number;
	/** Reported `eval_duration` in ms. Default: measured. */
	evalDurationMs?: number;
}

/** An HTTP error before any answer: `status` with a JSON body `{"error": error, ...extra}`. */
export interface HttpErrorReply {
	fault: 'http-error';
	status: number;
	error: string;
	/** Extra body fields, e.g. `signin_url` on a cloud 401. */
	extra?: Record<string, unknown>;
	/** Extra response headers, e.g. `Retry-After` from a proxy in front of Ollama (Ollama itself sends none). */
	headers?: Record<string, string>;
}

/**
 * A fault that strikes after `afterChunks` chunks of the (optional) text reply have been sent:
 * - `stream-error`: an `{"error": …}` line and the end of the stream, no `done` chunk. With nothing sent yet,
 *   or with `stream: false`, Ollama answers HTTP `status` (default 500) with the error body instead.
 * - `stall`: silence until the client gives up or the server closes.
 * - `malformed`: a line that is not JSON, then the end of the stream.
 * - `end-early`: the stream ends cleanly without a `done` chunk.
 * - `reset`: the TCP connection is destroyed.
 * - `repetition`: 31 chunks of one token, then the stream ends cleanly without a `done` chunk (HTTP 200): how
 *   Ollama stops a generation that repeats one token more than 30 times (llm/llama_server.go).
 */
export interface StreamFaultReply extends TextReply {
	fault: 'stream-error' | 'stall' | 'malformed' | 'end-early' | 'reset' | 'repetition';
	afterChunks?: number;
	/** `stream-error`: the message. */
	error?: string;
	/** `stream-error`: the HTTP status used when the error comes before any chunk. Default 500. */
	status?: number;
	/** `malformed`: the broken line. Default: a truncated chunk. */
	line?: string;
	/** `repetition`: the token repeated. Default ` the`. */
	token?: string;
}

export type FaultReply = HttpErrorReply | StreamFaultReply;
export type FakeReply = TextReply | FaultReply;

/** A model's script: a reply, or a bare string as shorthand for `{ content }`. May be async. */
export type Responder = (request: FakeRequest) => FakeReply | string | Promise<FakeReply | string>;

/** One model the fake serves. Only `name` is required. */
export interface FakeModel {
	/** e.g. `qwen3:8b`; a name without a tag gets `:latest`, as in Ollama. */
	name: string;
	/** `details.family` / `general.architecture`. Default: guessed from the name (`qwen3:8b` → `qwen3`). */
	family?: string;
	families?: string[];
	/** Default `7.6B`. */
	parameterSize?: string;
	/** Default `Q4_K_M`. */
	quantization?: string;
	/** Default `gguf`. */
	format?: string;
	/** 64 hex characters. Default: sha256 of the name, so it is stable per model. */
	digest?: string;
	/** Bytes on disk (and in memory in /api/ps). Default: derived from the parameter size. */
	size?: number;
	/** Default: when the fake started. */
	modifiedAt?: Date | string;
	/**
	 * The trained context length (`details.context_length` in /api/tags, `<family>.context_length` in
	 * /api/show); `num_ctx` is capped at it. Default 32768.
	 */
	contextLength?: number;
	/**
	 * Whether the model's runner shifts its context (default true): a prompt longer than `num_ctx` is cut to
	 * about half of it. False: it is refused with Ollama's 400 "the prompt is longer than the context length
	 * currently available to the model; …".
	 */
	contextShift?: boolean;
	/** Default `['completion']`. Add `thinking` for a reasoning model. */
	capabilities?: string[];
	/** Cold-load time: really waited, and reported as `load_duration` of the request that loaded the model. */
	loadMs?: number;
	/**
	 * The runner's parallel slots (`OLLAMA_NUM_PARALLEL`): a generation request beyond them waits for one to
	 * free, silently — no headers, no chunk — as at the semaphore in llm/server.go's Completion. Default:
	 * no limit.
	 */
	numParallel?: number;
	/**
	 * Makes a cold load fail with this error (e.g. not enough memory): every one, or those for which the
	 * function (given the 1-based number of the model's cold-load attempt) returns an error.
	 */
	loadFault?: HttpErrorReply | ((attempt: number) => HttpErrorReply | undefined);
	/** A cloud model (names ending in `-cloud`/`:cloud` are cloud models anyway): never loaded locally. */
	remote?: boolean;
	/** /api/show fields. */
	template?: string;
	system?: string;
	license?: string;
	parameters?: Record<string, string | number | string[]>;
	/** The script. Default: the server's `respond`, else `{ content: 'ok' }`. */
	respond?: Responder;
}

/** Options of {@link startFakeOllama}. */
export interface FakeOllamaOptions {
	models?: FakeModel[];
	/** Reported by /api/version. Default `0.32.15`. */
	version?: string;
	/** The context size used when a request sends no `num_ctx` (Ollama's default is 4096). */
	defaultNumCtx?: number;
	/** Script for models that have none. */
	respond?: Responder;
	/** The 404 text for a missing model. Default {@link missingModelMessages.current}. */
	missingModelMessage?: (model: string) => string;
}

/** The parsed body of a logged request (only the fields the fake reads are typed). */
export interface LoggedBody {
	model?: string;
	name?: string;
	messages?: Message[];
	prompt?: string;
	system?: string;
	options?: Partial<Options>;
	format?: string | object;
	think?: boolean | 'high' | 'medium' | 'low' | 'max';
	keep_alive?: string | number;
	stream?: boolean;
	raw?: boolean;
	[field: string]: unknown;
}

/** One request the fake received. */
export interface LoggedRequest {
	method: string;
	path: string;
	endpoint: Endpoint;
	/** The parsed JSON body; undefined without a body or when it is not JSON. */
	body: LoggedBody | undefined;
	rawBody: string;
	/** `body.model` (or `body.name`) as sent. */
	model: string | undefined;
	headers: http.IncomingHttpHeaders;
	/** The HTTP status answered, once headers are sent. */
	status: number | undefined;
	/** Date.now() when the request arrived. */
	at: number;
}

/** Live request counters: every request that reached the server, per endpoint, and in total. */
export type CallCounts = Record<Endpoint | 'total', number>;

/** A running fake Ollama. */
export interface FakeOllama {
	/** e.g. `http://127.0.0.1:41234`, for `new Ollama({ host: fake.url })`. */
	readonly url: string;
	readonly port: number;
	/** Live counters (`fake.calls.chat`). */
	readonly calls: Readonly<CallCounts>;
	/** Requests to `endpoint` (default: chat + generate) naming `model` (tag `:latest` implied). */
	callsFor(model: string, endpoint?: Endpoint): number;
	/** Every request received, in order. */
	readonly requests: readonly LoggedRequest[];
	requestsFor(model: string, endpoint?: Endpoint): LoggedRequest[];
	lastRequest(endpoint?: Endpoint): LoggedRequest | undefined;
	/** Resets the counters and the log. */
	clearLog(): void;
	/** Replaces all models (models no longer present are unloaded). */
	setModels(models: FakeModel[]): void;
	/** Adds a model, or replaces the one with the same name. */
	addModel(model: FakeModel): void;
	/** Removes a model (it disappears from /api/tags and /api/ps; later requests get 404). */
	removeModel(name: string): void;
	/** Names of the models currently in /api/ps. */
	loadedModels(): string[];
	setVersion(version: string): void;
	/** Kills every open connection (in-flight streams end with a network error); keeps listening. */
	destroyConnections(): void;
	/** "Ollama goes away": stops listening (new connections are refused) and kills open connections. */
	stop(): Promise<void>;
	/** "Ollama comes back" on the same port, with the same models (none loaded). */
	restart(): Promise<void>;
	/** Stops for good. Resolves promptly even with stalled streams open. */
	close(): Promise<void>;
}
