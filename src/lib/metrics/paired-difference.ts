import { normalQuantile, smallestCount } from './paired-tests.ts';

/**
 * Two models' outcomes on the same cases, as the four cells of a paired 2 × 2 table: `onlyFirst` cases
 * the first model got right and the second did not, `onlySecond` the reverse, `both` and `neither`.
 */
export interface PairedCounts {
	both: number;
	onlyFirst: number;
	onlySecond: number;
	neither: number;
}

/** A confidence interval for (first − second) acceptance on paired cases. */
export interface DifferenceInterval {
	/** The observed difference (onlyFirst − onlySecond) / n. */
	difference: number;
	low: number;
	high: number;
}

/**
 * Tango's score statistic for H0: p(first) − p(second) = delta on paired binary outcomes (Tango 1998,
 * "Equivalence test and confidence interval for the difference in proportions for the paired-sample
 * design", Statistics in Medicine 17:891–908, eq. 3–4): the difference of the discordant counts, over its
 * standard error under H0, with the cell probability of `onlySecond` at its maximum-likelihood value
 * restricted to delta (the root of a quadratic). Decreasing in delta.
 */
export function tangoScore(counts: PairedCounts, delta: number): number {
	const n = counts.both + counts.onlyFirst + counts.onlySecond + counts.neither;
	const b = counts.onlyFirst;
	const c = counts.onlySecond;
	const A = 2 * n;
	const B = -b - c + (2 * n - b + c) * delta;
	const C = -c * delta * (1 - delta);
	const q21 = (Math.sqrt(Math.max(0, B * B - 4 * A * C)) - B) / (2 * A);
	const numerator = b - c - n * delta;
	const variance = n * (2 * q21 + delta * (1 - delta));
	if (variance <= 0) return numerator === 0 ? 0 : numerator > 0 ? Infinity : -Infinity;
	return numerator / Math.sqrt(variance);
}

/**
 * One-sided score bounds for p(first) − p(second) at confidence 1 − alpha each (so `low` and `high`
 * together form a 1 − 2·alpha interval): the deltas where Tango's statistic equals ±z, found by
 * bisection. Null without a single case. Pure.
 */
export function pairedDifferenceInterval(counts: PairedCounts, alpha: number): DifferenceInterval | null {
	const n = counts.both + counts.onlyFirst + counts.onlySecond + counts.neither;
	if (n === 0) return null;
	const z = normalQuantile(1 - alpha);
	const difference = (counts.onlyFirst - counts.onlySecond) / n;
	// tangoScore falls from +∞ towards −∞ across (−1, 1): the bound is where it crosses the target.
	const crossing = (target: number): number => {
		let low = -1;
		let high = 1;
		for (let step = 0; step < 60; step++) {
			const middle = (low + high) / 2;
			if (tangoScore(counts, middle) > target) low = middle;
			else high = middle;
		}
		return (low + high) / 2;
	};
	return { difference, low: crossing(z), high: crossing(-z) };
}

/** What a paired non-inferiority comparison says about the first model against the second. */
export type NonInferiority =
	| { decision: 'non-inferior' | 'superior' | 'undecided'; interval: DifferenceInterval; moreCases: number | null }
	| { decision: 'no-data'; interval: null; moreCases: null };

/**
 * Is `second` within `margin` of `first`? With d = p(first) − p(second): `non-inferior` when the upper
 * bound of d is below the margin, `superior` (first better by more than the margin) when the lower bound
 * is above it, else `undecided`, with how many cases in all would settle it if further cases split as
 * these did (null when no count up to `MAX_PROJECTED_CASES` would). Pure.
 */
export function nonInferiority(counts: PairedCounts, margin: number, alpha: number): NonInferiority {
	const interval = pairedDifferenceInterval(counts, alpha);
	if (!interval) return { decision: 'no-data', interval: null, moreCases: null };
	if (interval.high < margin) return { decision: 'non-inferior', interval, moreCases: null };
	if (interval.low > margin) return { decision: 'superior', interval, moreCases: null };
	return { decision: 'undecided', interval, moreCases: casesToSettle(counts, margin, alpha) };
}

/** The total case count at which these proportions would decide either way; null when none up to the cap does. */
function casesToSettle(counts: PairedCounts, margin: number, alpha: number): number | null {
	const n = counts.both + counts.onlyFirst + counts.onlySecond + counts.neither;
	const settles = (total: number) => {
		const scale = (count: number) => Math.round((count * total) / n);
		const interval = pairedDifferenceInterval(
			{
				both: scale(counts.both),
				onlyFirst: scale(counts.onlyFirst),
				onlySecond: scale(counts.onlySecond),
				neither: scale(counts.neither),
			},
			alpha,
		);
		return interval !== null && (interval.high < margin || interval.low > margin);
	};
	return smallestCount(n, settles);
}
