import type { Model } from '../schema/model.ts';
import type { Policy } from '../schema/policy.ts';
import type { Role } from '../schema/role.ts';
import type { RoleMetrics, Verdict } from '../schema/report.ts';
import { type GateMetric, METRIC_GATES } from './gate-rules.ts';

type GateResult = Verdict['gates'][number];

/** What one role's decision needs from the run. */
export interface RoleEvidence {
	role: Role;
	/** Cases the role has in this run. */
	cases: number;
	/** This run's metrics rows for the role (one per model that ran). */
	metrics: readonly RoleMetrics[];
	/** Models by id, for family and cost tier. */
	catalog: ReadonlyMap<string, Model>;
	/**
	 * How many consecutive earlier runs (newest first, ending just before this one) each challenger won
	 * in this role; only read when `evidence.confirm_runs` > 1.
	 */
	earlierWins?: ReadonlyMap<string, number>;
}

/** The ranking among eligible challengers, as the policy page states it. */
export const RANKING = ['severity_weighted_pass', 'acceptance_rate', 'review_pain', 'hard_failure_rate', 'p50 latency', 'model id'] as const;

const value = (row: RoleMetrics, metric: GateMetric): number =>
	metric === 'review_pain' ? row.review_pain : metric === 'acceptance_rate' ? row.acceptance_rate.value : row.hard_failure_rate.value;

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));
const rate = (row: RoleMetrics, metric: GateMetric) => {
	const r = metric === 'acceptance_rate' ? row.acceptance_rate : metric === 'hard_failure_rate' ? row.hard_failure_rate : undefined;
	return r ? `${fmt(r.value)} [${fmt(r.low)}–${fmt(r.high)}]` : fmt(value(row, metric));
};

/**
 * Decides every challenger of one role against its incumbent, on the same run's cases: the metric
 * gates, cost, "strictly better on one", the evidence gates, then — among the eligible, best first by
 * `RANKING` — the family-diversity guard on the role as it would be after the promotion. At most one
 * challenger is promoted. Pure: same evidence, same verdicts.
 */
