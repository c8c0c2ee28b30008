import type { Model } from '../schema/model.ts';
import type { Policy } from '../schema/policy.ts';
import type { Role } from '../schema/role.ts';
import type { CaseResult, RoleMetrics, Verdict } from '../schema/report.ts';
import { GATE_TESTS, type GateMetric, METRIC_GATES } from './gate-rules.ts';
import { type MetricComparison, caseScores, compareOnCases } from './paired-evidence.ts';

type GateResult = Verdict['gates'][number];

/** What one role's decision needs from the run. */
export interface RoleEvidence {
	role: Role;
	/** Cases the role has in this run. */
	cases: number;
	/** This run's metrics rows for the role (one per model that ran). */
	metrics: readonly RoleMetrics[];
	/** This run's case results for the role: the paired tests compare models case by case. */
	results: readonly CaseResult[];
	/** Models by id, for family and cost tier. */
	catalog: ReadonlyMap<string, Model>;
	/**
	 * How many consecutive earlier runs (newest first, ending just before this one) each challenger won
	 * in this role; only read when `evidence.confirm_runs` > 1.
	 */
	earlierWins?: ReadonlyMap<string, number>;
	/** Set when the role's grader is not valid on these cases: why. Every verdict is then `insufficient evidence`. */
	graderInvalid?: string;
	/**
	 * Per model, the case ids the server could not serve it in this run (no repeat of them ran): they are
	 * not evidence, so the case gate counts only cases both models ran.
	 */
	notRun?: ReadonlyMap<string, ReadonlySet<string>>;
	/**
	 * Models of the role none of whose cases ran, with why (`not measured: load failed — …`): a challenger
	 * here gets no verdict at all; an incumbent here leaves every challenger without one to be judged against.
	 */
	notMeasured?: ReadonlyMap<string, string>;
}

/** The ranking among eligible challengers, as the policy page states it. */
export const RANKING = [
	'severity_weighted_pass',
	'acceptance_rate',
	'review_pain',
	'hard_failure_rate',
	'p50 latency',
	'model id',
] as const;

const value = (row: RoleMetrics, metric: GateMetric): number =>
	metric === 'review_pain' ? row.review_pain : metric === 'acceptance_rate' ? row.acceptance_rate.value : row.hard_failure_rate.value;

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));
const rate = (row: RoleMetrics, metric: GateMetric) => {
	const r = metric === 'acceptance_rate' ? row.acceptance_rate : metric === 'hard_failure_rate' ? row.hard_failure_rate : undefined;
	return r ? `${fmt(r.value)} [${fmt(r.low)}–${fmt(r.high)}]` : fmt(value(row, metric));
};
/** A p-value as the report stores it: six significant digits, so floating-point noise never reaches a diff. */
const stored = (p: number) => Number(p.toPrecision(6));
/** A p-value as people read it: three significant digits, tiny ones in exponent form. */
export const formatP = (p: number) => (p >= 0.001 ? String(Number(p.toPrecision(3))) : p.toExponential(1));

/**
 * Decides every challenger of one role against its incumbent, on the same run's cases, by paired
 * statistics at `evidence.alpha`: a metric gate fails only when the data show the challenger worse;
 * "strictly better on one" passes only when they show it better. A challenger that nothing shows
 * worse, ahead on some metric but not yet shown better, gets `hold: not enough evidence` with how many
 * cases would settle it. Then cost, then — among the eligible, best first by `RANKING` — the
 * family-diversity guard on the role as it would be after the promotion. At most one challenger is
 * promoted. Pure: same evidence, same verdicts.
 */
