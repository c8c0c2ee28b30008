/**
 * Sequential statistics: what a paired comparison can still become while its cases are read one by one.
 * Two kinds, both pure and incremental (a run reads its evidence as it arrives):
 * - curtailment bounds of the fixed-sample tests (`paired-tests.ts`): given the cases read so far and the
 *   incumbent's known results on the cases still to come, the most and least favourable completions. Exact
 *   for the sign tests (their p-values are monotone in added wins and losses) and for the sign-flip test
 *   while every completion stays within its exact enumeration; never claimed beyond that.
 * - anytime-valid tests: betting e-processes on bounded per-case differences, a mixture over a fixed grid of
 *   bets. Under the null each bet's wealth is a nonnegative supermartingale, so is their mean, and by
 *   Ville's inequality P(sup_t E_t ≥ 1/α) ≤ α: the p-value 1 / (running maximum of E) may be read after
 *   every case and the reading stopped at any time.
 */
import { EXACT_SIGN_FLIP_LIMIT, binomialUpperTail, signFlipTest, smallestCount } from './paired-tests.ts';

// ——— Curtailment of the fixed-sample tests ———

const criticalLosses = new Map<number, number[]>();

/**
 * The fewest losses among `n` disagreements at which the exact sign test shows the challenger worse:
 * the smallest k with P(X ≥ k) ≤ alpha for X ~ Binomial(n, ½) (n + 1 when no k does). Computed with the
 * same `binomialUpperTail` the sign test uses, memoised per alpha, so a check costs O(1) after the first.
 */
export function signTestCritical(n: number, alpha: number): number {
	let table = criticalLosses.get(alpha);
	if (!table) {
		table = [];
		criticalLosses.set(alpha, table);
	}
	// The critical count never falls as n grows (one more disagreement makes every tail heavier): step up.
	for (let m = table.length; m <= n; m++) {
		let k = m === 0 ? 0 : table[m - 1]!;
		while (k <= m && binomialUpperTail(k, m) > alpha) k++;
		table.push(k);
	}
	return table[n]!;
}

/** Is the exact sign test's p-value for "worse" at most alpha with these counts? The same as `signTest(wins, losses).pWorse ≤ alpha`. */
export const signTestShowsWorse = (wins: number, losses: number, alpha: number) => losses >= signTestCritical(wins + losses, alpha);

/**
 * One sign-test metric read part way: the counts so far, and on the cases still to come how many the
 * challenger could still win (the incumbent did not do perfectly there) and how many it could still lose
 * (the incumbent did not do worst there).
 */
export interface SignTestSoFar {
	wins: number;
	losses: number;
	/** Remaining cases where a win is possible. */
	winnable: number;
	/** Remaining cases where a loss is possible. */
	losable: number;
}

/**
 * What the sign test at the end of the full run can still say, over every completion of the remaining
 * cases. Its p-value for "worse", P(X ≥ losses) with X ~ Binomial(wins + losses, ½), rises with every added
 * win and falls with every added loss (a tie or a case left out adds neither), so its extremes are the
 * completions that win every winnable case and lose every losable one. Exact.
 */
export function signTestCompletions(soFar: SignTestSoFar, alpha: number) {
	const { wins, losses, winnable, losable } = soFar;
	return {
		/** Shown worse even if every remaining case went the challenger's way. */
		worseInEvery: signTestShowsWorse(wins + winnable, losses, alpha),
		/** Not shown worse even if every remaining case went the incumbent's way. */
		worseInNone: !signTestShowsWorse(wins, losses + losable, alpha),
		/** Not ahead (wins ≤ losses) even in the most favourable completion: no projection, p for "better" ≥ ½. */
		aheadInNone: wins + winnable <= losses,
		/** p for "worse" in the most favourable completion: the largest it can end at (computed when read: O(n)). */
		get pWorseAtBest() {
			return binomialUpperTail(losses, wins + winnable + losses);
		},
		/** p for "better" in the most favourable completion: the smallest it can end at (computed when read: O(n)). */
		get pBetterAtBest() {
			return binomialUpperTail(wins + winnable, wins + winnable + losses);
		},
	};
}

