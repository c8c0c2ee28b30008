import type { Policy } from '../schema/policy.ts';

/** The three metric gates, in the order the policy states them, with their fixed direction. */
export const METRIC_GATES = [
	{ metric: 'acceptance_rate', direction: 'higher', comparison: '≥' },
	{ metric: 'review_pain', direction: 'lower', comparison: '≤' },
	{ metric: 'hard_failure_rate', direction: 'lower', comparison: '≤' },
] as const;
export type GateMetric = (typeof METRIC_GATES)[number]['metric'];

/** One promotion rule as a person reads it; the page renders these so it can never disagree with policy.yaml. */
export interface GateRuleText {
	name: string;
	rule: string;
}

/** Describes every gate the policy applies, with the thresholds from policy.yaml. */
export function describeGates(policy: Policy): GateRuleText[] {
	const pct = (value: number) => `${Math.round(value * 1000) / 10} points`;
	const rules: GateRuleText[] = METRIC_GATES.map(({ metric, comparison, direction }) => {
		const tolerance = policy.gates[metric].tolerance;
		const margin = tolerance > 0 ? `, with a margin of ${pct(tolerance)}` : '';
		return { name: metric, rule: `${comparison} incumbent (${direction} is better${margin})` };
	});
	rules.push({ name: 'cost_tier', rule: 'free, unless the incumbent is also paid' });
	if (policy.gates.strictly_better_on_one) {
		rules.push({ name: 'strictly_better', rule: 'strictly better than the incumbent on at least one of the three metrics' });
	}
	rules.push({
		name: 'family_diversity',
		rule: `the promotion must not leave the role with fewer than ${policy.diversity.min_families} distinct families across incumbent and challengers`,
	});
	return rules;
}
