import { describe, expect, it } from 'vitest';
import {
	EXACT_SIGN_FLIP_LIMIT,
	binomialUpperTail,
	casesToShowBetterByMean,
	casesToShowBetterBySignTest,
	normalQuantile,
	signFlipTest,
	signTest,
} from '../../src/lib/metrics/paired-tests.ts';

describe('binomialUpperTail', () => {
	// Reference values: Σ C(n, i) / 2^n for i ≥ k, worked out by hand.
	it.each([
		{ k: 0, n: 0, expected: 1 },
		{ k: 1, n: 1, expected: 0.5 },
		{ k: 2, n: 2, expected: 0.25 },
		{ k: 5, n: 6, expected: 7 / 64 },
		{ k: 8, n: 10, expected: 56 / 1024 },
		{ k: 11, n: 10, expected: 0 },
		{ k: 50, n: 100, expected: 0.5397946186935895 },
	])('P(X ≥ $k) for n = $n is $expected', ({ k, n, expected }) => {
		expect(binomialUpperTail(k, n)).toBeCloseTo(expected, 12);
	});

	it('stays finite far out in the tail of a large sample', () => {
		expect(binomialUpperTail(3000, 4000)).toBeGreaterThan(0);
		expect(binomialUpperTail(3000, 4000)).toBeLessThan(1e-100);
	});
});

describe('signTest', () => {
	it.each([
		{ wins: 0, losses: 0, pBetter: 1, pWorse: 1 },
		{ wins: 1, losses: 0, pBetter: 0.5, pWorse: 1 },
		{ wins: 5, losses: 0, pBetter: 1 / 32, pWorse: 1 },
		{ wins: 6, losses: 1, pBetter: 8 / 128, pWorse: 127 / 128 },
		{ wins: 0, losses: 8, pBetter: 1, pWorse: 1 / 256 },
	])('$wins against $losses', ({ wins, losses, pBetter, pWorse }) => {
		const result = signTest(wins, losses);
		expect(result.pBetter).toBeCloseTo(pBetter, 12);
		expect(result.pWorse).toBeCloseTo(pWorse, 12);
	});
});

describe('signFlipTest', () => {
	it.each([
		{ name: 'no differences', d: [0, 0, 0], pBetter: 1, pWorse: 1 },
		{ name: 'one positive difference', d: [0.3], pBetter: 0.5, pWorse: 1 },
		// Sums of ±0.1 ±0.2 ±0.4: only +0.7 reaches the observed 0.7.
		{ name: 'three positive differences', d: [0.1, 0.2, 0.4, 0], pBetter: 1 / 8, pWorse: 1 },
		// Observed 0.5 − 0.1 = 0.4; patterns with sum ≥ 0.4: (+.5 +.1) and (+.5 −.1) → 2 of 4.
		{ name: 'mixed signs', d: [0.5, -0.1], pBetter: 2 / 4, pWorse: 3 / 4 },
	])('$name', ({ d, pBetter, pWorse }) => {
		const result = signFlipTest(d);
		expect(result.pBetter).toBeCloseTo(pBetter, 12);
		expect(result.pWorse).toBeCloseTo(pWorse, 12);
	});

	it('agrees with the exact test on equal differences: p = 2^-n', () => {
		expect(signFlipTest(Array.from({ length: 10 }, () => 0.25)).pBetter).toBeCloseTo(2 ** -10, 12);
	});

	it('draws seeded patterns above the exact limit, so the same evidence gives the same p-value', () => {
		const differences = Array.from({ length: EXACT_SIGN_FLIP_LIMIT + 24 }, (_, i) => ((i * 37) % 11) / 10 - 0.35);
		const first = signFlipTest(differences);
		expect(signFlipTest(differences)).toEqual(first);
		// Close to the normal approximation of the same test: z = Σd / sqrt(Σd²).
		const sum = differences.reduce((a, b) => a + b, 0);
		const z = sum / Math.sqrt(differences.reduce((a, b) => a + b * b, 0));
		const normalTail = 0.5 * (1 - erf(z / Math.SQRT2));
		expect(Math.abs(first.pBetter - normalTail)).toBeLessThan(0.02);
	});
});

describe('how many cases would settle it', () => {
	it.each([
		// One disagreement of two cases: at these rates 9 cases give 5 disagreements (4.5 rounds up), p = 1/32.
		{ wins: 1, losses: 0, cases: 2, expected: 9 },
		// Already shown.
		{ wins: 6, losses: 0, cases: 10, expected: 10 },
		{ wins: 0, losses: 0, cases: 10, expected: null },
		{ wins: 2, losses: 3, cases: 10, expected: null },
	])('sign test: $wins against $losses of $cases → $expected', ({ wins, losses, cases, expected }) => {
		const needed = casesToShowBetterBySignTest(wins, losses, cases, 0.05);
		expect(needed).toBe(expected);
		if (needed !== null) {
			const atNeeded = signTest(Math.round((wins * needed) / cases), Math.round((losses * needed) / cases));
			expect(atNeeded.pBetter).toBeLessThanOrEqual(0.05);
		}
	});

	it('a close race needs many cases, and the count grows as the lead shrinks', () => {
		const wide = casesToShowBetterBySignTest(6, 4, 40, 0.05)!;
		const narrow = casesToShowBetterBySignTest(11, 9, 40, 0.05)!;
		expect(wide).toBeGreaterThan(40);
		expect(narrow).toBeGreaterThan(wide);
	});

	it.each([
		{ name: 'every case the same gain: log2(1/α) of them', d: [0.2, 0.2], expected: 5 },
		{ name: 'one gain in two cases: ten cases hold five gains', d: [0, 1], expected: 10 },
		{ name: 'behind', d: [-0.2, 0.1], expected: null },
	])('review pain: $name', ({ d, expected }) => {
		expect(casesToShowBetterByMean(d, 0.05)).toBe(expected);
	});

	it('review pain beyond the exact range uses the normal approximation', () => {
		const d: number[] = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? 0.3 : i % 3 === 1 ? -0.2 : 0));
		const mean = d.reduce((a, b) => a + b, 0) / d.length;
		const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (d.length - 1));
		expect(casesToShowBetterByMean(d, 0.05)).toBe(Math.ceil(((normalQuantile(0.95) * sd) / mean) ** 2));
	});
});

describe('normalQuantile', () => {
	it.each([
		{ p: 0.5, z: 0 },
		{ p: 0.95, z: 1.6448536269514722 },
		{ p: 0.975, z: 1.959963984540054 },
		{ p: 0.01, z: -2.3263478740408408 },
	])('z($p) = $z', ({ p, z }) => {
		expect(normalQuantile(p)).toBeCloseTo(z, 6);
	});
});

/** The error function (Abramowitz and Stegun 7.1.26), for the test's reference value only. */
function erf(x: number): number {
	const sign = Math.sign(x);
	const t = 1 / (1 + 0.3275911 * Math.abs(x));
	const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
	return sign * y;
}
