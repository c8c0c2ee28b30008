import { type CaseScore, type MetricComparison, compareOnCases } from '../metrics/paired-comparison.ts';
import type { GateResult, RoleMetrics, Verdict } from '../schema/report.ts';
import { GATE_TESTS, type GateMetric, METRIC_GATES } from './gate-rules.ts';
import { anytimeComparisons, curtailedVerdict, stoppedNote } from './judge-sequential.ts';
import { ANYTIME_TEST } from './sequential-stop.ts';
import type { Eligible, PromotionContext } from './promote-best.ts';
import type { RoleEvidence } from './role-evidence.ts';
import { formatP, metricText, metricValue, storedP } from './verdict-text.ts';

/** One role's evidence with what every challenger's judgement reads from it. */
export interface RoleContext extends PromotionContext {
	evidence: RoleEvidence;
	rows: ReadonlyMap<string, RoleMetrics>;
	/** A model's per-case scores in the role (the paired tests' input). */
	scores(model: string): ReadonlyMap<string, CaseScore>;
}

/**
 * One challenger judged on its own: a verdict when a precondition or a gate decides it (`insufficient
 * evidence`, `hold`, `hold: not enough evidence`, `blocked: cost`), else the gates it passed, for the
 * ranking. Pure.
 */
export function judgeChallenger(context: RoleContext, challenger: string): Verdict | Eligible {
	const unjudgeable = precondition(context, challenger);
	if (unjudgeable) return unjudgeable;
	const row = context.rows.get(challenger)!;
	const { policy } = context;
	const sequential = context.evidence.sequential?.get(challenger);
	// Curtailed: the verdict every completion of the unread cases leads to, which is the full run's.
	if (sequential?.curtail && sequential.stopped)
		return curtailedVerdict(context, challenger, row, sequential, [caseGate(context, challenger), costGate(context, challenger)]);
	// Anytime: the anytime-valid test over the cases it read decides every gate, never a fixed-sample test on them.
	const anytime = sequential?.anytime ? anytimeComparisons(sequential) : undefined;
	// The projection "n more cases would settle it" aims at the level `strictly_better` applies: α over the three metrics.
	const compared =
		anytime?.metrics ??
		compareOnCases(context.scores(challenger), context.scores(context.role.incumbent), policy.evidence.alpha / METRIC_GATES.length);
	const testOf = (metric: GateMetric) => (anytime ? `${ANYTIME_TEST}, on ${metric}` : GATE_TESTS[metric]);
	const gates: GateResult[] = [caseGate(context, challenger)];
	const metric = metricGates(context, row, compared, testOf);
	gates.push(...metric.gates);
	const better = strictlyBetter(context, compared, testOf, anytime?.pBetterOnOne);
	if (better.gate) gates.push(better.gate);
	const cost = costGate(context, challenger);
	gates.push(cost);
	const note = sequential ? stoppedNote(sequential) : '';

	if (metric.worse) return context.verdict(challenger, 'hold', `${challenger} holds: ${metric.worse}${note}`, gates);
	if (!cost.pass)
		return context.verdict(
			challenger,
			'blocked: cost',
			`${challenger} is blocked: cost_tier paid, and the incumbent ${context.role.incumbent} is free${note}`,
			gates,
		);
	if (policy.gates.strictly_better_on_one && !better.shown) return notShownBetter(context, challenger, row, compared, gates, note);
	return { id: challenger, row, gates, better: better.best };
}

/** Cases of the role both models ran: the role's cases less those the server could not serve either of them. */
function casesBothRan(context: RoleContext, challenger: string): number {
	const skipped = (model: string) => context.evidence.notRun?.get(model) ?? new Set<string>();
	return context.evidence.cases - new Set([...skipped(challenger), ...skipped(context.role.incumbent)]).size;
}

function caseGate(context: RoleContext, challenger: string): GateResult {
	const ran = casesBothRan(context, challenger);
	const minCases = context.policy.evidence.min_cases_per_role;
	return { gate: 'min_cases_per_role', challenger: ran, incumbent: minCases, pass: ran >= minCases };
}

