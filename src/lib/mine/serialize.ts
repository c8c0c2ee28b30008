/**
 * Key order of a case file, the schema's reading order at every level: what it is, where it came from, what
 * the model sees, what it is graded against; inside them path before content, start before end, name before
 * required. One list serves all levels because no two objects order the same keys differently. Keys not
 * listed follow in code-unit order.
 */
export const KEY_ORDER = [
	'id',
	'role',
	'task',
	'severity',
	'mined_at',
	'source',
	'input',
	'reference',
	'checks',
	'tests',
	'repository',
	'url',
	'commit',
	'parent',
	'author_date',
	'subject',
	'intent',
	'diff',
	'runner',
	'command',
	'run',
	'files',
	'count',
	'failed_before',
	'fix_commit',
	'fix_subject',
	'message',
	'verdict',
	'lines',
	'path',
	'start',
	'end',
	'content',
	'name',
	'required',
	'threshold',
];

function compareKeys(a: string, b: string): number {
	const rankA = KEY_ORDER.indexOf(a);
	const rankB = KEY_ORDER.indexOf(b);
	if (rankA !== -1 || rankB !== -1) {
		if (rankA === -1) return 1;
		if (rankB === -1) return -1;
		return rankA - rankB;
	}
	return a < b ? -1 : a > b ? 1 : 0;
}

function ordered(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(ordered);
	if (value !== null && typeof value === 'object') {
		const result: Record<string, unknown> = {};
		for (const key of Object.keys(value).sort(compareKeys)) {
			const entry = (value as Record<string, unknown>)[key];
			if (entry !== undefined) result[key] = ordered(entry);
		}
		return result;
	}
	return value;
}

/**
 * JSON with a fixed key order at every level, two-space indentation and a trailing newline: the same value
 * always gives the same bytes, whatever order its keys were built in, so files diff cleanly in git.
 */
export function stableStringify(value: unknown): string {
	return `${JSON.stringify(ordered(value), null, 2)}\n`;
}