/**
 * The sign-flip test's p-value for "worse" at the end of the full run, in the most favourable (`best`) or
 * least favourable completion, when it is exact: `read` the per-case differences read so far (> 0 the
 * challenger better), `remaining` each remaining case's extreme difference (for the most favourable
 * completion, the incumbent's pain there: the challenger at pain 0; for the least, the incumbent's pain − 1).
 * The exact test counts the sign patterns whose sum is at most the observed one; lowering one difference
 * only removes patterns (a zero one counts as any other), so these are the extremes over every completion.
 * Null when some completion could have more than `EXACT_SIGN_FLIP_LIMIT` non-zero differences: the full run
 * would then use seeded Monte Carlo draws, whose result no bound here can promise.
 */
export function signFlipCompletionPWorse(read: readonly number[], remaining: readonly number[]): number | null {
	const nonZeroRead = read.filter((d) => Math.abs(d) > 1e-12).length;
	if (nonZeroRead + remaining.length > EXACT_SIGN_FLIP_LIMIT) return null;
	return signFlipTest([...read, ...remaining]).pWorse;
}

// ——— Anytime-valid betting e-processes ———

/** Bets per e-process: the fractions (k − ½) / BET_GRID of the largest safe bet, k = 1 … BET_GRID, weighted equally. */
export const BET_GRID = 20;

/**
 * A mixture of betting e-processes against H0: E[x_t | past] ≤ 0, for payoffs x_t bounded below by
 * −1 / maxBet. Each bet λ multiplies its wealth by (1 + λ·x_t) ≥ 0: under H0 a nonnegative
 * supermartingale from 1. Held in logs (hundreds of cases would underflow).
 */
export interface BettingEProcess {
	readonly bets: Float64Array;
	/** log wealth of each bet. */
	readonly logWealth: Float64Array;
	/** The largest of `logWealth`: the mixture can only pass its running maximum when this does. */
	topLogWealth: number;
	/** log of the running maximum of the mixture (the mean wealth), from 0 (E = 1) at the start. */
	maxLogE: number;
	/** Payoffs seen. */
	observations: number;
}

/** A fresh e-process whose payoffs are at least −1 / `maxBet` (1 for differences in [−1, 1]). */
export function createBettingEProcess(maxBet = 1): BettingEProcess {
	const bets = new Float64Array(BET_GRID);
	for (let k = 0; k < BET_GRID; k++) bets[k] = ((k + 0.5) / BET_GRID) * maxBet;
	return { bets, logWealth: new Float64Array(BET_GRID), topLogWealth: 0, maxLogE: 0, observations: 0 };
}

/** log of the mean of exp(values): the mixture's log wealth. */
function logMeanExp(values: ArrayLike<number>): number {
	let top = -Infinity;
	for (let k = 0; k < values.length; k++) top = Math.max(top, values[k]!);
	if (top === -Infinity) return -Infinity;
	let sum = 0;
	for (let k = 0; k < values.length; k++) sum += Math.exp(values[k]! - top);
	return top + Math.log(sum) - Math.log(values.length);
}

/** Bets on one payoff: O(BET_GRID) additions, and a log-sum-exp only when the mixture could pass its running maximum. */
export function observeBet(process: BettingEProcess, x: number): void {
	process.observations++;
	if (x === 0) return;
	const { bets, logWealth } = process;
	let top = -Infinity;
	for (let k = 0; k < BET_GRID; k++) {
		const wealth = logWealth[k]! + Math.log1p(bets[k]! * x);
		logWealth[k] = wealth;
		if (wealth > top) top = wealth;
	}
	process.topLogWealth = top;
	// The mean of the wealths is below their largest: no new maximum is possible unless that passes it.
	if (top > process.maxLogE) process.maxLogE = Math.max(process.maxLogE, logMeanExp(logWealth));
}

