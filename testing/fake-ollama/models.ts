/** The models the fake serves: the state they share across routes, their names and derived metadata. */
import { createHash } from 'node:crypto';
import type { FakeModel, Responder } from './types.ts';
import { goQuote } from './wire.ts';

const DEFAULT_CONTEXT_LENGTH = 32768;

/** A model in memory (/api/ps): the context it was loaded with and when keep-alive lets it go. */
export interface LoadedModel {
	numCtx: number;
	expiresAt: number;
}

/** What the routes share: the served models, what is loaded, the per-model call counts, and the settings. */
export interface FakeState {
	/** Date.now() when the fake started: the default `modified_at`. */
	readonly startedAt: number;
	/** The context size used when a request sends no `num_ctx`. */
	readonly defaultNumCtx: number;
	/** The 404 text for a missing model. */
	readonly missingModel: (model: string) => string;
	/** Script for models that have none. */
	readonly respond: Responder | undefined;
	/** Key: normalized, lower-cased name. */
	readonly models: Map<string, FakeModel>;
	readonly loaded: Map<string, LoadedModel>;
	readonly generationCalls: Map<string, number>;
	/** Cold-load attempts per model, for a `loadFault` that depends on the attempt. */
	readonly loadAttempts: Map<string, number>;
	/** Per model with `numParallel`, its busy slots and the requests waiting for one, in arrival order. */
	readonly slots: Map<string, { busy: number; waiting: (() => void)[] }>;
}

/**
 * Takes one of the model's `numParallel` slots, waiting (silently) while all are busy; resolves to the
 * function that gives it back, or to undefined when the client went away while waiting. A model without
 * `numParallel` has no limit.
 */
export async function takeSlot(state: FakeState, model: FakeModel, signal: AbortSignal): Promise<(() => void) | undefined> {
	if (model.numParallel === undefined) return () => {};
	const key = keyOf(model.name);
	const slots = state.slots.get(key) ?? { busy: 0, waiting: [] };
	state.slots.set(key, slots);
	while (slots.busy >= model.numParallel) {
		if (signal.aborted) return undefined;
		await new Promise<void>((resolve) => {
			const wake = () => {
				signal.removeEventListener('abort', wake);
				slots.waiting.splice(slots.waiting.indexOf(wake), 1);
				resolve();
			};
			slots.waiting.push(wake);
			signal.addEventListener('abort', wake, { once: true });
		});
	}
	if (signal.aborted) return undefined;
	slots.busy++;
	let given = false;
	return () => {
		if (given) return;
		given = true;
		slots.busy--;
		slots.waiting[0]?.();
	};
}

/** The served model called `name` (matched as Ollama does), if any. */
export function findModel(state: FakeState, name: string): FakeModel | undefined {
	return state.models.get(keyOf(name));
}

/** Ollama's default tag: `qwen3` means `qwen3:latest` (a namespace slash does not count as a tag). */
export function normalizeName(name: string): string {
	const trimmed = name.trim();
	const lastSegment = trimmed.slice(trimmed.lastIndexOf('/') + 1);
	return lastSegment.includes(':') ? trimmed : `${trimmed}:latest`;
}

/**
 * Names are matched as Ollama matches them: every part case-insensitively (Name.EqualFold), with the
 * parts a name leaves out filled in (`registry.ollama.ai/library/…:latest`), so `Qwen3:8B` and
 * `library/qwen3:8b` find `qwen3:8b`.
 */
export function keyOf(name: string): string {
	// internal/modelref: a last `:local` asks for the local copy, a last `:cloud` for the model as
	// `ollama pull` stores it (`x:8b:cloud` is `x:8b-cloud`, `x:cloud` stays `x:cloud`).
	const [, base = '', suffix = ''] = /^(.*[^/]):(cloud|local)$/i.exec(name.trim()) ?? [];
	const tagged = /:[^/]*$/.test(base);
	const full = normalizeName(suffix.toLowerCase() === 'local' ? base : suffix && tagged ? `${base}-cloud` : name);
	const segments = full.split('/');
	while (segments.length < 3) segments.unshift(segments.length === 2 ? 'registry.ollama.ai' : 'library');
	return segments.join('/').toLowerCase();
}

