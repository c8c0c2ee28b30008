import type { CaseResult } from '../schema/report.ts';
import type { RunEntry } from './site-model.ts';

// A year of weekly runs at 1,000 cases × 9 models is 468,000 case results, about 65 MB each run in
// memory with their answers. The pages need the answers of one run at a time, and of older runs only a
// line each: so the site keeps a summary of every result and the whole results only of the newest run
// that had each case.

/** What the pages show of a result without its answer: outcome, grade, latency, the coder tests' record. */
export type ResultSummary = Pick<
	CaseResult,
	'role' | 'model' | 'case_id' | 'task' | 'severity' | 'repeat' | 'outcome' | 'failure_class' | 'quality' | 'latency_ms' | 'execution'
>;

/** A result of a run, whole (the run that answers a case's page) or as its summary (older runs). */
export interface RunResult<R extends ResultSummary = CaseResult> {
	run: RunEntry;
	result: R;
}

/**
 * The summary of `result`; `intern` returns one shared copy of each repeated string (role, model, case
 * id, task…), so half a million summaries do not carry half a million copies of the same few ids. Pure.
 */
export function summarizeResult(result: CaseResult, intern: (text: string) => string = (text) => text): ResultSummary {
	const summary: ResultSummary = {
		role: intern(result.role),
		model: intern(result.model),
		case_id: intern(result.case_id),
		task: intern(result.task),
		severity: intern(result.severity) as CaseResult['severity'],
		repeat: result.repeat,
		outcome: intern(result.outcome) as CaseResult['outcome'],
		failure_class: result.failure_class === null ? null : (intern(result.failure_class) as CaseResult['failure_class']),
		quality: result.quality,
		latency_ms: result.latency_ms,
	};
	if (result.execution) summary.execution = result.execution;
	return summary;
}

/** A string interner: the first copy of each text is the one every later caller gets. */
export function createInterner(): (text: string) => string {
	const seen = new Map<string, string>();
	return (text) => {
		const known = seen.get(text);
		if (known !== undefined) return known;
		seen.set(text, text);
		return text;
	};
}

/**
 * Each case's results in the newest run that has it, from runs given **newest first** (`undefined` for a
 * run without results): the answers a case page shows. Pure.
 */
export function newestResultsByCase(
	runsNewestFirst: readonly { run: RunEntry; results: readonly CaseResult[] | undefined }[],
): Map<string, { run: RunEntry; results: CaseResult[] }> {
	const newest = new Map<string, { run: RunEntry; results: CaseResult[] }>();
	for (const { run, results } of runsNewestFirst) {
		if (!results) continue;
		// Cases first seen in this run: a newer run already claimed the others.
		const fresh = new Map<string, CaseResult[]>();
		for (const result of results) {
			if (newest.has(result.case_id)) continue;
			const list = fresh.get(result.case_id);
			if (list) list.push(result);
			else fresh.set(result.case_id, [result]);
		}
		for (const [caseId, list] of fresh) newest.set(caseId, { run, results: list });
	}
	return newest;
}

/** Every case's result summaries over the runs given oldest first, each case's list oldest run first. Pure. */
export function historyByCase(
	runsOldestFirst: readonly { run: RunEntry; results: readonly ResultSummary[] | undefined }[],
): Map<string, RunResult<ResultSummary>[]> {
	const index = new Map<string, RunResult<ResultSummary>[]>();
	for (const { run, results } of runsOldestFirst) {
		for (const result of results ?? []) {
			const list = index.get(result.case_id);
			if (list) list.push({ run, result });
			else index.set(result.case_id, [{ run, result }]);
		}
	}
	return index;
}

/**
 * A case's history with the entries of its newest run replaced by the whole results (answers, checks,
 * timings): what `/api/cases/<id>.json` lists. Order as in `history`. Pure.
 */
export function historyWithNewest(
	history: readonly RunResult<ResultSummary>[],
	newest: { run: RunEntry; results: readonly CaseResult[] } | undefined,
): RunResult<ResultSummary | CaseResult>[] {
	if (!newest) return [...history];
	const older = history.filter((entry) => entry.run.id !== newest.run.id);
	return [...older, ...newest.results.map((result) => ({ run: newest.run, result }))];
}

/** The newest `count` runs of a case's history (oldest first) and how many older runs are left out. Pure. */
export function newestRuns<R extends ResultSummary>(
	history: readonly RunResult<R>[],
	count: number,
): { shown: RunEntry[]; omitted: number } {
	const runs = [...new Set(history.map((entry) => entry.run))];
	return { shown: runs.slice(Math.max(0, runs.length - count)), omitted: Math.max(0, runs.length - count) };
}
