import { type Rate, wilson } from '../metrics/wilson.ts';
import type { Case } from '../schema/case.ts';
import type { CaseResult } from '../schema/report.ts';

/** What the split reads of a result. */
type SplitResult = Pick<CaseResult, 'role' | 'case_id' | 'model' | 'outcome'>;

/** Acceptance on one side of a model's release date. */
export interface ReleaseSide {
	/** Cases on this side that the model answered. */
	cases: number;
	/** Results (cases × repeats) and how many were accepted, with the 95 % Wilson interval. */
	results: number;
	accepted: number;
	rate: Rate;
}

/** A model's acceptance on cases whose commit predates its release, and on cases after it. */
export interface ReleaseSplit {
	role: string;
	released: string;
	before: ReleaseSide;
	after: ReleaseSide;
}

/**
 * The contamination split (as SWE-rebench reports it): a model may have seen, in training, commits made
 * before its release, so its acceptance on those cases can flatter it; cases after the release it cannot
 * have seen. A case's date is its commit's `source.author_date`, compared in UTC with the release day
 * (a case on the release day counts as after). One split per role the model has results in, roles sorted;
 * results whose case is unknown are left out. Pure.
 */
export function releaseSplits(
	results: readonly SplitResult[],
	cases: ReadonlyMap<string, Pick<Case, 'source'>>,
	model: string,
	released: string,
): ReleaseSplit[] {
	const byRole = new Map<string, { before: SplitResult[]; after: SplitResult[] }>();
	const releasedAt = Date.parse(`${released}T00:00:00Z`);
	for (const result of results) {
		const testCase = cases.get(result.case_id);
		if (result.model !== model || !testCase) continue;
		const sides = byRole.get(result.role) ?? { before: [], after: [] };
		(Date.parse(testCase.source.author_date) < releasedAt ? sides.before : sides.after).push(result);
		byRole.set(result.role, sides);
	}
	const side = (list: readonly SplitResult[]): ReleaseSide => {
		const accepted = list.filter((result) => result.outcome === 'accepted').length;
		return {
			cases: new Set(list.map((result) => result.case_id)).size,
			results: list.length,
			accepted,
			rate: wilson(accepted, list.length),
		};
	};
	return [...byRole.entries()]
		.sort(([a], [b]) => a.localeCompare(b))
		.map(([role, sides]) => ({ role, released, before: side(sides.before), after: side(sides.after) }));
}
