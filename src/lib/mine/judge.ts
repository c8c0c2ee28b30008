import { CaseSchema, type Case, type Task } from '../schema/case.ts';
import { promptFits } from './budget.ts';
import type { AnswerSettings } from '../tasks/index.ts';
import type { CandidateOutcome } from './build-cases.ts';
import type { CandidateThunk } from './candidates.ts';
import { takeInOrder } from './pool.ts';
import { findSecrets } from './secrets.ts';
import type { Budget, SecretFinding, SkipReason, TaskTally } from './types.ts';

/** Decides whether a built candidate becomes a case: counts skips, validates, scans for secrets. */
export type Judge = (task: Task, outcome: CandidateOutcome) => Promise<Case | undefined>;

/** The budget every prompt must fit, and where a judge reports what it drops. */
export type JudgeRecords = {
	budget: Budget;
	/** How answers will be asked for (the coder's answer format): the prompt sized is the one the run will send. */
	settings?: AnswerSettings;
	tallies: Map<Task, TaskTally>;
	secrets: SecretFinding[];
	invalid: Array<{ caseId: string; message: string }>;
};

/** Adds one skip to a task's tally. */
export function countSkip(tallies: Map<Task, TaskTally>, task: Task, reason: SkipReason): void {
	const tally = tallies.get(task);
	if (!tally) throw new Error(`Task '${task}' is not being mined.`);
	tally.skipped[reason] = (tally.skipped[reason] ?? 0) + 1;
}

/**
 * Counts skips, validates with CaseSchema (the site refuses what the schema refuses, so nothing invalid is
 * written), drops cases whose real prompt would not fit the context, and cases secretlint flags; returns
 * the case when it is kept.
 */
export function createJudge(records: JudgeRecords): Judge {
	return async (task, outcome) => {
		if ('skip' in outcome) {
			countSkip(records.tallies, task, outcome.skip);
			return undefined;
		}
		const parsed = CaseSchema.safeParse(outcome.candidate);
		if (!parsed.success) {
			records.invalid.push({ caseId: String(outcome.candidate.id), message: parsed.error.message });
			countSkip(records.tallies, task, 'invalid');
			return undefined;
		}
		if (!promptFits(parsed.data, records.budget, records.settings)) {
			countSkip(records.tallies, task, 'too-large');
			return undefined;
		}
		const found = await findSecrets(parsed.data.id, parsed.data);
		if (found.length > 0) {
			records.secrets.push(...found);
			countSkip(records.tallies, task, 'secret');
			return undefined;
		}
		return parsed.data;
	};
}

/** Builds candidates in order, `concurrency` at a time, until `limit` cases pass the judge. */
export async function takeCases(
	candidates: CandidateThunk[],
	limit: number,
	concurrency: number,
	task: Task,
	judge: Judge,
): Promise<Case[]> {
	const kept: Case[] = [];
	await takeInOrder(candidates, limit, concurrency, async (outcome) => {
		const value = await judge(task, outcome);
		if (value) kept.push(value);
		return value !== undefined;
	});
	return kept;
}
