/**
 * Git's unified diff, parsed: files, hunks and numbered lines. Shared by the miner (which reads history)
 * and the tasks (which build sentinels from a case's diff). Pure.
 */

/** One line of a hunk, with its number on each side it exists on. */
export type DiffLine =
	| { kind: 'context'; text: string; oldLine: number; newLine: number }
	| { kind: 'added'; text: string; newLine: number }
	| { kind: 'deleted'; text: string; oldLine: number };

/** One `@@ … @@` hunk. */
export type Hunk = {
	oldStart: number;
	oldCount: number;
	newStart: number;
	newCount: number;
	lines: DiffLine[];
};

/** How a file changed between the parent and the commit. */
export type FileStatus = 'added' | 'deleted' | 'modified' | 'renamed' | 'copied';

/** One file's part of a unified diff. */
export type FileDiff = {
	/** Path at the parent; null when the file was added. */
	oldPath: string | null;
	/** Path at the commit; null when the file was deleted. */
	newPath: string | null;
	status: FileStatus;
	/** Git printed `Binary files … differ` (or a binary patch) for it. */
	binary: boolean;
	hunks: Hunk[];
	/** Git printed `\ No newline at end of file` after that side's last line. */
	noNewlineAtEnd: { old: boolean; new: boolean };
	/** The file's part of the diff exactly as git printed it, so inputs show real `git diff` text. */
	text: string;
};

const C_ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };

/**
 * Undoes git's C-style path quoting (`"dir/caf\303\251 \"x\".txt"`). Git quotes a path that holds a quote,
 * a backslash, a control character or (unless core.quotepath is off) a non-ASCII byte; octal escapes are
 * raw bytes, so they are collected and decoded as UTF-8 together.
 */
export function unquoteGitPath(text: string): string {
	if (!text.startsWith('"') || !text.endsWith('"') || text.length < 2) return text;
	const bytes: number[] = [];
	const body = text.slice(1, -1);
	for (let at = 0; at < body.length; at++) {
		const char = body[at] as string;
		if (char !== '\\') {
			bytes.push(...Buffer.from(char, 'utf8'));
			continue;
		}
		const next = body[at + 1] ?? '';
		if (/[0-7]/.test(next)) {
			bytes.push(Number.parseInt(body.slice(at + 1, at + 4), 8));
			at += 3;
		} else {
			bytes.push(C_ESCAPES[next] ?? next.charCodeAt(0));
			at += 1;
		}
	}
	return Buffer.from(bytes).toString('utf8');
}

