import type { z } from 'astro/zod';
import type { CheckSpecSchema, Task } from '../schema/case.ts';

/** A check as the case schema stores it. */
export type CheckSpec = z.infer<typeof CheckSpecSchema>;

/** The routing slots the miner fills, and the tasks each one is measured on. */
export const ROLE_TASKS = {
	draft: ['commit-message'],
	reason: ['change-localization'],
	review: ['code-review', 'security-review'],
	coder: ['implement-change'],
} as const satisfies Record<string, readonly Task[]>;
/** A role the miner writes cases for. */
export type MinedRole = keyof typeof ROLE_TASKS;
/** The mined roles, in the order cases and summaries list them. */
export const MINED_ROLES = Object.keys(ROLE_TASKS) as MinedRole[];

/** The role a task's cases belong to. */
export function roleOfTask(task: Task): MinedRole {
	for (const role of MINED_ROLES) if ((ROLE_TASKS[role] as readonly Task[]).includes(task)) return role;
	throw new Error(`No role mines the task '${task}'.`);
}

/**
 * Thresholds the graders compare against. Localization gates on both recall (naming half of the files
 * really changed is where a suggestion starts to save a person time) and precision (more than half of the
 * files named must be right: listing everything saves no one anything). A rejection gates on finding
 * precision (half of its findings on the faulty lines). Similarities use the same halfway mark.
 */
export const THRESHOLDS = {
	filesRecall: 0.5,
	filesPrecision: 0.5,
	findingPrecision: 0.5,
	messageSimilarity: 0.5,
	changeSimilarity: 0.5,
} as const;

/** The checks a case of the task carries; review cases that expect `reject` also gate on the lines. */
export function checksFor(task: Task, verdict?: 'approve' | 'reject'): CheckSpec[] {
	switch (task) {
		case 'commit-message':
			return [
				{ name: 'subject-well-formed', required: true },
				{ name: 'message-specific', required: true },
				{ name: 'message-similarity', required: false, threshold: THRESHOLDS.messageSimilarity },
			];
		case 'change-localization':
			return [
				{ name: 'files-recall', required: true, threshold: THRESHOLDS.filesRecall },
				{ name: 'files-precision', required: true, threshold: THRESHOLDS.filesPrecision },
			];
		case 'code-review':
		case 'security-review':
			return verdict === 'reject'
				? [
						{ name: 'verdict', required: true },
						{ name: 'finding-on-lines', required: true },
						{ name: 'finding-precision', required: true, threshold: THRESHOLDS.findingPrecision },
					]
				: [
						{ name: 'verdict', required: true },
						{ name: 'no-serious-finding', required: true },
					];
		case 'implement-change':
			// The commit's own tests decide; the file-set and similarity checks are shown, not gated: an answer
			// can touch the right files and still not work.
			return [
				{ name: 'tests-pass', required: true },
				{ name: 'files-changed', required: false },
				{ name: 'change-similarity', required: false, threshold: THRESHOLDS.changeSimilarity },
			];
	}
}
