/**
 * A fake Ollama HTTP server for tests and demos.
 *
 * Ollama cannot run here, so the harness is tested against this protocol peer instead. It is a real
 * `node:http` server on 127.0.0.1 that answers the endpoints the harness uses exactly as Ollama's
 * `server/routes.go` does (status codes, `{"error": …}` bodies and their texts, NDJSON streaming, integer
 * nanosecond durations, Go timestamps, omitted zero fields), while each model's answers are scripted: text,
 * thinking, timings, token counts, or a fault (HTTP error, error line mid-stream, stall, malformed line,
 * early end, connection reset). See README.md beside this file for what was verified against the real server.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Message, Options } from 'ollama';
import { goJson, goQuote, goTime, goTimeMs, jsonKind, jsonSyntaxError, keepAliveNs, monoNs } from './wire.ts';

// ---------------------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------------------

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
	think?: boolean | 'high' | 'medium' | 'low';
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
	/** Reported `prompt_eval_count`. Default: `estimateTokens(prompt)`, capped at the context size. */
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
}

/**
 * A fault that strikes after `afterChunks` chunks of the (optional) text reply have been sent:
 * - `stream-error`: an `{"error": …}` line and the end of the stream, no `done` chunk. With nothing sent yet,
 *   or with `stream: false`, Ollama answers HTTP `status` (default 500) with the error body instead.
 * - `stall`: silence until the client gives up or the server closes.
 * - `malformed`: a line that is not JSON, then the end of the stream.
 * - `end-early`: the stream ends cleanly without a `done` chunk.
 * - `reset`: the TCP connection is destroyed.
 */
