import type { Executor } from '../execute/executor.ts';
import type { Case, Task } from '../schema/case.ts';
import type { ExecutionRecord } from '../schema/execution.ts';
import type { CoderAnswerFormat } from '../schema/policy.ts';
import type { HardFailureClass } from '../schema/report.ts';

/** A chat message as sent to Ollama. */
export interface PromptMessage {
	role: 'system' | 'user';
	content: string;
}

/** What the engine sends for one case: the messages and, where the answer needs structure, a JSON schema for Ollama's `format`. */
export interface Prompt {
	messages: PromptMessage[];
	/** JSON schema passed as Ollama's `format`, or undefined for free text. */
	format?: Record<string, unknown>;
}

/** One check of an answer, as the report and the site show it. */
export interface CheckResult {
	name: string;
	required: boolean;
	pass: boolean;
	/** A short, human-readable reason ("recall 0.67 ≥ 0.5", "subject is 91 characters, over 72"). */
	detail: string;
}

/** A graded answer: every check of the case, and a quality in [0, 1] (review_pain is 1 − quality). */
export interface Grade {
	checks: CheckResult[];
	quality: number;
	/** implement-change: the run of the case's tests on the answer, when they ran. */
	execution?: ExecutionRecord;
}

/**
 * An answer read, or why not. A failure is a hard failure of class `unparseable` unless it names another
 * (`malformed-edit`: edits that parsed but cannot be applied, or are not edits at all).
 */
export type ParseResult<A> = { ok: true; value: A } | { ok: false; reason: string; failureClass?: HardFailureClass };

/**
 * How the policy asks for answers, the same for the prompt, the parser and the sentinels (so the answer
 * cache, which keys the prompt as sent, asks again when it changes).
 */
export interface AnswerSettings {
	/** implement-change: search/replace edits or whole files (`coder.answer_format`). @default 'edit' */
	coderAnswerFormat?: CoderAnswerFormat;
}

/**
 * What a grader may know besides the case and the answer: the case set it is graded in. Some checks are
 * relative to it (a commit message is specific when it is closer to its own case's reference than to any
 * other case's; the subject limit is the repository's own convention, read off its references).
 */
export interface GradeContext<C extends Case = Case> extends AnswerSettings {
	/** Every case of the same task in the run's case set, the graded one included, sorted by id. */
	cases: readonly C[];
	/**
	 * Runs an implement-change answer's tests in a sandboxed worktree (made by the pipeline from the policy's
	 * `coder` section). Without it those tests are not run and the `tests-pass` check fails saying so.
	 */
	executor?: Executor;
}

/**
 * A known answer the grader must place right: the reference (what the real history did — the ceiling,
 * which must be accepted) or junk made without understanding the case (the floor, which must not be).
 * `text` is the raw answer as a model would send it, so it goes through the real parse → grade path.
 */
export interface Sentinel {
	name: string;
	kind: 'reference' | 'junk';
	text: string;
}

/**
 * Everything the engine needs to run one task. Prompt building and parsing are pure; grading is pure for
 * every task that does not run code. The answer cache keys what was asked (the prompt as sent), not these
 * versions: `graderVersion` is recorded in the report so a reader knows which grading produced a number,
 * and bumping it costs no model call.
 */
export interface TaskDefinition<C extends Case = Case, A = unknown, G extends Grade | Promise<Grade> = Grade | Promise<Grade>> {
	task: Task;
	graderVersion: number;
	buildPrompt(testCase: C, settings?: AnswerSettings): Prompt;
	/** Turns the model's text into the answer; a failure is a hard failure of class `unparseable` (or the class it names). */
	parse(text: string, testCase: C, settings?: AnswerSettings): ParseResult<A>;
	grade(testCase: C, answer: A, context: GradeContext<C>): G;
	/**
	 * The reference answer and the junk answers for the case, every one deterministic (same case set,
	 * same sentinels). The run grades them all to measure whether the grader is valid on its cases.
	 */
	sentinels(testCase: C, context: GradeContext<C>): Sentinel[];
	/**
	 * For a task with a few fixed answers (review's approve or reject): the answer that is right most often
	 * on these cases and how often. Junk may be accepted on up to that share + 5 points (answering the
	 * majority every time scores it by construction); the site shows it as chance level beside acceptance.
	 * Tasks without it allow junk on at most 10 % of the cases.
	 */
	chance?(cases: readonly C[]): { answer: string; rate: number };
}
