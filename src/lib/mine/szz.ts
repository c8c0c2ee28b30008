import type { z } from 'astro/zod';
import type { LineSpanSchema } from '../schema/case.ts';
import type { FileDiff } from './types.ts';

/** A span of lines, 1-based and inclusive, in one file, as the case schema stores it. */
export type LineSpan = z.infer<typeof LineSpanSchema>;

/** One line of `git blame --porcelain`: which commit wrote it, and where it was in that commit's file. */
export type BlameLine = {
	/** The commit that introduced the line. */
	sha: string;
	/** Its path in that commit (differs from the blamed path when -M/-C followed a move or copy). */
	path: string;
	/** Its line number in that commit's version of the file: the introducing commit's new-file line. */
	originalLine: number;
	/** Its line number in the blamed revision. */
	finalLine: number;
};

/**
 * Most lines a fix may delete or change and still count as a fix for SZZ. A commit that rewrites more is a
 * refactor with a "fix" in its message, and blaming it would mark half the history as buggy.
 */
export const MAX_FIX_LINES = 100;

/**
 * A test that is known not to pass yet (`test.failing`, `it.skip`, `test.todo`, `xit`, …): a placeholder
 * for a bug, not a bug itself, so the commit that wrote it introduced nothing when a fix turns it on.
 */
const TEST_PLACEHOLDER = /^(test|it|describe|suite|context)\.(failing|skip|todo|fixme)\b|^x(it|test|describe)\s*\(/;

/** Lines SZZ does not blame: blank and comment-only lines carry no behaviour, and test placeholders no bug. */
function isNoise(text: string): boolean {
	const trimmed = text.trim();
	return trimmed === '' || /^(\/\/|\/\*|\*\/?|<!--|-->)/.test(trimmed) || TEST_PLACEHOLDER.test(trimmed);
}

/**
 * The lines a fix deleted or changed in one file, as line numbers at the fix's parent: the lines SZZ blames.
 * A changed line shows as deleted then added, so deleted lines cover both.
 */
export function linesToBlame(file: FileDiff): number[] {
	const lines: number[] = [];
	for (const hunk of file.hunks) {
		for (const line of hunk.lines) if (line.kind === 'deleted' && !isNoise(line.text)) lines.push(line.oldLine);
	}
	return lines;
}

/** Sorted, de-duplicated line numbers folded into runs of consecutive lines: `[3,4,5,9]` → `[[3,5],[9,9]]`. */
export function toRanges(lines: Iterable<number>): Array<[number, number]> {
	const sorted = [...new Set(lines)].sort((a, b) => a - b);
	const ranges: Array<[number, number]> = [];
	for (const line of sorted) {
		const last = ranges.at(-1);
		if (last && line === last[1] + 1) last[1] = line;
		else ranges.push([line, line]);
	}
	return ranges;
}

/** Line numbers of one file as spans, sorted. */
export function toLineSpans(path: string, lines: Iterable<number>): LineSpan[] {
	return toRanges(lines).map(([start, end]) => ({ path, start, end }));
}

/** `-L` arguments for git blame covering the given lines. */
export function blameRangeArgs(lines: number[]): string[] {
	return toRanges(lines).flatMap(([start, end]) => ['-L', `${start},${end}`]);
}

/**
 * Parses `git blame --porcelain` output. Each blamed line starts with `<sha> <orig> <final>[ <count>]`;
 * commit details follow only the first time a commit appears, and `filename` is repeated only when that
 * commit is seen under more than one path, so the last filename per commit is remembered.
 */
export function parseBlamePorcelain(raw: string): BlameLine[] {
	const result: BlameLine[] = [];
	const pathBySha = new Map<string, string>();
	let current: { sha: string; originalLine: number; finalLine: number } | undefined;
	for (const line of raw.split('\n')) {
		const header = line.match(/^([0-9a-f]{40}) (\d+) (\d+)(?: \d+)?$/);
		if (header) {
			current = { sha: header[1] as string, originalLine: Number(header[2]), finalLine: Number(header[3]) };
			continue;
		}
		if (!current) continue;
		if (line.startsWith('filename ')) {
			pathBySha.set(current.sha, line.slice('filename '.length));
		} else if (line.startsWith('\t')) {
			const path = pathBySha.get(current.sha);
			if (path === undefined) throw new Error(`git blame named no file for commit ${current.sha}.`);
			result.push({ ...current, path });
			current = undefined;
		}
	}
	return result;
}

/** Blamed lines grouped by introducing commit, then by its path: line numbers in that commit's new file. */
export function groupByIntroducer(lines: BlameLine[]): Map<string, Map<string, Set<number>>> {
	const groups = new Map<string, Map<string, Set<number>>>();
	for (const line of lines) {
		let byPath = groups.get(line.sha);
		if (!byPath) groups.set(line.sha, (byPath = new Map()));
		let numbers = byPath.get(line.path);
		if (!numbers) byPath.set(line.path, (numbers = new Set()));
		numbers.add(line.originalLine);
	}
	return groups;
}

/** New-file line numbers of the lines a diff added, per path: where a finding on the change can point. */
export function addedLinesByPath(files: FileDiff[]): Map<string, Set<number>> {
	const result = new Map<string, Set<number>>();
	for (const file of files) {
		if (file.newPath === null) continue;
		const numbers = new Set<number>();
		for (const hunk of file.hunks) for (const line of hunk.lines) if (line.kind === 'added') numbers.add(line.newLine);
		result.set(file.newPath, numbers);
	}
	return result;
}
