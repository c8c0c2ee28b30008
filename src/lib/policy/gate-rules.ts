import type { PairedMetric } from '../metrics/paired-comparison.ts';
import type { Policy } from '../schema/policy.ts';

/** The three metric gates, in the order the policy states them, with their fixed direction. */
export const METRIC_GATES = [
	{ metric: 'acceptance_rate', direction: 'higher', comparison: '≥' },
	{ metric: 'review_pain', direction: 'lower', comparison: '≤' },
	{ metric: 'hard_failure_rate', direction: 'lower', comparison: '≤' },
] as const satisfies readonly { metric: PairedMetric; direction: string; comparison: string }[];
export type GateMetric = PairedMetric;

/** The test a metric gate uses, as the report and the page name it. */
export const GATE_TESTS: Record<GateMetric, string> = {
	acceptance_rate: 'exact sign test (McNemar) on the cases where one was accepted more often',
	review_pain: 'paired sign-flip test on the per-case review pain',
	hard_failure_rate: 'exact sign test on the cases where one failed hard more often',
};

/** One promotion rule as a person reads it; the page renders these so it can never disagree with policy.yaml. */
export interface GateRuleText {
	name: string;
	rule: string;
}

/** Describes every gate the policy applies, with the confidence from policy.yaml. */
export function describeGates(policy: Policy): GateRuleText[] {
	const alpha = policy.evidence.alpha;
	const rules: GateRuleText[] = METRIC_GATES.map(({ metric, comparison, direction }) => ({
		name: metric,
		rule: `${comparison} incumbent (${direction} is better): passes unless the ${GATE_TESTS[metric]} shows the challenger worse, one-sided p ≤ ${alpha}`,
	}));
	rules.push({ name: 'cost_tier', rule: 'free, unless the incumbent is also paid' });
	if (policy.gates.strictly_better_on_one) {
		rules.push({
			name: 'strictly_better',
			rule: `the same tests show the challenger better on at least one of the three metrics at ${alpha} in all: three chances at one claim, so the smallest one-sided p times 3 (Bonferroni) ≤ ${alpha}`,
		});
	}
	rules.push({
		name: 'family_diversity',
		rule: `after every proposal of the run is applied together, no role may be left with fewer than ${policy.diversity.min_families} distinct families across incumbent and challengers`,
	});
	return rules;
}
