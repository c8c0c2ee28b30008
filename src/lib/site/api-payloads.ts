import type { Case } from '../schema/case.ts';
import type { CaseResult } from '../schema/report.ts';
import type { ResultSummary } from './result-index.ts';
import { routeToday } from './route-today.ts';
import { type RunEntry, type SiteInput, roleCaseCount, rolesOf, routingTable } from './site-model.ts';
import { apiPaths, casePath, modelPath, rolePath, runPath } from './urls.ts';

// The JSON files for tools. Every payload is built here, pure, with arrays in a documented order; the
// endpoints serialize them with sorted keys (`stableStringify`), so equal data gives byte-equal files.

/** What every payload needs besides the data: the model slugs and whether this is the demo build. */
export interface PayloadContext {
	slugOf(id: string): string;
	/** Adds `"demo": true` to every payload of a demo build, so no tool mistakes it for evidence. */
	demo: boolean;
}

const mark = <T extends object>(payload: T, context: PayloadContext) => (context.demo ? { demo: true, ...payload } : payload);

/** `/api/registry.json`: models by id, roles by name (challengers by id, retired in registry order), the policy. */
export function registryPayload(input: Pick<SiteInput, 'models' | 'roles' | 'policy'>, context: PayloadContext) {
	return mark(
		{
			models: [...input.models]
				.sort((a, b) => a.id.localeCompare(b.id))
				.map((model) => ({ ...model, slug: context.slugOf(model.id), page: modelPath(context.slugOf(model.id)) })),
			roles: [...input.roles]
				.sort((a, b) => a.role.localeCompare(b.role))
				.map((role) => ({ ...role, challengers: [...role.challengers].sort(), page: rolePath(role.role) })),
			policy: input.policy,
		},
		context,
	);
}

/**
 * `/api/routing.json`: role → incumbent and the run that justified it (see `routingTable`), and `route`:
 * where the work goes (`local`, `frontier`, `hold`, or `none` without a baseline) with the evidence of
 * the newest run's routing verdict (see `routeToday`).
 */
export function routingPayload(input: Pick<SiteInput, 'roles' | 'runs' | 'cases'>, context: PayloadContext) {
	const routes = Object.fromEntries(
		[...routingTable(input)].map(([role, route]) => {
			const today = routeToday(role, input.runs);
			return [
				role,
				{
					...route,
					incumbent_page: modelPath(context.slugOf(route.incumbent)),
					run_page: route.justified_by ? runPath(route.justified_by.run) : null,
					route: today.route,
					route_evidence: {
						outcome: today.outcome,
						reason: today.reason,
						run: today.run,
						baseline: today.verdict?.answered_by ?? today.verdict?.baseline ?? null,
						cases: today.verdict?.cases ?? 0,
						difference: today.verdict?.difference ?? null,
						margin: today.verdict?.margin ?? null,
						more_cases: today.verdict?.more_cases ?? null,
						usd_per_accepted: {
							local: today.verdict?.cost.local.usd_per_accepted ?? null,
							frontier: today.verdict?.cost.frontier?.usd_per_accepted ?? null,
						},
					},
				},
			];
		}),
	);
	return mark({ latest_run: input.runs.at(-1)?.id ?? null, routes }, context);
}

/** The provenance and grading of a case without its (large) input and reference. */
function caseSummary(testCase: Case) {
	return {
		id: testCase.id,
		role: testCase.role,
		task: testCase.task,
		severity: testCase.severity,
		mined_at: testCase.mined_at,
		source: testCase.source,
		checks: testCase.checks,
		page: casePath(testCase.id),
		json: apiPaths.case(testCase.id),
	};
}

/**
 * Cases per page of the case list, at most: a case's summary weighs about 0.9 kB (its files touched and
 * checks), so 250 make about a quarter of a megabyte; a page also closes early at `API_CASES_PAGE_BYTES`
 * (a commit touching hundreds of files makes a heavy summary). A list that fits one page stays inline.
 */
