/**
 * Paired statistics for comparing two models that answered the same cases. Exact where the count
 * allows, seeded where it does not, so the same evidence always gives the same numbers. Pure.
 */
import { seededRandom } from './seeded-random.ts';

/** The result of one paired one-sided comparison, both directions. */
export interface PairedTest {
	/** One-sided p-value of "the challenger is better" (small = the data show it better). */
	pBetter: number;
	/** One-sided p-value of "the challenger is worse" (small = the data show it worse). */
	pWorse: number;
}

/** Tails already summed, by (n, k): the sequential tests ask the same few thousand again and again. */
const tails = new Map<number, number>();
/** Most tails kept; past it the memo starts afresh (a value is the same whenever it is summed). */
const MAX_MEMOISED_TAILS = 1_000_000;

/** P(X ≥ k) for X ~ Binomial(n, ½): exact, summed in log space so large n neither overflows nor underflows. */
export function binomialUpperTail(k: number, n: number): number {
	if (k <= 0) return 1;
	if (k > n) return 0;
	if (!Number.isInteger(k) || !Number.isInteger(n) || n >= 4_194_304) return summedUpperTail(k, n);
	const key = n * 4_194_304 + k;
	const known = tails.get(key);
	if (known !== undefined) return known;
	if (tails.size >= MAX_MEMOISED_TAILS) tails.clear();
	const tail = summedUpperTail(k, n);
	tails.set(key, tail);
	return tail;
}

function summedUpperTail(k: number, n: number): number {
	// log C(n, i) built up term by term; the tail is summed with the largest term factored out.
	const logs: number[] = [];
	let logChoose = 0;
	for (let i = 0; i <= n; i++) {
		if (i >= k) logs.push(logChoose - n * Math.LN2);
		logChoose += Math.log(n - i) - Math.log(i + 1);
	}
	const top = Math.max(...logs);
	const sum = logs.reduce((total, log) => total + Math.exp(log - top), 0);
	return Math.min(1, Math.exp(top + Math.log(sum)));
}

/**
 * The exact sign test (exact McNemar) on the cases where the two disagree: `wins` where only the
 * challenger did well, `losses` where only the incumbent did. Under "no difference" each
 * disagreement goes either way with probability ½; ties carry no information and are left out.
 */
export function signTest(wins: number, losses: number): PairedTest {
	const n = wins + losses;
	return { pBetter: binomialUpperTail(wins, n), pWorse: binomialUpperTail(losses, n) };
}

/** Most non-zero differences enumerated exactly by the sign-flip test (2^16 sign patterns). */
export const EXACT_SIGN_FLIP_LIMIT = 16;
/** Random sign patterns drawn above that limit. */
export const SIGN_FLIP_DRAWS = 20_000;
/** Seed of those draws: fixed, so a verdict never changes between two reads of the same evidence. */
export const SIGN_FLIP_SEED = 0x5eed;

/**
 * Largest lattice sum (Σ |difference| in lattice steps) the sign-flip test counts exactly by convolution:
 * up to it, counting costs no more than the seeded draws would.
 */
export const LATTICE_SIGN_FLIP_LIMIT = 20_000;
/** Finest lattice looked for: steps of 1/1000 (graded qualities averaged over repeats stay far coarser). */
export const LATTICE_SIGN_FLIP_FINEST = 1000;

/**
 * The paired sign-flip (permutation) test on per-case differences, `differences[i]` > 0 meaning the
 * challenger did better on case i. Under "no difference" each difference is as likely to have the
 * other sign, so the observed sum is compared with the sums of every sign pattern. Exact when the
 * differences lie on a common lattice (every one a whole multiple of 1/s, as review pain on graded
 * steps does) small enough to count the patterns by sum (`LATTICE_SIGN_FLIP_LIMIT`), or when there are
 * at most `EXACT_SIGN_FLIP_LIMIT` non-zero differences to enumerate; else `SIGN_FLIP_DRAWS` seeded
 * random patterns (with the +1 correction that keeps a Monte Carlo p-value valid).
 */