export interface StreamFaultReply extends TextReply {
	fault: 'stream-error' | 'stall' | 'malformed' | 'end-early' | 'reset';
	afterChunks?: number;
	/** `stream-error`: the message. */
	error?: string;
	/** `stream-error`: the HTTP status used when the error comes before any chunk. Default 500. */
	status?: number;
	/** `malformed`: the broken line. Default: a truncated chunk. */
	line?: string;
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
	/** The trained context length (`<family>.context_length` in /api/show); `num_ctx` is capped at it. Default 32768. */
	contextLength?: number;
	/** Default `['completion']`. Add `thinking` for a reasoning model. */
	capabilities?: string[];
	/** Cold-load time: really waited, and reported as `load_duration` of the request that loaded the model. */
	loadMs?: number;
	/** Makes every cold load fail with this error (e.g. not enough memory). */
	loadFault?: HttpErrorReply;
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
	/** Reported by /api/version. Default `0.12.6`. */
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
	think?: boolean | 'high' | 'medium' | 'low';
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

/** The two texts Ollama has used for a chat/generate request naming a model that is not pulled. */
export const missingModelMessages = {
	/** Current Ollama (GetModel fails with os.ErrNotExist in ChatHandler/GenerateHandler). */
	current: (model: string): string => `model '${model}' not found`,
	/** Older Ollama (before the handlers looked the model up themselves; handleScheduleError). */
	legacy: (model: string): string => `model ${goQuote(model)} not found, try pulling it first`,
};

/**
 * The fake's token estimate, `ceil(characters / 4)`: `prompt_eval_count` is this over the prompt text
 * (chat: all message contents; generate: system + prompt), capped at the context size, so a harness can
 * tell a silently truncated prompt (`prompt_eval_count` = `num_ctx`) from one that fit.
 */
export function estimateTokens(text: string): number {
	return Math.ceil(text.length / 4);
}

/** Ready-made faults, named after what happens, with the texts real Ollama sends. */
export const faults = {
	httpError: (status: number, error: string, extra?: Record<string, unknown>): HttpErrorReply => ({
		fault: 'http-error',
		status,
		error,
		...(extra ? { extra } : {}),
	}),
	/** A 500 such as a crashed runner. */
	serverError: (error = 'llama runner process has terminated: exit status 2'): HttpErrorReply =>
		faults.httpError(500, error),
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
	/** Cloud model, not signed in (server/routes.go: `{"error":"unauthorized","signin_url":…}`). */
	cloudUnauthorized: (): HttpErrorReply =>
		faults.httpError(401, 'unauthorized', {
			signin_url: 'https://ollama.com/connect?name=fake-host&key=c3NoLWVkMjU1MTkgQUFBQUMzTnphQzFsWkRJMU5URTVBQUFBSUZha2VLZXk',
		}),
	/** Cloud usage limit, passed through from ollama.com. */
	cloudQuota: (): HttpErrorReply =>
		faults.httpError(429, "you've reached your hourly usage limit, please wait or upgrade to continue"),
	/** Cloud disabled locally (OLLAMA_NO_CLOUD; internal/cloud DisabledError). */
	cloudDisabled: (): HttpErrorReply => faults.httpError(403, 'cloud is disabled: remote model is unavailable'),
	/** ollama.com unreachable (the proxy's `http.DefaultClient.Do` error, HTTP 502). */
	cloudUnreachable: (endpoint: 'chat' | 'generate' = 'chat'): HttpErrorReply =>
		faults.httpError(502, `Post "https://ollama.com:443/api/${endpoint}?ts=1700000000": dial tcp: lookup ollama.com: no such host`),
};

// ---------------------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------------------

/** Routes and the methods gin registers for them (server/routes.go GenerateRoutes). */
const ROUTES: Record<string, { endpoint: Endpoint; methods: string[] }> = {
	'/': { endpoint: 'root', methods: ['GET', 'HEAD'] },
	'/api/version': { endpoint: 'version', methods: ['GET', 'HEAD'] },
	'/api/tags': { endpoint: 'tags', methods: ['GET', 'HEAD'] },
	'/api/show': { endpoint: 'show', methods: ['POST'] },
	'/api/ps': { endpoint: 'ps', methods: ['GET'] },
	'/api/chat': { endpoint: 'chat', methods: ['POST'] },
	'/api/generate': { endpoint: 'generate', methods: ['POST'] },
};

/** Real routes the fake does not implement: answered with a loud 500 rather than a misleading 404. */
const UNSUPPORTED = new Set([
	'/api/pull', '/api/push', '/api/create', '/api/copy', '/api/delete', '/api/embed', '/api/embeddings',
	'/api/status', '/api/me', '/v1/chat/completions', '/v1/completions', '/v1/embeddings', '/v1/models',
]);

/** Go types of the request fields gin decodes, for Ollama's `cannot unmarshal` 400s. */
const FIELD_TYPES: Record<'chat' | 'generate' | 'show', { struct: string; fields: Record<string, string> }> = {
	chat: {
		struct: 'ChatRequest',
		fields: { model: 'string', messages: '[]api.Message', stream: 'bool', options: 'map[string]interface {}', tools: 'api.Tools' },
	},
	generate: {
		struct: 'GenerateRequest',
		fields: {
			model: 'string', prompt: 'string', suffix: 'string', system: 'string', template: 'string', stream: 'bool',
			raw: 'bool', options: 'map[string]interface {}', images: '[]api.ImageData', context: '[]int',
		},
	},
	show: {
		struct: 'ShowRequest',
		fields: { model: 'string', name: 'string', system: 'string', template: 'string', verbose: 'bool', options: 'map[string]interface {}' },
	},
};

/** api.Options field kinds, for `option "x" must be of type …` (api/types.go Options.FromMap). */
const OPTION_KINDS: Record<string, 'integer' | 'float32' | 'boolean' | 'array'> = {
	num_ctx: 'integer', num_batch: 'integer', num_gpu: 'integer', main_gpu: 'integer', num_thread: 'integer',
	num_keep: 'integer', seed: 'integer', num_predict: 'integer', top_k: 'integer', repeat_last_n: 'integer',
	top_p: 'float32', min_p: 'float32', typical_p: 'float32', temperature: 'float32', repeat_penalty: 'float32',
	presence_penalty: 'float32', frequency_penalty: 'float32',
	numa: 'boolean', low_vram: 'boolean', vocab_only: 'boolean', use_mmap: 'boolean', use_mlock: 'boolean',
	stop: 'array',
};

const DEFAULT_VERSION = '0.12.6';
const DEFAULT_NUM_CTX = 4096;
const DEFAULT_CONTEXT_LENGTH = 32768;
const MAX_CHUNKS = 32;

interface LoadedModel {
	numCtx: number;
	expiresAt: number;
}

/** Per-request state: where to write, whether the client is still there, what to record. */
interface Exchange {
	res: http.ServerResponse;
	signal: AbortSignal;
	entry: LoggedRequest;
	started: bigint;
	/** Settles when the last streamed write reached the socket (Node corks responses until the next tick). */
	flushed: Promise<void>;
}

/**
 * Starts a fake Ollama on 127.0.0.1 with an OS-assigned port.
 *
 * @example
 * const fake = await startFakeOllama({ models: [{ name: 'qwen3:8b', capabilities: ['completion', 'thinking'],
 *   respond: (req) => ({ thinking: 'Let me see.', content: 'fix: handle empty input' }) }] });
 * const client = new Ollama({ host: fake.url });
 * await client.chat({ model: 'qwen3:8b', messages: [{ role: 'user', content: 'hi' }], options: { num_ctx: 8192 } });
 * expect(fake.lastRequest('chat')?.body?.options?.num_ctx).toBe(8192);
 * await fake.close();
 */
export async function startFakeOllama(options: FakeOllamaOptions = {}): Promise<FakeOllama> {
	const startedAt = Date.now();
	const defaultNumCtx = options.defaultNumCtx ?? DEFAULT_NUM_CTX;
	const missingModel = options.missingModelMessage ?? missingModelMessages.current;
	let version = options.version ?? DEFAULT_VERSION;

	const models = new Map<string, FakeModel>(); // key: normalized, lower-cased name
	const loaded = new Map<string, LoadedModel>();
	const generationCalls = new Map<string, number>();
	const log: LoggedRequest[] = [];
	const calls: CallCounts = { root: 0, version: 0, tags: 0, show: 0, ps: 0, chat: 0, generate: 0, other: 0, total: 0 };
	const sockets = new Set<Socket>();

	const setModels = (list: FakeModel[]): void => {
		models.clear();
		for (const model of list) models.set(keyOf(model.name), model);
		for (const key of loaded.keys()) if (!models.has(key)) loaded.delete(key);
	};
	setModels(options.models ?? []);

	const findModel = (name: string): FakeModel | undefined => models.get(keyOf(name));

	// ---- model metadata --------------------------------------------------------------------------------

	const details = (model: FakeModel) => {
		const family = familyOf(model);
		return {
			parent_model: '',
			format: model.format ?? 'gguf',
			family,
			families: model.families ?? [family],
			parameter_size: model.parameterSize ?? '7.6B',
			quantization_level: model.quantization ?? 'Q4_K_M',
		};
	};
	const digestOf = (model: FakeModel): string =>
		model.digest ?? createHash('sha256').update(normalizeName(model.name)).digest('hex');
	const sizeOf = (model: FakeModel): number =>
		model.size ?? (isRemote(model) ? 384 : Math.round(parameterCount(model) * 0.6));
	const modifiedOf = (model: FakeModel): number =>
		model.modifiedAt === undefined ? startedAt : new Date(model.modifiedAt).getTime();

	// ---- endpoint handlers -----------------------------------------------------------------------------

	const tags = (ex: Exchange): void => {
		const list = [...models.values()]
			.sort((a, b) => Math.floor(modifiedOf(b) / 1000) - Math.floor(modifiedOf(a) / 1000))
			.map((model) => ({
				name: normalizeName(model.name),
				model: normalizeName(model.name),
				...(isRemote(model) ? { remote_model: remoteModelOf(model), remote_host: 'https://ollama.com:443' } : {}),
				modified_at: goTimeMs(modifiedOf(model)),
				size: sizeOf(model),
				digest: digestOf(model),
				details: details(model),
			}));
		sendJson(ex, 200, { models: list });
	};

	const ps = (ex: Exchange): void => {
		const now = Date.now();
		const list = [...loaded.entries()]
			.filter(([, state]) => state.expiresAt > now)
			.sort(([, a], [, b]) => b.expiresAt - a.expiresAt)
			.flatMap(([key, state]) => {
				const model = models.get(key);
				if (!model) return [];
				return [{
					name: normalizeName(model.name),
					model: normalizeName(model.name),
					size: sizeOf(model),
					digest: digestOf(model),
					details: details(model),
					expires_at: goTimeMs(state.expiresAt),
					size_vram: sizeOf(model),
					context_length: state.numCtx,
				}];
			});
		sendJson(ex, 200, { models: list });
	};

	const show = (ex: Exchange, body: LoggedBody): void => {
		const requested = typeof body.model === 'string' && body.model !== '' ? body.model : body.name;
		if (typeof requested !== 'string' || requested === '') return sendError(ex, 400, 'model is required');
		const model = findModel(requested);
		if (!model) return sendError(ex, 404, `model '${requested}' not found`);
		const family = familyOf(model);
		const template = model.template ?? '{{ if .System }}{{ .System }}\n{{ end }}{{ .Prompt }}';
		// `parameters` is printed with Go's "%-30s %#v"; the Modelfile repeats them as PARAMETER lines.
		const parameters = parameterPairs(model).map(([key, value]) => `${key.padEnd(30)} ${goValue(value)}`).join('\n');
		const modelfile = [
			'# Modelfile generated by "ollama show"',
			'# To build a new Modelfile based on this, replace FROM with:',
			`# FROM ${normalizeName(model.name)}`,
			'',
			`FROM /root/.ollama/models/blobs/sha256-${digestOf(model)}`,
			`TEMPLATE """${template}"""`,
			...modelfileParameters(model),
			'',
		].join('\n');
		const modelInfo: Record<string, unknown> = isRemote(model)
			? { 'general.architecture': family, [`${family}.context_length`]: contextLengthOf(model) }
			: {
				'general.architecture': family,
				'general.basename': baseNameOf(model),
				'general.file_type': 15,
				'general.parameter_count': parameterCount(model),
				'general.quantization_version': 2,
				[`${family}.block_count`]: 32,
				[`${family}.context_length`]: contextLengthOf(model),
				[`${family}.embedding_length`]: 4096,
				'tokenizer.ggml.model': 'gpt2',
			};
		// Field order and omissions follow api.ShowResponse (omitempty on license, parameters, system, …).
		sendJson(ex, 200, {
			...(model.license ? { license: model.license } : {}),
			modelfile,
			...(parameters ? { parameters } : {}),
			template,
			...(model.system ? { system: model.system } : {}),
			details: details(model),
			...(isRemote(model) ? { remote_model: remoteModelOf(model), remote_host: 'https://ollama.com:443' } : {}),
			model_info: modelInfo,
			capabilities: capabilitiesOf(model),
			modified_at: goTimeMs(modifiedOf(model)),
		});
	};

	/** POST /api/chat and /api/generate, in the order of checks of ChatHandler / GenerateHandler. */
	const inference = async (ex: Exchange, endpoint: 'chat' | 'generate', body: LoggedBody): Promise<void> => {
		const requested = typeof body.model === 'string' ? body.model : '';
		if (requested.trim() === '') {
			// ChatHandler: 400 "model is required"; GenerateHandler answers its historical 404 instead.
			return endpoint === 'chat' ? sendError(ex, 400, 'model is required') : sendError(ex, 404, `model '${requested}' not found`);
		}
		const model = findModel(requested.trim());
		if (!model) return sendError(ex, 404, missingModel(requested));
		const key = keyOf(model.name);

		const messages = endpoint === 'chat' ? (body.messages ?? []) : [];
		const prompt = endpoint === 'generate' ? (body.prompt ?? '') : '';
		const empty = endpoint === 'chat' ? messages.length === 0 : prompt === '';
		const keepAlive = keepAliveNs(body.keep_alive);
		const keepAliveMs = 'ns' in keepAlive ? keepAlive.ns / 1e6 : 5 * 60_000;

		// Empty request with keep_alive 0: unload (before any capability check, as in Ollama).
		if (empty && body.keep_alive !== undefined && keepAliveMs === 0) {
			loaded.delete(key);
			return sendJson(ex, 200, endpoint === 'chat'
				? { model: requested, created_at: goTime(), message: { role: 'assistant', content: '' }, done_reason: 'unload', done: true }
				: { model: requested, created_at: goTime(), response: '', done: true, done_reason: 'unload' });
		}

		const capabilities = capabilitiesOf(model);
		let think = body.think;
		if (capabilities.includes('thinking')) think ??= true;
		else if (think === true || typeof think === 'string') return sendError(ex, 400, `${goQuote(requested)} does not support thinking`);

		const optionError = validateOptions(body.options);
		if (optionError) return sendError(ex, 500, optionError);
		if (!capabilities.includes('completion')) return sendError(ex, 400, `${goQuote(requested)} does not support ${endpoint}`);

		const numCtx = Math.min(positiveInt(body.options?.num_ctx) ?? defaultNumCtx, contextLengthOf(model));

		if (empty) {
			if (!(await ensureLoaded(ex, model, numCtx, keepAliveMs))) return;
			return sendJson(ex, 200, endpoint === 'chat'
				? { model: requested, created_at: goTime(), message: { role: 'assistant', content: '' }, done_reason: 'load', done: true }
				: { model: requested, created_at: goTime(), response: '', done: true, done_reason: 'load' });
		}

		// Format is checked by the runner before the first token (llm/server.go Completion): a 500.
		if (body.format !== undefined && body.format !== null && body.format !== '' && body.format !== 'json' && !isPlainObject(body.format)) {
			return sendError(ex, 500, `invalid format: ${goQuote(JSON.stringify(body.format))}; expected "json" or a valid JSON Schema object`);
		}

		const call = (generationCalls.get(key) ?? 0) + 1;
		generationCalls.set(key, call);
		const stream = body.stream !== false;
		const chatMessages: Message[] = endpoint === 'chat'
			? messages
			: [...((body.system ?? model.system) ? [{ role: 'system', content: body.system ?? model.system ?? '' }] : []), { role: 'user', content: prompt }];
		const request: FakeRequest = {
			endpoint,
			model: requested,
			messages: chatMessages,
			prompt: endpoint === 'generate' ? prompt : ([...messages].reverse().find((m) => m.role === 'user')?.content ?? ''),
			options: body.options ?? {},
			...(body.format === undefined ? {} : { format: body.format }),
			...(think === undefined ? {} : { think }),
			...(body.keep_alive === undefined ? {} : { keepAlive: body.keep_alive }),
			stream,
			call,
			signal: ex.signal,
			body,
		};
		const responder = model.respond ?? options.respond ?? (() => ({ content: 'ok' }));
		let reply: FakeReply;
		try {
			const answer = await responder(request);
			reply = typeof answer === 'string' ? { content: answer } : answer;
		} catch (error) {
			if (ex.signal.aborted) return;
			return sendError(ex, 500, error instanceof Error ? error.message : String(error));
		}
		if (isHttpError(reply)) return sendError(ex, reply.status, reply.error, reply.extra);

		if (!(await ensureLoaded(ex, model, numCtx, keepAliveMs))) return;
		const loadedAt = monoNs();

		const promptText = chatMessages.map((m) => m.content).join('');
		const plan = planAnswer(reply, {
			thinks: think !== undefined && think !== false,
			numPredict: positiveInt(body.options?.num_predict),
			promptTokens: Math.max(1, Math.min(estimateTokens(promptText), numCtx)),
		});
		const fault = isStreamFault(reply) ? reply : undefined;
		const sendable = fault ? Math.min(fault.afterChunks ?? 0, plan.pieces.length) : plan.pieces.length;

		// Key order follows api.ChatResponse / api.GenerateResponse; `thinking` is omitempty.
		const thinkingOf = (piece: Piece) => (piece.thinking ? { thinking: piece.thinking } : {});
		const chunk = (piece: Piece): Record<string, unknown> =>
			endpoint === 'chat'
				? { model: requested, created_at: goTime(), message: { role: 'assistant', content: piece.content, ...thinkingOf(piece) }, done: false }
				: { model: requested, created_at: goTime(), response: piece.content, ...thinkingOf(piece), done: false };

		// Pace the answer: the first chunk after the prompt is "evaluated", then one chunk per delay.
		await pause(reply.firstTokenDelayMs, ex.signal);
		const firstTokenAt = monoNs();
		for (let i = 0; i < sendable; i++) {
			if (i > 0) await pause(reply.chunkDelayMs, ex.signal);
			if (stream) writeLine(ex, chunk(plan.pieces[i] as Piece));
		}

		if (fault) return strike(ex, fault, stream, requested, sendable);

		const finishedAt = monoNs();
		const loadNs = Number(loadedAt - ex.started);
		const promptEvalNs = reply.promptEvalDurationMs !== undefined ? Math.round(reply.promptEvalDurationMs * 1e6) : Math.max(1, Number(firstTokenAt - loadedAt));
		const evalNs = reply.evalDurationMs !== undefined ? Math.round(reply.evalDurationMs * 1e6) : Math.max(1, Number(finishedAt - firstTokenAt));
		// Ollama omits zero metrics (omitempty), so zero values are left out rather than sent as 0.
		const metrics = omitZero({
			total_duration: Math.max(Number(finishedAt - ex.started), loadNs + promptEvalNs + evalNs),
			load_duration: loadNs,
			prompt_eval_count: plan.promptEvalCount,
			prompt_eval_duration: promptEvalNs,
			eval_count: plan.evalCount,
			eval_duration: evalNs,
		});
		const context = endpoint === 'generate' && body.raw !== true
			? { context: Array.from({ length: plan.promptEvalCount + plan.evalCount }, (_, i) => (i * 7919) % 151_936) }
			: {};
		// Streamed, the last chunk carries no text; unstreamed, the one object carries all of it.
		const whole: Piece = stream ? { content: '' } : { content: plan.content, thinking: plan.thinking };
		const final = endpoint === 'chat'
			? { model: requested, created_at: goTime(), message: { role: 'assistant', content: whole.content, ...thinkingOf(whole) }, done_reason: plan.doneReason, done: true, ...metrics }
			: { model: requested, created_at: goTime(), response: whole.content, ...thinkingOf(whole), done: true, done_reason: plan.doneReason, ...context, ...metrics };
		if (stream) {
			writeLine(ex, final);
			ex.res.end();
		} else {
			sendJson(ex, 200, final);
		}
		// The keep-alive timer starts when the request finishes; keep_alive 0 unloads right away.
		if (!isRemote(model)) {
			if (keepAliveMs === 0) loaded.delete(key);
			else {
				const state = loaded.get(key);
				if (state) state.expiresAt = Date.now() + keepAliveMs;
			}
		}
	};

	/** Loads the model if it is not loaded with this context size (Ollama reloads on a num_ctx change). */
	const ensureLoaded = async (ex: Exchange, model: FakeModel, numCtx: number, keepAliveMs: number): Promise<boolean> => {
		if (isRemote(model)) return true;
		const key = keyOf(model.name);
		const state = loaded.get(key);
		if (state && state.expiresAt > Date.now() && state.numCtx === numCtx) {
			state.expiresAt = Date.now() + keepAliveMs;
			return true;
		}
		loaded.delete(key);
		await pause(model.loadMs, ex.signal);
		if (model.loadFault) {
			sendError(ex, model.loadFault.status, model.loadFault.error, model.loadFault.extra);
			return false;
		}
		if (models.get(key) !== model) {
			// Removed while loading: Ollama would fail to open the blobs.
			sendError(ex, 404, missingModel(model.name));
			return false;
		}
		loaded.set(key, { numCtx, expiresAt: Date.now() + keepAliveMs });
		return true;
	};

	// ---- HTTP plumbing ---------------------------------------------------------------------------------

	const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
		const controller = new AbortController();
		// 'close' fires when the answer is complete or the connection is gone: either way, stop working.
		res.on('close', () => controller.abort());
		const started = monoNs();
		const rawBody = await readBody(req);
		const path = (req.url ?? '/').split('?')[0] ?? '/';
		const method = req.method ?? 'GET';
		const route = ROUTES[path];
		const endpoint = route?.endpoint ?? 'other';
		const body = parseBody(rawBody);
		const entry: LoggedRequest = {
			method,
			path,
			endpoint,
			body,
			rawBody,
			model: typeof body?.model === 'string' ? body.model : typeof body?.name === 'string' ? body.name : undefined,
			headers: req.headers,
			status: undefined,
			at: Date.now(),
		};
		log.push(entry);
		calls[endpoint] += 1;
		calls.total += 1;
		const ex: Exchange = { res, signal: controller.signal, entry, started, flushed: Promise.resolve() };

		if (!route) {
			if (UNSUPPORTED.has(path)) return sendError(ex, 500, `fake-ollama: ${method} ${path} is not implemented`);
			return sendText(ex, 404, '404 page not found');
		}
		if (!route.methods.includes(method)) return sendText(ex, 405, '405 method not allowed');

		switch (route.endpoint) {
			case 'root':
				return sendText(ex, 200, 'Ollama is running');
			case 'version':
				return sendJson(ex, 200, { version });
			case 'tags':
				return tags(ex);
			case 'ps':
				return ps(ex);
			default: {
				const kind = route.endpoint as 'show' | 'chat' | 'generate';
				const bindError = bind(kind, rawBody, body);
				if (bindError) return sendError(ex, 400, bindError);
				if (kind === 'show') return show(ex, body ?? {});
				return inference(ex, kind, body ?? {});
			}
		}
	};

