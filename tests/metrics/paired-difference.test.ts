import { describe, expect, it } from 'vitest';
import { type PairedCounts, nonInferiority, pairedDifferenceInterval, tangoScore } from '../../src/lib/metrics/paired-difference.ts';
import { referenceBounds, referenceDecision, referenceScore } from './paired-reference.ts';

const table = (both: number, onlyFirst: number, onlySecond: number, neither: number): PairedCounts => ({
	both,
	onlyFirst,
	onlySecond,
	neither,
});

describe("Tango's score interval for paired proportions", () => {
	it.each([
		{ counts: table(150, 6, 5, 39) },
		{ counts: table(20, 30, 1, 9) },
		{ counts: table(2, 1, 0, 0) },
		{ counts: table(40, 0, 0, 10) },
		{ counts: table(10, 3, 12, 5) },
		{ counts: table(0, 7, 0, 0) },
	])('agrees with a numerical restricted MLE and a grid scan on $counts', ({ counts }) => {
		const interval = pairedDifferenceInterval(counts, 0.05)!;
		const reference = referenceBounds(counts);
		expect(interval.low).toBeCloseTo(reference.low, 3);
		expect(interval.high).toBeCloseTo(reference.high, 3);
		expect(interval.low).toBeLessThanOrEqual(interval.difference);
		expect(interval.high).toBeGreaterThanOrEqual(interval.difference);
	});

	it('gives the score the numerical MLE gives at any delta', () => {
		for (const delta of [-0.3, -0.05, 0, 0.02, 0.1, 0.4]) {
			expect(tangoScore(table(30, 8, 3, 9), delta)).toBeCloseTo(referenceScore(table(30, 8, 3, 9), delta), 6);
		}
	});

	it('has no interval without a case', () => {
		expect(pairedDifferenceInterval(table(0, 0, 0, 0), 0.05)).toBeNull();
		expect(nonInferiority(table(0, 0, 0, 0), 0.05, 0.05).decision).toBe('no-data');
	});
});

describe('nonInferiority', () => {
	it('says non-inferior on a near-tie over many cases', () => {
		const counts = table(150, 6, 5, 39);
		expect(referenceDecision(counts, 0.05)).toBe('non-inferior');
		expect(nonInferiority(counts, 0.05, 0.05).decision).toBe('non-inferior');
	});

	it('says superior when the first is ahead by much more than the margin', () => {
		const counts = table(20, 30, 1, 9);
		expect(referenceDecision(counts, 0.05)).toBe('superior');
		expect(nonInferiority(counts, 0.05, 0.05).decision).toBe('superior');
	});

	it('cannot tell on three cases, and says how many cases at these rates would', () => {
		const counts = table(2, 1, 0, 0);
		expect(referenceDecision(counts, 0.05)).toBe('undecided');
		const judged = nonInferiority(counts, 0.05, 0.05);
		expect(judged.decision).toBe('undecided');
		// The smallest total whose proportionally scaled table the reference interval decides.
		let expected = 3;
		while (referenceDecision(scaled(counts, expected), 0.05) === 'undecided') expected++;
		expect(judged.moreCases).toBe(expected);
	});

	it('does not decide a tie exactly at the margin however many cases come', () => {
		// 5 points ahead at every scale: the bounds close in on the margin from both sides, never past it.
		const judged = nonInferiority(table(50, 10, 5, 35), 0.05, 0.05);
		expect(judged.decision).toBe('undecided');
		expect(judged.moreCases).toBeNull();
	});
});

function scaled(counts: PairedCounts, total: number): PairedCounts {
	const n = counts.both + counts.onlyFirst + counts.onlySecond + counts.neither;
	const part = (value: number) => Math.round((value * total) / n);
	return table(part(counts.both), part(counts.onlyFirst), part(counts.onlySecond), part(counts.neither));
}
