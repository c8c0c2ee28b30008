import { diffSkipReason, metadataSkipReason } from './filters.ts';
import { readCommits, readDiff, readLog, type Repository } from './git.ts';
import { parseDiff } from '../diff/parse-diff.ts';
import { parseLog, subjectOf } from './parse-log.ts';
import { mapWithLimit } from './pool.ts';
import { revertFacts, type RevertFacts } from './reverts.ts';
import type { FileDiff, RawCommit, SkipReason } from './types.ts';

/** A commit with its diff (when it was worth reading) and, if it cannot become a case, why. */
export type AnalyzedCommit = {
	commit: RawCommit;
	/** Position in the mined range, newest first (= how many later commits the range holds); -1 outside it. */
	index: number;
	/** The diff against the first parent; absent when the commit was left out before reading it. */
	files?: FileDiff[];
	/** Why the commit gives no case of its own (it can still be a fix unless `metadataSkip`). */
	skip?: SkipReason;
	/** The skip was decided from metadata alone (root, merge, bot, revert of revert): no diff was read. */
	metadataSkip: boolean;
};

/** The mined range, analysed, plus a way to load commits outside it (introducers SZZ finds in older history). */
export type History = {
	/** Commits of the range, newest first. */
	commits: AnalyzedCommit[];
	reverts: RevertFacts;
	/** Analysed commits by sha, range or not. */
	get(sha: string): AnalyzedCommit | undefined;
	/** Reads and analyses commits not seen yet. */
	load(shas: string[]): Promise<void>;
};

/** The range to read, the tiny-commit threshold, and how many git processes may run at once. */
export type HistoryOptions = { since?: string; until?: string; minChangedLines: number; concurrency: number };

async function analyze(
	repo: Repository,
	commit: RawCommit,
	index: number,
	reverts: RevertFacts,
	minChangedLines: number,
): Promise<AnalyzedCommit> {
	const metadataReason = metadataSkipReason(commit, reverts.isRevertCommit);
	if (metadataReason) return { commit, index, skip: metadataReason, metadataSkip: true };
	let files: FileDiff[];
	try {
		files = parseDiff(await readDiff(repo, commit.parents[0] as string, commit.sha));
	} catch (error) {
		throw new Error(`Failed to read the diff of commit ${commit.sha}.`, { cause: error });
	}
	const skip = diffSkipReason(files, minChangedLines, subjectOf(commit.message));
	return skip ? { commit, index, files, skip, metadataSkip: false } : { commit, index, files, metadataSkip: false };
}

/** Reads the range's log and every diff worth reading (merges, bots and root commits are not read). */
export async function readHistory(repo: Repository, options: HistoryOptions): Promise<History> {
	const raw = parseLog(await readLog(repo, options));
	const reverts = revertFacts(raw);
	const commits = await mapWithLimit(raw, options.concurrency, (commit, index) =>
		analyze(repo, commit, index, reverts, options.minChangedLines),
	);
	const bySha = new Map(commits.map((entry) => [entry.commit.sha, entry]));
	return {
		commits,
		reverts,
		get: (sha) => bySha.get(sha),
		async load(shas) {
			const missing = [...new Set(shas)].filter((sha) => !bySha.has(sha)).sort();
			if (missing.length === 0) return;
			const loaded = parseLog(await readCommits(repo, missing));
			const analyzed = await mapWithLimit(loaded, options.concurrency, (commit) =>
				analyze(repo, commit, -1, reverts, options.minChangedLines),
			);
			for (const entry of analyzed) bySha.set(entry.commit.sha, entry);
		},
	};
}
