import type { Case, Task } from '../schema/case.ts';

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
}

export type ParseResult<A> = { ok: true; value: A } | { ok: false; reason: string };

/**
 * Everything the engine needs to run one task: pure functions, no I/O.
 * `promptVersion` and `graderVersion` are part of the cache key: bump them when the prompt or the grading changes.
 */
export interface TaskDefinition<C extends Case = Case, A = unknown> {
	task: Task;
	promptVersion: number;
	graderVersion: number;
	buildPrompt(testCase: C): Prompt;
	/** Turns the model's text into the answer; a failure is a hard failure of class `unparseable`. */
	parse(text: string, testCase: C): ParseResult<A>;
	grade(testCase: C, answer: A): Grade;
}