	const server = http.createServer((req, res) => {
		handle(req, res).catch((error: unknown) => {
			if (res.destroyed || (error instanceof Error && error.name === 'AbortError')) return;
			if (!res.headersSent) {
				res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' });
				res.end(goJson({ error: `fake-ollama: ${error instanceof Error ? error.message : String(error)}` }));
			} else {
				res.destroy();
			}
		});
	});
	// Idle keep-alive sockets are tracked too, so stop() can refuse *and* cut every connection at once.
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});

	const listen = (port: number): Promise<void> =>
		new Promise((resolve, reject) => {
			server.once('error', reject);
			server.listen(port, '127.0.0.1', () => {
				server.off('error', reject);
				resolve();
			});
		});
	await listen(0);
	const port = (server.address() as AddressInfo).port;

	const destroyConnections = (): void => {
		for (const socket of sockets) socket.destroy();
	};
	const stop = async (): Promise<void> => {
		if (!server.listening) return;
		const closed = new Promise<void>((resolve) => server.close(() => resolve()));
		destroyConnections();
		await closed;
		loaded.clear(); // a restarted Ollama has nothing in memory
	};
	let closedForGood = false;

	const matches = (entry: LoggedRequest, model: string, endpoint?: Endpoint): boolean =>
		entry.model !== undefined &&
		keyOf(entry.model) === keyOf(model) &&
		(endpoint ? entry.endpoint === endpoint : entry.endpoint === 'chat' || entry.endpoint === 'generate');

	return {
		url: `http://127.0.0.1:${port}`,
		port,
		calls,
		requests: log,
		callsFor: (model, endpoint) => log.filter((entry) => matches(entry, model, endpoint)).length,
		requestsFor: (model, endpoint) => log.filter((entry) => matches(entry, model, endpoint)),
		lastRequest: (endpoint) => (endpoint ? log.filter((entry) => entry.endpoint === endpoint) : log).at(-1),
		clearLog: () => {
			log.length = 0;
			for (const key of Object.keys(calls) as (keyof CallCounts)[]) calls[key] = 0;
		},
		setModels,
		addModel: (model) => {
			models.set(keyOf(model.name), model);
			loaded.delete(keyOf(model.name));
		},
		removeModel: (name) => {
			models.delete(keyOf(name));
			loaded.delete(keyOf(name));
		},
		loadedModels: () => {
			const now = Date.now();
			return [...loaded.entries()].filter(([, s]) => s.expiresAt > now).map(([key]) => normalizeName(models.get(key)?.name ?? key));
		},
		setVersion: (next) => {
			version = next;
		},
		destroyConnections,
		stop,
		restart: async () => {
			if (closedForGood) throw new Error('fake-ollama: restart() after close()');
			if (!server.listening) await listen(port);
		},
		close: async () => {
			closedForGood = true;
			await stop();
		},
	};
}

