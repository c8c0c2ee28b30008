/**
 * An independent route to the routing verdict, for tests: Tango's score computed from a numerically
 * maximized likelihood, bounds by a grid scan, decisions by the score test at the margin.
 */
import type { PairedCounts } from '../../src/lib/metrics/paired-difference.ts';

/** z for a one-sided 95 % bound, the textbook constant (not computed by the code under test). */
const Z95 = 1.6448536269514722;

/**
 * A second, independent route to Tango's score bounds: the restricted maximum-likelihood estimate of the
 * `onlySecond` cell found by maximizing the multinomial likelihood numerically (golden-section search
 * over p21 with p12 = p21 + delta), not by the closed-form quadratic root, and the bound found by
 * scanning delta on a fine grid, not by bisection.
 */
export function referenceScore(counts: PairedCounts, delta: number): number {
	const n = counts.both + counts.onlyFirst + counts.onlySecond + counts.neither;
	const b = counts.onlyFirst;
	const c = counts.onlySecond;
	const concordant = counts.both + counts.neither;
	const logLikelihood = (p21: number) => {
		const p12 = p21 + delta;
		const rest = 1 - p12 - p21;
		if (p12 < 0 || p21 < 0 || rest < 0) return -Infinity;
		const term = (count: number, p: number) => (count === 0 ? 0 : count * Math.log(p));
		return term(b, p12) + term(c, p21) + term(concordant, rest);
	};
	let low = Math.max(0, -delta);
	let high = (1 - delta) / 2;
	const ratio = (Math.sqrt(5) - 1) / 2;
	for (let step = 0; step < 200; step++) {
		const x1 = high - ratio * (high - low);
		const x2 = low + ratio * (high - low);
		if (logLikelihood(x1) < logLikelihood(x2)) low = x1;
		else high = x2;
	}
	const p21 = (low + high) / 2;
	return (b - c - n * delta) / Math.sqrt(n * (2 * p21 + delta * (1 - delta)));
}

export function referenceBounds(counts: PairedCounts): { low: number; high: number } {
	const step = 1e-4;
	let low = NaN;
	let high = NaN;
	for (let delta = -1 + step; delta < 1; delta += step) {
		const z = referenceScore(counts, delta);
		if (Number.isNaN(low) && z <= Z95) low = delta;
		if (z < -Z95) {
			high = delta;
			break;
		}
	}
	// Never below −z: the data allow the largest difference there is.
	return { low, high: Number.isNaN(high) ? 1 : high };
}

/**
 * What the test expects of a comparison: the score test of "the difference is the margin" itself, one
 * sided at 5 % each way (the score falls with delta, so a bound below the margin is a score below −z there).
 */
export function referenceDecision(counts: PairedCounts, margin: number): string {
	const z = referenceScore(counts, margin);
	if (z < -Z95) return 'non-inferior';
	if (z > Z95) return 'superior';
	return 'undecided';
}