/**
 * `insufficient evidence` when nothing about the challenger's answers can decide it: the grader is not
 * valid on these cases, the incumbent was not measured, too few cases ran for both, or either has no
 * results. Undefined when the challenger can be judged.
 */
function precondition(context: RoleContext, challenger: string): Verdict | undefined {
	const { evidence, role, policy } = context;
	const gate = caseGate(context, challenger);
	const insufficient = (reason: string, gates: GateResult[], more?: number) =>
		context.verdict(challenger, 'insufficient evidence', reason, gates, more);
	if (evidence.graderInvalid !== undefined)
		return insufficient(`grader not valid on these cases: ${evidence.graderInvalid}`, [
			gate,
			{ gate: 'grader_valid', challenger: 'no', incumbent: null, pass: false, detail: evidence.graderInvalid },
		]);
	const incumbentUnmeasured = context.rows.has(role.incumbent) ? undefined : evidence.notMeasured?.get(role.incumbent);
	if (incumbentUnmeasured !== undefined)
		return insufficient(`${challenger} cannot be judged: the incumbent ${role.incumbent} was ${incumbentUnmeasured}`, [gate]);
	if (!gate.pass) {
		const ran = gate.challenger as number;
		const minCases = policy.evidence.min_cases_per_role;
		return insufficient(
			ran === evidence.cases
				? `${challenger} cannot be judged: the role has ${evidence.cases} case(s), the policy needs ${minCases}`
				: `${challenger} cannot be judged: ${ran} of the role's ${evidence.cases} case(s) ran for both it and ${role.incumbent}, the policy needs ${minCases}`,
			[gate],
			minCases - ran,
		);
	}
	if (!context.rows.has(role.incumbent) || !context.rows.has(challenger)) {
		const missing = !context.rows.has(role.incumbent) ? `the incumbent ${role.incumbent}` : challenger;
		return insufficient(`${challenger} cannot be judged: ${missing} has no results in this run`, [gate]);
	}
	return undefined;
}

/** The three metric gates: each passes unless its paired test shows the challenger worse; the first worse one, in words. */
function metricGates(
	context: RoleContext,
	row: RoleMetrics,
	compared: Record<string, MetricComparison>,
	testOf: (metric: GateMetric) => string,
): { gates: GateResult[]; worse?: string } {
	const alpha = context.policy.evidence.alpha;
	const gates: GateResult[] = [];
	let worse: string | undefined;
	for (const { metric } of METRIC_GATES) {
		const c = compared[metric]!;
		const pass = c.pWorse > alpha;
		gates.push({
			gate: metric,
			challenger: metricValue(row, metric),
			incumbent: metricValue(context.incumbentRow, metric),
			pass,
			test: testOf(metric),
			detail: c.detail,
			p_worse: storedP(c.pWorse),
			p_better: storedP(c.pBetter),
		});
		if (!pass && !worse)
			worse = `${metric} ${metricText(row, metric)} vs ${metricText(context.incumbentRow, metric)} is worse (${c.detail}; p = ${formatP(c.pWorse)} ≤ α ${alpha})`;
	}
	return { gates, worse };
}

/**
 * The metric the data show the challenger best on (smallest p for "better"), and the `strictly_better` gate
 * when the policy asks for it. `pBetterOnOne`, when given, is the anytime test's p for "better on at least
 * one metric" (the mean of the three e-processes), which then decides the gate.
 */
