import type { Case } from '../schema/case.ts';
import type { CaseResult } from '../schema/report.ts';
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

/** `/api/routing.json`: role → incumbent and the run that justified it (see `routingTable`). */
export function routingPayload(input: Pick<SiteInput, 'roles' | 'runs'>, context: PayloadContext) {
	const routes = Object.fromEntries(
		[...routingTable(input)].map(([role, route]) => [role, { ...route, incumbent_page: modelPath(context.slugOf(route.incumbent)), run_page: route.justified_by ? runPath(route.justified_by.run) : null }]),
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

/** `/api/cases.json`: every case by id, without input and reference (those are in the per-case file). */
export function casesPayload(cases: readonly Case[], context: PayloadContext) {
	return mark({ cases: [...cases].sort((a, b) => a.id.localeCompare(b.id)).map(caseSummary) }, context);
}

/**
 * `/api/cases/<id>.json`: the whole case and every result for it, by run (in the order given: the site
 * passes them oldest first), then model, then repeat.
 */
export function casePayload(testCase: Case, results: readonly { run: RunEntry; result: CaseResult }[], context: PayloadContext) {
	const runRank = new Map<string, number>();
	for (const { run } of results) if (!runRank.has(run.id)) runRank.set(run.id, runRank.size);
	return mark(
		{
			case: { ...testCase, page: casePath(testCase.id) },
			results: [...results]
				.sort((a, b) => runRank.get(a.run.id)! - runRank.get(b.run.id)! || a.result.model.localeCompare(b.result.model) || a.result.repeat - b.result.repeat)
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
 * `/api/runs/<id>.json`: the report's frontmatter as written, and its per-case results by role, case,
 * model and repeat (null when the results file is missing).
 */
export function runPayload(run: RunEntry, results: readonly CaseResult[] | null, context: PayloadContext) {
	return mark(
		{
			id: run.id,
			page: runPath(run.id),
			report: run.report,
			results:
				results === null
					? null
					: [...results].sort((a, b) => a.role.localeCompare(b.role) || a.case_id.localeCompare(b.case_id) || a.model.localeCompare(b.model) || a.repeat - b.repeat),
		},
		context,
	);
}
