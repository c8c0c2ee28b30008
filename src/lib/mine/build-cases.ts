import type { z } from 'astro/zod';
import type { CaseInput, FileTextSchema, Task } from '../schema/case.ts';
import type { Severity } from '../schema/common.ts';
import { EDIT_ANSWER_CONTEXT, EDIT_ANSWER_MARGIN, estimateTokensOfAll, fitsBudget } from './budget.ts';
import type { CoderAnswerFormat } from '../schema/policy.ts';
import { referenceEdits } from '../tasks/implement-change.ts';
import { applyEditAnswer, renderEditBlocks, sameLines } from '../tasks/search-replace.ts';
import { checksFor, roleOfTask } from './checks.ts';
import { isGeneratedPath, isRevert, mentionsFix } from './classify.ts';
import { pathKind } from './path-kinds.ts';
import { authoredFiles } from './filters.ts';
import { estimateTokens } from '../tasks/index.ts';
import { changedLineCount, pathOf, renderDiff } from '../diff/parse-diff.ts';
import { subjectOf, tidyMessage } from './parse-log.ts';
import { severityOf } from './severity.ts';
import type { LineSpan } from './szz.ts';
import type { Budget, FileDiff, RawCommit, SkipReason } from './types.ts';

/** Where the mined repository lives, as cases name it. */
export type RepositoryInfo = { name: string; url?: string };

/** One commit with its parsed diff: what every builder starts from. */
export type CommitFacts = { commit: RawCommit; files: FileDiff[] };

/** A case ready for validation, or why the commit gives none for this task. */
export type CandidateOutcome = { candidate: CaseInput } | { skip: SkipReason };

/** A file's text at one side of a change, as the case schema stores it. */
export type FileText = z.infer<typeof FileTextSchema>;

/** `<role>-<task>-<first 12 of the sha>`: the same commit in the same task always gets the same id. */
export function caseId(role: string, task: Task, sha: string): string {
	return `${role}-${task}-${sha.slice(0, 12)}`;
}

/** Every path the commit touched, old names of renamed and deleted files included, sorted. */
export function touchedPaths(files: FileDiff[]): string[] {
	const paths = new Set<string>();
	for (const file of files) {
		if (file.oldPath !== null) paths.add(file.oldPath);
		if (file.newPath !== null) paths.add(file.newPath);
	}
	return [...paths].sort();
}

/** Lines changed in the files a model is shown. */
export function authoredChangedLines(files: FileDiff[]): number {
	return authoredFiles(files).reduce((sum, file) => sum + changedLineCount(file), 0);
}

/** True when the commit fixes a bug: fix words, a `Fixes:` trailer, or a revert. */
export function isFixCommit(commit: RawCommit): boolean {
	return mentionsFix(commit.message) || isRevert(commit.message);
}

function sourceOf(facts: CommitFacts, repository: RepositoryInfo) {
	const { commit } = facts;
	return {
		repository: repository.name,
		...(repository.url === undefined ? {} : { url: repository.url }),
		commit: commit.sha,
		parent: commit.parents[0] as string,
		author_date: commit.authorDate,
		subject: subjectOf(commit.message),
		files: touchedPaths(facts.files),
	};
}

function header<T extends Task>(task: T, facts: CommitFacts, minedAt: string, verdict?: 'approve' | 'reject', matchedSeverity?: Severity) {
	const role = roleOfTask(task);
	return {
		id: caseId(role, task, facts.commit.sha),
		role,
		task,
		severity: severityOf({
			task,
			changedLines: authoredChangedLines(facts.files),
			isFix: isFixCommit(facts.commit),
			verdict,
			matchedSeverity,
		}),
		mined_at: minedAt,
	};
}

/**
 * Why a commit cannot teach a task whose input is its intent or whose answer is its message: a `git revert`
 * message is generated (and names a sha no model can know), and an empty message says nothing.
 */
function messageSkipReason(commit: RawCommit): SkipReason | undefined {
	if (isRevert(commit.message)) return 'revert';
	if (tidyMessage(commit.message) === '') return 'empty-message';
	return undefined;
}

