import { describe, expect, it } from 'vitest';
import { binomialUpperTail, signFlipTest, signTest } from '../../src/lib/metrics/paired-tests.ts';
import { seededRandom } from '../../src/lib/metrics/seeded-random.ts';
import {
	BET_GRID,
	addRemainingGrowth,
	anytimeDifferenceBounds,
	anytimeP,
	bettingP,
	casesToSettleByBetting,
	combineEProcesses,
	createBettingEProcess,
	currentLogE,
	nonInferiorityOf,
	observeBet,
	reachableLogE,
	signFlipCompletionPWorse,
	signTestCompletions,
	signTestCritical,
	signTestShowsWorse,
	updateCombined,
} from '../../src/lib/metrics/sequential-tests.ts';

/** The share of `runs` sequences of `steps` payoffs drawn by `draw` whose e-process ever reaches 1/alpha. */
function falseRejections(runs: number, steps: number, alpha: number, draw: () => number, maxBet = 1): number {
	let rejected = 0;
	for (let run = 0; run < runs; run++) {
		const process = createBettingEProcess(maxBet);
		for (let step = 0; step < steps && anytimeP(process) > alpha; step++) observeBet(process, draw());
		if (anytimeP(process) <= alpha) rejected++;
	}
	return rejected / runs;
}

describe('curtailment bounds of the sign test', () => {
	it('finds the critical number of losses the sign test itself uses, for every count and level', () => {
		for (const alpha of [0.01, 0.05, 0.1, 0.3])
			for (let n = 0; n <= 120; n++)
				for (let losses = 0; losses <= n; losses++)
					expect(signTestShowsWorse(n - losses, losses, alpha)).toBe(binomialUpperTail(losses, n) <= alpha);
		expect(signTestCritical(5, 0.05)).toBe(5);
		expect(signTestCritical(4, 0.05)).toBe(5);
	});

	it('bounds every completion of the remaining cases exactly (brute force over win, tie and loss)', () => {
		const random = seededRandom(11);
		for (let trial = 0; trial < 300; trial++) {
			const wins = Math.floor(random() * 8);
			const losses = Math.floor(random() * 12);
			// Each remaining case: 0 tie only, 1 win or tie, 2 loss or tie, 3 any.
			const kinds = Array.from({ length: Math.floor(random() * 7) }, () => Math.floor(random() * 4));
			const alpha = [0.05, 0.1, 0.2][trial % 3]!;
			const soFar = { wins, losses, winnable: kinds.filter((k) => k & 1).length, losable: kinds.filter((k) => k & 2).length };
			const bounds = signTestCompletions(soFar, alpha);
			const verdicts: boolean[] = [];
			const aheads: boolean[] = [];
			const pBetters: number[] = [];
			const walk = (index: number, w: number, l: number) => {
				if (index === kinds.length) {
					const p = signTest(w, l);
					verdicts.push(p.pWorse <= alpha);
					aheads.push(w > l);
					pBetters.push(p.pBetter);
					return;
				}
				walk(index + 1, w, l);
				if (kinds[index]! & 1) walk(index + 1, w + 1, l);
				if (kinds[index]! & 2) walk(index + 1, w, l + 1);
			};
			walk(0, wins, losses);
			expect(bounds.worseInEvery).toBe(verdicts.every(Boolean));
			expect(bounds.worseInNone).toBe(verdicts.every((v) => !v));
			expect(bounds.aheadInNone).toBe(aheads.every((a) => !a));
			expect(bounds.pBetterAtBest).toBeCloseTo(Math.min(...pBetters), 12);
		}
	});
});

describe('curtailment bounds of the sign-flip test', () => {
	it('gives the largest and smallest p for "worse" over completions, and refuses where Monte Carlo would decide', () => {
		const random = seededRandom(5);
		for (let trial = 0; trial < 60; trial++) {
			const read = Array.from({ length: 2 + Math.floor(random() * 6) }, () => Math.round((random() * 2 - 1) * 10) / 10);
			const incumbentPain = Array.from({ length: 1 + Math.floor(random() * 3) }, () => [0, 0.6, 1][Math.floor(random() * 3)]!);
			const best = signFlipCompletionPWorse(
				read,
				incumbentPain.map((pain) => pain),
			)!;
			const worst = signFlipCompletionPWorse(
				read,
				incumbentPain.map((pain) => pain - 1),
			)!;
			// Every completion: the challenger's pain on each remaining case in {0, 0.4, 1}, or the case not run.
			const options = [0, 0.4, 1, null];
			const ps: number[] = [];
			const walk = (index: number, differences: number[]) => {
				if (index === incumbentPain.length) return void ps.push(signFlipTest([...read, ...differences]).pWorse);
				for (const pain of options) walk(index + 1, pain === null ? differences : [...differences, incumbentPain[index]! - pain]);
			};
			walk(0, []);
			expect(best).toBeCloseTo(Math.max(...ps), 12);
			expect(worst).toBeCloseTo(Math.min(...ps), 12);
		}
		expect(signFlipCompletionPWorse(Array(10).fill(0.5), Array(7).fill(1))).toBeNull();
		expect(signFlipCompletionPWorse([...Array(10).fill(0.5), ...Array(20).fill(0)], Array(6).fill(1))).not.toBeNull();
	});
});