export function signFlipTest(differences: readonly number[]): PairedTest {
	const nonZero = differences.filter((d) => Math.abs(d) > 1e-12);
	if (nonZero.length === 0) return { pBetter: 1, pWorse: 1 };
	const observed = nonZero.reduce((sum, d) => sum + d, 0);
	// Sums equal up to rounding count as ties, which both tails include.
	const eps = 1e-9 * Math.max(1, ...nonZero.map(Math.abs));
	const lattice = latticeSignFlip(nonZero, eps);
	if (lattice) return lattice;
	let atLeast = 0;
	let atMost = 0;
	let total = 0;
	const tally = (sum: number) => {
		if (sum >= observed - eps) atLeast++;
		if (sum <= observed + eps) atMost++;
		total++;
	};
	if (nonZero.length <= EXACT_SIGN_FLIP_LIMIT) {
		for (let mask = 0; mask < 1 << nonZero.length; mask++) {
			let sum = 0;
			for (let i = 0; i < nonZero.length; i++) sum += mask & (1 << i) ? -nonZero[i]! : nonZero[i]!;
			tally(sum);
		}
		return { pBetter: atLeast / total, pWorse: atMost / total };
	}
	const random = seededRandom(SIGN_FLIP_SEED);
	for (let draw = 0; draw < SIGN_FLIP_DRAWS; draw++) {
		let sum = 0;
		for (const d of nonZero) sum += random() < 0.5 ? -d : d;
		tally(sum);
	}
	return { pBetter: (atLeast + 1) / (total + 1), pWorse: (atMost + 1) / (total + 1) };
}

/**
 * The sign-flip test counted exactly, when every difference is a whole multiple k_i of one step 1/s
 * (s = 1, 2, …, within rounding): a pattern's sum is 2T − K in steps, T the sum of the k_i kept
 * positive and K = Σ k_i, so the share of patterns at each T is a subset-sum count, built one
 * difference at a time in O(n·K). Rounding cannot move a sum across the tie band: sums one step apart
 * differ by 1/s ≫ `eps`, and the rounding of all n differences together stays below `eps`. So the
 * p-values are those of the full enumeration of all 2^n patterns (bit for bit up to 2^52 patterns,
 * the counts then being exact). Null when there is no such lattice with s ≤ `LATTICE_SIGN_FLIP_FINEST`
 * and K ≤ `LATTICE_SIGN_FLIP_LIMIT`.
 */
function latticeSignFlip(nonZero: readonly number[], eps: number): PairedTest | null {
	const magnitude = nonZero.reduce((sum, d) => sum + Math.abs(d), 0);
	const tolerance = eps / (4 * nonZero.length);
	let scale = 0;
	for (let s = 1; s <= LATTICE_SIGN_FLIP_FINEST && s * magnitude <= LATTICE_SIGN_FLIP_LIMIT + 0.5 && 1 / s > 4 * eps; s++) {
		if (nonZero.every((d) => Math.abs(d * s - Math.round(d * s)) <= tolerance * s)) {
			scale = s;
			break;
		}
	}
	if (scale === 0) return null;
	const steps = nonZero.map((d) => Math.round(Math.abs(d) * scale));
	const total = steps.reduce((sum, k) => sum + k, 0);
	// share[t]: the share of sign patterns whose positive differences sum to t steps.
	const share = new Float64Array(total + 1);
	share[0] = 1;
	let reach = 0;
	for (const k of steps) {
		reach += k;
		for (let t = reach; t >= k; t--) share[t] = (share[t]! + share[t - k]!) / 2;
		for (let t = Math.min(k - 1, reach); t >= 0; t--) share[t] = share[t]! / 2;
	}
	// The observed pattern keeps the challenger's wins positive.
	const kept = nonZero.reduce((sum, d, i) => sum + (d > 0 ? steps[i]! : 0), 0);
	let atLeast = 0;
	let atMost = 0;
	for (let t = 0; t <= total; t++) {
		if (t >= kept) atLeast += share[t]!;
		if (t <= kept) atMost += share[t]!;
	}
	return { pBetter: Math.min(1, atLeast), pWorse: Math.min(1, atMost) };
}