export const API_CASES_PAGE_CASES = 250;
export const API_CASES_PAGE_BYTES = 800_000;

/** The case summaries by id, split into pages by count and by size. Pure. */
export function casePages(cases: readonly Case[]): ReturnType<typeof caseSummary>[][] {
	const pages: ReturnType<typeof caseSummary>[][] = [];
	let current: ReturnType<typeof caseSummary>[] = [];
	let size = 0;
	for (const testCase of [...cases].sort((a, b) => a.id.localeCompare(b.id))) {
		const summary = caseSummary(testCase);
		const weight = JSON.stringify(summary).length;
		if (current.length > 0 && (current.length === API_CASES_PAGE_CASES || size + weight > API_CASES_PAGE_BYTES)) {
			pages.push(current);
			current = [];
			size = 0;
		}
		current.push(summary);
		size += weight;
	}
	if (current.length > 0) pages.push(current);
	return pages;
}

/**
 * `/api/cases.json`: every case by id, without input and reference (those are in the per-case file) —
 * inline when they fit one page, else `cases: null` and `cases_pages` listing `/api/cases/pages/<n>.json`.
 */
export function casesPayload(cases: readonly Case[], context: PayloadContext) {
	const pages = casePages(cases);
	const paged = pages.length > 1;
	return mark(
		{
			count: cases.length,
			cases: paged ? null : (pages[0] ?? []),
			cases_pages: paged
				? pages.map((page, index) => ({
						page: index + 1,
						cases: page.length,
						first: page[0]!.id,
						last: page.at(-1)!.id,
						json: apiPaths.casesPage(index + 1),
					}))
				: [],
		},
		context,
	);
}

/** `/api/cases/pages/<n>.json`: page `page` (1-based) of the case list (only when it has several). */
export function casesPagePayload(cases: readonly Case[], page: number, context: PayloadContext) {
	const pages = casePages(cases);
	return mark({ page, pages: pages.length, cases: pages[page - 1] ?? [] }, context);
}

/**
 * `/api/cases/<id>.json`: the whole case and every result for it, by run (in the order given: the site
 * passes them oldest first), then model, then repeat. The site passes the newest run's results whole and
 * earlier runs' as summaries (`ResultSummary`: outcome, quality, latency — their answers are in the runs'
 * JSON), so the file stays small however many runs there are.
 */
export function casePayload(
	testCase: Case,
	results: readonly { run: RunEntry; result: ResultSummary | CaseResult }[],
	context: PayloadContext,
) {
	const runRank = new Map<string, number>();
	for (const { run } of results) if (!runRank.has(run.id)) runRank.set(run.id, runRank.size);
	return mark(
		{
			case: { ...testCase, page: casePath(testCase.id) },
			results: [...results]
				.sort(
					(a, b) =>
						runRank.get(a.run.id)! - runRank.get(b.run.id)! ||
						a.result.model.localeCompare(b.result.model) ||
						a.result.repeat - b.result.repeat,
				)
				.map(({ run, result }) => ({ run: run.id, date: run.report.date, ...result })),
		},
		context,
	);
}

/** One line of the run index. */
function runSummary(run: RunEntry) {
	const { report } = run;
	const outcomes: Record<string, number> = {};
	for (const verdict of report.verdicts) outcomes[verdict.outcome] = (outcomes[verdict.outcome] ?? 0) + 1;
	return {
		id: run.id,
		date: report.date,
		started_at: report.manifest.started_at,
		finished_at: report.manifest.finished_at,
		models: report.manifest.models.map((model) => model.id).sort(),
		roles: Object.fromEntries(rolesOf(report).map((role) => [role, { cases: roleCaseCount(report, role) }])),
		model_calls: report.manifest.model_calls,
		verdicts: outcomes,
		proposals: report.proposals,
		page: runPath(run.id),
		json: apiPaths.run(run.id),
	};
}

/** `/api/runs.json`: every run, newest first. */
export function runsPayload(runs: readonly RunEntry[], context: PayloadContext) {
	return mark({ runs: [...runs].reverse().map(runSummary) }, context);
}

