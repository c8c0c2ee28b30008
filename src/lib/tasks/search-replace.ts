/**
 * Edits as search/replace blocks, in the form of Aider's `diff` edit format
 * (https://aider.chat/docs/more/edit-formats.html): the file's path alone on a line, an optional code
 * fence, then
 *
 *     <<<<<<< SEARCH
 *     lines of the file as it is
 *     =======
 *     the lines that replace them
 *     >>>>>>> REPLACE
 *
 * An empty SEARCH part creates a file (or appends to one, as Aider does). Parsing follows Aider's parser
 * (markers of 5 to 9 characters, the path found in the three lines before the block, a block without a
 * path belonging to the previous block's file); applying is stricter than Aider's, which replaces the
 * first of several matches: a SEARCH text must match exactly one place, first exactly, then with leading
 * and trailing whitespace ignored (the whole block re-indented by the file's own indentation). Anything
 * else — no block, a block not closed, a text not found or found twice, a path outside the worktree or an
 * existing file the model was not shown — makes the answer malformed, with the failing block named. Pure.
 */
import { lineDiff } from '../diff/line-diff.ts';
import { normalizePath } from './paths.ts';

/** One search/replace block: the lines to find in `path` and the lines that replace them (each line ending in `\n`). */
export interface EditBlock {
	path: string;
	search: string;
	replace: string;
}

/** A file by path and content: what the model was shown, and what applying edits gives. */
export interface EditedFile {
	path: string;
	content: string;
}

/** Parsed blocks, or why the answer holds none that can be read. */
export type BlocksParse = { ok: true; blocks: EditBlock[] } | { ok: false; reason: string };

/** The files the blocks changed (their whole new content), or why a block could not be applied. */
export type EditsApplied = { ok: true; files: EditedFile[] } | { ok: false; reason: string };

