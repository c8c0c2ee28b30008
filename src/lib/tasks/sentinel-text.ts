import { createHash } from 'node:crypto';
import { parseDiff, pathOf } from '../diff/parse-diff.ts';

/** One file of a diff as the junk answers see it: its path, the new-file lines it added, its last new line. */
export type DiffFileLines = { path: string; added: number[]; lastLine: number; firstAdded: string | undefined };

/** The files of a unified diff with their added lines (new-file numbering), for junk answers that point at them. */
export function diffFileLines(diff: string): DiffFileLines[] {
	return parseDiff(diff)
		.filter((file) => file.newPath !== null)
		.map((file) => {
			const added: number[] = [];
			let lastLine = 0;
			let firstAdded: string | undefined;
			for (const hunk of file.hunks) {
				lastLine = Math.max(lastLine, hunk.newStart + hunk.newCount - 1);
				for (const line of hunk.lines) {
					if (line.kind !== 'added') continue;
					added.push(line.newLine);
					if (firstAdded === undefined && line.text.trim() !== '') firstAdded = line.text.trim();
				}
			}
			return { path: pathOf(file), added, lastLine: Math.max(lastLine, 1), firstAdded };
		});
}

/** Lines a diff adds, over all its files. */
export function addedLineCount(diff: string): number {
	return diffFileLines(diff).reduce((sum, file) => sum + file.added.length, 0);
}

/**
 * A deterministic pick from a list, seeded by a string (a case id): the same case always gets the same
 * "random" junk, so validity figures do not move between builds.
 */
export function pickBySeed<T>(items: readonly T[], seed: string): T | undefined {
	if (items.length === 0) return undefined;
	const hash = createHash('sha256').update(seed).digest();
	return items[hash.readUInt32BE(0) % items.length];
}

/** The case after `id` in a list sorted by id (wrapping), or undefined when the list holds no other case. */
export function otherCase<C extends { id: string }>(cases: readonly C[], id: string): C | undefined {
	if (cases.length < 2) return undefined;
	const at = cases.findIndex((testCase) => testCase.id === id);
	return cases[(at + 1) % cases.length];
}

/** The median of a list of numbers (the lower middle for an even count), 0 for none. */
export function median(values: readonly number[]): number {
	if (values.length === 0) return 0;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor((sorted.length - 1) / 2)] as number;
}
