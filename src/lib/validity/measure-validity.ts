import type { RunOptions } from '../schema/policy.ts';
import type { Case, Task } from '../schema/case.ts';
import type { GraderValidity, SentinelTally } from '../schema/validity.ts';
import { round4 } from '../metrics/wilson.ts';
import { evaluateAnswer } from '../run/evaluate-answer.ts';
import type { CallOptions, ChatAnswer } from '../run/model-client.ts';
import { type GradeContext, taskFor } from '../tasks/index.ts';
import { pct } from '../format/format.ts';

/** The reference answer must be accepted on at least this share of a task's cases. */
export const REFERENCE_FLOOR = 0.9;
/** Junk may be accepted on at most this share of a task's cases, unless the task has a chance level. */
export const JUNK_LIMIT = 0.1;
/** Over a task's chance level, junk may be accepted on this much more before the grader counts as not valid. */
export const CHANCE_MARGIN = 0.05;

/** A sentinel's text as a finished model answer, so it is judged exactly as a model's would be. */
function asAnswer(text: string): ChatAnswer {
	return {
		content: text,
		thinking: '',
		doneReason: 'stop',
		latencyMs: 0,
		ttftMs: null,
		evalCount: 0,
		evalDurationNs: 0,
		promptEvalCount: 0,
		loadDurationNs: 0,
	};
}

/**
 * Grades every sentinel of every case through the real parse → grade path and says, per task, whether
 * the grader is valid on these cases: the reference accepted on ≥ 90 % and every junk on ≤ the task's
 * limit. Tasks without cases are left out. Sorted by task.
 */
export async function measureGraderValidity(
	cases: readonly Case[],
	gradeContext: (task: Task) => GradeContext,
	run: Pick<RunOptions, 'num_ctx' | 'num_predict' | 'temperature' | 'seed' | 'think'>,
): Promise<GraderValidity[]> {
	const options: CallOptions = {
		num_ctx: run.num_ctx,
		num_predict: run.num_predict,
		temperature: run.temperature,
		seed: run.seed,
		think: run.think,
	};
	const tasks = [...new Set(cases.map((testCase) => testCase.task))].sort();
	const measured: GraderValidity[] = [];
	for (const task of tasks) {
		const definition = taskFor(task);
		const context = gradeContext(task);
		const taskCases = cases.filter((testCase) => testCase.task === task);
		const tallies = new Map<string, { kind: 'reference' | 'junk'; cases: number; accepted: number }>();
		for (const testCase of taskCases) {
			for (const sentinel of definition.sentinels(testCase, context)) {
				const evaluation = await evaluateAnswer(testCase, definition, asAnswer(sentinel.text), options, context);
				const tally = tallies.get(sentinel.name) ?? { kind: sentinel.kind, cases: 0, accepted: 0 };
				tally.cases += 1;
				if (evaluation.outcome === 'accepted') tally.accepted += 1;
				tallies.set(sentinel.name, tally);
			}
		}
		const toTally = (name: string, tally: { cases: number; accepted: number }): SentinelTally => ({
			name,
			cases: tally.cases,
			accepted: tally.accepted,
			rate: tally.cases === 0 ? 0 : round4(tally.accepted / tally.cases),
		});
		const referenceTally = tallies.get('reference');
		const reference = toTally('reference', referenceTally ?? { cases: 0, accepted: 0 });
		const junk = [...tallies.entries()]
			.filter(([, tally]) => tally.kind === 'junk')
			.map(([name, tally]) => toTally(name, tally))
			.sort((a, b) => a.name.localeCompare(b.name));
		const best = [...junk].sort((a, b) => b.rate - a.rate || a.name.localeCompare(b.name))[0] ?? null;
		const chance = definition.chance?.(taskCases);
		const junkLimit = round4(chance ? chance.rate + CHANCE_MARGIN : JUNK_LIMIT);
		const problems: string[] = [];
		if (reference.cases === 0 || reference.rate < REFERENCE_FLOOR) {
			problems.push(
				`the reference answer is accepted on ${pct(reference.rate)} of ${reference.cases} case(s), under ${pct(REFERENCE_FLOOR)}`,
			);
		}
		for (const tally of junk) {
			if (tally.rate > junkLimit + 1e-9)
				problems.push(
					`the junk answer '${tally.name}' is accepted on ${pct(tally.rate)} of ${tally.cases} case(s), over ${pct(junkLimit)}`,
				);
		}
		measured.push({
			task,
			grader_version: definition.graderVersion,
			cases: taskCases.length,
			reference,
			junk,
			best_junk: best,
			reference_floor: REFERENCE_FLOOR,
			junk_limit: junkLimit,
			chance: chance ? { answer: chance.answer, rate: round4(chance.rate) } : null,
			valid: problems.length === 0,
			reason: problems.length === 0 ? null : `${task}: ${problems.join('; ')}`,
		});
	}
	return measured;
}

/**
 * Roles whose grader is not valid on the run's cases, with why: a role is judged on every task it has
 * cases of, so one invalid task is enough to withhold its promotions.
 */
export function invalidRoles(cases: readonly Case[], validity: readonly GraderValidity[]): Map<string, string> {
	const byTask = new Map(validity.map((entry) => [entry.task, entry]));
	const reasons = new Map<string, string[]>();
	for (const testCase of cases) {
		const entry = byTask.get(testCase.task);
		if (!entry || entry.valid) continue;
		const list = reasons.get(testCase.role) ?? [];
		if (!list.includes(entry.reason as string)) list.push(entry.reason as string);
		reasons.set(testCase.role, list);
	}
	return new Map([...reasons].sort(([a], [b]) => a.localeCompare(b)).map(([role, list]) => [role, list.join('; ')]));
}
