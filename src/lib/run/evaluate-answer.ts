import type { Case } from '../schema/case.ts';
import type { CheckResult, GradeContext, TaskDefinition } from '../tasks/task-definition.ts';
import type { ExecutionRecord } from '../schema/execution.ts';
import type { HardFailureClass, Outcome } from '../schema/report.ts';
import type { CallOptions, ChatAnswer } from './model-client.ts';

/** How one answer was judged. */
export interface Evaluation {
	outcome: Outcome;
	failureClass: HardFailureClass | null;
	failureMessage: string | null;
	checks: CheckResult[];
	/** Quality in [0, 1]; 0 for a hard failure, so it counts 1 in review_pain. */
	quality: number;
	/** The test run behind the grade, for tasks that run tests. */
	execution?: ExecutionRecord;
}

/** A hard failure of the given class. */
export function hardFailure(failureClass: HardFailureClass, message: string): Evaluation {
	return { outcome: 'hard-failure', failureClass, failureMessage: message, checks: [], quality: 0 };
}

/**
 * Judges a complete answer: first whether it is usable at all (empty, thinking only, cut off, a prompt
 * that did not fit), then parses it and grades it against the case, in the case set `context` holds.
 * Pure for every task whose grader runs no code.
 */
export async function evaluateAnswer(
	testCase: Case,
	task: TaskDefinition,
	answer: ChatAnswer,
	options: CallOptions,
	context: GradeContext,
): Promise<Evaluation> {
	const content = answer.content.trim();
	// Ollama truncates an oversized prompt silently; a prompt that took the room kept for the answer did
	// not fit, which is the harness's failure, not the model's.
	if (answer.promptEvalCount >= options.num_ctx - options.num_predict) {
		return hardFailure(
			'context-overflow',
			`the prompt used ${answer.promptEvalCount} tokens of num_ctx ${options.num_ctx}, leaving no room for the ${options.num_predict}-token answer`,
		);
	}
	// Thinking used the whole budget only when generation was cut off; a model that thought and then
	// stopped of its own accord gave an empty answer.
	if (!content && answer.thinking.trim() && answer.doneReason === 'length') {
		return hardFailure(
			'thinking-exhausted',
			`only thinking (${answer.thinking.length} characters), no answer; done_reason ${answer.doneReason}`,
		);
	}
	if (!content) {
		const thought = answer.thinking.trim() ? ` after ${answer.thinking.length} characters of thinking` : '';
		return hardFailure('empty', `an empty answer${thought}; done_reason ${answer.doneReason}`);
	}
	if (answer.doneReason === 'length') {
		return hardFailure('length', `cut off at num_predict ${options.num_predict} tokens (done_reason length)`);
	}
	const parsed = task.parse(answer.content, testCase, context);
	if (!parsed.ok) return hardFailure(parsed.failureClass ?? 'unparseable', parsed.reason);
	const grade = await task.grade(testCase, parsed.value, context);
	const accepted = grade.checks.every((check) => !check.required || check.pass);
	return {
		outcome: accepted ? 'accepted' : 'rejected',
		failureClass: null,
		failureMessage: null,
		checks: grade.checks,
		quality: Math.min(1, Math.max(0, grade.quality)),
		...(grade.execution ? { execution: grade.execution } : {}),
	};
}