/** draft → commit-message: the diff in, the real message as reference. */
export function buildCommitMessageCase(facts: CommitFacts, repository: RepositoryInfo, budget: Budget, minedAt: string): CandidateOutcome {
	const reason = messageSkipReason(facts.commit);
	if (reason) return { skip: reason };
	const diff = renderDiff(authoredFiles(facts.files));
	if (!fitsBudget(estimateTokens(diff), budget)) return { skip: 'too-large' };
	return {
		candidate: {
			...header('commit-message', facts, minedAt),
			source: sourceOf(facts, repository),
			input: { diff },
			reference: { message: tidyMessage(facts.commit.message) },
			checks: checksFor('commit-message'),
		},
	};
}

/** reason → change-localization: the intent and the files at the parent in; the ones the commit changed as reference. */
export function buildChangeLocalizationCase(
	facts: CommitFacts,
	filesAtParent: string[],
	repository: RepositoryInfo,
	budget: Budget,
	minedAt: string,
): CandidateOutcome {
	const reason = messageSkipReason(facts.commit);
	if (reason) return { skip: reason };
	const files = [...new Set(filesAtParent)].filter((path) => !isGeneratedPath(path)).sort();
	if (files.length === 0) return { skip: 'no-files-at-parent' };
	const intent = tidyMessage(facts.commit.message);
	if (!fitsBudget(estimateTokens(intent) + estimateTokens(files.join('\n')), budget)) return { skip: 'too-large' };
	// Localizing means naming files of the existing tree: a file the commit created is in no list the
	// model sees, so only files that existed at the parent count, and a commit that only adds files is
	// no localization question at all.
	const existing = new Set(files);
	const changed = [
		...new Set(authoredFiles(facts.files).flatMap((file) => (file.oldPath !== null && existing.has(file.oldPath) ? [file.oldPath] : []))),
	].sort();
	if (changed.length === 0) return { skip: 'adds-only' };
	return {
		candidate: {
			...header('change-localization', facts, minedAt),
			source: sourceOf(facts, repository),
			input: { intent, files },
			reference: { files: changed },
			checks: checksFor('change-localization'),
		},
	};
}

/**
 * Why implement-change cannot use a commit before any file is read: a deleted or renamed file has no
 * "same file after" to compare, so only commits that modify or add files qualify; and the files after hold
 * at least the added lines, so when those alone overflow the answer budget the commit is `too-large`.
 */
export function implementChangeSkipReason(facts: CommitFacts, budget?: Budget): SkipReason | undefined {
	const reason = messageSkipReason(facts.commit);
	if (reason) return reason;
	const authored = authoredFiles(facts.files);
	if (authored.some((file) => file.status !== 'modified' && file.status !== 'added')) return 'deletes-or-renames';
	if (budget) {
		// The tests are never shown nor answered: only the code's added lines must fit the answer.
		const added = authored
			.filter((file) => pathKind(pathOf(file)) !== 'test')
			.flatMap((file) => file.hunks.flatMap((hunk) => hunk.lines.filter((line) => line.kind === 'added').map((line) => line.text)));
		if (!fitsBudget(0, budget, estimateTokensOfAll(added))) return 'too-large';
	}
	return undefined;
}

/** The paths implement-change reads before and after: the authored files, sorted. */
export function implementChangePaths(facts: CommitFacts): string[] {
	return [...new Set(authoredFiles(facts.files).map(pathOf))].sort();
}

/**
 * Why the commit's change cannot be an edit answer, or undefined: its edits (with the context a model
 * writes, and a margin) must fit `num_predict`, and the blocks must read back and apply to the files before
 * exactly as the commit left them (a line that looks like a block marker cannot be written in a block).
 */
function editAnswerSkipReason(before: FileText[], after: FileText[], budget: Budget, inputTokens: number): SkipReason | undefined {
	const change = { input: { files: before }, reference: { files: after } };
	const written = renderEditBlocks(referenceEdits(change, EDIT_ANSWER_CONTEXT));
	if (!fitsBudget(inputTokens, budget, Math.ceil(estimateTokens(written) * EDIT_ANSWER_MARGIN))) return 'too-large';
	const applied = applyEditAnswer(renderEditBlocks(referenceEdits(change)), before);
	if (!applied.ok) return 'not-expressible-as-edits';
	const result = new Map([...before, ...applied.files].map((file) => [file.path, file.content]));
	return after.every((file) => sameLines(result.get(file.path) ?? '', file.content)) ? undefined : 'not-expressible-as-edits';
}