export function decideRole(evidence: RoleEvidence, policy: Policy): Verdict[] {
	const { role, catalog } = evidence;
	const alpha = policy.evidence.alpha;
	const rows = new Map(evidence.metrics.map((row) => [row.model, row]));
	const incumbentRow = rows.get(role.incumbent);
	const verdict = (
		challenger: string,
		outcome: Verdict['outcome'],
		reason: string,
		gates: GateResult[],
		more?: number | null,
	): Verdict => ({
		role: role.role,
		challenger,
		incumbent: role.incumbent,
		outcome,
		reason,
		gates,
		alpha,
		...(more ? { more_evidence: { cases: more } } : {}),
	});

	const minCases = policy.evidence.min_cases_per_role;
	// The role's cases less those the server could not serve either model: only cases both ran are evidence.
	const skipped = (model: string) => evidence.notRun?.get(model) ?? new Set<string>();
	const casesBothRan = (challenger: string) => evidence.cases - new Set([...skipped(challenger), ...skipped(role.incumbent)]).size;
	const eligible: { id: string; row: RoleMetrics; gates: GateResult[]; better: MetricComparison }[] = [];
	const verdicts = new Map<string, Verdict>();
	const incumbentScores = caseScores(evidence.results, role.role, role.incumbent);

	const judged = role.challengers.filter((challenger) => !evidence.notMeasured?.has(challenger));
	for (const challenger of judged) {
		const row = rows.get(challenger);
		const ran = casesBothRan(challenger);
		const caseGate: GateResult = {
			gate: 'min_cases_per_role',
			challenger: ran,
			incumbent: minCases,
			pass: ran >= minCases,
		};
		if (evidence.graderInvalid !== undefined) {
			const graderGate: GateResult = {
				gate: 'grader_valid',
				challenger: 'no',
				incumbent: null,
				pass: false,
				detail: evidence.graderInvalid,
			};
			verdicts.set(
				challenger,
				verdict(challenger, 'insufficient evidence', `grader not valid on these cases: ${evidence.graderInvalid}`, [caseGate, graderGate]),
			);
			continue;
		}
		const incumbentUnmeasured = incumbentRow ? undefined : evidence.notMeasured?.get(role.incumbent);
		if (incumbentUnmeasured !== undefined) {
			verdicts.set(
				challenger,
				verdict(
					challenger,
					'insufficient evidence',
					`${challenger} cannot be judged: the incumbent ${role.incumbent} was ${incumbentUnmeasured}`,
					[caseGate],
				),
			);
			continue;
		}
		if (!caseGate.pass) {
			verdicts.set(
				challenger,
				verdict(
					challenger,
					'insufficient evidence',
					ran === evidence.cases
						? `${challenger} cannot be judged: the role has ${evidence.cases} case(s), the policy needs ${minCases}`
						: `${challenger} cannot be judged: ${ran} of the role's ${evidence.cases} case(s) ran for both it and ${role.incumbent}, the policy needs ${minCases}`,
					[caseGate],
					minCases - ran,
				),
			);
			continue;
		}
		if (!incumbentRow || !row) {
			const missing = !incumbentRow ? `the incumbent ${role.incumbent}` : challenger;
			verdicts.set(
				challenger,
				verdict(challenger, 'insufficient evidence', `${challenger} cannot be judged: ${missing} has no results in this run`, [caseGate]),
			);
			continue;
		}

		const compared = compareOnCases(caseScores(evidence.results, role.role, challenger), incumbentScores, alpha);
		const gates: GateResult[] = [caseGate];
		let worse: string | undefined;
		for (const { metric } of METRIC_GATES) {
			const c = compared[metric];
			const pass = c.pWorse > alpha;
			gates.push({
				gate: metric,
				challenger: value(row, metric),
				incumbent: value(incumbentRow, metric),
				pass,
				test: GATE_TESTS[metric],
				detail: c.detail,
				p_worse: stored(c.pWorse),
				p_better: stored(c.pBetter),
			});
			if (!pass && !worse)
				worse = `${metric} ${rate(row, metric)} vs ${rate(incumbentRow, metric)} is worse (${c.detail}; p = ${formatP(c.pWorse)} ≤ α ${alpha})`;
		}
		// The metric the data show the challenger best on: the smallest p for "better".
		const best = METRIC_GATES.map(({ metric }) => compared[metric]).sort((a, b) => a.pBetter - b.pBetter)[0]!;
		const shownBetter = best.pBetter <= alpha;
		if (policy.gates.strictly_better_on_one) {
			gates.push({
				gate: 'strictly_better',
				challenger: shownBetter ? best.metric : 'none',
				incumbent: null,
				pass: shownBetter,
				test: GATE_TESTS[best.metric],
				p_better: stored(best.pBetter),
			});
		}
		const challengerCost = catalog.get(challenger)?.cost_tier ?? 'free';
		const incumbentCost = catalog.get(role.incumbent)?.cost_tier ?? 'free';
		const costPass = challengerCost === 'free' || incumbentCost === 'paid';
		gates.push({ gate: 'cost_tier', challenger: challengerCost, incumbent: incumbentCost, pass: costPass });

		if (worse) verdicts.set(challenger, verdict(challenger, 'hold', `${challenger} holds: ${worse}`, gates));
		else if (!costPass)
			verdicts.set(
				challenger,
				verdict(
					challenger,
					'blocked: cost',
					`${challenger} is blocked: cost_tier paid, and the incumbent ${role.incumbent} is free`,
					gates,
				),
			);
		else if (policy.gates.strictly_better_on_one && !shownBetter) {
			// Ahead somewhere: more cases at the same rates would settle it. Ahead nowhere: no number would.
			const ahead = METRIC_GATES.map(({ metric }) => compared[metric])
				.filter((c) => c.casesToShowBetter !== null)
				.sort((a, b) => a.casesToShowBetter! - b.casesToShowBetter! || a.pBetter - b.pBetter)[0];
			if (ahead) {
				const further = Math.max(1, ahead.casesToShowBetter! - ahead.paired);
				verdicts.set(
					challenger,
					verdict(
						challenger,
						'hold: not enough evidence',
						`${challenger} holds for more evidence: ahead on ${ahead.metric} (${rate(row, ahead.metric)} vs ${rate(incumbentRow, ahead.metric)}), but ${ahead.paired} case(s) cannot show it better at α ${alpha} (${ahead.detail}; p = ${formatP(ahead.pBetter)}); about ${further} more case(s) at the observed rates would settle it`,
						gates,
						further,
					),
				);
			} else {
				verdicts.set(
					challenger,
					verdict(
						challenger,
						'hold',
						`${challenger} holds: not ahead of the incumbent on acceptance_rate, review_pain or hard_failure_rate`,
						gates,
					),
				);
			}
		} else eligible.push({ id: challenger, row, gates, better: best });
	}

	eligible.sort((a, b) => compareChallengers(a.row, b.row));
	let promoted: string | undefined;
	for (const candidate of eligible) {
		if (promoted) {
			verdicts.set(
				candidate.id,
				verdict(
					candidate.id,
					'hold',
					`${candidate.id} holds: it passes every gate, but ${promoted} ranks higher (${RANKING.slice(0, 2).join(', then ')}…)`,
					candidate.gates,
				),
			);
			continue;
		}
		// The role as it would be: the winner serves, the replaced incumbent leaves, the others stay.
		const after = [candidate.id, ...role.challengers.filter((id) => id !== candidate.id)];
		const families = new Set(after.map((id) => catalog.get(id)?.family ?? id));
		const diversityGate: GateResult = {
			gate: 'family_diversity',
			challenger: families.size,
			incumbent: policy.diversity.min_families,
			pass: families.size >= policy.diversity.min_families,
		};
		const gates = [...candidate.gates, diversityGate];
		if (!diversityGate.pass) {
			const familyList = [...families].join(', ');
			verdicts.set(
				candidate.id,
				verdict(
					candidate.id,
					'blocked: diversity',
					`${candidate.id} is blocked: the role would be served by ${families.size} family (${familyList}), the policy needs ${policy.diversity.min_families}`,
					gates,
				),
			);
			continue;
		}
		const wins = (evidence.earlierWins?.get(candidate.id) ?? 0) + 1;
		if (wins < policy.evidence.confirm_runs) {
			const confirmGate: GateResult = { gate: 'confirm_runs', challenger: wins, incumbent: policy.evidence.confirm_runs, pass: false };
			verdicts.set(
				candidate.id,
				verdict(
					candidate.id,
					'hold',
					`${candidate.id} holds: it wins, in ${wins} of the ${policy.evidence.confirm_runs} consecutive runs the policy asks for`,
					[...gates, confirmGate],
				),
			);
			continue;
		}
		promoted = candidate.id;
		const { better } = candidate;
		const why =
			better.pBetter <= alpha
				? `${better.metric} ${rate(candidate.row, better.metric)} vs ${rate(incumbentRow!, better.metric)}, better at α ${alpha} (${better.detail}; p = ${formatP(better.pBetter)})`
				: 'passes every gate';
		verdicts.set(candidate.id, verdict(candidate.id, 'promote', `${candidate.id} replaces ${role.incumbent}: ${why}`, gates));
	}
	return judged.map((id) => verdicts.get(id)!);
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