describe('betting e-processes', () => {
	it('computes the mixture and its running maximum as a direct product would (an independent computation)', () => {
		const random = seededRandom(3);
		for (let trial = 0; trial < 20; trial++) {
			const xs = Array.from({ length: 1 + Math.floor(random() * 15) }, () => Math.round((random() * 2 - 1) * 4) / 4);
			const maxBet = [1, 1 / 0.95, 1 / 1.05][trial % 3]!;
			let best = 1;
			const wealth = Array.from({ length: BET_GRID }, () => 1);
			for (const x of xs) {
				for (let k = 0; k < BET_GRID; k++) wealth[k]! *= 1 + ((k + 0.5) / BET_GRID) * maxBet * x;
				best = Math.max(best, wealth.reduce((sum, w) => sum + w, 0) / BET_GRID);
			}
			expect(bettingP(xs, maxBet)).toBeCloseTo(Math.min(1, 1 / best), 12);
		}
		// Four wins in a row: the mean over the bets of Π(1 + λ) is (1/20) Σ (1 + (k + ½)/20)^4.
		const fourWins = Array.from({ length: BET_GRID }, (_, k) => (1 + (k + 0.5) / BET_GRID) ** 4).reduce((a, b) => a + b, 0) / BET_GRID;
		expect(bettingP([1, 1, 1, 1])).toBeCloseTo(1 / fourWins, 12);
	});

	it('keeps false rejections at or below alpha under the null, read after every case (seeded simulation)', () => {
		const random = seededRandom(2027);
		const alpha = 0.05;
		// Discordant pairs of a sign test: a win or a loss each with probability 0.2, else a tie.
		const sign = falseRejections(2000, 300, alpha, () => {
			const u = random();
			return u < 0.2 ? 1 : u < 0.4 ? -1 : 0;
		});
		// Per-case differences of two equal pains in [0, 1].
		const pain = falseRejections(2000, 300, alpha, () => random() - random());
		// A null that holds with room: the payoff's mean is −0.05.
		const inside = falseRejections(1000, 300, alpha, () => (random() < 0.475 ? 1 : -1));
		expect(sign).toBeLessThanOrEqual(alpha);
		expect(pain).toBeLessThanOrEqual(alpha);
		expect(inside).toBeLessThanOrEqual(alpha);
		// Not vacuous: a real difference of 0.3 is found in most runs of 200 cases.
		const power = falseRejections(500, 200, alpha, () => (random() < 0.65 ? 1 : -1));
		expect(power).toBeGreaterThan(0.9);
		if (process.env.SEQUENTIAL_FIGURES) console.log({ sign, pain, inside, power });
	});

	it('keeps "better on at least one of three metrics" at alpha with equal models (the mean of three e-processes)', () => {
		const random = seededRandom(99);
		const alpha = 0.05;
		let rejected = 0;
		const runs = 1000;
		for (let run = 0; run < runs; run++) {
			const parts = [createBettingEProcess(), createBettingEProcess(), createBettingEProcess()];
			const combined = combineEProcesses(parts);
			for (let step = 0; step < 200; step++) {
				// Two equal models answer: accepted 60 %, hard failure 10 %, the pain follows from the outcome.
				const answer = () => {
					const u = random();
					return u < 0.6
						? { accepted: 1, pain: 0, hard: 0 }
						: u < 0.9
							? { accepted: 0, pain: 0.6, hard: 0 }
							: { accepted: 0, pain: 1, hard: 1 };
				};
				const c = answer();
				const i = answer();
				observeBet(parts[0]!, c.accepted - i.accepted);
				observeBet(parts[1]!, i.pain - c.pain);
				observeBet(parts[2]!, i.hard - c.hard);
				updateCombined(combined);
			}
			if (Math.exp(-combined.maxLogE) <= alpha) rejected++;
		}
		expect(rejected / runs).toBeLessThanOrEqual(alpha);
		if (process.env.SEQUENTIAL_FIGURES) console.log({ betterOnOne: rejected / runs });
	});

	it('bounds what the remaining cases could still reach', () => {
		const random = seededRandom(8);
		for (let trial = 0; trial < 200; trial++) {
			const process = createBettingEProcess();
			for (let i = 0; i < 10; i++) observeBet(process, Math.round((random() * 2 - 1) * 2) / 2);
			const xMax = Array.from({ length: 8 }, () => Math.round((random() * 2 - 1) * 4) / 4);
			const growth = new Float64Array(BET_GRID);
			for (const x of xMax) addRemainingGrowth(process, growth, x, 1);
			const bound = reachableLogE(process, growth);
			// A random completion under those maxima never passes the bound, at any step.
			const copy = { ...process, bets: process.bets, logWealth: Float64Array.from(process.logWealth) };
			for (const x of xMax) {
				observeBet(copy, x - random() * (x + 1));
				expect(copy.maxLogE).toBeLessThanOrEqual(bound + 1e-12);
			}
		}
		// All the way: exactly the bound.
		const process = createBettingEProcess();
		const growth = new Float64Array(BET_GRID);
		for (const x of [1, 1, 0.5]) addRemainingGrowth(process, growth, x, 1);
		const bound = reachableLogE(process, growth);
		for (const x of [1, 1, 0.5]) observeBet(process, x);
		expect(currentLogE(process)).toBeCloseTo(bound, 12);
	});

	it('projects the cases that would settle it at the observed differences', () => {
		const xs = [1, 0, 0, 1, -1, 1, 0, 1];
		const n = casesToSettleByBetting(xs, 0.05)!;
		expect(n).toBeGreaterThan(xs.length);
		// The product is the same in any order: m copies of the observed cases give the projected wealth at m·8.
		const copies = (m: number) => Array.from({ length: m }, () => xs).flat();
		const enough = copies(Math.ceil(n / xs.length));
		expect(bettingP(enough)).toBeLessThanOrEqual(0.05);
		const fewer = createBettingEProcess();
		for (const x of copies(Math.floor((n - 1) / xs.length))) observeBet(fewer, x);
		expect(currentLogE(fewer)).toBeLessThan(Math.log(20));
		expect(casesToSettleByBetting([1, -1, 0], 0.05)).toBeNull();
		expect(casesToSettleByBetting([-1, 0], 0.05)).toBeNull();
	});
});