// ---------------------------------------------------------------------------------------------------------
// Answer planning
// ---------------------------------------------------------------------------------------------------------

interface Piece {
	content: string;
	thinking?: string | undefined;
}

interface Plan {
	pieces: Piece[];
	content: string;
	thinking: string;
	promptEvalCount: number;
	evalCount: number;
	doneReason: string;
}

/**
 * Turns a reply into chunks and counts: thinking (only when the request thinks) before content, both cut to
 * `num_predict` tokens if set (then `done_reason` is `length`, as when Ollama's predict limit is hit).
 */
function planAnswer(reply: TextReply, context: { thinks: boolean; numPredict: number | undefined; promptTokens: number }): Plan {
	let thinking = context.thinks ? (reply.thinking ?? '') : '';
	let content = reply.content ?? '';
	let truncated = false;
	if (context.numPredict !== undefined) {
		const budget = context.numPredict * 4;
		if (thinking.length > budget) {
			thinking = thinking.slice(0, budget);
			content = '';
			truncated = true;
		} else if (thinking.length + content.length > budget) {
			content = content.slice(0, budget - thinking.length);
			truncated = true;
		}
	}
	const estimated = estimateTokens(thinking) + estimateTokens(content);
	const pieces: Piece[] = [
		...split(thinking, reply.thinkingChunks).map((text) => ({ content: '', thinking: text })),
		...split(content, reply.chunks).map((text) => ({ content: text })),
	];
	return {
		pieces,
		content,
		thinking,
		promptEvalCount: reply.promptEvalCount ?? context.promptTokens,
		evalCount: reply.evalCount ?? (truncated && context.numPredict !== undefined ? context.numPredict : Math.max(1, estimated)),
		doneReason: reply.doneReason ?? (truncated ? 'length' : 'stop'),
	};
}

