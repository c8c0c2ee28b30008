import type { Case, Task } from '../schema/case.ts';

/** One commit as `git log` reports it, before any judgement. */
export type RawCommit = {
	/** Full 40-character sha. */
	sha: string;
	/** Parent shas, first parent first; empty for a root commit. */
	parents: string[];
	/** Author date, strict ISO 8601 with offset (`%aI`). */
	authorDate: string;
	/** Committer date, strict ISO 8601 with offset (`%cI`). */
	committerDate: string;
	authorName: string;
	authorEmail: string;
	/** The raw message (`%B`), untouched. */
	message: string;
};

/** The diff types live with the diff parser, which the tasks share with the miner. */
export type { DiffLine, FileDiff, FileStatus, Hunk } from '../diff/parse-diff.ts';

/** Why a commit (or a case built from it) was left out; counted per reason in the summary. */
export type SkipReason =
	| 'root-commit'
	| 'merge'
	| 'bot-author'
	| 'revert-of-revert'
	| 'empty'
	| 'binary'
	| 'generated-only'
	| 'whitespace-only'
	| 'tiny'
	| 'release'
	| 'docs-only'
	| 'revert'
	| 'empty-message'
	| 'too-large'
	| 'deletes-or-renames'
	| 'not-expressible-as-edits'
	| 'no-files-at-parent'
	| 'adds-only'
	| 'fix-adds-only'
	| 'fix-too-broad'
	| 'fix-ci'
	| 'fix-lint'
	| 'fix-format'
	| 'fix-typo'
	| 'fix-docs'
	| 'fix-test-only'
	| 'fix-flaky-test'
	| 'lines-not-in-diff'
	| 'secret'
	| 'invalid'
	| 'no-tests'
	| 'tests-only'
	| 'no-test-command'
	| 'passes-before'
	| 'fails-after'
	| 'environment-error'
	| 'timeout';

/** Context budget every input must fit: what the run stage will send to the model. */
export type Budget = {
	/** `num_ctx` sent on every call. */
	numCtx: number;
	/** `num_predict`: tokens kept free for the answer. */
	numPredict: number;
};

/** A case the miner built, or why it could not. */
export type BuildOutcome = { case: Case } | { skip: SkipReason };

/** Per task, how many cases were kept and how many candidates were skipped, by reason. */
export type TaskTally = {
	task: Task;
	found: number;
	skipped: Partial<Record<SkipReason, number>>;
};

/** A case dropped because secretlint flagged one of its strings. */
export type SecretFinding = {
	caseId: string;
	/** Dotted path of the field that holds the secret, e.g. `input.diff` or `input.files[0].content`. */
	field: string;
	ruleId: string;
	messageId: string;
};
