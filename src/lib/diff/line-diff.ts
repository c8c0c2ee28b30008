/** One line of a diff: kept, added (only in the answer) or removed (only in the reference). */
export interface DiffLine {
	kind: 'same' | 'add' | 'del';
	text: string;
}

/** A diff line, or a run of unchanged lines folded away. */
export type DiffRow = DiffLine | { kind: 'skip'; count: number };

/** Limits that keep a hostile or huge answer from costing the build seconds per page. */
export interface DiffLimits {
	/** Most lines on both sides together. @default 6000 */
	maxLines?: number;
	/** Most edits (added + removed lines) the search explores before giving up. @default 2000 */
	maxEdits?: number;
}

function splitLines(text: string): string[] {
	if (text === '') return [];
	const lines = text.replace(/\r\n?/g, '\n').split('\n');
	if (lines.at(-1) === '') lines.pop();
	return lines;
}

/**
 * The line diff from `reference` to `produced` (Myers' O(ND) algorithm, common prefix and suffix
 * trimmed first), or undefined when the texts exceed the limits. Deterministic: among shortest edit
 * scripts it prefers removals before additions, as `git diff` shows them. Pure.
 */
export function lineDiff(reference: string, produced: string, limits: DiffLimits = {}): DiffLine[] | undefined {
	const a = splitLines(reference);
	const b = splitLines(produced);
	if (a.length + b.length > (limits.maxLines ?? 6000)) return undefined;

	let start = 0;
	while (start < a.length && start < b.length && a[start] === b[start]) start++;
	let endA = a.length;
	let endB = b.length;
	while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
		endA--;
		endB--;
	}
	const middle = myers(a.slice(start, endA), b.slice(start, endB), limits.maxEdits ?? 2000);
	if (!middle) return undefined;
	return [
		...a.slice(0, start).map((text): DiffLine => ({ kind: 'same', text })),
		...middle,
		...a.slice(endA).map((text): DiffLine => ({ kind: 'same', text })),
	];
}

function myers(a: string[], b: string[], maxEdits: number): DiffLine[] | undefined {
	const n = a.length;
	const m = b.length;
	if (n === 0) return b.map((text) => ({ kind: 'add', text }));
	if (m === 0) return a.map((text) => ({ kind: 'del', text }));
	const max = Math.min(n + m, maxEdits);
	const offset = max + 1;
	let v = new Int32Array(2 * max + 3);
	const trace: Int32Array[] = [];
	for (let d = 0; d <= max; d++) {
		trace.push(v.slice());
		const next = v.slice();
		for (let k = -d; k <= d; k += 2) {
			// Going down (an insertion) from diagonal k+1, or right (a deletion) from k-1.
			let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
			let y = x - k;
			while (x < n && y < m && a[x] === b[y]) {
				x++;
				y++;
			}
			next[offset + k] = x;
			if (x >= n && y >= m) return backtrack(a, b, trace, offset, d);
		}
		v = next;
	}
	return undefined;
}

function backtrack(a: string[], b: string[], trace: Int32Array[], offset: number, depth: number): DiffLine[] {
	const lines: DiffLine[] = [];
	let x = a.length;
	let y = b.length;
	// trace[d] holds the furthest x per diagonal at the start of step d, i.e. after d - 1 edits.
	for (let d = depth; d > 0; d--) {
		const v = trace[d]!;
		const k = x - y;
		const down = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!);
		const prevK = down ? k + 1 : k - 1;
		const prevX = v[offset + prevK]!;
		const prevY = prevX - prevK;
		while (x > prevX && y > prevY) {
			lines.push({ kind: 'same', text: a[--x]! });
			y--;
		}
		if (down) lines.push({ kind: 'add', text: b[--y]! });
		else lines.push({ kind: 'del', text: a[--x]! });
	}
	while (x > 0 && y > 0) {
		lines.push({ kind: 'same', text: a[--x]! });
		y--;
	}
	return lines.reverse();
}

/** Folds unchanged runs longer than `2 × context` lines, keeping `context` lines around each change. Pure. */
export function foldUnchanged(lines: readonly DiffLine[], context = 3): DiffRow[] {
	const rows: DiffRow[] = [];
	let index = 0;
	while (index < lines.length) {
		if (lines[index]!.kind !== 'same') {
			rows.push(lines[index]!);
			index++;
			continue;
		}
		let end = index;
		while (end < lines.length && lines[end]!.kind === 'same') end++;
		const run = lines.slice(index, end);
		const keepBefore = index === 0 ? 0 : context;
		const keepAfter = end === lines.length ? 0 : context;
		if (run.length > keepBefore + keepAfter + 1) {
			rows.push(
				...run.slice(0, keepBefore),
				{ kind: 'skip', count: run.length - keepBefore - keepAfter },
				...run.slice(run.length - keepAfter),
			);
		} else rows.push(...run);
		index = end;
	}
	return rows;
}

/** True when the diff changes nothing. Pure. */
export function isUnchanged(lines: readonly DiffLine[]): boolean {
	return lines.every((line) => line.kind === 'same');
}
