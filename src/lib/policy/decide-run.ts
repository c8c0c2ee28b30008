import type { Model } from '../schema/model.ts';
import type { Policy } from '../schema/policy.ts';
import type { Role } from '../schema/role.ts';
import type { Report, RoleMetrics } from '../schema/report.ts';
import { decideRole } from './decide-verdicts.ts';
import { type RunHistory, earlierWins, promotionProposals, retirementProposals } from './propose-changes.ts';

export interface RunDecisionInput {
	roles: readonly Role[];
	models: readonly Model[];
	/** Cases per role in this run. */
	casesPerRole: ReadonlyMap<string, number>;
	metrics: readonly RoleMetrics[];
	policy: Policy;
	/** Earlier runs, oldest first (this run excluded). */
	history: RunHistory;
	/** This run's manifest, for the retirement rules. */
	manifest: Report['manifest'];
	/** Roles whose results may not back a promotion this run, with why: each of their verdicts is `insufficient evidence`. */
	withheld?: ReadonlyMap<string, string>;
}

/** Every role's verdicts and the registry changes they lead to, sorted by role. Pure. */
export function decideRun(input: RunDecisionInput): Pick<Report, 'verdicts' | 'proposals'> {
	const catalog = new Map(input.models.map((model) => [model.id, model]));
	const roles = [...input.roles].sort((a, b) => a.role.localeCompare(b.role));
	const decided = roles.flatMap((role) =>
		decideRole(
			{
				role,
				cases: input.casesPerRole.get(role.role) ?? 0,
				metrics: input.metrics.filter((row) => row.role === role.role),
				catalog,
				earlierWins: earlierWins(role, input.history),
			},
			input.policy,
		),
	);
	const verdicts = decided.map((verdict) => {
		const reason = input.withheld?.get(verdict.role);
		return reason === undefined ? verdict : { ...verdict, outcome: 'insufficient evidence' as const, reason: `${verdict.challenger}: ${reason}` };
	});
	const thisRun = { metrics: [...input.metrics], manifest: input.manifest, verdicts };
	const proposals = [
		...promotionProposals(verdicts),
		...roles.flatMap((role) => retirementProposals(role, [...input.history, thisRun], input.policy)),
	];
	return { verdicts, proposals };
}
