import type { Model } from '../schema/model.ts';
import type { Policy } from '../schema/policy.ts';
import type { Role } from '../schema/role.ts';
import type { CaseResult, Report, RoleMetrics } from '../schema/report.ts';
import { decideRole } from './decide-verdicts.ts';
import { judgeWholeChange } from './judge-change.ts';
import { type RunHistory, earlierWins, promotionProposals, retirementProposals } from './propose-changes.ts';

export interface RunDecisionInput {
	roles: readonly Role[];
	models: readonly Model[];
	/** Cases per role in this run. */
	casesPerRole: ReadonlyMap<string, number>;
	metrics: readonly RoleMetrics[];
	/** Every case result of this run: the paired tests compare models case by case. */
	results: readonly CaseResult[];
	policy: Policy;
	/** Earlier runs, oldest first (this run excluded). */
	history: RunHistory;
	/** This run's manifest, for the retirement rules. */
	manifest: Report['manifest'];
	/**
	 * Roles whose grader is not valid on this run's cases, with why: every verdict there is
	 * `insufficient evidence` and no promotion is proposed.
	 */
	invalidRoles?: ReadonlyMap<string, string>;
}

/**
 * Every role's verdicts and the registry changes they lead to, sorted by role; the proposals are then
 * judged together by the diversity guard (`judgeWholeChange`), and those that would break it are held.
 * Pure.
 */
export function decideRun(input: RunDecisionInput): Pick<Report, 'verdicts' | 'proposals' | 'held_proposals'> {
	const catalog = new Map(input.models.map((model) => [model.id, model]));
	const roles = [...input.roles].sort((a, b) => a.role.localeCompare(b.role));
	const verdicts = roles.flatMap((role) =>
		decideRole(
			{
				role,
				cases: input.casesPerRole.get(role.role) ?? 0,
				metrics: input.metrics.filter((row) => row.role === role.role),
				results: input.results.filter((result) => result.role === role.role),
				catalog,
				earlierWins: earlierWins(role, input.history),
				graderInvalid: input.invalidRoles?.get(role.role),
			},
			input.policy,
		),
	);
	const thisRun = { metrics: [...input.metrics], manifest: input.manifest, verdicts };
	const proposed = [
		...promotionProposals(verdicts),
		...roles.flatMap((role) => retirementProposals(role, [...input.history, thisRun], input.policy)),
	];
	const judged = judgeWholeChange(input.roles, input.models, proposed, input.policy.diversity.min_families);
	return { verdicts, proposals: judged.proposals, held_proposals: judged.held };
}
