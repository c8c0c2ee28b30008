import { isBotAuthor, isGeneratedFile, isRevertOfRevert } from './classify.ts';
import { changedLineCount } from '../diff/parse-diff.ts';
import { isReleaseCommit } from './path-kinds.ts';
import type { FileDiff, RawCommit, SkipReason } from './types.ts';

/**
 * Fewest changed lines (added + deleted, generated files excluded) a commit needs to become a case.
 * A one-line swap (2 lines) is kept: it is the classic bug fix; a lone added or deleted line is not.
 */
export const DEFAULT_MIN_CHANGED_LINES = 2;

/**
 * Why a commit is left out before its diff is even read: root commits (no parent to diff against, and the
 * schema needs one), merges (their change is the merged branch's), bot authors, reverts of reverts.
 */
export function metadataSkipReason(commit: RawCommit, isRevertCommit: (sha: string) => boolean = () => false): SkipReason | undefined {
	if (commit.parents.length === 0) return 'root-commit';
	if (commit.parents.length > 1) return 'merge';
	if (isBotAuthor(commit)) return 'bot-author';
	if (isRevertOfRevert(commit.message, isRevertCommit)) return 'revert-of-revert';
	return undefined;
}

/** The files a model is shown and graded on: everything but lock files and generated output. */
export function authoredFiles(files: FileDiff[]): FileDiff[] {
	return files.filter((file) => !isGeneratedFile(file));
}

/** Lines with every whitespace character removed; blank lines dropped. Sorted so order does not matter. */
function squeezedLines(files: FileDiff[], kind: 'added' | 'deleted'): string[] {
	const result: string[] = [];
	for (const file of files) {
		for (const hunk of file.hunks) {
			for (const line of hunk.lines) {
				if (line.kind !== kind) continue;
				const squeezed = line.text.replace(/\s+/g, '');
				if (squeezed !== '') result.push(squeezed);
			}
		}
	}
	return result.sort();
}

/**
 * True when every change only moves whitespace: the same non-blank lines, ignoring whitespace, are deleted
 * and added (a reindent, trailing spaces, blank lines).
 */
export function isWhitespaceOnly(files: FileDiff[]): boolean {
	const added = squeezedLines(files, 'added');
	const deleted = squeezedLines(files, 'deleted');
	return added.length === deleted.length && added.every((line, at) => line === deleted[at]);
}

/**
 * Why a commit is left out once its diff is known: nothing changed, a binary file changed (no text to show),
 * only lock/generated files changed, it is a release or version bump (its subject only names a version, or it
 * only touched changelogs and version fields; needs `subject`), only whitespace changed, or too few lines
 * changed to say anything.
 */
export function diffSkipReason(
	files: FileDiff[],
	minChangedLines: number = DEFAULT_MIN_CHANGED_LINES,
	subject?: string,
): SkipReason | undefined {
	if (files.length === 0) return 'empty';
	if (files.some((file) => file.binary)) return 'binary';
	const authored = authoredFiles(files);
	if (authored.length === 0) return 'generated-only';
	if (subject !== undefined && isReleaseCommit(subject, authored)) return 'release';
	const changed = authored.reduce((sum, file) => sum + changedLineCount(file), 0);
	if (changed > 0 && isWhitespaceOnly(authored)) return 'whitespace-only';
	if (changed < minChangedLines) return 'tiny';
	return undefined;
}