const HEAD = /^<{5,9} SEARCH>?\s*$/;
const DIVIDER = /^={5,9}\s*$/;
const UPDATED = /^>{5,9} REPLACE\s*$/;
const FENCE = /^(`{3,}|~{3,})/;

/** True for a line the parser reads as a block marker: such a line cannot be part of an edit's text. */
export function isMarkerLine(line: string): boolean {
	const trimmed = line.trim();
	return HEAD.test(trimmed) || DIVIDER.test(trimmed) || UPDATED.test(trimmed);
}

/**
 * A path line as models write it (`### src/a.ts`, `` `src/a.ts`: ``, `**src/a.ts**`), or undefined for a
 * fence, a block marker, or prose (a line with spaces, such as "Here is the change:").
 */
function pathOfLine(line: string): string | undefined {
	let name = line.trim();
	if (name === '' || name === '...' || FENCE.test(name) || isMarkerLine(name)) return undefined;
	name = name
		.replace(/:+$/, '')
		.replace(/^#+/, '')
		.trim()
		.replace(/^`+|`+$/g, '')
		.replace(/^\*+|\*+$/g, '')
		.trim();
	return name === '' || /\s/.test(name) ? undefined : name;
}

/** The path named in the (up to three) lines before a block: the nearest, looking back past fences only. */
function pathBefore(lines: readonly string[], head: number): string | undefined {
	for (let index = head - 1; index >= Math.max(0, head - 3); index--) {
		const line = lines[index] as string;
		const name = pathOfLine(line);
		if (name !== undefined) return name;
		if (!FENCE.test(line.trim())) return undefined;
	}
	return undefined;
}

/** The first lines of a block's text, for a message naming it. */
export function blockLabel(block: Pick<EditBlock, 'path' | 'search'>, index: number): string {
	const lines = splitLines(block.search).filter((line) => line.trim() !== '');
	const shown = lines
		.slice(0, 2)
		.map((line) => JSON.stringify(line.trim().length > 80 ? `${line.trim().slice(0, 77)}…` : line.trim()))
		.join(' / ');
	const more = lines.length > 2 ? ` (+${lines.length - 2} more line${lines.length - 2 === 1 ? '' : 's'})` : '';
	return `block ${index + 1} (${block.path}${lines.length === 0 ? ', empty SEARCH' : `, SEARCH ${shown}${more}`})`;
}

/**
 * Reads every search/replace block of an answer. Text outside the blocks (explanations, fences) is
 * ignored. Fails when there is no block, a block has no path and no earlier block gives one, or a block
 * is not closed.
 */
export function parseEditBlocks(text: string): BlocksParse {
	const lines = text.replace(/\r\n?/g, '\n').split('\n');
	const blocks: EditBlock[] = [];
	let current: string | undefined;
	for (let index = 0; index < lines.length; index++) {
		if (!HEAD.test((lines[index] as string).trim())) continue;
		const number = blocks.length + 1;
		const path = pathBefore(lines, index) ?? current;
		if (path === undefined)
			return { ok: false, reason: `block ${number} has no file path: write the path alone on the line before the block's fence` };
		current = path;
		const search: string[] = [];
		for (index++; index < lines.length && !DIVIDER.test((lines[index] as string).trim()); index++) search.push(lines[index] as string);
		if (index >= lines.length) return { ok: false, reason: `block ${number} (${path}) has no ======= line after <<<<<<< SEARCH` };
		const replace: string[] = [];
		for (index++; index < lines.length && !UPDATED.test((lines[index] as string).trim()); index++) replace.push(lines[index] as string);
		if (index >= lines.length) return { ok: false, reason: `block ${number} (${path}) is not closed by >>>>>>> REPLACE` };
		blocks.push({ path, search: joinLines(search), replace: joinLines(replace) });
	}
	if (blocks.length === 0) return { ok: false, reason: 'the answer holds no SEARCH/REPLACE block' };
	return { ok: true, blocks };
}

/** Lines of a text without their line ends; CRLF read as LF; a final line end adds no empty line. */
function splitLines(text: string): string[] {
	if (text === '') return [];
	const lines = text.replace(/\r\n?/g, '\n').split('\n');
	if (lines.at(-1) === '') lines.pop();
	return lines;
}

/** Lines joined back, each ending in `\n`. */
function joinLines(lines: readonly string[]): string {
	return lines.map((line) => `${line}\n`).join('');
}

/** Every index where `part` occurs in `whole` as consecutive lines, compared with `same`. */
function occurrences(whole: readonly string[], part: readonly string[], same: (a: string, b: string) => boolean): number[] {
	const found: number[] = [];
	for (let start = 0; start + part.length <= whole.length; start++) {
		let matches = true;
		for (let offset = 0; offset < part.length && matches; offset++) matches = same(whole[start + offset] as string, part[offset] as string);
		if (matches) found.push(start);
	}
	return found;
}

const exact = (a: string, b: string) => a === b;
const loose = (a: string, b: string) => a.trim() === b.trim();
const indentOf = (line: string) => (/^[ \t]*/.exec(line) as RegExpExecArray)[0];

/**
 * The REPLACE lines re-indented to where a whitespace-tolerant match landed: when every non-blank line of
 * the file is the search line with one prefix added (the model dropped a uniform indentation), the prefix is
 * added to the replacement; when every one lacks one prefix of the search line, it is removed. Otherwise the
 * lines are kept as written.
 */
function reindent(found: readonly string[], search: readonly string[], replace: readonly string[]): string[] {
	const pairs = found.flatMap((line, index) => (line.trim() === '' ? [] : [[indentOf(line), indentOf(search[index] as string)] as const]));
	/** The one prefix `longer` has over `shorter` on every line, or undefined when the lines disagree. */
	const common = (prefixes: readonly (string | undefined)[]) => (new Set(prefixes).size === 1 ? prefixes[0] : undefined);
	const added = common(pairs.map(([file, wanted]) => (file.endsWith(wanted) ? file.slice(0, file.length - wanted.length) : undefined)));
	if (added !== undefined) return replace.map((line) => (line.trim() === '' ? line : added + line));
	const removed = common(pairs.map(([file, wanted]) => (wanted.endsWith(file) ? wanted.slice(0, wanted.length - file.length) : undefined)));
	if (removed !== undefined) return replace.map((line) => (line.startsWith(removed) ? line.slice(removed.length) : line));
	return [...replace];
}

/** One file's text as lines, with what it takes to write it back as it was: its line ends and final newline. */
interface FileLines {
	lines: string[];
	crlf: boolean;
	finalNewline: boolean;
}

function toFileLines(content: string): FileLines {
	const breaks = content.match(/\r?\n/g) ?? [];
	const crlf = breaks.filter((end) => end === '\r\n').length * 2 > breaks.length;
	return { lines: splitLines(content), crlf, finalNewline: content === '' || /\n$/.test(content) };
}

function fromFileLines(file: FileLines): string {
	if (file.lines.length === 0) return '';
	const text = file.lines.join('\n') + (file.finalNewline ? '\n' : '');
	return file.crlf ? text.replace(/\n/g, '\r\n') : text;
}

/** Why a path may not be edited, or undefined: it must stay inside the worktree. */
function pathProblem(path: string): string | undefined {
	if (path === '' || /^[a-zA-Z]:/.test(path) || path.startsWith('~')) return 'is not a path inside the repository';
	if (path.split('/').some((part) => part === '..')) return 'leaves the repository (`..`)';
	return undefined;
}

/**
 * Applies blocks in order to the files the model was shown. A path not shown may only be created (an empty
 * SEARCH); a shown file is edited where its SEARCH text occurs exactly once — exactly, else ignoring each
 * line's leading and trailing whitespace. Files keep their line ends (CRLF stays CRLF) and final newline.
 * Returns every file a block touched, in the order first touched.
 */
export function applyEditBlocks(blocks: readonly EditBlock[], shown: readonly EditedFile[]): EditsApplied {
	const files = new Map<string, FileLines>();
	const known = new Map(shown.map((file) => [normalizePath(file.path), file.content]));
	for (const [index, block] of blocks.entries()) {
		const path = normalizePath(block.path);
		const label = blockLabel({ path: path || block.path, search: block.search }, index);
		const problem = pathProblem(path);
		if (problem) return { ok: false, reason: `${label}: the path ${JSON.stringify(block.path)} ${problem}` };
		const search = splitLines(block.search);
		const replace = splitLines(block.replace);
		const blankSearch = search.every((line) => line.trim() === '');
		let file = files.get(path);
		if (!file) {
			const content = known.get(path);
			if (content === undefined && !blankSearch)
				return { ok: false, reason: `${label}: ${path} is not among the files shown; a new file takes an empty SEARCH part` };
			file = toFileLines(content ?? '');
			files.set(path, file);
		}
		// A SEARCH of blank lines only is matched like any text in a file that has lines (a change to a
		// whitespace-only line is an edit like another); it creates or appends only when it has no line or
		// the file has none.
		if (search.length === 0 || (blankSearch && file.lines.length === 0)) {
			// Aider's rule: an empty SEARCH creates the file, or adds to the end of one that has content.
			file.lines.push(...replace);
			continue;
		}
		let at = occurrences(file.lines, search, exact);
		let lines = replace;
		if (at.length === 0) {
			at = occurrences(file.lines, search, loose);
			if (at.length === 1) lines = reindent(file.lines.slice(at[0], (at[0] as number) + search.length), search, replace);
		}
		if (at.length === 0) return { ok: false, reason: `${label}: the SEARCH text is not in ${path}` };
		if (at.length > 1) return { ok: false, reason: `${label}: the SEARCH text is in ${path} ${at.length} times; it must match one place` };
		file.lines.splice(at[0] as number, search.length, ...lines);
	}
	return { ok: true, files: [...files].map(([path, file]) => ({ path, content: fromFileLines(file) })) };
}

/** Parses an answer's blocks and applies them: the answer as whole files, or why it is malformed. */
export function applyEditAnswer(text: string, shown: readonly EditedFile[]): EditsApplied {
	const parsed = parseEditBlocks(text);
	return parsed.ok ? applyEditBlocks(parsed.blocks, shown) : parsed;
}

/** A fence the block's text cannot close: one backtick longer than any run of backticks that starts a line. */
function fenceFor(text: string): string {
	const longest = Math.max(0, ...[...text.matchAll(/^\s*(`+)/gm)].map((match) => (match[1] as string).length));
	return '`'.repeat(Math.max(3, longest + 1));
}

/** Blocks as a model is asked to write them: the path, a fence, the markers. */
export function renderEditBlocks(blocks: readonly EditBlock[]): string {
	return blocks
		.map((block) => {
			const fence = fenceFor(block.search + block.replace);
			return `${block.path}\n${fence}\n<<<<<<< SEARCH\n${block.search}=======\n${block.replace}>>>>>>> REPLACE\n${fence}\n`;
		})
		.join('\n');
}

/** One change of a line diff: `deleted` lines from `start` (0-based, in the old text) replaced by `added`. */
interface Change {
	start: number;
	deleted: number;
	added: string[];
}

function changesOf(before: readonly string[], after: readonly string[]): Change[] | undefined {
	const diff = lineDiff(joinLines(before), joinLines(after), { maxLines: 200_000, maxEdits: 20_000 });
	if (!diff) return undefined;
	const changes: Change[] = [];
	let line = 0;
	let open: Change | undefined;
	for (const entry of diff) {
		if (entry.kind === 'same') {
			open = undefined;
			line++;
			continue;
		}
		if (!open) {
			open = { start: line, deleted: 0, added: [] };
			changes.push(open);
		}
		if (entry.kind === 'del') {
			open.deleted++;
			line++;
		} else open.added.push(entry.text);
	}
	return changes;
}

/**
 * The search/replace blocks that turn `before` into `after`: one per changed region, each with at least
 * `context` unchanged lines around it (an insertion at least one) and as many more as make its SEARCH text
 * occur once in the file as the earlier blocks left it. Regions closer than twice the context are one block.
 * A new file is one block with an empty SEARCH. Line ends are read as LF; a change of the final newline
 * alone is no edit.
 */
export function editsBetween(path: string, before: string, after: string, context = 0): EditBlock[] {
	const old = splitLines(before);
	const next = splitLines(after);
	const found = changesOf(old, next) ?? [{ start: 0, deleted: old.length, added: next }];
	const changes: Change[] = [];
	for (const change of found) {
		const last = changes.at(-1);
		const gap = last ? change.start - (last.start + last.deleted) : Number.POSITIVE_INFINITY;
		if (last && gap <= 2 * context) {
			last.added.push(...old.slice(last.start + last.deleted, change.start), ...change.added);
			last.deleted += gap + change.deleted;
		} else changes.push({ start: change.start, deleted: change.deleted, added: [...change.added] });
	}
	const current = [...old];
	const blocks: EditBlock[] = [];
	let shift = 0;
	for (const change of changes) {
		const start = change.start + shift;
		const end = start + change.deleted;
		// Grow the context until the SEARCH text occurs once (the whole file always does).
		const unique = (low: number, high: number) =>
			(low === 0 && high === current.length) || occurrences(current, current.slice(low, high), exact).length === 1;
		let around = Math.max(context, change.deleted === 0 ? 1 : 0);
		while (!unique(Math.max(0, start - around), Math.min(current.length, end + around))) around++;
		const low = Math.max(0, start - around);
		const high = Math.min(current.length, end + around);
		const search = current.slice(low, high);
		const replace = [...current.slice(low, start), ...change.added, ...current.slice(end, high)];
		blocks.push({ path, search: joinLines(search), replace: joinLines(replace) });
		current.splice(low, high - low, ...replace);
		shift += change.added.length - change.deleted;
	}
	return blocks;
}

/**
 * A block that changes nothing: the fewest first lines of a non-empty file that occur once, replaced by
 * themselves. Undefined for an empty file.
 */
export function unchangedBlock(path: string, content: string): EditBlock | undefined {
	const lines = splitLines(content);
	if (lines.length === 0) return undefined;
	let count = 1;
	while (count < lines.length && occurrences(lines, lines.slice(0, count), exact).length > 1) count++;
	const text = joinLines(lines.slice(0, count));
	return { path, search: text, replace: text };
}

/** True when the two texts hold the same lines (line ends and a final newline aside). */
export function sameLines(a: string, b: string): boolean {
	const left = splitLines(a);
	const right = splitLines(b);
	return left.length === right.length && left.every((line, index) => line === right[index]);
}
