import type { CaseResult } from '../schema/report.ts';
import { casesToShowBetterByMean, casesToShowBetterBySignTest, signFlipTest, signTest } from './paired-tests.ts';

/** The three measures two models are compared on, case by case. */
export const PAIRED_METRICS = ['acceptance_rate', 'review_pain', 'hard_failure_rate'] as const;
export type PairedMetric = (typeof PAIRED_METRICS)[number];

/** One model's showing on one case: each a mean over the repeats of that case. */
export interface CaseScore {
	/** Share of repeats accepted (0 or 1 with a single repeat). */
	accepted: number;
	/** Mean review pain: 1 − quality, a hard failure counting 1 (as in the metrics). */
	pain: number;
	/** Share of repeats that failed hard. */
	hard: number;
}

/**
 * Per case, the mean over repeats of each measure, for one model in one role. Repeats enter per case
 * this way so a case weighs the same whatever k is, and the paired tests stay on cases, not calls.
 */
export function caseScores(results: readonly CaseResult[], role: string, model: string): Map<string, CaseScore> {
	const sums = new Map<string, CaseScore & { runs: number }>();
	for (const result of results) {
		if (result.role !== role || result.model !== model) continue;
		const sum = sums.get(result.case_id) ?? { accepted: 0, pain: 0, hard: 0, runs: 0 };
		sum.accepted += result.outcome === 'accepted' ? 1 : 0;
		sum.pain += result.outcome === 'hard-failure' ? 1 : 1 - result.quality;
		sum.hard += result.outcome === 'hard-failure' ? 1 : 0;
		sum.runs++;
		sums.set(result.case_id, sum);
	}
	return new Map(
		[...sums].map(([id, { runs, ...sum }]) => [id, { accepted: sum.accepted / runs, pain: sum.pain / runs, hard: sum.hard / runs }]),
	);
}

/** One metric compared on the cases both models answered. */
export interface MetricComparison {
	metric: PairedMetric;
	/** Cases both answered. */
	paired: number;
	pBetter: number;
	pWorse: number;
	/** What the test counted, e.g. `challenger better on 5 cases, incumbent on 1`. */
	detail: string;
	/** Cases in all that would show the challenger better at α if further cases went as these did; null when it is not ahead. */
	casesToShowBetter: number | null;
}

const cases = (n: number) => (n === 1 ? '1 case' : `${n} cases`);

/**
 * Compares challenger and incumbent metric by metric, on the cases both answered, in the
 * challenger's favour: acceptance and hard failures by the exact sign test on the cases where they
 * differ, review pain by the paired sign-flip test on the per-case differences. Pure.
 */
export function compareOnCases(
	challenger: ReadonlyMap<string, CaseScore>,
	incumbent: ReadonlyMap<string, CaseScore>,
	alpha: number,
): Record<PairedMetric, MetricComparison> {
	const pairs = [...challenger.keys()]
		.filter((id) => incumbent.has(id))
		.sort()
		.map((id) => [challenger.get(id)!, incumbent.get(id)!] as const);
	const sign = (metric: PairedMetric, better: (c: CaseScore, i: CaseScore) => number): MetricComparison => {
		let wins = 0;
		let losses = 0;
		for (const [c, i] of pairs) {
			const d = better(c, i);
			if (d > 1e-12) wins++;
			else if (d < -1e-12) losses++;
		}
		return {
			metric,
			paired: pairs.length,
			...signTest(wins, losses),
			detail: `challenger better on ${cases(wins)}, incumbent on ${losses}, ${pairs.length - wins - losses} tied`,
			casesToShowBetter: casesToShowBetterBySignTest(wins, losses, pairs.length, alpha),
		};
	};
	const painDifferences = pairs.map(([c, i]) => i.pain - c.pain);
	const meanDifference = painDifferences.length > 0 ? painDifferences.reduce((sum, d) => sum + d, 0) / painDifferences.length : 0;
	return {
		acceptance_rate: sign('acceptance_rate', (c, i) => c.accepted - i.accepted),
		review_pain: {
			metric: 'review_pain',
			paired: pairs.length,
			...signFlipTest(painDifferences),
			detail: `mean per-case difference ${meanDifference >= 0 ? '−' : '+'}${Math.abs(meanDifference).toFixed(3)} for the challenger over ${cases(pairs.length)}`,
			casesToShowBetter: casesToShowBetterByMean(painDifferences, alpha),
		},
		hard_failure_rate: sign('hard_failure_rate', (c, i) => i.hard - c.hard),
	};
}