/** Path of a `--- a/x` / `+++ b/x` line: null for /dev/null, prefix removed, quoting undone. */
function pathFromMarker(rest: string, prefix: 'a/' | 'b/'): string | null {
	// Git appends a tab after a path that contains a space, so the end of the name stays unambiguous.
	const value = rest.endsWith('\t') ? rest.slice(0, -1) : rest;
	if (value === '/dev/null') return null;
	const path = unquoteGitPath(value);
	return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

/**
 * Paths from the `diff --git a/x b/y` header, used only when no `---`/`+++`/rename lines name the file
 * (binary files, empty new files, mode changes). Unquoted names with spaces are ambiguous there, so an
 * unquoted header is only trusted when both halves name the same path.
 */
function pathsFromHeader(rest: string): { oldPath: string; newPath: string } | null {
	const quoted = rest.match(/^("(?:[^"\\]|\\.)*"|\S+) ("(?:[^"\\]|\\.)*"|\S+)$/);
	if (quoted && (rest.startsWith('"') || rest.endsWith('"'))) {
		const oldPath = unquoteGitPath(quoted[1] as string).replace(/^a\//, '');
		const newPath = unquoteGitPath(quoted[2] as string).replace(/^b\//, '');
		return { oldPath, newPath };
	}
	const half = (rest.length - 5) / 2;
	if (Number.isInteger(half) && rest.startsWith('a/') && rest.slice(2 + half, 5 + half) === ' b/') {
		const oldPath = rest.slice(2, 2 + half);
		if (oldPath === rest.slice(5 + half)) return { oldPath, newPath: oldPath };
	}
	return null;
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/**
 * Parses unified diff text as `git diff` prints it (with `a/` and `b/` prefixes) into one entry per file,
 * each keeping its own text. Hunks are read by their line counts, so content that looks like a header
 * (`diff --git` inside a file) cannot split a file.
 */
export function parseDiff(raw: string): FileDiff[] {
	const lines = raw.split('\n');
	if (lines.at(-1) === '') lines.pop();
	const files: FileDiff[] = [];
	let at = 0;
	while (at < lines.length) {
		const header = lines[at] as string;
		if (!header.startsWith('diff --git ')) {
			at += 1;
			continue;
		}
		const start = at;
		at += 1;
		let status: FileStatus = 'modified';
		let oldPath: string | null | undefined;
		let newPath: string | null | undefined;
		let binary = false;
		const hunks: Hunk[] = [];
		const noNewlineAtEnd = { old: false, new: false };
		// Extended header lines, up to the first hunk or the next file.
		while (at < lines.length) {
			const line = lines[at] as string;
			if (line.startsWith('diff --git ') || line.startsWith('@@ ')) break;
			if (line.startsWith('new file mode')) status = 'added';
			else if (line.startsWith('deleted file mode')) status = 'deleted';
			else if (line.startsWith('rename from ')) {
				status = 'renamed';
				oldPath = unquoteGitPath(line.slice('rename from '.length));
			} else if (line.startsWith('rename to ')) newPath = unquoteGitPath(line.slice('rename to '.length));
			else if (line.startsWith('copy from ')) {
				status = 'copied';
				oldPath = unquoteGitPath(line.slice('copy from '.length));
			} else if (line.startsWith('copy to ')) newPath = unquoteGitPath(line.slice('copy to '.length));
			else if (line.startsWith('--- ')) oldPath = pathFromMarker(line.slice(4), 'a/');
			else if (line.startsWith('+++ ')) newPath = pathFromMarker(line.slice(4), 'b/');
			else if (line.startsWith('Binary files ') || line === 'GIT binary patch') binary = true;
			at += 1;
		}
		while (at < lines.length && (lines[at] as string).startsWith('@@ ')) {
			const match = (lines[at] as string).match(HUNK_HEADER);
			if (!match) throw new Error(`Unreadable hunk header in the diff: '${lines[at]}'.`);
			const hunk: Hunk = {
				oldStart: Number(match[1]),
				oldCount: match[2] === undefined ? 1 : Number(match[2]),
				newStart: Number(match[3]),
				newCount: match[4] === undefined ? 1 : Number(match[4]),
				lines: [],
			};
			at += 1;
			let oldLine = hunk.oldStart;
			let newLine = hunk.newStart;
			let oldLeft = hunk.oldCount;
			let newLeft = hunk.newCount;
			while (at < lines.length && (oldLeft > 0 || newLeft > 0 || (lines[at] as string).startsWith('\\'))) {
				const line = lines[at] as string;
				const text = line.slice(1);
				let entry: DiffLine | undefined;
				if (line.startsWith('+')) {
					entry = { kind: 'added', text, newLine: newLine++ };
					newLeft -= 1;
				} else if (line.startsWith('-')) {
					entry = { kind: 'deleted', text, oldLine: oldLine++ };
					oldLeft -= 1;
				} else if (line.startsWith(' ') || line === '') {
					// An empty line is a context line whose leading space an editor or mail client dropped.
					entry = { kind: 'context', text, oldLine: oldLine++, newLine: newLine++ };
					oldLeft -= 1;
					newLeft -= 1;
				}
				if (entry) hunk.lines.push(entry);
				else if (line.startsWith('\\')) {
					// `\ No newline at end of file` belongs to the line before it and counts for neither side.
					const previous = hunk.lines.at(-1);
					if (previous?.kind !== 'added') noNewlineAtEnd.old = true;
					if (previous?.kind !== 'deleted') noNewlineAtEnd.new = true;
				}
				at += 1;
			}
			hunks.push(hunk);
		}
		if (oldPath === undefined || newPath === undefined) {
			const fromHeader = pathsFromHeader(header.slice('diff --git '.length));
			if (!fromHeader) throw new Error(`Cannot tell which file this diff is about: '${header}'.`);
			if (oldPath === undefined) oldPath = fromHeader.oldPath;
			if (newPath === undefined) newPath = fromHeader.newPath;
		}
		if (status === 'added') oldPath = null;
		if (status === 'deleted') newPath = null;
		files.push({
			oldPath,
			newPath,
			status,
			binary,
			hunks,
			noNewlineAtEnd,
			text: `${lines.slice(start, at).join('\n')}\n`,
		});
	}
	return files;
}

/** The path a file has after the change (its old path when it was deleted). */
export function pathOf(file: FileDiff): string {
	return (file.newPath ?? file.oldPath) as string;
}

/** Lines added plus lines deleted. */
export function changedLineCount(file: FileDiff): number {
	let count = 0;
	for (const hunk of file.hunks) for (const line of hunk.lines) if (line.kind !== 'context') count += 1;
	return count;
}

/** The diff text of the given files, in order: what a model is shown as `git diff`. */
export function renderDiff(files: FileDiff[]): string {
	return files.map((file) => file.text).join('');
}

/**
 * Both sides of a file rebuilt from a diff printed with unlimited context (every line of the file is in its
 * one hunk): one `git diff` per commit instead of two `cat-file` calls per file. Undefined when the diff
 * cannot tell (binary, or a modified file without hunks: a mode change).
 */
export function sidesOf(file: FileDiff): { before: string; after: string } | undefined {
	if (file.binary) return undefined;
	if (file.hunks.length === 0 && file.status !== 'added' && file.status !== 'deleted') return undefined;
	const before: string[] = [];
	const after: string[] = [];
	for (const hunk of file.hunks) {
		for (const line of hunk.lines) {
			if (line.kind !== 'added') before.push(line.text);
			if (line.kind !== 'deleted') after.push(line.text);
		}
	}
	const join = (lines: string[], noNewline: boolean) => (lines.length === 0 ? '' : lines.join('\n') + (noNewline ? '' : '\n'));
	return { before: join(before, file.noNewlineAtEnd.old), after: join(after, file.noNewlineAtEnd.new) };
}