describe('anytime non-inferiority', () => {
	it('keeps false "stay local" and false "frontier is better" at or below alpha at the margin (seeded simulation)', () => {
		const random = seededRandom(44);
		const alpha = 0.05;
		const margin = 0.05;
		// Frontier − local acceptance per case, with mean exactly the margin: +1 w.p. 0.2, −1 w.p. 0.15.
		const atMargin = () => {
			const u = random();
			return u < 0.2 ? 1 : u < 0.35 ? -1 : 0;
		};
		const within = falseRejections(2000, 300, alpha, () => margin - atMargin(), 1 / (1 - margin));
		const beyond = falseRejections(2000, 300, alpha, () => atMargin() - margin, 1 / (1 + margin));
		expect(within).toBeLessThanOrEqual(alpha);
		expect(beyond).toBeLessThanOrEqual(alpha);
		if (process.env.SEQUENTIAL_FIGURES) console.log({ within, beyond });
	});

	it('reports bounds on the mean difference where each side would reject', () => {
		const random = seededRandom(12);
		const differences = Array.from({ length: 150 }, (): number => (random() < 0.1 ? 1 : random() < 0.1 ? -1 : 0));
		const mean = differences.reduce((a, b) => a + b, 0) / differences.length;
		const { low, high } = anytimeDifferenceBounds(differences, 0.05);
		expect(low).toBeLessThan(mean);
		expect(high).toBeGreaterThan(mean);
		expect(nonInferiorityOf(differences, high + 0.005).pWithin).toBeLessThanOrEqual(0.05);
		expect(nonInferiorityOf(differences, high - 0.005).pWithin).toBeGreaterThan(0.05);
		expect(nonInferiorityOf(differences, low - 0.005).pBeyond).toBeLessThanOrEqual(0.05);
		expect(nonInferiorityOf(differences, low + 0.005).pBeyond).toBeGreaterThan(0.05);
		expect(anytimeDifferenceBounds([], 0.05)).toEqual({ low: -1, high: 1 });
	});
});
