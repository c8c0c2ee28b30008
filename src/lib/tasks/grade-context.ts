import type { Case, Task } from '../schema/case.ts';
import type { GradeContext } from './task-definition.ts';

/**
 * The grade context of every task of a case set: each task's cases, sorted by id. Built once per run, so
 * a grader that needs the whole set (a commit message's specificity) sees the same set for every answer.
 */
export function gradeContexts(
	cases: readonly Case[],
	services: Pick<GradeContext, 'executor' | 'coderAnswerFormat'> = {},
): (task: Task) => GradeContext {
	const byTask = new Map<Task, Case[]>();
	for (const testCase of cases) byTask.set(testCase.task, [...(byTask.get(testCase.task) ?? []), testCase]);
	for (const list of byTask.values()) list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	const contexts = new Map<Task, GradeContext>();
	return (task) => {
		let context = contexts.get(task);
		if (!context) {
			context = { cases: byTask.get(task) ?? [], ...services };
			contexts.set(task, context);
		}
		return context;
	};
}
