import type { Model } from '../schema/model.ts';
import type { Policy } from '../schema/policy.ts';
import type { Role } from '../schema/role.ts';
import type { CaseResult, NotRunCase, Report, RoleMetrics } from '../schema/report.ts';
import { decideRole } from './decide-verdicts.ts';
import { judgeWholeChange } from './judge-change.ts';
import type { SequentialEvidence, StopRule } from './sequential-stop.ts';
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
	/** The cases the server could not serve after the retries: not evidence, in no gate. */
	notRun?: readonly NotRunCase[];
	/** Per role, the models none of whose cases ran, with why (`not measured: load failed — …`): they get no verdict. */
	notMeasured?: ReadonlyMap<string, ReadonlyMap<string, string>>;
	/**
	 * The run's stop rule (`evidence.sequential`), after every result was observed: a challenger it stopped
	 * under `curtail` gets the verdict it settled; under `anytime` every challenger's gates use the
	 * anytime-valid test over what it read. Absent, or mode `off`: the fixed-sample tests, as without it.
	 */
	sequential?: StopRule;
}

/**
 * Every role's verdicts and the registry changes they lead to, sorted by role; the proposals are then
 * judged together by the diversity guard (`judgeWholeChange`), and those that would break it are held.
 * Pure.
 */
export function decideRun(input: RunDecisionInput): Pick<Report, 'verdicts' | 'proposals' | 'held_proposals'> {
	const catalog = new Map(input.models.map((model) => [model.id, model]));
	const roles = [...input.roles].sort((a, b) => a.role.localeCompare(b.role));
	// Per role and model, the cases of which no repeat ran: a repeat that ran still makes the case evidence.
	const ran = new Set(input.results.map((result) => `${result.role}\u0000${result.model}\u0000${result.case_id}`));
	const notRun = new Map<string, Map<string, Set<string>>>();
	for (const entry of input.notRun ?? []) {
		if (ran.has(`${entry.role}\u0000${entry.model}\u0000${entry.case_id}`)) continue;
		const byModel = notRun.get(entry.role) ?? new Map<string, Set<string>>();
		byModel.set(entry.model, (byModel.get(entry.model) ?? new Set<string>()).add(entry.case_id));
		notRun.set(entry.role, byModel);
	}
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
				notRun: notRun.get(role.role),
				notMeasured: input.notMeasured?.get(role.role),
				sequential: sequentialOf(input.sequential, role),
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

/** The stop rule's evidence for each challenger of `role`; undefined without a rule or in mode `off`. */
function sequentialOf(rule: StopRule | undefined, role: Role): Map<string, SequentialEvidence> | undefined {
	if (!rule || rule.mode === 'off') return undefined;
	const byChallenger = new Map<string, SequentialEvidence>();
	for (const challenger of role.challengers) {
		const evidence = rule.evidence(role.role, challenger);
		if (evidence) byChallenger.set(challenger, evidence);
	}
	return byChallenger;
}