/** Above this many cases a projection says "more than" rather than a count. */
export const MAX_PROJECTED_CASES = 100_000;

/**
 * How many cases in all the sign test would need to show the challenger better at `alpha`, if
 * further cases split as these did (`wins` and `losses` among `cases`). Null when the challenger is
 * not ahead (no number of cases at these rates would show it better) or the count passes
 * `MAX_PROJECTED_CASES`.
 */
export function casesToShowBetterBySignTest(wins: number, losses: number, cases: number, alpha: number): number | null {
	if (wins <= losses || cases <= 0) return null;
	// The projected p-value falls as the count grows (up to rounding).
	return smallestCount(
		cases,
		(total) => signTest(Math.round((wins * total) / cases), Math.round((losses * total) / cases)).pBetter <= alpha,
	);
}

/**
 * The smallest count from `from` up at which `passes` holds, for a `passes` that stays true once true (up
 * to rounding): doubling to bracket it, then bisection. Null when no count up to `MAX_PROJECTED_CASES` does.
 */
export function smallestCount(from: number, passes: (count: number) => boolean): number | null {
	if (passes(from)) return from;
	let low = from;
	let high = Math.max(1, from * 2);
	while (!passes(high)) {
		low = high;
		high *= 2;
		if (high > MAX_PROJECTED_CASES * 2) return null;
	}
	while (high - low > 1) {
		const middle = Math.floor((low + high) / 2);
		if (passes(middle)) high = middle;
		else low = middle;
	}
	return high <= MAX_PROJECTED_CASES ? high : null;
}

/** The standard normal quantile (Acklam's rational approximation; within 1e-6 of the exact value, ample for a case count). */
export function normalQuantile(p: number): number {
	const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628274631];
	const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
	const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
	const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
	const low = 0.02425;
	if (p < low) {
		const q = Math.sqrt(-2 * Math.log(p));
		return (
			(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
			((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
		);
	}
	if (p > 1 - low) return -normalQuantile(1 - p);
	const q = p - 0.5;
	const r = q * q;
	return (
		((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
		(((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
	);
}

/**
 * How many cases in all the sign-flip test would need to show the challenger better at `alpha`, if
 * further cases differed as these did (the observed differences repeated in turn). Counted exactly
 * while the projected sample stays within `EXACT_SIGN_FLIP_LIMIT` non-zero differences; beyond, by the
 * normal approximation n ≥ (z₁₋α · sd / mean)². Null when the mean difference is not in the
 * challenger's favour or the count passes `MAX_PROJECTED_CASES`.
 */
export function casesToShowBetterByMean(differences: readonly number[], alpha: number): number | null {
	const n = differences.length;
	if (n === 0) return null;
	const mean = differences.reduce((sum, d) => sum + d, 0) / n;
	if (mean <= 1e-12) return null;
	let total = n;
	for (; ; total++) {
		const sample = Array.from({ length: total }, (_, i) => differences[i % n]!);
		if (sample.filter((d) => Math.abs(d) > 1e-12).length > EXACT_SIGN_FLIP_LIMIT) break;
		if (signFlipTest(sample).pBetter <= alpha) return total;
	}
	const variance = differences.reduce((sum, d) => sum + (d - mean) ** 2, 0) / Math.max(1, n - 1);
	if (variance <= 1e-24) return null;
	const needed = Math.max(total, Math.ceil(((normalQuantile(1 - alpha) * Math.sqrt(variance)) / mean) ** 2));
	return needed <= MAX_PROJECTED_CASES ? needed : null;
}