/**
 * coder → implement-change: the intent and the code files before in (an added file is shown empty, so the
 * model knows to create it), the same files after as reference; the commit's tests are added by the
 * validation step (`coder-tests.ts`). The files before must fit the context with room for the answer; the
 * answer must fit `num_predict`: with `edit` answers the change written as edits, with `whole` answers
 * every changed file in full.
 */
export function buildImplementChangeCase(
	facts: CommitFacts,
	before: FileText[],
	after: FileText[],
	repository: RepositoryInfo,
	budget: Budget,
	minedAt: string,
	format: CoderAnswerFormat = 'edit',
): CandidateOutcome {
	const reason = implementChangeSkipReason(facts);
	if (reason) return { skip: reason };
	const intent = tidyMessage(facts.commit.message);
	const inputTokens = estimateTokens(intent) + estimateTokensOfAll(before.flatMap((file) => [file.path, file.content]));
	if (format === 'edit') {
		const editReason = editAnswerSkipReason(before, after, budget, inputTokens);
		if (editReason) return { skip: editReason };
	} else if (!fitsBudget(inputTokens, budget, estimateTokensOfAll(after.map((file) => file.content)))) return { skip: 'too-large' };
	return {
		candidate: {
			...header('implement-change', facts, minedAt),
			source: sourceOf(facts, repository),
			input: { intent, files: before },
			reference: { files: after },
			checks: checksFor('implement-change'),
		},
	};
}

/** The fix a reject case points at. */
export type FixInfo = { sha: string; subject: string };

/**
 * review → code-review / security-review: the change's diff in; `reject` with the lines a later fix touched
 * (in this change's new-file numbers, limited to lines it added), or `approve` for a clean change. A reject
 * case whose whole diff does not fit keeps the files holding those lines, and of the rest what still fits.
 * An approve case takes `matchedSeverity`, the severity of the reject case it was matched to.
 */
export function buildReviewCase(
	task: 'code-review' | 'security-review',
	facts: CommitFacts,
	verdict: 'approve' | 'reject',
	lines: LineSpan[],
	fix: FixInfo | undefined,
	repository: RepositoryInfo,
	budget: Budget,
	minedAt: string,
	matchedSeverity?: Severity,
): CandidateOutcome {
	const authored = authoredFiles(facts.files);
	let diff = renderDiff(authored);
	if (!fitsBudget(estimateTokens(diff), budget) && verdict === 'reject') {
		// A large change whose fault sits in a few files: keep those files, then as many of the others as
		// still fit, in the diff's order, so the reviewer keeps as much of the change's context as the
		// budget allows. The reference lines are all in the kept files: the case asks the same question.
		const faulty = new Set(lines.map((span) => span.path));
		const kept = new Set(authored.filter((file) => file.newPath !== null && faulty.has(file.newPath)));
		let tokens = estimateTokens(renderDiff([...kept]));
		for (const file of authored) {
			if (kept.has(file)) continue;
			const extra = estimateTokens(file.text);
			if (fitsBudget(tokens + extra, budget)) {
				kept.add(file);
				tokens += extra;
			}
		}
		diff = renderDiff(authored.filter((file) => kept.has(file)));
	}
	if (!fitsBudget(estimateTokens(diff), budget)) return { skip: 'too-large' };
	// Plain code-unit order, not localeCompare: the same spans must serialize the same on every machine.
	const spans = [...lines].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.start - b.start));
	return {
		candidate: {
			...header(task, facts, minedAt, verdict, matchedSeverity),
			source: {
				...sourceOf(facts, repository),
				...(fix ? { fix_commit: fix.sha, fix_subject: fix.subject } : {}),
			},
			input: { diff },
			reference: { verdict, lines: spans },
			checks: checksFor(task, verdict),
		},
	};
}
