import { editDistance } from '../tasks/similarity.ts';

/** The candidate closest to `name` when it is close enough to be a likely typo, else undefined. */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
	let best: string | undefined;
	let bestDistance = Number.POSITIVE_INFINITY;
	for (const candidate of candidates) {
		const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
		if (distance < bestDistance) {
			best = candidate;
			bestDistance = distance;
		}
	}
	const allowed = Math.max(2, Math.floor(name.length / 3));
	return best !== undefined && bestDistance <= allowed ? best : undefined;
}
