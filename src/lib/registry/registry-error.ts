/** One problem in a registry or case file, located precisely enough to fix without searching. */
export interface RegistryIssue {
	/** Path relative to the project root, e.g. `benchmarks/roles/draft.yaml`. */
	file: string;
	/** The field, e.g. `incumbent`, `llama3.1:8b (entry 8) · family` (see `formatPath`), or `(file)` for the file as a whole. */
	field: string;
	/** 1-based line of the field in the file, when known. */
	line?: number;
	/** What the file holds there, shown as data. */
	found: string;
	/** What would be accepted. */
	expected: string;
	/** How to fix it. */
	hint?: string;
}

/** Thrown when the registry or the cases are invalid; carries every problem found, not just the first. */
export class RegistryError extends Error {
	readonly issues: readonly RegistryIssue[];

	/** `subject` starts the message: "The benchmark registry has 2 problems:". */
	constructor(issues: readonly RegistryIssue[], subject = 'The benchmark registry has') {
		super(formatIssues(issues, subject));
		this.name = 'RegistryError';
		this.issues = issues;
	}
}

/** Renders issues as the block printed by the build and by `npm run check`. */
export function formatIssues(issues: readonly RegistryIssue[], subject = 'The benchmark registry has'): string {
	const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
	const blocks = issues.map((issue) => {
		const where = issue.line ? `${issue.file}:${issue.line}` : issue.file;
		const lines = [`${where} — ${issue.field}`, `  found:    ${issue.found}`, `  expected: ${issue.expected}`];
		if (issue.hint) lines.push(`  hint:     ${issue.hint}`);
		return lines.join('\n');
	});
	return `${subject} ${count}:\n\n${blocks.join('\n\n')}\n`;
}

/** Shows a value from a file the way the reader typed it, shortened when long. */
export function showValue(value: unknown): string {
	if (value === undefined) return 'nothing (the field is missing)';
	let text: string;
	try {
		text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
	} catch {
		text = String(value);
	}
	return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The fields that name a list entry, in the order they are tried: a model's `id`, a step's `model`, a check's `name`. */
const NAMING_FIELDS = ['id', 'model', 'name'];

/**
 * Formats a field path for a person. Keys are dotted (`run.stall_timeout_s`); a list entry is named by
 * its id (or model, or name) when `data` — the file's content — has one, and counted from 1:
 * `[7, 'id']` in models.yaml is `llama3.1:8b (entry 8) · id`, `['escalation', 'chain', 0, 'model']`
 * is `escalation.chain · gpt-oss:120b-cloud (entry 1) · model`, `['challengers', 1]` is
 * `challengers (entry 2)`.
 */
export function formatPath(path: readonly PropertyKey[], data?: unknown): string {
	let out = '';
	let afterEntry = false;
	let current: unknown = data;
	for (const part of path) {
		const element = current !== null && typeof current === 'object' ? (current as Record<PropertyKey, unknown>)[part] : undefined;
		if (typeof part === 'number') {
			const name = entryName(element);
			const label = `${name === undefined ? '' : `${name} `}(entry ${part + 1})`;
			out = !out ? label : name === undefined ? `${out} ${label}` : `${out} · ${label}`;
			afterEntry = true;
		} else {
			out += !out ? String(part) : afterEntry ? ` · ${String(part)}` : `.${String(part)}`;
			afterEntry = false;
		}
		current = element;
	}
	return out || '(file)';
}

function entryName(entry: unknown): string | undefined {
	if (entry === null || typeof entry !== 'object') return undefined;
	for (const field of NAMING_FIELDS) {
		const value = (entry as Record<string, unknown>)[field];
		if (typeof value === 'string' && value.trim() && value.length <= 80) return value;
	}
	return undefined;
}

/** A UTF-8 byte order mark, which editors on some systems put before the first character. */
export const BOM = '\uFEFF';

/** The issue for a file that starts with a byte order mark: named as such, never stripped silently. */
export function bomIssue(file: string, hint: string): RegistryIssue {
	return {
		file,
		field: '(file)',
		line: 1,
		found: 'a UTF-8 byte order mark (BOM, the bytes EF BB BF) before the first character',
		expected: 'UTF-8 without a BOM, as the project writes its files',
		hint,
	};
}