export function decideRole(evidence: RoleEvidence, policy: Policy): Verdict[] {
	const { role, catalog } = evidence;
	const rows = new Map(evidence.metrics.map((row) => [row.model, row]));
	const incumbentRow = rows.get(role.incumbent);
	const verdict = (challenger: string, outcome: Verdict['outcome'], reason: string, gates: GateResult[]): Verdict => ({
		role: role.role,
		challenger,
		incumbent: role.incumbent,
		outcome,
		reason,
		gates,
	});

	const minCases = policy.evidence.min_cases_per_role;
	const caseGate: GateResult = { gate: 'min_cases_per_role', challenger: evidence.cases, incumbent: minCases, pass: evidence.cases >= minCases };
	const eligible: { id: string; row: RoleMetrics; gates: GateResult[] }[] = [];
	const verdicts = new Map<string, Verdict>();

	for (const challenger of role.challengers) {
		const row = rows.get(challenger);
		if (!caseGate.pass) {
			verdicts.set(challenger, verdict(challenger, 'insufficient evidence', `${challenger} cannot be judged: the role has ${evidence.cases} case(s), the policy needs ${minCases}`, [caseGate]));
			continue;
		}
		if (!incumbentRow || !row) {
			const missing = !incumbentRow ? `the incumbent ${role.incumbent}` : challenger;
			verdicts.set(challenger, verdict(challenger, 'insufficient evidence', `${challenger} cannot be judged: ${missing} has no results in this run`, [caseGate]));
			continue;
		}

		const gates: GateResult[] = [caseGate];
		let firstFailure: string | undefined;
		for (const { metric, comparison, direction } of METRIC_GATES) {
			const tolerance = policy.gates[metric].tolerance;
			const c = value(row, metric);
			const i = value(incumbentRow, metric);
			const pass = direction === 'higher' ? c >= i - tolerance - 1e-12 : c <= i + tolerance + 1e-12;
			gates.push({ gate: metric, challenger: c, incumbent: i, pass });
			if (!pass && !firstFailure) {
				const opposite = comparison === '≥' ? '<' : '>';
				firstFailure = `${metric} ${rate(row, metric)} ${opposite} ${rate(incumbentRow, metric)}`;
			}
		}
		const strictlyBetter = METRIC_GATES.some(({ metric, direction }) => (direction === 'higher' ? value(row, metric) > value(incumbentRow, metric) : value(row, metric) < value(incumbentRow, metric)));
		if (policy.gates.strictly_better_on_one) {
			gates.push({ gate: 'strictly_better', challenger: strictlyBetter ? 'yes' : 'no', incumbent: null, pass: strictlyBetter });
			if (!strictlyBetter && !firstFailure) firstFailure = 'equal to the incumbent on acceptance_rate, review_pain and hard_failure_rate';
		}
		const challengerCost = catalog.get(challenger)?.cost_tier ?? 'free';
		const incumbentCost = catalog.get(role.incumbent)?.cost_tier ?? 'free';
		const costPass = challengerCost === 'free' || incumbentCost === 'paid';
		gates.push({ gate: 'cost_tier', challenger: challengerCost, incumbent: incumbentCost, pass: costPass });

		if (firstFailure) verdicts.set(challenger, verdict(challenger, 'hold', `${challenger} holds: ${firstFailure}`, gates));
		else if (!costPass) verdicts.set(challenger, verdict(challenger, 'blocked: cost', `${challenger} is blocked: cost_tier paid, and the incumbent ${role.incumbent} is free`, gates));
		else eligible.push({ id: challenger, row, gates });
	}

	eligible.sort((a, b) => compareChallengers(a.row, b.row));
	let promoted: string | undefined;
	for (const candidate of eligible) {
		if (promoted) {
			verdicts.set(candidate.id, verdict(candidate.id, 'hold', `${candidate.id} holds: it passes every gate, but ${promoted} ranks higher (${RANKING.slice(0, 2).join(', then ')}…)`, candidate.gates));
			continue;
		}
		// The role as it would be: the winner serves, the replaced incumbent leaves, the others stay.
		const after = [candidate.id, ...role.challengers.filter((id) => id !== candidate.id)];
		const families = new Set(after.map((id) => catalog.get(id)?.family ?? id));
		const diversityGate: GateResult = { gate: 'family_diversity', challenger: families.size, incumbent: policy.diversity.min_families, pass: families.size >= policy.diversity.min_families };
		const gates = [...candidate.gates, diversityGate];
		if (!diversityGate.pass) {
			const familyList = [...families].join(', ');
			verdicts.set(candidate.id, verdict(candidate.id, 'blocked: diversity', `${candidate.id} is blocked: the role would be served by ${families.size} family (${familyList}), the policy needs ${policy.diversity.min_families}`, gates));
			continue;
		}
		const wins = (evidence.earlierWins?.get(candidate.id) ?? 0) + 1;
		if (wins < policy.evidence.confirm_runs) {
			const confirmGate: GateResult = { gate: 'confirm_runs', challenger: wins, incumbent: policy.evidence.confirm_runs, pass: false };
			verdicts.set(candidate.id, verdict(candidate.id, 'hold', `${candidate.id} holds: it wins, in ${wins} of the ${policy.evidence.confirm_runs} consecutive runs the policy asks for`, [...gates, confirmGate]));
			continue;
		}
		promoted = candidate.id;
		const reasonMetric = METRIC_GATES.find(({ metric, direction }) => (direction === 'higher' ? value(candidate.row, metric) > value(incumbentRow!, metric) : value(candidate.row, metric) < value(incumbentRow!, metric)));
		const why = reasonMetric ? `${reasonMetric.metric} ${rate(candidate.row, reasonMetric.metric)} vs ${rate(incumbentRow!, reasonMetric.metric)}` : 'passes every gate';
		verdicts.set(candidate.id, verdict(candidate.id, 'promote', `${candidate.id} replaces ${role.incumbent}: ${why}`, gates));
	}
	return role.challengers.map((id) => verdicts.get(id)!);
}

/** Best first: the fixed order the policy documents, with the model id last so the order is total. */
export function compareChallengers(a: RoleMetrics, b: RoleMetrics): number {
	return (
		b.severity_weighted_pass.value - a.severity_weighted_pass.value ||
		b.acceptance_rate.value - a.acceptance_rate.value ||
		a.review_pain - b.review_pain ||
		a.hard_failure_rate.value - b.hard_failure_rate.value ||
		(a.latency_ms.p50 ?? Number.POSITIVE_INFINITY) - (b.latency_ms.p50 ?? Number.POSITIVE_INFINITY) ||
		a.model.localeCompare(b.model)
	);
}