/**
 * The mean of several e-processes read on the same cases, each valid under its own null: under all the
 * nulls together it is an e-process too (a mean of supermartingales), so 1 / its running maximum is an
 * anytime p-value for "at least one null is false" — "better on at least one metric" without a
 * correction for the number of metrics.
 */
export interface CombinedEProcess {
	readonly parts: readonly BettingEProcess[];
	maxLogE: number;
}

export const combineEProcesses = (parts: readonly BettingEProcess[]): CombinedEProcess => ({ parts, maxLogE: 0 });

/** Updates the running maximum after the parts have read the same case. */
export function updateCombined(combined: CombinedEProcess): void {
	const { parts } = combined;
	// Each part is at most its best bet: skip the log-sum-exp when even that bound cannot pass the maximum.
	if (logMeanExp(parts.map((part) => part.topLogWealth)) <= combined.maxLogE) return;
	combined.maxLogE = Math.max(combined.maxLogE, logMeanExp(parts.map(currentLogE)));
}

/** The largest log E the combination could reach before the reading ends (see `reachableLogE`). */
export function reachableCombinedLogE(combined: CombinedEProcess, remainingGrowth: readonly Float64Array[]): number {
	const ends = combined.parts.map((part, i) => {
		const end = new Float64Array(BET_GRID);
		for (let k = 0; k < BET_GRID; k++) end[k] = part.logWealth[k]! + remainingGrowth[i]![k]!;
		return logMeanExp(end);
	});
	return Math.max(combined.maxLogE, logMeanExp(ends));
}

/** The mixture's current log wealth. */
export const currentLogE = (process: BettingEProcess) => logMeanExp(process.logWealth);

/** The anytime-valid p-value: 1 / the running maximum of E, at most 1. */
export const anytimeP = (process: BettingEProcess) => Math.min(1, Math.exp(-process.maxLogE));

/**
 * The largest log E the mixture could reach before the reading ends, whatever the remaining payoffs:
 * `remainingGrowth[k]` is Σ over the remaining cases of log(1 + λ_k · max(x_max, 0)), each bet's wealth can
 * only end there or lower, and the mixture at any time is at most the mixture of those. Exact bound.
 */
export function reachableLogE(process: BettingEProcess, remainingGrowth: Float64Array): number {
	const ends = new Float64Array(BET_GRID);
	for (let k = 0; k < BET_GRID; k++) ends[k] = process.logWealth[k]! + remainingGrowth[k]!;
	return Math.max(process.maxLogE, logMeanExp(ends));
}

/** Adds (sign +1) or removes (sign −1) one remaining case whose largest payoff is `xMax` from a `remainingGrowth` sum. */
export function addRemainingGrowth(process: BettingEProcess, remainingGrowth: Float64Array, xMax: number, sign: 1 | -1): void {
	if (xMax <= 0) return;
	for (let k = 0; k < BET_GRID; k++) remainingGrowth[k] = remainingGrowth[k]! + sign * Math.log1p(process.bets[k]! * xMax);
}

/**
 * The e-process of payoffs `xs` read in order, and its p-value: the same computation as feeding them one by
 * one to `observeBet`, for verdicts recomputed from recorded evidence.
 */
export function bettingP(xs: readonly number[], maxBet = 1): number {
	const process = createBettingEProcess(maxBet);
	for (const x of xs) observeBet(process, x);
	return anytimeP(process);
}

/**
 * About how many cases in all an e-process on payoffs distributed as `xs` would need to reach 1/alpha: each
 * bet grows by the mean of log(1 + λx) per case, the mixture at n cases is the mean of those wealths.
 * Null when no bet grows on average (no count would do it) or the count passes `MAX_PROJECTED_CASES`.
 */
export function casesToSettleByBetting(xs: readonly number[], alpha: number, maxBet = 1): number | null {
	if (xs.length === 0) return null;
	const process = createBettingEProcess(maxBet);
	const growth = new Float64Array(BET_GRID);
	for (let k = 0; k < BET_GRID; k++) growth[k] = xs.reduce((sum, x) => sum + Math.log1p(process.bets[k]! * x), 0) / xs.length;
	if (Math.max(...growth) <= 0) return null;
	const target = Math.log(1 / alpha);
	return smallestCount(0, (n) => logMeanExp(growth.map((g) => g * n)) >= target);
}

