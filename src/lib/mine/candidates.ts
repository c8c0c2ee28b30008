import type { Task } from '../schema/case.ts';
import type { Severity } from '../schema/common.ts';
import {
	buildChangeLocalizationCase,
	buildCommitMessageCase,
	buildImplementChangeCase,
	buildReviewCase,
	implementChangePaths,
	implementChangeSkipReason,
	type CandidateOutcome,
	type CommitFacts,
	type FileText,
	type RepositoryInfo,
} from './build-cases.ts';
import { codeMentionsSecurity, isRevert, mentionsSecurity, touchedCode } from './classify.ts';
import { type CoderMining, splitTestPaths, testCommandOf, validateImplementChange } from './coder-tests.ts';
import { authoredFiles } from './filters.ts';
import type { IntroducerGroup, ReviewTask } from './find-introducers.ts';
import { readBlob, readBlobIfPresent, readDiff, readTree, type Repository } from './git.ts';
import type { AnalyzedCommit, History } from './history.ts';
import { featuresOf, type ApproveCandidate } from './match-approves.ts';
import { parseDiff, sidesOf } from '../diff/parse-diff.ts';
import { isDocsOnly, kindsOf } from './path-kinds.ts';
import { subjectOf, toUtcIso } from './parse-log.ts';
import { parsePathList } from './repository.ts';
import { addedLinesByPath, toLineSpans, type LineSpan } from './szz.ts';
import type { Budget, RawCommit } from './types.ts';

/** The commit and its diff, as the builders take them. */
export function factsOf(entry: AnalyzedCommit): CommitFacts {
	return { commit: entry.commit, files: entry.files ?? [] };
}

/** A case's `mined_at`: its commit's committer date in UTC. */
export function minedAtOf(entry: AnalyzedCommit): string {
	// The commit's committer date, not the clock: mining the same history twice writes the same bytes.
	return toUtcIso(entry.commit.committerDate);
}

/**
 * The files before and after a commit (an added file is empty before). Read from one whole-file diff; a file
 * the diff cannot rebuild (a mode-only change) is read from git directly.
 */
export async function bothSides(repo: Repository, commit: RawCommit, paths: string[]): Promise<{ before: FileText[]; after: FileText[] }> {
	const parent = commit.parents[0] as string;
	const files = parseDiff(await readDiff(repo, parent, commit.sha, { paths }));
	const before: FileText[] = [];
	const after: FileText[] = [];
	for (const path of paths) {
		const file = files.find((candidate) => candidate.newPath === path);
		const sides = file ? sidesOf(file) : undefined;
		before.push({ path, content: sides ? sides.before : file?.status === 'added' ? '' : await readBlob(repo, parent, path) });
		after.push({ path, content: sides ? sides.after : await readBlob(repo, commit.sha, path) });
	}
	return { before, after };
}

/** Builds one case (or says why not) when called: candidates are built lazily, in order, until a task is full. */
export type CandidateThunk = () => Promise<CandidateOutcome>;

/** Candidates for the tasks built from one commit each (commit-message, change-localization, implement-change). */
export function commitCandidates(
	task: Exclude<Task, ReviewTask>,
	usable: AnalyzedCommit[],
	repo: Repository,
	repository: RepositoryInfo,
	budget: Budget,
	coder?: CoderMining,
): CandidateThunk[] {
	return usable.map((entry) => async (): Promise<CandidateOutcome> => {
		const facts = factsOf(entry);
		const minedAt = minedAtOf(entry);
		// Localizing or writing a docs-only change asks for prose, not code: the roles measured on them are
		// about code. Its message still teaches commit-message.
		if (task !== 'commit-message' && isDocsOnly(authoredFiles(facts.files))) return { skip: 'docs-only' };
		switch (task) {
			case 'commit-message':
				return buildCommitMessageCase(facts, repository, budget, minedAt);
			case 'change-localization':
				return buildChangeLocalizationCase(
					facts,
					parsePathList(await readTree(repo, entry.commit.parents[0] as string)),
					repository,
					budget,
					minedAt,
				);
			case 'implement-change': {
				const reason = implementChangeSkipReason(facts, budget);
				if (reason) return { skip: reason };
				if (!coder) throw new Error('Mining implement-change cases needs an executor to validate them.');
				// The model sees the code, never the tests: they decide whether its answer works.
				const { code, tests } = splitTestPaths(implementChangePaths(facts));
				if (tests.length === 0) return { skip: 'no-tests' };
				if (code.length === 0) return { skip: 'tests-only' };
				const command = testCommandOf(coder.testCommand, await readBlobIfPresent(repo, entry.commit.sha, 'package.json'));
				if ('reason' in command) {
					coder.countReason?.(`no-test-command: ${command.reason}`);
					return { skip: 'no-test-command' };
				}
				const { before, after } = await bothSides(repo, entry.commit, code);
				const built = buildImplementChangeCase(facts, before, after, repository, budget, minedAt, coder.answerFormat);
				if ('skip' in built) return built;
				const testFiles = (await bothSides(repo, entry.commit, tests)).after;
				return validateImplementChange(built.candidate, { files: testFiles, command }, coder);
			}
		}
	});
}

