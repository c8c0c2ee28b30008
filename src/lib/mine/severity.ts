import type { Severity } from '../schema/common.ts';
import type { Task } from '../schema/case.ts';

/** What severity depends on: the task, the size of the change, and what kind of change it is. */
export type SeverityFacts = {
	task: Task;
	/** Lines added plus deleted in the files the model is shown. */
	changedLines: number;
	/** The commit fixes a bug (fix words, `Fixes:` trailer). */
	isFix: boolean;
	/** Review cases: the expected verdict. */
	verdict?: 'approve' | 'reject';
	/** Approve review cases: the severity of the reject case the approve case was matched to. */
	matchedSeverity?: Severity;
};

/** Changed lines up to which a change counts as small, then medium; above the second it is large. */
export const SIZE_STEPS = { small: 10, medium: 100 } as const;

/** `low` for a small change, `medium` up to SIZE_STEPS.medium lines, `high` above. */
export function severityBySize(changedLines: number): Severity {
	if (changedLines <= SIZE_STEPS.small) return 'low';
	if (changedLines <= SIZE_STEPS.medium) return 'medium';
	return 'high';
}

/**
 * How costly a wrong answer is, by one documented rule:
 * - review, reject: security-review `critical` (a missed vulnerability ships), code-review `high` (a
 *   missed bug ships).
 * - review, approve: the severity of the reject case it was matched to, so that every verdict weighs the
 *   same and rejecting everything earns no more than approving everything; unmatched, as a reject case of
 *   its task would be.
 * - implement-change: by size; a bug fix is at least `medium` and one step up (a wrong fix ships the bug).
 * - change-localization: by size (a bigger change sends a person looking in more wrong places).
 * - commit-message: by size, capped at `medium` (a poor message is cheap to rewrite).
 */
export function severityOf(facts: SeverityFacts): Severity {
	const bySize = severityBySize(facts.changedLines);
	switch (facts.task) {
		case 'security-review':
			return facts.verdict === 'approve' && facts.matchedSeverity ? facts.matchedSeverity : 'critical';
		case 'code-review':
			return facts.verdict === 'approve' && facts.matchedSeverity ? facts.matchedSeverity : 'high';
		case 'implement-change':
			if (!facts.isFix) return bySize;
			return bySize === 'low' ? 'medium' : 'high';
		case 'change-localization':
			return bySize;
		case 'commit-message':
			return bySize === 'high' ? 'medium' : bySize;
	}
}
