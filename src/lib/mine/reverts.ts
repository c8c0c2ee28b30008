import { isRevert, isRevertOfRevert, revertedSha } from './classify.ts';
import type { RawCommit } from './types.ts';

/** What the reverts in a history say about other commits. */
export type RevertFacts = {
	/** True when the sha (full, or a prefix of one in the history) is a revert commit. */
	isRevertCommit: (sha: string) => boolean;
	/** Commits some plain revert undid: never clean, whatever blame says. */
	reverted: Set<string>;
	/** Reverts that were themselves reverted (the change came back): not evidence of a bug. */
	revertedReverts: Set<string>;
};

/** Full sha for a (possibly abbreviated) sha named in a revert message, when the history holds exactly one. */
export function resolveSha(prefix: string, shas: readonly string[]): string | undefined {
	if (prefix.length === 40) return shas.includes(prefix) ? prefix : undefined;
	const matches = shas.filter((sha) => sha.startsWith(prefix));
	return matches.length === 1 ? matches[0] : undefined;
}

/** Reads every `This reverts commit …` in the history. */
export function revertFacts(commits: readonly RawCommit[]): RevertFacts {
	const shas = commits.map((commit) => commit.sha);
	const bySha = new Map(commits.map((commit) => [commit.sha, commit]));
	const isRevertCommit = (sha: string): boolean => {
		const full = resolveSha(sha, shas);
		const commit = full === undefined ? undefined : bySha.get(full);
		return commit !== undefined && isRevert(commit.message);
	};
	const reverted = new Set<string>();
	const revertedReverts = new Set<string>();
	for (const commit of commits) {
		const named = revertedSha(commit.message);
		const target = named === undefined ? undefined : resolveSha(named, shas);
		if (target === undefined) continue;
		if (isRevertOfRevert(commit.message, isRevertCommit)) revertedReverts.add(target);
		else reverted.add(target);
	}
	return { isRevertCommit, reverted, revertedReverts };
}
