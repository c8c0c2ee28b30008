/** Reading a request the way gin binds it into Ollama's request structs, with Go's decoder errors. */
import type http from 'node:http';
import type { Options } from 'ollama';
import type { LoggedBody } from './types.ts';
import { goQuote, jsonKind, jsonSyntaxError, keepAliveNs } from './wire.ts';

/** Go types of the request fields gin decodes, for Ollama's `cannot unmarshal` 400s. */
const FIELD_TYPES: Record<'chat' | 'generate' | 'show', { struct: string; fields: Record<string, string> }> = {
	chat: {
		struct: 'ChatRequest',
		fields: { model: 'string', messages: '[]api.Message', stream: 'bool', options: 'map[string]interface {}', tools: 'api.Tools' },
	},
	generate: {
		struct: 'GenerateRequest',
		fields: {
			model: 'string',
			prompt: 'string',
			suffix: 'string',
			system: 'string',
			template: 'string',
			stream: 'bool',
			raw: 'bool',
			options: 'map[string]interface {}',
			images: '[]api.ImageData',
			context: '[]int',
		},
	},
	show: {
		struct: 'ShowRequest',
		fields: { model: 'string', name: 'string', system: 'string', template: 'string', verbose: 'bool', options: 'map[string]interface {}' },
	},
};

/** api.Options field kinds, for `option "x" must be of type …` (api/types.go Options.FromMap). */
const OPTION_KINDS: Record<string, 'integer' | 'float32' | 'boolean' | 'array'> = {
	num_ctx: 'integer',
	num_batch: 'integer',
	num_gpu: 'integer',
	main_gpu: 'integer',
	num_thread: 'integer',
	num_keep: 'integer',
	seed: 'integer',
	num_predict: 'integer',
	top_k: 'integer',
	repeat_last_n: 'integer',
	top_p: 'float32',
	min_p: 'float32',
	typical_p: 'float32',
	temperature: 'float32',
	repeat_penalty: 'float32',
	presence_penalty: 'float32',
	frequency_penalty: 'float32',
	numa: 'boolean',
	low_vram: 'boolean',
	vocab_only: 'boolean',
	use_mmap: 'boolean',
	use_mlock: 'boolean',
	stop: 'array',
};

/** The whole request body as UTF-8 text. */
export function readBody(req: http.IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

/** The body as a JSON object, or undefined when it is empty, not JSON or not an object. */
export function parseBody(raw: string): LoggedBody | undefined {
	if (raw.trim() === '') return undefined;
	try {
		const value: unknown = JSON.parse(raw);
		return isPlainObject(value) ? (value as LoggedBody) : undefined;
	} catch {
		return undefined;
	}
}

/** gin's ShouldBindJSON into the request struct: the 400s for a missing or undecodable body. */
export function bind(kind: 'show' | 'chat' | 'generate', raw: string, body: LoggedBody | undefined): string | undefined {
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
		if (jsonKind(got) !== expected)
			return `json: cannot unmarshal ${jsonKind(got)} into Go struct field ${struct}.${field} of type ${goType}`;
	}
	if (kind === 'chat') {
		for (const message of body.messages ?? []) {
			if (!isPlainObject(message))
				return `json: cannot unmarshal ${jsonKind(message)} into Go struct field ${struct}.messages of type api.Message`;
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
		// api.ThinkValue.UnmarshalJSON (since 0.21.3 it takes "max" as well).
		if (typeof think === 'string' && !['high', 'medium', 'low', 'max'].includes(think)) {
			return `invalid think value: ${goQuote(think)} (must be "high", "medium", "low", "max", true, or false)`;
		}
		if (think !== undefined && think !== null && typeof think !== 'string' && typeof think !== 'boolean') {
			return 'think must be a boolean or string ("high", "medium", "low", "max", true, or false)';
		}
	}
	return undefined;
}

/** api.Options.FromMap: a wrongly typed known option fails the request (a 500 through handleScheduleError). */
export function validateOptions(options: Partial<Options> | undefined): string | undefined {
	for (const [key, value] of Object.entries(options ?? {})) {
		const kind = OPTION_KINDS[key];
		if (kind === undefined || value === null) continue; // unknown options are only logged by Ollama
		const ok =
			kind === 'integer' || kind === 'float32'
				? typeof value === 'number'
				: kind === 'boolean'
					? typeof value === 'boolean'
					: Array.isArray(value) && value.every((item) => typeof item === 'string');
		if (!ok)
			return kind === 'array' && Array.isArray(value)
				? `option ${goQuote(key)} must be of an array of strings`
				: `option ${goQuote(key)} must be of type ${kind}`;
	}
	return undefined;
}

/** A positive number as an integer, else undefined (an unset or nonsensical option). */
export function positiveInt(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.trunc(value) : undefined;
}

/** True for a JSON object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
