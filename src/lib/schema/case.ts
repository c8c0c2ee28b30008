import { z } from 'astro/zod';
import { CommitShaSchema, HttpUrlSchema, SeveritySchema, SlugSchema } from './common.ts';
import { TestRunnerSchema } from './execution.ts';

/** Every task a case can hold; the engine has a prompt builder and a grader for each. */
export const TASKS = ['commit-message', 'change-localization', 'code-review', 'security-review', 'implement-change'] as const;
export const TaskSchema = z.enum(TASKS);
export type Task = z.infer<typeof TaskSchema>;

/** Where a case came from: one real commit (and for review cases, the commit that later fixed it). */
export const CaseSourceSchema = z.strictObject({
	/** Repository name or path the miner read. */
	repository: z.string().min(1),
	/** Browsable http(s) URL of the repository, when known; commit links are built from it. */
	url: HttpUrlSchema.optional(),
	/** The commit the case is built from. */
	commit: CommitShaSchema,
	/** Its first parent. */
	parent: CommitShaSchema,
	/** Author date, ISO 8601. */
	author_date: z.iso.datetime({ offset: true }),
	/** First line of the commit message. */
	subject: z.string(),
	/** Paths the commit touched. */
	files: z.array(z.string().min(1)),
	/** Review cases: the later commit that fixed what this one introduced. */
	fix_commit: CommitShaSchema.optional(),
	/** Review cases: the fixing commit's subject. */
	fix_subject: z.string().optional(),
});

/** A file's text at one point of history. */
export const FileTextSchema = z.strictObject({
	path: z.string().min(1),
	content: z.string(),
});

/** A span of lines in a file of the change under review (new-file line numbers, 1-based, inclusive). */
export const LineSpanSchema = z
	.strictObject({
		path: z.string().min(1),
		start: z.number().int().min(1),
		end: z.number().int().min(1),
	})
	.refine((span) => span.end >= span.start, { message: 'end must not be before start', path: ['end'] });

/** A mechanical check on a model's answer; `required` checks decide accepted vs rejected. */
export const CheckSpecSchema = z.strictObject({
	/** The check's name, known to the task's grader. */
	name: SlugSchema,
	/** When true, failing this check rejects the answer. */
	required: z.boolean(),
	/** A threshold the check compares against, when it has one (e.g. minimum recall). */
	threshold: z.number().min(0).max(1).optional(),
});

const caseBase = {
	/** Stable id derived from role, task and commit: `<role>-<task>-<sha12>`. */
	id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*-[0-9a-f]{12}$/, 'an id `<role>-<task>-<first 12 of the sha>`'),
	/** The role this case is evidence for. */
	role: SlugSchema,
	/** How costly a wrong answer is. */
	severity: SeveritySchema,
	/** When the miner wrote it, ISO 8601. */
	mined_at: z.iso.datetime({ offset: true }),
	source: CaseSourceSchema,
	checks: z.array(CheckSpecSchema).min(1),
};

export const CommitMessageCaseSchema = z.strictObject({
	...caseBase,
	task: z.literal('commit-message'),
	/** The model sees the diff. */
	input: z.strictObject({ diff: z.string().min(1) }),
	/** The message the author really wrote. */
	reference: z.strictObject({ message: z.string().min(1) }),
});

export const ChangeLocalizationCaseSchema = z.strictObject({
	...caseBase,
	task: z.literal('change-localization'),
	/** The model sees the intent and the files that existed at the parent. */
	input: z.strictObject({ intent: z.string().min(1), files: z.array(z.string().min(1)).min(1) }),
	/** The files the commit really changed. */
	reference: z.strictObject({ files: z.array(z.string().min(1)).min(1) }),
});

const ReviewInput = z.strictObject({ diff: z.string().min(1) });
/** `reject` with the lines a later fix touched, or `approve` for a change no fix ever touched. */
const ReviewReference = z.strictObject({
	verdict: z.enum(['approve', 'reject']),
	lines: z.array(LineSpanSchema).default([]),
});

export const CodeReviewCaseSchema = z.strictObject({
	...caseBase,
	task: z.literal('code-review'),
	input: ReviewInput,
	reference: ReviewReference,
});

export const SecurityReviewCaseSchema = z.strictObject({
	...caseBase,
	task: z.literal('security-review'),
	input: ReviewInput,
	reference: ReviewReference,
});

/**
 * The commit's own tests, validated when the case was mined: at the parent with these files they failed, at
 * the commit they passed. Never shown to the model; written over every answer before the tests run.
 */
export const CaseTestsSchema = z.strictObject({
	/** Whose report is read: vitest, jest, mocha, ava, node (`node --test`), tap, tape, uvu, or exit-code (pass or fail only). */
	runner: TestRunnerSchema,
	/** The command's words, `{files}` standing for `run`; no shell runs it. */
	command: z.array(z.string().min(1)).min(1),
	/** The test files the command runs: the commit's own, never the whole suite. */
	run: z.array(z.string().min(1)).min(1),
	/** Every test file the commit touched (helpers and fixtures too), as the commit left them. */
	files: z.array(FileTextSchema).min(1),
	/** Test cases at the commit, all passing when mined (null for an exit-code runner): the denominator of quality. */
	count: z.number().int().min(1).nullable(),
	/** Test cases that failed at the parent with these tests (null for an exit-code runner). */
	failed_before: z.number().int().min(0).nullable(),
});
export type CaseTests = z.infer<typeof CaseTestsSchema>;

export const ImplementChangeCaseSchema = z.strictObject({
	...caseBase,
	task: z.literal('implement-change'),
	/** The model sees the intent and the files as they were before (test files left out). */
	input: z.strictObject({
		intent: z.string().min(1),
		files: z.array(FileTextSchema).min(1),
	}),
	/** The same files as the commit left them. */
	reference: z.strictObject({ files: z.array(FileTextSchema).min(1) }),
	/** The commit's tests and how to run them; cases mined before tests were recorded have none. */
	tests: CaseTestsSchema.optional(),
});

/** One mined case, `benchmarks/cases/<role>/<id>.json`. */
export const CaseSchema = z.discriminatedUnion('task', [
	CommitMessageCaseSchema,
	ChangeLocalizationCaseSchema,
	CodeReviewCaseSchema,
	SecurityReviewCaseSchema,
	ImplementChangeCaseSchema,
]);
export type Case = z.infer<typeof CaseSchema>;
export type CaseInput = z.input<typeof CaseSchema>;
