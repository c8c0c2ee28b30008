import type { MetricComparison } from '../metrics/paired-comparison.ts';
import type { GateResult, RoleMetrics, Verdict } from '../schema/report.ts';
import { GATE_TESTS, type GateMetric, METRIC_GATES } from './gate-rules.ts';
import type { RoleContext } from './judge-challenger.ts';
import { CURTAIL_TEST, type SequentialEvidence } from './sequential-stop.ts';
import { formatP, metricText, metricValue, storedP } from './verdict-text.ts';

const cases = (n: number) => (n === 1 ? '1 case' : `${n} cases`);
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}`;

/** What a verdict's reason adds for a model the sequential test stopped early. */
export const stoppedNote = (evidence: SequentialEvidence) =>
	evidence.stopped
		? `; stopped early (${evidence.reason}; ${evidence.planned - evidence.read.length} of its ${evidence.planned} cases not read)`
		: '';

/**
 * The anytime test's reading of each metric, in the shape the gates read: p-values 1 / running max e over
 * the cases read, and the projection of how many cases in all would show the challenger better.
 */
export function anytimeComparisons(evidence: SequentialEvidence): { metrics: Record<GateMetric, MetricComparison>; pBetterOnOne: number } {
	const anytime = evidence.anytime!;
	const metrics = Object.fromEntries(
		METRIC_GATES.map(({ metric }) => {
			const m = anytime.metrics[metric];
			const comparison: MetricComparison = {
				metric,
				paired: m.paired,
				pBetter: m.pBetter,
				pWorse: m.pWorse,
				detail: `e-process over ${cases(m.paired)} read in order: mean per-case difference ${signed(m.mean)} in the challenger's favour`,
				casesToShowBetter: m.casesToShowBetter,
			};
			return [metric, comparison];
		}),
	) as Record<GateMetric, MetricComparison>;
	return { metrics, pBetterOnOne: anytime.pBetterOnOne };
}

/**
 * The verdict of a challenger stopped by curtailment: the outcome every completion of its unread cases
 * leads to — the full run's, by construction. Its gates show the values over the cases it answered and,
 * per metric, the p-value for "worse" in its most favourable completion (where that is exact).
 */
export function curtailedVerdict(
	context: RoleContext,
	challenger: string,
	row: RoleMetrics,
	evidence: SequentialEvidence,
	[caseGate, costGate]: [GateResult, GateResult],
): Verdict {
	const settlement = evidence.curtail!;
	const alpha = context.policy.evidence.alpha;
	const read = evidence.read.length;
	const gates: GateResult[] = [caseGate];
	for (const { metric } of METRIC_GATES) {
		const bound = settlement.bounds[metric];
		const shownWorse = settlement.why === 'worse' && settlement.metric === metric;
		gates.push({
			gate: metric,
			challenger: metricValue(row, metric),
			incumbent: metricValue(context.incumbentRow, metric),
			pass: !shownWorse,
			test: `${GATE_TESTS[metric]}; ${CURTAIL_TEST}`,
			detail: bound.detail,
			...(bound.pWorseAtBest === null ? {} : { p_worse: storedP(bound.pWorseAtBest) }),
		});
	}
	if (settlement.why === 'not ahead' && context.policy.gates.strictly_better_on_one)
		gates.push({
			gate: 'strictly_better',
			challenger: 'none',
			incumbent: null,
			pass: false,
			test: CURTAIL_TEST,
			detail: `ahead on no metric even if every one of the ${settlement.remaining} unread case(s) went its way`,
		});
	gates.push(costGate);
	const after = `after ${read} of its ${evidence.planned} cases`;
	if (settlement.why === 'worse') {
		const metric = settlement.metric!;
		const p = settlement.bounds[metric].pWorseAtBest!;
		return context.verdict(
			challenger,
			'hold',
			`${challenger} holds: ${metric} ${metricText(row, metric)} vs ${metricText(context.incumbentRow, metric)} is worse ${after}, whatever the other ${settlement.remaining} give (even if they all went its way, p = ${formatP(p)} ≤ α ${alpha}); stopped early with the full run's verdict`,
			gates,
		);
	}
	if (settlement.why === 'not ahead')
		return context.verdict(
			challenger,
			'hold',
			`${challenger} holds: not ahead of the incumbent on acceptance_rate, review_pain or hard_failure_rate ${after}, and it could not get ahead even if every one of the other ${settlement.remaining} went its way; stopped early with the full run's verdict`,
			gates,
		);
	return context.verdict(
		challenger,
		'blocked: cost',
		`${challenger} is blocked: cost_tier paid, and the incumbent ${context.role.incumbent} is free; ${after} no completion of the other ${settlement.remaining} could show it worse, so stopped early with the full run's verdict`,
		gates,
	);
}
