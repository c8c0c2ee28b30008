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
import { seededRandom } from '../../src/lib/metrics/seeded-random.ts';

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
		// Off any small lattice (√ of non-squares), so neither exact count applies.
		const differences = Array.from({ length: EXACT_SIGN_FLIP_LIMIT + 24 }, (_, i) => Math.sqrt(((i * 37) % 11) + 2) / 10 - 0.35);
		const first = signFlipTest(differences);
		expect(signFlipTest(differences)).toEqual(first);
		// Close to the normal approximation of the same test: z = Σd / sqrt(Σd²).
		const sum = differences.reduce((a, b) => a + b, 0);
		const z = sum / Math.sqrt(differences.reduce((a, b) => a + b * b, 0));
		const normalTail = 0.5 * (1 - erf(z / Math.SQRT2));
		expect(Math.abs(first.pBetter - normalTail)).toBeLessThan(0.02);
	});
});

/** Every sign pattern, summed and counted: the definition of the test, independent of the code under test. */
function enumerate(differences: readonly number[]): { pBetter: number; pWorse: number } {
	const d = differences.filter((x) => Math.abs(x) > 1e-12);
	const observed = d.reduce((a, b) => a + b, 0);
	const eps = 1e-9 * Math.max(1, ...d.map(Math.abs));
	let atLeast = 0;
	let atMost = 0;
	for (let mask = 0; mask < 2 ** d.length; mask++) {
		let sum = 0;
		for (let i = 0; i < d.length; i++) sum += Math.floor(mask / 2 ** i) % 2 === 1 ? -d[i]! : d[i]!;
		if (sum >= observed - eps) atLeast++;
		if (sum <= observed + eps) atMost++;
	}
	return { pBetter: atLeast / 2 ** d.length, pWorse: atMost / 2 ** d.length };
}

describe('signFlipTest on a lattice (counted exactly)', () => {
	const random = seededRandom(27);
	// Review-pain differences as graders on steps give them: quarters, tenths, thirds of repeats, mixed signs, zeros.
	const lattice = (n: number, step: number, most: number) =>
		Array.from({ length: n }, () => (Math.floor(random() * (2 * most + 1)) - most) * step);

	it.each([
		{ n: 6, step: 0.25, most: 4 },
		{ n: 12, step: 0.1, most: 10 },
		{ n: 16, step: 1 / 3, most: 3 },
		{ n: 16, step: 0.25, most: 4 },
		{ n: 16, step: 0.05, most: 20 },
	])('gives bit for bit the enumeration of every pattern: $n differences on steps of $step', ({ n, step, most }) => {
		for (let trial = 0; trial < 20; trial++) {
			const d = lattice(n, step, most);
			expect(signFlipTest(d), JSON.stringify(d)).toEqual(enumerate(d));
		}
	});

	it('gives the enumeration above the enumeration limit too (20 and 22 differences), where it once drew patterns', () => {
		for (const [n, step, most] of [
			[20, 0.25, 4],
			[22, 0.1, 3],
		] as const) {
			const d = lattice(n, step, most);
			const exact = enumerate(d);
			const counted = signFlipTest(d);
			expect(counted.pBetter).toBeCloseTo(exact.pBetter, 14);
			expect(counted.pWorse).toBeCloseTo(exact.pWorse, 14);
		}
	});

	it('is the sign test when every difference has the same size, at any n', () => {
		for (const [wins, losses] of [
			[30, 10],
			[260, 240],
			[12, 40],
		] as const) {
			const d = [...Array.from({ length: wins }, () => 0.75), ...Array.from({ length: losses }, () => -0.75), 0, 0];
			const counted = signFlipTest(d);
			const sign = signTest(wins, losses);
			expect(counted.pBetter / sign.pBetter).toBeCloseTo(1, 10);
			expect(counted.pWorse / sign.pWorse).toBeCloseTo(1, 10);
		}
	});

	it('treats sums equal up to rounding as ties, as the enumeration does', () => {
		// 0.1 + 0.2 ≠ 0.3 in floating point; on the lattice of tenths they tie.
		const d = [0.1, 0.2, -0.3, 0.3 - 0.1 - 0.2 + 0.4, 0.7 - 0.4];
		expect(signFlipTest(d)).toEqual(enumerate(d));
	});

	it('looks no finer than steps of 1/1000, so tiny differences cost no long search', () => {
		const tiny = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 3e-11 : -2e-11));
		const started = performance.now();
		const result = signFlipTest(tiny);
		expect(performance.now() - started).toBeLessThan(2000);
		expect(result.pBetter).toBeGreaterThan(0);
	});

	it('falls back to the enumeration or the draws off a lattice', () => {
		const d = Array.from({ length: 12 }, (_, i) => Math.sqrt(i + 2) / 10 - 0.25);
		expect(signFlipTest(d)).toEqual(enumerate(d));
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
