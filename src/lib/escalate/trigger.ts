import type { Case } from '../schema/case.ts';
import type { Policy } from '../schema/policy.ts';
import type { CaseResult } from '../schema/report.ts';
import { taskFor } from '../tasks/index.ts';

/** The `escalation` section of policy.yaml. */
export type EscalationPolicy = Policy['escalation'];

/** A reviewer's verdict. */
export type ReviewVerdict = 'approve' | 'reject';

/**
 * The verdict in a review answer, read with the case's own parser; null when the text does not parse or
 * the task has no verdict (only the review tasks do). Pure.
 */
export function reviewVerdict(testCase: Case, text: string): ReviewVerdict | null {
	const parsed = taskFor(testCase.task).parse(text, testCase);
	if (!parsed.ok) return null;
	const verdict = (parsed.value as { verdict?: unknown } | null)?.verdict;
	return verdict === 'approve' || verdict === 'reject' ? verdict : null;
}

/**
 * Whether a graded result is escalated: escalation is on, the result is the escalation role's incumbent
 * on one of the policy's tasks, and its answer rejects the change. The trigger is the incumbent's own
 * verdict, not its grade: the routing it mirrors cannot know whether a rejection is right, which is
 * exactly why it asks a bigger model. A hard failure has no verdict and is never escalated. Pure.
 */
export function triggersEscalation(policy: EscalationPolicy, incumbent: string | undefined, result: CaseResult, testCase: Case): boolean {
	if (!policy.enabled || incumbent === undefined) return false;
	if (result.role !== policy.role || result.model !== incumbent) return false;
	if (!(policy.tasks as readonly string[]).includes(result.task) || result.outcome === 'hard-failure') return false;
	return reviewVerdict(testCase, result.output) === 'reject';
}