/** Line spans of a group that are lines its commit really added (blame through copies can point elsewhere). */
function spansInDiff(group: IntroducerGroup, entry: AnalyzedCommit): LineSpan[] {
	const added = addedLinesByPath(authoredFiles(entry.files ?? []));
	const spans: LineSpan[] = [];
	for (const [path, numbers] of group.lines) {
		const inDiff = added.get(path);
		if (!inDiff) continue;
		spans.push(
			...toLineSpans(
				path,
				[...numbers].filter((number) => inDiff.has(number)),
			),
		);
	}
	return spans;
}

/** Reject candidates of one review task: each commit SZZ blamed, newest first. */
export function rejectCandidates(
	task: ReviewTask,
	groups: IntroducerGroup[],
	history: History,
	repository: RepositoryInfo,
	budget: Budget,
): CandidateThunk[] {
	const ofTask = groups
		.filter((group) => group.task === task)
		.flatMap((group) => {
			const entry = history.get(group.sha);
			return entry ? [{ group, entry, time: Date.parse(entry.commit.committerDate) }] : [];
		})
		// Newest introducer first, like the other tasks; the sha breaks ties so the order is total.
		.sort((a, b) => b.time - a.time || (a.group.sha < b.group.sha ? -1 : 1));
	return ofTask.map(({ group, entry }) => async (): Promise<CandidateOutcome> => {
		if (entry.skip) return { skip: entry.skip };
		const lines = spansInDiff(group, entry);
		if (lines.length === 0) return { skip: 'lines-not-in-diff' };
		// The oldest fix: the case exists since the bug was first fixed, so its date is the case's date.
		const fix = group.fixes.at(-1) as AnalyzedCommit['commit'];
		const fixInfo = { sha: fix.sha, subject: subjectOf(fix.message) };
		return buildReviewCase(task, factsOf(entry), 'reject', lines, fixInfo, repository, budget, toUtcIso(fix.committerDate));
	});
}

/**
 * Clean changes: read, at least `cleanAge` later commits in the range, never blamed by a behavioural fix,
 * never reverted, not a revert. Newest first, like the range; which of them become approve cases is decided
 * by matching them to the reject cases (`match-approves.ts`).
 */
export function cleanCommits(history: History, introducers: Set<string>, cleanAge: number): AnalyzedCommit[] {
	return history.commits.filter(
		(entry) =>
			!entry.skip &&
			entry.index >= cleanAge &&
			!introducers.has(entry.commit.sha) &&
			!history.reverts.reverted.has(entry.commit.sha) &&
			!isRevert(entry.commit.message),
	);
}

/** The review task of a clean change: security-review when its message mentions security or its changed code names it. */
export function cleanTask(entry: AnalyzedCommit): ReviewTask {
	const code = touchedCode(authoredFiles(entry.files ?? []));
	return mentionsSecurity(entry.commit.message) || codeMentionsSecurity(code) ? 'security-review' : 'code-review';
}

/** A clean change of one review task, with what approve matching compares. */
export type CleanCandidate = ApproveCandidate & { entry: AnalyzedCommit };

/**
 * The clean changes of one review task as approve candidates, with their size, file types and date. Only
 * changes to code: every reject case holds code (SZZ blames code files only), so a docs, test or CI change
 * would let the kind of change give the verdict away.
 */
export function approveCandidates(task: ReviewTask, clean: AnalyzedCommit[]): CleanCandidate[] {
	return clean
		.filter((entry) => kindsOf(authoredFiles(entry.files ?? [])).includes('code') && cleanTask(entry) === task)
		.map((entry) => ({ sha: entry.commit.sha, entry, features: featuresOf(authoredFiles(entry.files ?? []), entry.commit.authorDate) }));
}

/** Builds the approve case of a clean change, with the severity of the reject case it was matched to. */
export function buildApproveCase(
	task: ReviewTask,
	candidate: CleanCandidate,
	matchedSeverity: Severity,
	repository: RepositoryInfo,
	budget: Budget,
): CandidateOutcome {
	const { entry } = candidate;
	return buildReviewCase(task, factsOf(entry), 'approve', [], undefined, repository, budget, minedAtOf(entry), matchedSeverity);
}
