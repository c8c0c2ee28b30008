import { caseDraw } from '../run/case-order.ts';
import { SEVERITIES, type Severity } from '../schema/common.ts';

/**
 * At most `max` of `cases`, stratified by severity: each severity gets its proportional share of the
 * sample (largest remainders round it to whole cases), and within a severity the cases come in an
 * order drawn from `seed` and the case id alone. A case added later takes a place only if its own draw
 * puts it in, so the sample barely moves as cases arrive and the cached answers keep serving. All of
 * them, in id order, when there are no more than `max`. Pure.
 */
export function sampleCases<T extends { id: string; severity: Severity }>(cases: readonly T[], max: number | undefined, seed: number): T[] {
	const sorted = [...cases].sort((a, b) => a.id.localeCompare(b.id));
	if (max === undefined || sorted.length <= max) return sorted;
	const strata = SEVERITIES.map((severity) => sorted.filter((entry) => entry.severity === severity));
	const exact = strata.map((stratum) => (max * stratum.length) / sorted.length);
	const quotas = exact.map(Math.floor);
	let left = max - quotas.reduce((sum, quota) => sum + quota, 0);
	// Largest remainder first; a tie goes to the more severe stratum (a missed critical case costs most).
	const byRemainder = exact
		.map((value, index) => ({ index, remainder: value - Math.floor(value) }))
		.sort((a, b) => b.remainder - a.remainder || b.index - a.index);
	for (const { index } of byRemainder) {
		if (left === 0) break;
		if (quotas[index]! < strata[index]!.length) {
			quotas[index]!++;
			left--;
		}
	}
	return strata
		.flatMap((stratum, index) =>
			stratum
				.map((entry) => ({ entry, rank: caseDraw(seed, entry.id) }))
				.sort((a, b) => a.rank.localeCompare(b.rank))
				.slice(0, quotas[index])
				.map(({ entry }) => entry),
		)
		.sort((a, b) => a.id.localeCompare(b.id));
}
