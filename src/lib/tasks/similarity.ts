/** Levenshtein distance between two short strings. */
export function editDistance(a: string, b: string): number {
	if (a === b) return 0;
	let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
	for (let i = 1; i <= a.length; i++) {
		const current = [i];
		for (let j = 1; j <= b.length; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
		}
		previous = current;
	}
	return previous[b.length]!;
}

/** Lowercase, every run of whitespace one space, trimmed: the differences a person does not count as edits. */
export function normalizeText(text: string): string {
	return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * `1 − levenshtein(a, b) / max(|a|, |b|)`: 1 for equal texts (two empty texts included), 0 when nothing
 * can be kept. Compares the texts as given; normalize first when case and spacing should not count.
 */
export function textSimilarity(a: string, b: string): number {
	const longest = Math.max(a.length, b.length);
	if (longest === 0) return 1;
	return 1 - editDistance(a, b) / longest;
}

/**
 * A file's lines as a person compares them: CRLF read as LF, trailing spaces dropped, and trailing blank
 * lines (a missing final newline included) ignored, since none of those is an edit anyone would make by
 * hand. An empty file has no lines.
 */
export function comparableLines(content: string): string[] {
	const lines = content
		.replace(/\r\n?/g, '\n')
		.split('\n')
		.map((line) => line.replace(/\s+$/, ''));
	while (lines.length > 0 && lines.at(-1) === '') lines.pop();
	return lines;
}

/**
 * Levenshtein distance between two texts counted in whole lines (insert, delete or replace a line), after
 * `comparableLines`. Each distinct line is mapped to one UTF-16 code unit — the line-to-character trick of
 * diff-match-patch — so the character-level `editDistance` does the work. 65 536 distinct lines are
 * enough for any file that fits a model's context.
 */
export function lineEditDistance(a: string, b: string): number {
	const codes = new Map<string, string>();
	const encode = (lines: string[]) =>
		lines
			.map((line) => {
				let code = codes.get(line);
				if (code === undefined) {
					code = String.fromCharCode(codes.size % 0x10000);
					codes.set(line, code);
				}
				return code;
			})
			.join('');
	return editDistance(encode(comparableLines(a)), encode(comparableLines(b)));
}

/** A ratio as details print it: two decimals. */
export function formatRatio(value: number): string {
	return value.toFixed(2);
}
