// Site-relative paths of every page and JSON file, in one place so pages, links and the JSON agree.
// The site is served from the root of its host (Astro's `base` is not set).

/** `/runs/<report id>/`. */
export const runPath = (runId: string) => `/runs/${encodeURIComponent(runId)}/`;
/** Page `page` (1-based) of a role's per-case results in a run, for roles with more cases than the run page shows. */
export const runResultsPath = (runId: string, role: string, page: number) =>
	`/runs/${encodeURIComponent(runId)}/results/${encodeURIComponent(role)}/${page}/`;
/**
 * Where the cases behind a role's numbers in a run are: the role's results on the run page, or its first
 * results page when the run page shows only some of them (`RUN_PAGE_ROWS` in case-matrix.ts).
 */
export const roleResultsHref = (runId: string, role: string, cases: number, runPageRows: number) =>
	cases > runPageRows ? runResultsPath(runId, role, 1) : `${runPath(runId)}#${resultsAnchor(role)}`;
/** `/roles/<role>/`. */
export const rolePath = (role: string) => `/roles/${encodeURIComponent(role)}/`;
/** The index of every model: where each model page's breadcrumb leads. */
export const MODELS_PATH = '/models/';
/** The index of every run. */
export const RUNS_PATH = '/runs/';
/** `/models/<slug>/`: the slug comes from `assignModelSlugs`. */
export const modelPath = (slug: string) => `/models/${encodeURIComponent(slug)}/`;
/** `/cases/<case id>/`. */
export const casePath = (caseId: string) => `/cases/${encodeURIComponent(caseId)}/`;

/** JSON for tools. */
export const apiPaths = {
	registry: '/api/registry.json',
	routing: '/api/routing.json',
	cases: '/api/cases.json',
	runs: '/api/runs.json',
	casesPage: (page: number) => `/api/cases/pages/${page}.json`,
	case: (caseId: string) => `/api/cases/${encodeURIComponent(caseId)}.json`,
	run: (runId: string) => `/api/runs/${encodeURIComponent(runId)}.json`,
	runResults: (runId: string, role: string, page: number) =>
		`/api/runs/${encodeURIComponent(runId)}/results/${encodeURIComponent(role)}/${page}.json`,
} as const;

/** The report feed. */
export const FEED_PATH = '/rss.xml';

/** The fragment id of a role's per-case results on a run page. */
export const resultsAnchor = (role: string) => `results-${role}`;
/** The fragment id of one model's answer on a case page. */
export const answerAnchor = (modelSlug: string) => `answer-${modelSlug}`;
