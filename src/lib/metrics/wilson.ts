/** A proportion with its 95 % Wilson score interval. */
export interface Rate {
	value: number;
	low: number;
	high: number;
}

const Z95 = 1.959963984540054;

/**
 * The Wilson score interval for `successes` out of `trials`: unlike the normal approximation it stays
 * inside [0, 1] and stays honest for small samples, which is what a handful of mined cases is.
 * With no trials the rate is 0 and the interval is the whole [0, 1].
 */
export function wilson(successes: number, trials: number, z = Z95): Rate {
	if (trials <= 0) return { value: 0, low: 0, high: 1 };
	const p = successes / trials;
	const z2 = z * z;
	const denominator = 1 + z2 / trials;
	const centre = (p + z2 / (2 * trials)) / denominator;
	const margin = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
	return { value: round4(p), low: round4(Math.max(0, centre - margin)), high: round4(Math.min(1, centre + margin)) };
}

/** The nearest-rank percentile (p in (0, 100]) of the values, or null when there are none. */
export function percentile(values: readonly number[], p: number): number | null {
	if (values.length === 0) return null;
	const sorted = [...values].sort((a, b) => a - b);
	const rank = Math.ceil((p / 100) * sorted.length);
	return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Rounds to four decimals, so grades, rates and details read and compare cleanly (0.6666666 → 0.6667). The one rounding of stored numbers. */
export function round4(value: number): number {
	return Math.round(value * 10_000) / 10_000;
}
