import type { Case } from '../schema/case.ts';
import { changedLineCount, parseDiff, pathOf } from '../diff/parse-diff.ts';
import type { FileDiff } from './types.ts';

/**
 * What a reviewer could guess a verdict from without reading the change: how big it is, what kind of files it
 * touches, and when it was written. Approve cases are matched to reject cases on these, so none of them
 * predicts the verdict.
 */
export type ReviewFeatures = {
	/** Lines added plus deleted in the diff the model is shown. */
	changedLines: number;
	/** File types of the diff: each file's extension (`.ts`), or its name when it has none (`Makefile`), sorted. */
	types: string[];
	/** Author date, in milliseconds since the epoch. */
	time: number;
};

/** Milliseconds in a year of 365 days: the time term's unit. */
const YEAR_MS = 365 * 24 * 3600 * 1000;

/** The type of one path: its last extension, lowercased, or its file name when it has none. */
export function fileType(path: string): string {
	const name = path.slice(path.lastIndexOf('/') + 1);
	const dot = name.lastIndexOf('.');
	return dot > 0 ? name.slice(dot).toLowerCase() : name;
}

/** The features of a set of changed files and an author date. */
export function featuresOf(files: FileDiff[], authorDate: string): ReviewFeatures {
	return {
		changedLines: files.reduce((sum, file) => sum + changedLineCount(file), 0),
		types: [...new Set(files.map((file) => fileType(pathOf(file))))].sort(),
		time: Date.parse(authorDate),
	};
}

/** The features of a built review case: its input diff as shown (a narrowed reject shows fewer files) and its author date. */
export function featuresOfCase(value: Case): ReviewFeatures {
	if (value.task !== 'code-review' && value.task !== 'security-review') throw new Error(`Case ${value.id} is not a review case.`);
	return featuresOf(parseDiff(value.input.diff), value.source.author_date);
}

/**
 * How far an approve candidate is from a reject case, as the sum of three terms that each cost 1 for:
 * a doubling in size (|log2(1 + lines) − log2(1 + lines')|), no file type in common (1 − Jaccard overlap of the
 * types), and a year between the author dates. Zero for the same size, types and date.
 */
export function matchDistance(reject: ReviewFeatures, candidate: ReviewFeatures): number {
	const size = Math.abs(Math.log2(1 + reject.changedLines) - Math.log2(1 + candidate.changedLines));
	const union = new Set([...reject.types, ...candidate.types]);
	const shared = reject.types.filter((type) => candidate.types.includes(type)).length;
	const types = union.size === 0 ? 0 : 1 - shared / union.size;
	const time = Math.abs(reject.time - candidate.time) / YEAR_MS;
	return size + types + time;
}

/** A clean change that may become an approve case. */
export type ApproveCandidate = { sha: string; features: ReviewFeatures };

/** The candidates not yet used, nearest to the reject case first; the sha breaks ties so the order is total. */
export function nearestFirst<T extends ApproveCandidate>(reject: ReviewFeatures, candidates: readonly T[], used: ReadonlySet<string>): T[] {
	return candidates
		.filter((candidate) => !used.has(candidate.sha))
		.map((candidate) => ({ candidate, distance: matchDistance(reject, candidate.features) }))
		.sort((a, b) => a.distance - b.distance || (a.candidate.sha < b.candidate.sha ? -1 : 1))
		.map((entry) => entry.candidate);
}

/**
 * Picks approve cases for reject cases: in rounds, each reject case (in the order given) takes the unused
 * candidate nearest to it that `accept` turns into a case; a candidate `accept` refuses is used up too.
 * Stops at `wanted` approve cases or when a whole round adds none. Returns each approve with the reject it
 * was matched to. `accept` runs one candidate at a time, so the choice does not depend on timing.
 */
export async function matchApproves<T extends ApproveCandidate, A>(
	rejects: ReadonlyArray<{ id: string; features: ReviewFeatures }>,
	candidates: readonly T[],
	wanted: number,
	accept: (candidate: T, rejectId: string) => Promise<A | undefined>,
): Promise<Array<{ rejectId: string; approve: A }>> {
	const used = new Set<string>();
	const matched: Array<{ rejectId: string; approve: A }> = [];
	let open = [...rejects];
	while (matched.length < wanted && open.length > 0) {
		const stillOpen: typeof open = [];
		for (const reject of open) {
			if (matched.length >= wanted) break;
			for (const candidate of nearestFirst(reject.features, candidates, used)) {
				used.add(candidate.sha);
				const approve = await accept(candidate, reject.id);
				if (approve !== undefined) {
					matched.push({ rejectId: reject.id, approve });
					stillOpen.push(reject);
					break;
				}
			}
		}
		// A reject case that found nothing this round will find nothing later either: candidates only run out.
		open = stillOpen;
	}
	return matched;
}

/** Count, median size and date range of a set of review cases, for the summary. */
export type BalanceStats = { count: number; medianLines: number; firstDate: string; medianDate: string; lastDate: string };

/** The median of sorted numbers (the lower middle for an even count), or 0 for none. */
function lowerMedian<T>(sorted: readonly T[], empty: T): T {
	return sorted.length === 0 ? empty : (sorted[Math.floor((sorted.length - 1) / 2)] as T);
}

/** Size and date figures of a set of review cases' features. */
export function balanceStats(features: readonly ReviewFeatures[]): BalanceStats {
	const lines = features.map((value) => value.changedLines).sort((a, b) => a - b);
	const dates = features.map((value) => new Date(value.time).toISOString().slice(0, 10)).sort();
	return {
		count: features.length,
		medianLines: lowerMedian(lines, 0),
		firstDate: dates[0] ?? '-',
		medianDate: lowerMedian(dates, '-'),
		lastDate: dates.at(-1) ?? '-',
	};
}
