import type { CaseResult } from '../schema/report.ts';
import type { ResultSummary } from './result-index.ts';
import { SEVERITIES } from '../schema/common.ts';

/**
 * Case rows per role shown on the run page itself; a role with more gets its own pages of
 * `RESULTS_PAGE_SIZE` rows. Measured at 1,000 cases × 9 models: a run page stays near 250 KB and a
 * results page near 250 KB, where showing every row on the run page made it 4 MB.
 */
export const RUN_PAGE_ROWS = 50;
/** Case rows per results page of one role in one run. */
export const RESULTS_PAGE_SIZE = 200;

/** One case of a role in one run: each model's results (one per repeat). */
export interface MatrixRow {
	caseId: string;
	severity: CaseResult['severity'];
	task: string;
	byModel: Map<string, ResultSummary[]>;
}

/**
 * A role's results in a run as rows of cases (most severe first, then by id) and columns of models, cut
 * into pages of `RESULTS_PAGE_SIZE`. Pure.
 */
export function caseMatrix(results: readonly ResultSummary[], role: string): MatrixRow[] {
	const rows = new Map<string, MatrixRow>();
	for (const result of results) {
		if (result.role !== role) continue;
		let row = rows.get(result.case_id);
		if (!row) {
			row = { caseId: result.case_id, severity: result.severity, task: result.task, byModel: new Map() };
			rows.set(result.case_id, row);
		}
		const list = row.byModel.get(result.model);
		if (list) list.push(result);
		else row.byModel.set(result.model, [result]);
	}
	for (const row of rows.values()) for (const list of row.byModel.values()) list.sort((a, b) => a.repeat - b.repeat);
	const rank = (severity: string) => SEVERITIES.indexOf(severity as (typeof SEVERITIES)[number]);
	return [...rows.values()].sort((a, b) => rank(b.severity) - rank(a.severity) || a.caseId.localeCompare(b.caseId));
}

/** How many results pages a role with `rows` cases gets: none when the run page shows them all. Pure. */
export function pageCount(rows: number): number {
	return rows <= RUN_PAGE_ROWS ? 0 : Math.ceil(rows / RESULTS_PAGE_SIZE);
}

/** The rows of results page `page` (1-based), or with page 0 the rows the run page shows. Pure. */
export function pageRows<T>(rows: readonly T[], page: number): T[] {
	return page === 0 ? rows.slice(0, RUN_PAGE_ROWS) : rows.slice((page - 1) * RESULTS_PAGE_SIZE, page * RESULTS_PAGE_SIZE);
}

/** A result's outcome in a word or two: `accepted`, `rejected`, or the hard failure's class. Pure. */
export function outcomeText(result: Pick<CaseResult, 'outcome' | 'failure_class'>): string {
	return result.outcome === 'hard-failure' ? `hard failure: ${result.failure_class ?? 'unknown'}` : result.outcome;
}