/** Cloud models: explicitly remote, or a `:cloud` / `-cloud` tag (internal/modelref parseSourceSuffix). */
export function isRemote(model: FakeModel): boolean {
	if (model.remote) return true;
	const tag = normalizeName(model.name).split(':').at(-1)?.toLowerCase() ?? '';
	return tag === 'cloud' || tag.endsWith('-cloud');
}

/** The ollama.com model a cloud model forwards to (its name without the cloud tag). */
export function remoteModelOf(model: FakeModel): string {
	return normalizeName(model.name).replace(/(:cloud|-cloud)$/i, '');
}

/** `details.family`: set, or guessed from the name. */
export function familyOf(model: FakeModel): string {
	// A guess (qwen3 → qwen3, qwen2.5-coder → qwen2, llama3.2 → llama): set `family` when it matters.
	const guess = /^[a-z]+\d*/i.exec(baseNameOf(model))?.[0]?.toLowerCase() ?? 'llama';
	return model.family ?? (guess.startsWith('llama') ? 'llama' : guess);
}

/** The name without namespace and tag (`library/qwen3:8b` → `qwen3`). */
export function baseNameOf(model: FakeModel): string {
	const name = normalizeName(model.name);
	return name.slice(name.lastIndexOf('/') + 1).split(':')[0] ?? name;
}

/** The model's capabilities (default `['completion']`). */
export function capabilitiesOf(model: FakeModel): string[] {
	return model.capabilities ?? ['completion'];
}

/** The trained context length; `num_ctx` is capped at it. */
export function contextLengthOf(model: FakeModel): number {
	return model.contextLength ?? DEFAULT_CONTEXT_LENGTH;
}

/** `8.2B` → 8.2e9, `270M` → 2.7e8. */
export function parameterCount(model: FakeModel): number {
	const match = /^([\d.]+)\s*([KMBT]?)/i.exec(model.parameterSize ?? '7.6B');
	const scale: Record<string, number> = { '': 1, K: 1e3, M: 1e6, B: 1e9, T: 1e12 };
	return Math.round(Number(match?.[1] ?? 7.6) * (scale[(match?.[2] ?? 'B').toUpperCase()] ?? 1e9));
}

/** Model parameters as sorted (key, value) pairs, one pair per value of a list parameter such as `stop`. */
export function parameterPairs(model: FakeModel): [string, string | number][] {
	return Object.entries(model.parameters ?? {})
		.sort(([a], [b]) => a.localeCompare(b))
		.flatMap(([key, value]) => (Array.isArray(value) ? value : [value]).map((v): [string, string | number] => [key, v]));
}

/** The Modelfile `PARAMETER` lines. */
export function modelfileParameters(model: FakeModel): string[] {
	return parameterPairs(model).map(([key, value]) => `PARAMETER ${key} ${goValue(value)}`);
}

/** Go's `%#v` for Modelfile parameters: strings quoted, numbers bare. */
export function goValue(value: string | number): string {
	return typeof value === 'string' ? goQuote(value) : String(value);
}

/** `details` as /api/tags, /api/show and /api/ps report it. */
export function details(model: FakeModel) {
	const family = familyOf(model);
	return {
		parent_model: '',
		format: model.format ?? 'gguf',
		family,
		families: model.families ?? [family],
		parameter_size: model.parameterSize ?? '7.6B',
		quantization_level: model.quantization ?? 'Q4_K_M',
	};
}

/** The model's digest: set, or the sha256 of its name, so it is stable per model. */
export function digestOf(model: FakeModel): string {
	return model.digest ?? createHash('sha256').update(normalizeName(model.name)).digest('hex');
}

/** Bytes on disk and in memory. */
export function sizeOf(model: FakeModel): number {
	return model.size ?? (isRemote(model) ? 384 : Math.round(parameterCount(model) * 0.6));
}

/** `modified_at` in ms: set, or when the fake started. */
export function modifiedOf(model: FakeModel, startedAt: number): number {
	return model.modifiedAt === undefined ? startedAt : new Date(model.modifiedAt).getTime();
}
