import type { z } from 'astro/zod';
import type { ParseResult } from './task-definition.ts';

/**
 * The answer without reasoning a model printed inline (`<think>…</think>`, as some reasoning models do
 * when Ollama does not separate their thinking), CRLF read as LF, trimmed.
 */
export function stripThinking(text: string): string {
	return text
		.replace(/\r\n?/g, '\n')
		.replace(/^\s*<think>[\s\S]*?<\/think>/i, '')
		.trim();
}

/**
 * The inside of a code fence that wraps the whole text (```` ```json … ``` ```` or `~~~`), else the text
 * unchanged. The closing fence is the last line, so a fence inside the content (a Markdown file in a
 * JSON string) does not end it early.
 */
export function unwrapFence(text: string): string {
	const trimmed = text.trim();
	const match = trimmed.match(/^(`{3,}|~{3,})[^\n]*\n([\s\S]*?)\n?\1\s*$/);
	return match ? (match[2] as string) : trimmed;
}

/**
 * The first fenced block inside prose ("Here it is:\n```\n…\n```\nHope this helps"), or undefined when
 * the text has none.
 */
export function firstFencedBlock(text: string): string | undefined {
	const match = text.match(/(?:^|\n)(`{3,}|~{3,})[^\n]*\n([\s\S]*?)\n\1[ \t]*(?:\n|$)/);
	return match ? (match[2] as string) : undefined;
}

/**
 * Finds the JSON value in a model's answer. Lenient in the ways models slip even with a `format` schema:
 * inline thinking, a ```json fence around the answer, or a sentence before or after the object. Tried in
 * order: the whole answer, the answer without its fence, the first fenced block, and the span from the
 * first `{` to the last `}`.
 */
export function extractJson(text: string): ParseResult<unknown> {
	const answer = stripThinking(text);
	if (answer === '') return { ok: false, reason: 'the answer is empty' };
	const candidates = [answer, unwrapFence(answer)];
	// JSON text has no raw newlines inside strings, so a fence line inside a block always closes it.
	const block = firstFencedBlock(answer);
	if (block !== undefined) candidates.push(block);
	const first = answer.indexOf('{');
	const last = answer.lastIndexOf('}');
	if (first !== -1 && last > first) candidates.push(answer.slice(first, last + 1));
	let firstError: string | undefined;
	for (const candidate of candidates) {
		try {
			return { ok: true, value: JSON.parse(candidate) };
		} catch (error) {
			firstError ??= error instanceof Error ? error.message : String(error);
		}
	}
	if (first === -1) return { ok: false, reason: `no JSON object in the answer (starts with ${quoteStart(answer)})` };
	return { ok: false, reason: `the answer is not valid JSON: ${firstError}` };
}

/**
 * Extracts the JSON and checks it against the answer's schema, with a reason that names the field:
 * `findings[0].line: expected an integer, found "12a"`.
 */
export function parseJsonAnswer<S extends z.ZodType>(text: string, schema: S): ParseResult<z.infer<S>> {
	const json = extractJson(text);
	if (!json.ok) return json;
	const result = schema.safeParse(json.value);
	if (result.success) return { ok: true, value: result.data as z.infer<S> };
	const issues = result.error.issues.slice(0, 3).map((issue) => {
		const where = formatIssuePath(issue.path);
		return where === '' ? issue.message : `${where}: ${issue.message}`;
	});
	const more = result.error.issues.length > 3 ? ` (and ${result.error.issues.length - 3} more)` : '';
	return { ok: false, reason: `the answer does not have the expected shape: ${issues.join('; ')}${more}` };
}

function formatIssuePath(path: readonly PropertyKey[]): string {
	return path.map((key, index) => (typeof key === 'number' ? `[${key}]` : index === 0 ? String(key) : `.${String(key)}`)).join('');
}

function quoteStart(text: string): string {
	const start = text.slice(0, 40).replace(/\n/g, ' ');
	return `'${start}${text.length > 40 ? '…' : ''}'`;
}