function strictlyBetter(
	context: RoleContext,
	compared: Record<string, MetricComparison>,
	testOf: (metric: GateMetric) => string,
	pBetterOnOne?: number,
): { best: MetricComparison; shown: boolean; gate?: GateResult } {
	const smallest = METRIC_GATES.map(({ metric }) => compared[metric]!).sort((a, b) => a.pBetter - b.pBetter)[0]!;
	// "Better on at least one of three" is one claim with three chances: the fixed-sample tests pay for them
	// with Bonferroni (three times the smallest p), the anytime test with the mean of the three e-processes.
	const best =
		pBetterOnOne === undefined
			? {
					...smallest,
					pBetter: Math.min(1, METRIC_GATES.length * smallest.pBetter),
					detail: `${smallest.detail}; Bonferroni over ${METRIC_GATES.length} metrics`,
				}
			: {
					...smallest,
					pBetter: pBetterOnOne,
					detail: `${smallest.detail}; better on at least one metric by the mean of the three e-processes`,
				};
	const shown = best.pBetter <= context.policy.evidence.alpha;
	if (!context.policy.gates.strictly_better_on_one) return { best, shown };
	return {
		best,
		shown,
		gate: {
			gate: 'strictly_better',
			challenger: shown ? best.metric : 'none',
			incumbent: null,
			pass: shown,
			test: pBetterOnOne === undefined ? testOf(best.metric) : `${ANYTIME_TEST}: the mean of the three metrics' e-processes`,
			p_better: storedP(best.pBetter),
		},
	};
}

/** Free, unless the incumbent is paid too. */
function costGate(context: RoleContext, challenger: string): GateResult {
	const challengerCost = context.catalog.get(challenger)?.cost_tier ?? 'free';
	const incumbentCost = context.catalog.get(context.role.incumbent)?.cost_tier ?? 'free';
	return {
		gate: 'cost_tier',
		challenger: challengerCost,
		incumbent: incumbentCost,
		pass: challengerCost === 'free' || incumbentCost === 'paid',
	};
}

/**
 * Nothing shows the challenger worse and nothing yet shows it better. Ahead somewhere: more cases at the
 * same rates would settle it (`hold: not enough evidence`, with how many). Ahead nowhere: no number would (`hold`).
 */
function notShownBetter(
	context: RoleContext,
	challenger: string,
	row: RoleMetrics,
	compared: Record<string, MetricComparison>,
	gates: GateResult[],
	note: string,
): Verdict {
	const alpha = context.policy.evidence.alpha;
	// An anytime test stopped without showing it worse or better stopped for futility: within the role's cases
	// nothing could show it better, so it holds on this evidence rather than waiting for more.
	const sequential = context.evidence.sequential?.get(challenger);
	if (sequential?.anytime && sequential.stopped)
		return context.verdict(
			challenger,
			'hold',
			`${challenger} holds: not shown better on acceptance_rate, review_pain or hard_failure_rate, and it could not be within the role's cases even if every remaining one went its way${note}`,
			gates,
		);
	const ahead = METRIC_GATES.map(({ metric }) => compared[metric]!)
		.filter((c) => c.casesToShowBetter !== null)
		.sort((a, b) => a.casesToShowBetter! - b.casesToShowBetter! || a.pBetter - b.pBetter)[0];
	if (!ahead)
		return context.verdict(
			challenger,
			'hold',
			`${challenger} holds: not ahead of the incumbent on acceptance_rate, review_pain or hard_failure_rate${note}`,
			gates,
		);
	const further = Math.max(1, ahead.casesToShowBetter! - ahead.paired);
	return context.verdict(
		challenger,
		'hold: not enough evidence',
		`${challenger} holds for more evidence: ahead on ${ahead.metric} (${metricText(row, ahead.metric)} vs ${metricText(context.incumbentRow, ahead.metric)}), but ${ahead.paired} case(s) cannot show it better at α ${alpha} (${ahead.detail}; p = ${formatP(ahead.pBetter)}${context.evidence.sequential?.get(challenger)?.anytime ? '' : `, ${METRIC_GATES.length} × p = ${formatP(Math.min(1, METRIC_GATES.length * ahead.pBetter))} over the ${METRIC_GATES.length} metrics`}); about ${further} more case(s) at the observed rates would settle it${note}`,
		gates,
		further,
	);
}
