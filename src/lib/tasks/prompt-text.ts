/**
 * `text` inside a Markdown code fence that it cannot close: the fence is one backtick longer than the
 * longest backtick run in the text (at least three), so a diff of a Markdown file stays one block and the
 * text is embedded verbatim.
 */
export function fenced(text: string, info = ''): string {
	const longestRun = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
	const fence = '`'.repeat(Math.max(3, longestRun + 1));
	return `${fence}${info}\n${text}${text.endsWith('\n') ? '' : '\n'}${fence}`;
}
