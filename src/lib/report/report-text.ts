import { LineCounter, parseDocument } from 'yaml';
import { BOM, RegistryError, type RegistryIssue, bomIssue } from '../registry/registry-error.ts';
import { lineLocator } from '../registry/yaml-file.ts';
import { parseWithFriendlyIssues } from '../registry/zod-issues.ts';
import { type Report, ReportSchema } from '../schema/report.ts';

/** Thrown when a file under reports/ is damaged; carries every problem found, each with its fix. */
export class DamagedReportsError extends RegistryError {
	constructor(issues: readonly RegistryIssue[]) {
		super(issues, 'The reports in reports/ have');
		this.name = 'DamagedReportsError';
	}
}

/** The fix for any damaged evidence file: reports are written by a run and never edited by hand. */
export function restoreHint(file: string): string {
	return `reports are evidence, written by a run and never edited by hand: restore it with \`git checkout -- ${file}\``;
}

/**
 * A report read from its text: the frontmatter validated against the report schema, every problem
 * located on its line of the file (not of the frontmatter) and explained in the project's words. Pure.
 */
export function parseReportText(file: string, text: string): { ok: true; report: Report } | { ok: false; issues: RegistryIssue[] } {
	const fail = (issue: Omit<RegistryIssue, 'file' | 'hint'>) => ({
		ok: false as const,
		issues: [{ file, hint: restoreHint(file), ...issue }],
	});
	if (text.startsWith(BOM)) return { ok: false, issues: [bomIssue(file, restoreHint(file))] };
	const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(text) ?? /^---\r?\n([\s\S]*?)\r?\n---$/.exec(text);
	if (!match) {
		return fail({
			field: '(frontmatter)',
			line: 1,
			found: text.startsWith('---') ? 'a frontmatter block that is never closed by a `---` line' : 'no frontmatter',
			expected: 'a report that starts with its frontmatter between two `---` lines',
		});
	}
	const yaml = match[1]!;
	// The frontmatter starts on the file's second line.
	const fileLine = (yamlLine: number) => yamlLine + 1;
	const lineCounter = new LineCounter();
	const doc = parseDocument(yaml, { lineCounter, uniqueKeys: true, prettyErrors: true });
	if (doc.errors.length > 0) {
		const error = doc.errors[0]!;
		const reported = error.linePos?.[0]?.line ?? 1;
		const { found, line } = explainYamlError(error.code, error.message, yaml, reported);
		return fail({ field: '(frontmatter)', line: fileLine(line), found, expected: 'the frontmatter as the run wrote it: well-formed YAML' });
	}
	const yamlLineOf = lineLocator(doc, lineCounter);
	const parsed = parseWithFriendlyIssues(ReportSchema, {
		file,
		data: doc.toJS(),
		lineOf: (at) => {
			const line = yamlLineOf(at);
			return line === undefined ? undefined : fileLine(line);
		},
	});
	if (!parsed.ok) return { ok: false, issues: parsed.issues.map((issue) => ({ ...issue, hint: restoreHint(file) })) };
	return { ok: true, report: parsed.value };
}

/**
 * The yaml package's error in the project's words, on the line a person would look at: an unclosed flow
 * list is reported where it opened, not on the line where the parser gave up.
 */
function explainYamlError(code: string, message: string, yaml: string, reported: number): { found: string; line: number } {
	const lines = yaml.split(/\r?\n/);
	if (code === 'TAB_AS_INDENT') return { found: 'a tab used to indent a line (YAML indents with spaces only)', line: reported };
	const flow = /^Flow (sequence|mapping)/.exec(message);
	if (flow || code === 'MISSING_CHAR') {
		for (let index = Math.min(reported, lines.length) - 1; index >= 0; index--) {
			const opened = unclosed(lines[index]!);
			if (opened) {
				const kind = opened === '[' ? 'a `[` list that is never closed by `]`' : 'a `{` mapping that is never closed by `}`';
				return { found: kind, line: index + 1 };
			}
		}
	}
	return { found: `YAML that does not parse (${message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')})`, line: reported };
}

/** The bracket a line leaves open (outside quotes), if any. */
function unclosed(line: string): '[' | '{' | undefined {
	const stack: string[] = [];
	let quote: string | undefined;
	for (const char of line) {
		if (quote) {
			if (char === quote) quote = undefined;
		} else if (char === '"' || char === "'") quote = char;
		else if (char === '#') break;
		else if (char === '[' || char === '{') stack.push(char);
		else if ((char === ']' || char === '}') && stack.length > 0) stack.pop();
	}
	return stack[0] as '[' | '{' | undefined;
}
