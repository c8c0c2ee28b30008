import type { Case, Task } from '../schema/case.ts';
import { changeLocalizationTask } from './change-localization.ts';
import { codeReviewTask } from './code-review.ts';
import { commitMessageTask } from './commit-message.ts';
import { implementChangeTask } from './implement-change.ts';
import { securityReviewTask } from './security-review.ts';
import type { TaskDefinition } from './task-definition.ts';

/** The interface every task implements, for the engine's convenience. */
export type {
	AnswerSettings,
	CheckResult,
	Grade,
	GradeContext,
	ParseResult,
	Prompt,
	PromptMessage,
	Sentinel,
	TaskDefinition,
} from './task-definition.ts';
/** Each task's case set, for the graders that judge an answer against it. */
export { gradeContexts } from './grade-context.ts';
/** The token estimate the engine uses to refuse a prompt that cannot fit `num_ctx`. */
export { estimateTokens, promptTokens } from './tokens.ts';

/** Every task's definition, by task name: the engine's one lookup from a case to its prompt and grader. */
export const TASK_DEFINITIONS = {
	'commit-message': commitMessageTask,
	'change-localization': changeLocalizationTask,
	'code-review': codeReviewTask,
	'security-review': securityReviewTask,
	'implement-change': implementChangeTask,
} as const satisfies { [T in Task]: TaskDefinition<Extract<Case, { task: T }>> };

/**
 * The definition that runs cases of `task`. Typed loosely (any case, unknown answer) because the engine
 * holds cases of every task; each definition only ever receives cases of its own task, and the answer its
 * own `parse` returned.
 */
export function taskFor(task: Task): TaskDefinition {
	return TASK_DEFINITIONS[task] as TaskDefinition;
}