// ——— Non-inferiority against a margin ———

/**
 * The two anytime-valid tests of a per-case difference d_t ∈ [−1, 1] (frontier − local acceptance) against
 * a margin m ∈ (0, ½]: `within` bets against H0 "E[d] ≥ m" with payoff m − d ≥ m − 1 (rejecting it: the
 * local model is within the margin — stay local), `beyond` against H0 "E[d] ≤ m" with payoff d − m ≥ −1 − m
 * (rejecting it: the frontier is better by more than the margin).
 */
export interface NonInferiorityProcess {
	margin: number;
	within: BettingEProcess;
	beyond: BettingEProcess;
	cases: number;
	sum: number;
}

export function createNonInferiorityProcess(margin: number): NonInferiorityProcess {
	if (!(margin > -1 && margin < 1))
		throw new Error(`The margin of a difference in [−1, 1] must lie strictly between −1 and 1; found ${margin}.`);
	return {
		margin,
		within: createBettingEProcess(1 / (1 - margin)),
		beyond: createBettingEProcess(1 / (1 + margin)),
		cases: 0,
		sum: 0,
	};
}

export function observeDifference(process: NonInferiorityProcess, difference: number): void {
	process.cases++;
	process.sum += difference;
	observeBet(process.within, process.margin - difference);
	observeBet(process.beyond, difference - process.margin);
}

/** The anytime p-values of both sides. */
export const nonInferiorityP = (process: NonInferiorityProcess) => ({
	pWithin: anytimeP(process.within),
	pBeyond: anytimeP(process.beyond),
});

/**
 * About how many cases in all would settle either side if further cases differed as `differences` did
 * (null when neither side would within `MAX_PROJECTED_CASES`).
 */
export function casesToSettleNonInferiority(differences: readonly number[], margin: number, alpha: number): number | null {
	const within = casesToSettleByBetting(
		differences.map((d) => margin - d),
		alpha,
		1 / (1 - margin),
	);
	const beyond = casesToSettleByBetting(
		differences.map((d) => d - margin),
		alpha,
		1 / (1 + margin),
	);
	if (within === null) return beyond;
	if (beyond === null) return within;
	return Math.min(within, beyond);
}

/** Both sides' anytime p-values for differences `differences` read in order, against `margin`. */
export function nonInferiorityOf(differences: readonly number[], margin: number): { pWithin: number; pBeyond: number } {
	const process = createNonInferiorityProcess(margin);
	for (const d of differences) observeDifference(process, d);
	return nonInferiorityP(process);
}

/**
 * Anytime-valid bounds for the mean difference: `low` the largest margin the `beyond` side rejects at
 * alpha (the mean is above it), `high` the smallest the `within` side rejects (the mean is below it), by
 * bisection over (−1, 1); −1 and 1 when none is rejected. For the report's interval, as a person reads it.
 */
export function anytimeDifferenceBounds(differences: readonly number[], alpha: number): { low: number; high: number } {
	const edge = 1 - 1e-9;
	const search = (rejects: (margin: number) => boolean, from: number, towards: number) => {
		// `from` is rejected, `towards` is not: narrow the crossing down.
		let inside = from;
		let outside = towards;
		for (let step = 0; step < 40; step++) {
			const middle = (inside + outside) / 2;
			if (rejects(middle)) inside = middle;
			else outside = middle;
		}
		return inside;
	};
	const beyond = (m: number) => nonInferiorityOf(differences, m).pBeyond <= alpha;
	const within = (m: number) => nonInferiorityOf(differences, m).pWithin <= alpha;
	const mean = differences.length > 0 ? differences.reduce((sum, d) => sum + d, 0) / differences.length : 0;
	return {
		low: beyond(-edge) ? search(beyond, -edge, Math.min(edge, mean)) : -1,
		high: within(edge) ? search(within, edge, Math.max(-edge, mean)) : 1,
	};
}
