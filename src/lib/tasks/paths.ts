/**
 * A path as the graders compare it: trimmed, backslashes as slashes, without Markdown backticks, a leading
 * `./` or `/`. Models write `./src/a.ts` or `/src/a.ts` for `src/a.ts`; neither is a different file.
 */
export function normalizePath(path: string): string {
	let result = path
		.trim()
		.replace(/^`+|`+$/g, '')
		.trim()
		.replace(/\\/g, '/');
	for (;;) {
		const next = result.replace(/^\.\//, '').replace(/^\/+/, '');
		if (next === result) return result;
		result = next;
	}
}

/** Distinct normalized paths, empty ones dropped, in first-seen order. */
export function normalizePaths(paths: readonly string[]): string[] {
	return [...new Set(paths.map(normalizePath).filter((path) => path !== ''))];
}

/** Paths as details list them: `a.ts, b.ts` and how many more beyond `limit`. */
export function listPaths(paths: readonly string[], limit = 5): string {
	const shown = paths.slice(0, limit).join(', ');
	return paths.length > limit ? `${shown} and ${paths.length - limit} more` : shown;
}
