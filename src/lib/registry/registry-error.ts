/** One problem in a registry or case file, located precisely enough to fix without searching. */
export interface RegistryIssue {
	/** Path relative to the project root, e.g. `benchmarks/roles/draft.yaml`. */
	file: string;
	/** Dotted path of the field, e.g. `challengers[1]`, or `(file)` for the file as a whole. */
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

	constructor(issues: readonly RegistryIssue[]) {
		super(formatIssues(issues));
		this.name = 'RegistryError';
		this.issues = issues;
	}
}

/** Renders issues as the block printed by the build and by `npm run check`. */
export function formatIssues(issues: readonly RegistryIssue[]): string {
	const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
	const blocks = issues.map((issue) => {
		const where = issue.line ? `${issue.file}:${issue.line}` : issue.file;
		const lines = [`${where} — ${issue.field}`, `  found:    ${issue.found}`, `  expected: ${issue.expected}`];
		if (issue.hint) lines.push(`  hint:     ${issue.hint}`);
		return lines.join('\n');
	});
	return `The benchmark registry has ${count}:\n\n${blocks.join('\n\n')}\n`;
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

/** Formats a path such as ['chain', 0, 'model'] as `chain[0].model`. */
export function formatPath(path: readonly PropertyKey[]): string {
	let out = '';
	for (const part of path) {
		if (typeof part === 'number') out += `[${part}]`;
		else out += out ? `.${String(part)}` : String(part);
	}
	return out || '(file)';
}
