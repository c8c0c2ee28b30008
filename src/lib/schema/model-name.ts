/**
 * Ollama model names as Ollama itself reads them (`types/model/name.go` and `internal/modelref`):
 *
 *     [host/][namespace/]model[:tag][:cloud | :local]
 *
 * Every part starts with a letter, digit or `_` and holds letters (either case), digits, `_`, `-` and
 * `.`; a namespace has no dot; a host may carry a port (`:`). A host is at most 350 characters, every
 * other part 80. A missing host is `registry.ollama.ai`, a missing
 * namespace `library`, a missing tag `latest`, and two names are the same model when every part is
 * equal ignoring case. `:cloud` after a name, or a tag ending in `-cloud`, asks for the model on
 * ollama.com (`gpt-oss:120b:cloud` is the model `ollama pull` stores as `gpt-oss:120b-cloud`);
 * `:local` asks for the local copy. Pure.
 */

/** Ollama's defaults for the parts a name leaves out (`DefaultName` in name.go). */
const DEFAULT_HOST = 'registry.ollama.ai';
const DEFAULT_NAMESPACE = 'library';
const DEFAULT_TAG = 'latest';

/** A model name taken apart; `host`, `namespace` and `tag` are empty when the name leaves them out. */
interface ModelName {
	host: string;
	namespace: string;
	model: string;
	tag: string;
	/** `cloud` for a `:cloud` suffix or a tag ending in `-cloud`, `local` for `:local`. */
	source: 'cloud' | 'local' | undefined;
}

/** Why `text` is not an Ollama model name, or undefined when it is one. */
export function modelNameProblem(text: string): string | undefined {
	const { base, source } = splitSource(text);
	if (base === '') return 'an empty name';
	if (source && splitSource(base).source) return 'two of `:cloud`, `-cloud` and `:local` (use one)';
	const colon = base.lastIndexOf(':');
	const hasTag = colon > base.lastIndexOf('/');
	const segments = (hasTag ? base.slice(0, colon) : base).split('/');
	if (segments.length > 3) return 'more than three `/`-separated parts (Ollama reads `host/namespace/model:tag`)';
	const parts: [kind: keyof typeof PARTS, value: string][] = [['model', segments.at(-1)!]];
	if (segments.length >= 2) parts.unshift(['namespace', segments.at(-2)!]);
	if (segments.length === 3) parts.unshift(['host', segments[0]!]);
	if (hasTag) parts.push(['tag', base.slice(colon + 1)]);
	for (const [kind, value] of parts) {
		const { pattern, max, chars } = PARTS[kind];
		if (value === '') return `an empty ${kind}`;
		if (value.length > max) return `a ${kind} longer than Ollama's ${max} characters`;
		if (!pattern.test(value)) return `a ${kind} (${JSON.stringify(value)}) that is not ${chars}, starting with a letter, digit or \`_\``;
	}
	return undefined;
}

/** Each part of a name as Ollama's `isValidPart` takes it: what it may hold, and how long it may be. */
const PARTS = {
	host: { pattern: /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/, max: 350, chars: 'letters, digits, `_`, `-`, `.` and `:`' },
	namespace: { pattern: /^[A-Za-z0-9_][A-Za-z0-9_-]*$/, max: 80, chars: 'letters, digits, `_` and `-` (no dot)' },
	model: { pattern: /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, max: 80, chars: 'letters, digits, `_`, `-` and `.`' },
	tag: { pattern: /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, max: 80, chars: 'letters, digits, `_`, `-` and `.`' },
};

/** Takes a valid name apart (see `modelNameProblem`). */
function parseModelName(text: string): ModelName {
	const { base, source } = splitSource(text);
	const colon = base.lastIndexOf(':');
	const hasTag = colon > base.lastIndexOf('/');
	const segments = (hasTag ? base.slice(0, colon) : base).split('/');
	const model = segments.pop()!;
	const namespace = segments.pop() ?? '';
	const host = segments.pop() ?? '';
	return { host, namespace, model, tag: hasTag ? base.slice(colon + 1) : '', source };
}

/**
 * The key under which Ollama finds a model: every part filled with its default and lower-cased, a
 * cloud model under the name `ollama pull` stores it as. `Qwen3:8B`, `library/qwen3:8b` and
 * `registry.ollama.ai/library/qwen3:8b` all give `registry.ollama.ai/library/qwen3:8b`; `llama3.1` and
 * `llama3.1:latest` both give `registry.ollama.ai/library/llama3.1:latest`.
 */
export function modelKey(text: string): string {
	const name = parseModelName(text.trim());
	let tag = name.tag || DEFAULT_TAG;
	// internal/modelref toLegacyCloudPullName: `x:cloud` stays `x:cloud`, `x:8b:cloud` is `x:8b-cloud`.
	if (name.source === 'cloud') tag = name.tag ? `${name.tag}-cloud` : 'cloud';
	return `${name.host || DEFAULT_HOST}/${name.namespace || DEFAULT_NAMESPACE}/${name.model}:${tag}`.toLowerCase();
}

/** internal/modelref parseSourceSuffix: a last `:cloud` / `:local`, or a tag ending in `-cloud`. */
function splitSource(text: string): { base: string; source: ModelName['source'] } {
	const colon = text.lastIndexOf(':');
	if (colon < 0) return { base: text, source: undefined };
	const suffix = text.slice(colon + 1).toLowerCase();
	if (suffix === 'cloud') return { base: text.slice(0, colon), source: 'cloud' };
	if (suffix === 'local') return { base: text.slice(0, colon), source: 'local' };
	if (!suffix.includes('/') && suffix.endsWith('-cloud')) return { base: text.slice(0, -'-cloud'.length), source: 'cloud' };
	return { base: text, source: undefined };
}