/** Splits text into `count` pieces of near-equal length, never inside a surrogate pair. */
function split(text: string, count?: number): string[] {
	if (text === '') return [];
	const chars = Array.from(text);
	const n = Math.max(1, Math.min(count ?? Math.min(MAX_CHUNKS, estimateTokens(text)), chars.length));
	const pieces: string[] = [];
	for (let i = 0; i < n; i++) pieces.push(chars.slice(Math.floor((i * chars.length) / n), Math.floor(((i + 1) * chars.length) / n)).join(''));
	return pieces;
}

// ---------------------------------------------------------------------------------------------------------
// Writing answers
// ---------------------------------------------------------------------------------------------------------

/** Carries out a stream fault after `sent` chunks went out (or none, with `stream: false`). */
async function strike(ex: Exchange, fault: StreamFaultReply, stream: boolean, model: string, sent: number): Promise<void> {
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
		case 'reset':
			// Let the chunks already written leave first, as they would have from a process that then died.
			await ex.flushed;
			ex.res.socket?.destroy();
			ex.res.destroy();
			return;
	}
}

function startStream(ex: Exchange): void {
	if (ex.res.headersSent) return;
	ex.entry.status = 200;
	// Go writes the headers with the first chunk, so the client's fetch only resolves with the first token.
	ex.res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
}

