import { caseScores } from '../metrics/paired-comparison.ts';
import type { Policy } from '../schema/policy.ts';
import type { Verdict } from '../schema/report.ts';
import { type RoleContext, judgeChallenger } from './judge-challenger.ts';
import { type Eligible, promoteBest } from './promote-best.ts';
import type { RoleEvidence } from './role-evidence.ts';

export type { RoleEvidence } from './role-evidence.ts';

/**
 * Decides every challenger of one role against its incumbent, on the same run's cases, by paired
 * statistics at `evidence.alpha`: each challenger is first judged on its own (`judgeChallenger`: a metric
 * gate fails only when the data show it worse, "strictly better on one" passes only when they show it
 * better, then cost); the eligible ones are then ranked and at most one is promoted (`promoteBest`: the
 * family-diversity guard on the role as it would be, `confirm_runs`). Pure: same evidence, same verdicts.
 */
export function decideRole(evidence: RoleEvidence, policy: Policy): Verdict[] {
	const context = roleContext(evidence, policy);
	const verdicts = new Map<string, Verdict>();
	const eligible: Eligible[] = [];
	const judged = evidence.role.challengers.filter((challenger) => !evidence.notMeasured?.has(challenger));
	for (const challenger of judged) {
		const judgement = judgeChallenger(context, challenger);
		if ('outcome' in judgement) verdicts.set(challenger, judgement);
		else eligible.push(judgement);
	}
	for (const verdict of promoteBest(context, eligible)) verdicts.set(verdict.challenger, verdict);
	return judged.map((id) => verdicts.get(id)!);
}

function roleContext(evidence: RoleEvidence, policy: Policy): RoleContext {
	const { role } = evidence;
	const alpha = policy.evidence.alpha;
	const rows = new Map(evidence.metrics.map((row) => [row.model, row]));
	const scores = new Map<string, ReturnType<typeof caseScores>>();
	return {
		evidence,
		rows,
		role,
		policy,
		catalog: evidence.catalog,
		earlierWins: evidence.earlierWins,
		// Only read once a challenger is past the preconditions, which require the incumbent's row.
		get incumbentRow() {
			return rows.get(role.incumbent)!;
		},
		scores(model) {
			if (!scores.has(model)) scores.set(model, caseScores(evidence.results, role.role, model));
			return scores.get(model)!;
		},
		verdict: (challenger, outcome, reason, gates, more) => ({
			role: role.role,
			challenger,
			incumbent: role.incumbent,
			outcome,
			reason,
			gates,
			alpha,
			...(more ? { more_evidence: { cases: more } } : {}),
		}),
	};
}
