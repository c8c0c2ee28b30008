import type { Model } from '../schema/model.ts';
import type { Policy } from '../schema/policy.ts';
import type { GateResult, RoleMetrics, Verdict } from '../schema/report.ts';
import type { Role } from '../schema/role.ts';
import type { MetricComparison } from '../metrics/paired-comparison.ts';
import { formatP, metricText } from './verdict-text.ts';

/** The ranking among eligible challengers, as the policy page states it. */
export const RANKING = [
	'severity_weighted_pass',
	'acceptance_rate',
	'review_pain',
	'hard_failure_rate',
	'p50 latency',
	'model id',
] as const;

/** A challenger that passed every gate judged one by one: what the ranking and the guard read. */
export interface Eligible {
	id: string;
	row: RoleMetrics;
	gates: GateResult[];
	/** The metric the data show it best on. */
	better: MetricComparison;
}

/** What the promotion of one role needs besides its eligible challengers. */
export interface PromotionContext {
	role: Role;
	incumbentRow: RoleMetrics;
	catalog: ReadonlyMap<string, Model>;
	policy: Policy;
	/** Consecutive earlier runs each challenger won in this role. */
	earlierWins?: ReadonlyMap<string, number>;
	/** A verdict on `challenger` in this role, with `more` cases that would settle it when the outcome says so. */
	verdict(challenger: string, outcome: Verdict['outcome'], reason: string, gates: GateResult[], more?: number): Verdict;
}

/**
 * Promotes at most one of the eligible challengers: best first by `RANKING`; the first is checked against
 * the family-diversity guard on the role as it would be after its promotion and against `confirm_runs`,
 * and the next is tried when it fails either. The rest hold. Pure.
 */
export function promoteBest(context: PromotionContext, eligible: readonly Eligible[]): Verdict[] {
	const verdicts: Verdict[] = [];
	let promoted: string | undefined;
	for (const candidate of [...eligible].sort((a, b) => compareChallengers(a.row, b.row))) {
		if (promoted) {
			verdicts.push(
				context.verdict(
					candidate.id,
					'hold',
					`${candidate.id} holds: it passes every gate, but ${promoted} ranks higher (${RANKING.slice(0, 2).join(', then ')}…)`,
					candidate.gates,
				),
			);
			continue;
		}
		const diversity = diversityGate(context, candidate.id);
		const gates = [...candidate.gates, diversity.gate];
		if (!diversity.gate.pass) {
			verdicts.push(
				context.verdict(
					candidate.id,
					'blocked: diversity',
					`${candidate.id} is blocked: the role would be served by ${diversity.families.length} family (${diversity.families.join(', ')}), the policy needs ${context.policy.diversity.min_families}`,
					gates,
				),
			);
			continue;
		}
		const confirm = confirmGate(context, candidate.id);
		if (confirm) {
			verdicts.push(
				context.verdict(
					candidate.id,
					'hold',
					`${candidate.id} holds: it wins, in ${confirm.challenger} of the ${context.policy.evidence.confirm_runs} consecutive runs the policy asks for`,
					[...gates, confirm],
				),
			);
			continue;
		}
		promoted = candidate.id;
		verdicts.push(
			context.verdict(
				candidate.id,
				'promote',
				`${candidate.id} replaces ${context.role.incumbent}: ${whyBetter(context, candidate)}`,
				gates,
			),
		);
	}
	return verdicts;
}

/** The guard on the role as it would be: the winner serves, the replaced incumbent leaves, the others stay. */
function diversityGate(context: PromotionContext, winner: string): { gate: GateResult; families: string[] } {
	const after = [winner, ...context.role.challengers.filter((id) => id !== winner)];
	const families = [...new Set(after.map((id) => context.catalog.get(id)?.family ?? id))];
	return {
		families,
		gate: {
			gate: 'family_diversity',
			challenger: families.length,
			incumbent: context.policy.diversity.min_families,
			pass: families.length >= context.policy.diversity.min_families,
		},
	};
}

/** The failed `confirm_runs` gate when this win does not yet complete the consecutive runs asked for; else undefined. */
function confirmGate(context: PromotionContext, winner: string): GateResult | undefined {
	const wins = (context.earlierWins?.get(winner) ?? 0) + 1;
	const needed = context.policy.evidence.confirm_runs;
	return wins < needed ? { gate: 'confirm_runs', challenger: wins, incumbent: needed, pass: false } : undefined;
}

function whyBetter(context: PromotionContext, candidate: Eligible): string {
	const { better } = candidate;
	const alpha = context.policy.evidence.alpha;
	return better.pBetter <= alpha
		? `${better.metric} ${metricText(candidate.row, better.metric)} vs ${metricText(context.incumbentRow, better.metric)}, better at α ${alpha} (${better.detail}; p = ${formatP(better.pBetter)})`
		: 'passes every gate';
}

/** Best first: the fixed order the policy documents, with the model id last so the order is total. */
export function compareChallengers(a: RoleMetrics, b: RoleMetrics): number {
	return (
		// The share, not the points: a challenger stopped early (or not served some cases) answered fewer cases.
		b.severity_weighted_pass.share - a.severity_weighted_pass.share ||
		b.acceptance_rate.value - a.acceptance_rate.value ||
		a.review_pain - b.review_pain ||
		a.hard_failure_rate.value - b.hard_failure_rate.value ||
		(a.latency_ms.p50 ?? Number.POSITIVE_INFINITY) - (b.latency_ms.p50 ?? Number.POSITIVE_INFINITY) ||
		a.model.localeCompare(b.model)
	);
}