/**
 * Cases per JSON page of a run's results, at most: at 9 models a case's results weigh about 10 kB, so 50
 * cases make about half a megabyte. A page also closes early at `API_RESULTS_PAGE_BYTES`, since real
 * answers can be far longer than that (up to `num_predict` tokens each). A run whose roles all fit one
 * page keeps its results inline.
 */
export const API_RESULTS_PAGE_CASES = 50;
export const API_RESULTS_PAGE_BYTES = 800_000;

const byRoleCaseModel = (a: CaseResult, b: CaseResult) =>
	a.role.localeCompare(b.role) || a.case_id.localeCompare(b.case_id) || a.model.localeCompare(b.model) || a.repeat - b.repeat;

/** One JSON page of a role's results in a run: which cases it holds. */
export interface ResultPage {
	role: string;
	page: number;
	caseIds: string[];
}

/**
 * Each role's case ids in a run's results, sorted, split into pages by count and by size. It serializes
 * every result to weigh it: compute it once per run (the site keeps it with the run's summaries).
 */
export function runResultPages(results: readonly CaseResult[]): ResultPage[] {
	const bytes = new Map<string, Map<string, number>>();
	for (const result of results) {
		const cases = bytes.get(result.role) ?? new Map<string, number>();
		cases.set(result.case_id, (cases.get(result.case_id) ?? 0) + JSON.stringify(result).length);
		bytes.set(result.role, cases);
	}
	const pages: ResultPage[] = [];
	for (const role of [...bytes.keys()].sort()) {
		const cases = bytes.get(role)!;
		let page = 1;
		let current: string[] = [];
		let size = 0;
		for (const id of [...cases.keys()].sort()) {
			const weight = cases.get(id)!;
			if (current.length > 0 && (current.length === API_RESULTS_PAGE_CASES || size + weight > API_RESULTS_PAGE_BYTES)) {
				pages.push({ role, page: page++, caseIds: current });
				current = [];
				size = 0;
			}
			current.push(id);
			size += weight;
		}
		if (current.length > 0) pages.push({ role, page, caseIds: current });
	}
	return pages;
}

/**
 * `/api/runs/<id>.json`: the report's data and its case results — inline when every role fits one page,
 * else `results: null` and `results_pages` listing `/api/runs/<id>/results/<role>/<page>.json`, so no
 * file grows past a megabyte however many cases a run has. `results` is also null without a sidecar.
 * `pages` is `runResultPages(results)` when the caller has it already; with it, `results` are read only
 * when the run fits one page each, so a paged run needs no results at all.
 */
export function runPayload(
	run: RunEntry,
	results: readonly CaseResult[] | null,
	context: PayloadContext,
	pages: readonly ResultPage[] = results === null ? [] : runResultPages(results),
) {
	const paged = pages.some((page) => page.page > 1);
	return mark(
		{
			id: run.id,
			page: runPath(run.id),
			report: run.report,
			results: results === null || paged ? null : [...results].sort(byRoleCaseModel),
			results_pages: paged
				? pages.map(({ role, page, caseIds }) => ({ role, page, cases: caseIds.length, json: apiPaths.runResults(run.id, role, page) }))
				: [],
		},
		context,
	);
}

/**
 * `/api/runs/<id>/results/<role>/<page>.json`: one page of a role's case results, by case, model, repeat.
 * `allPages` is `runResultPages(results)` when the caller has it already.
 */
export function runResultsPagePayload(
	run: RunEntry,
	role: string,
	page: number,
	results: readonly CaseResult[],
	context: PayloadContext,
	allPages: readonly ResultPage[] = runResultPages(results),
) {
	const pages = allPages.filter((entry) => entry.role === role);
	const ids = new Set(pages.find((entry) => entry.page === page)?.caseIds ?? []);
	return mark(
		{
			run: run.id,
			role,
			page,
			pages: pages.length,
			results: results.filter((result) => result.role === role && ids.has(result.case_id)).sort(byRoleCaseModel),
		},
		context,
	);
}