function writeRaw(ex: Exchange, text: string): void {
	if (ex.signal.aborted) return;
	startStream(ex);
	ex.flushed = new Promise((resolve) => ex.res.write(text, () => resolve()));
}

function writeLine(ex: Exchange, value: unknown): void {
	writeRaw(ex, `${goJson(value)}\n`);
}

/** gin's c.JSON: compact Go JSON, no trailing newline, Content-Length set. */
function sendJson(ex: Exchange, status: number, value: unknown): void {
	if (ex.signal.aborted || ex.res.headersSent) return;
	const body = goJson(value);
	ex.entry.status = status;
	ex.res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
	ex.res.end(body);
}

function sendError(ex: Exchange, status: number, error: string, extra?: Record<string, unknown>): void {
	// gin.H is a map: Go sorts its keys, and "error" sorts before "signin_url".
	sendJson(ex, status, { error, ...extra });
}

/** gin's c.String and its plain-text 404/405 pages. */
function sendText(ex: Exchange, status: number, text: string): void {
	if (ex.signal.aborted || ex.res.headersSent) return;
	ex.entry.status = status;
	ex.res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
	ex.res.end(text);
}

// ---------------------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------------------

function readBody(req: http.IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

function parseBody(raw: string): LoggedBody | undefined {
	if (raw.trim() === '') return undefined;
	try {
		const value: unknown = JSON.parse(raw);
		return isPlainObject(value) ? (value as LoggedBody) : undefined;
	} catch {
		return undefined;
	}
}

/** gin's ShouldBindJSON into the request struct: the 400s for a missing or undecodable body. */
function bind(kind: 'show' | 'chat' | 'generate', raw: string, body: LoggedBody | undefined): string | undefined {
	if (raw.trim() === '') return 'missing request body';
	const syntax = jsonSyntaxError(raw);
	if (syntax) return syntax;
	const { struct, fields } = FIELD_TYPES[kind];
	const value: unknown = JSON.parse(raw);
	if (value !== null && !isPlainObject(value)) return `json: cannot unmarshal ${jsonKind(value)} into Go value of type api.${struct}`;
	if (!body) return undefined;
	for (const [field, goType] of Object.entries(fields)) {
		const got = body[field];
		if (got === undefined || got === null) continue;
		const expected = goType === 'string' ? 'string' : goType === 'bool' ? 'bool' : goType.startsWith('map') ? 'object' : 'array';
		if (jsonKind(got) !== expected) return `json: cannot unmarshal ${jsonKind(got)} into Go struct field ${struct}.${field} of type ${goType}`;
	}
	if (kind === 'chat') {
		for (const message of body.messages ?? []) {
			if (!isPlainObject(message)) return `json: cannot unmarshal ${jsonKind(message)} into Go struct field ${struct}.messages of type api.Message`;
			for (const field of ['role', 'content'] as const) {
				const got: unknown = message[field];
				if (got !== undefined && got !== null && typeof got !== 'string') {
					return `json: cannot unmarshal ${jsonKind(got)} into Go struct field ${struct}.messages.${field} of type string`;
				}
			}
		}
	}
	if (kind !== 'show') {
		const keepAlive = keepAliveNs(body.keep_alive);
		if ('error' in keepAlive) return keepAlive.error;
		const think: unknown = body.think;
		if (typeof think === 'string' && !['high', 'medium', 'low'].includes(think)) {
			return `invalid think value: ${goQuote(think)} (must be "high", "medium", "low", true, or false)`;
		}
		if (think !== undefined && think !== null && typeof think !== 'string' && typeof think !== 'boolean') {
			return 'think must be a boolean or string ("high", "medium", "low", true, or false)';
		}
	}
	return undefined;
}

/** api.Options.FromMap: a wrongly typed known option fails the request (a 500 through handleScheduleError). */
function validateOptions(options: Partial<Options> | undefined): string | undefined {
	for (const [key, value] of Object.entries(options ?? {})) {
		const kind = OPTION_KINDS[key];
		if (kind === undefined || value === null) continue; // unknown options are only logged by Ollama
		const ok = kind === 'integer' || kind === 'float32' ? typeof value === 'number'
			: kind === 'boolean' ? typeof value === 'boolean'
			: Array.isArray(value) && value.every((item) => typeof item === 'string');
		if (!ok) return kind === 'array' && Array.isArray(value) ? `option ${goQuote(key)} must be of an array of strings` : `option ${goQuote(key)} must be of type ${kind}`;
	}
	return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------------------

/** Ollama's default tag: `qwen3` means `qwen3:latest` (a namespace slash does not count as a tag). */
function normalizeName(name: string): string {
	const trimmed = name.trim();
	const lastSegment = trimmed.slice(trimmed.lastIndexOf('/') + 1);
	return lastSegment.includes(':') ? trimmed : `${trimmed}:latest`;
}

/** Names are matched case-insensitively (getExistingName uses strings.EqualFold). */
function keyOf(name: string): string {
	return normalizeName(name).toLowerCase();
}

/** Cloud models: explicitly remote, or a `:cloud` / `-cloud` tag (internal/modelref parseSourceSuffix). */
function isRemote(model: FakeModel): boolean {
	if (model.remote) return true;
	const tag = normalizeName(model.name).split(':').at(-1)?.toLowerCase() ?? '';
	return tag === 'cloud' || tag.endsWith('-cloud');
}

function remoteModelOf(model: FakeModel): string {
	return normalizeName(model.name).replace(/(:cloud|-cloud)$/i, '');
}

function familyOf(model: FakeModel): string {
	// A guess (qwen3 → qwen3, qwen2.5-coder → qwen2, llama3.2 → llama): set `family` when it matters.
	const guess = /^[a-z]+\d*/i.exec(baseNameOf(model))?.[0]?.toLowerCase() ?? 'llama';
	return model.family ?? (guess.startsWith('llama') ? 'llama' : guess);
}

function baseNameOf(model: FakeModel): string {
	const name = normalizeName(model.name);
	return name.slice(name.lastIndexOf('/') + 1).split(':')[0] ?? name;
}

function capabilitiesOf(model: FakeModel): string[] {
	return model.capabilities ?? ['completion'];
}

function contextLengthOf(model: FakeModel): number {
	return model.contextLength ?? DEFAULT_CONTEXT_LENGTH;
}

/** `8.2B` → 8.2e9, `270M` → 2.7e8. */
function parameterCount(model: FakeModel): number {
	const match = /^([\d.]+)\s*([KMBT]?)/i.exec(model.parameterSize ?? '7.6B');
	const scale: Record<string, number> = { '': 1, K: 1e3, M: 1e6, B: 1e9, T: 1e12 };
	return Math.round(Number(match?.[1] ?? 7.6) * (scale[(match?.[2] ?? 'B').toUpperCase()] ?? 1e9));
}

/** Model parameters as sorted (key, value) pairs, one pair per value of a list parameter such as `stop`. */
function parameterPairs(model: FakeModel): [string, string | number][] {
	return Object.entries(model.parameters ?? {})
		.sort(([a], [b]) => a.localeCompare(b))
		.flatMap(([key, value]) => (Array.isArray(value) ? value : [value]).map((v): [string, string | number] => [key, v]));
}

function modelfileParameters(model: FakeModel): string[] {
	return parameterPairs(model).map(([key, value]) => `PARAMETER ${key} ${goValue(value)}`);
}

/** Go's `%#v` for Modelfile parameters: strings quoted, numbers bare. */
function goValue(value: string | number): string {
	return typeof value === 'string' ? goQuote(value) : String(value);
}

function positiveInt(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.trunc(value) : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isHttpError(reply: FakeReply): reply is HttpErrorReply {
	return 'fault' in reply && reply.fault === 'http-error';
}

function isStreamFault(reply: FakeReply): reply is StreamFaultReply {
	return 'fault' in reply && reply.fault !== undefined && reply.fault !== 'http-error';
}

function omitZero(metrics: Record<string, number>): Record<string, number> {
	return Object.fromEntries(Object.entries(metrics).filter(([, value]) => value !== 0));
}

/** Waits `ms` unless the request is aborted first; the timer is cleared on abort, so nothing leaks. */
async function pause(ms: number | undefined, signal: AbortSignal): Promise<void> {
	if (ms === undefined || ms <= 0) {
		if (signal.aborted) throw abortError();
		return;
	}
	await sleep(ms, undefined, { signal });
}

/** Resolves when the client goes away or the server closes: a stall that holds no timer. */
function untilAborted(signal: AbortSignal): Promise<void> {
	if (signal.aborted) return Promise.resolve();
	return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

function abortError(): Error {
	const error = new Error('The operation was aborted');
	error.name = 'AbortError';
	return error;
}
