import { getCollection, getEntry } from 'astro:content';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { REGISTRY_PATHS } from '../registry/paths.ts';
import { reportOrder } from '../report/read-reports.ts';
import { type FileStamp, type RunResults, readRunResults } from '../report/read-results.ts';
import type { Case } from '../schema/case.ts';
import type { Model } from '../schema/model.ts';
import type { CaseResult } from '../schema/report.ts';
import type { Role } from '../schema/role.ts';
import { type ResultPage, runResultPages } from './api-payloads.ts';
import {
	type ResultSummary,
	type RunResult,
	createInterner,
	historyByCase,
	historyWithNewest,
	newestResultsByCase,
	summarizeResult,
} from './result-index.ts';
import { type RunEntry, type SiteInput, allModelIds, allRoles, compareRoles, siteModelSlugs } from './site-model.ts';
import { modelPath } from './urls.ts';

/** A run's result summaries and its JSON result pages, or why there are none. */
export type RunSummaries =
	| { status: 'ok'; file: string; results: ResultSummary[]; resultPages: ResultPage[]; stamp: FileStamp }
	| { status: 'missing'; file: string };

/** Everything the pages render, loaded once per build. */
export interface Site extends SiteInput {
	/** The newest run, or undefined before the first. */
	latest: RunEntry | undefined;
	/** Every role with a page, in page order. */
	roleNames: string[];
	/** Every model id with a page, sorted. */
	modelIds: string[];
	modelById: ReadonlyMap<string, Model>;
	roleByName: ReadonlyMap<string, Role>;
	caseById: ReadonlyMap<string, Case>;
	runById: ReadonlyMap<string, RunEntry>;
	/** The URL slug of a model id (see `assignModelSlugs`). */
	slugOf(id: string): string;
	/** `/models/<slug>/` of a model id. */
	modelHref(id: string): string;
	/** A run's result summaries (no answers) and its JSON result pages: what the HTML pages show. */
	summaries(runId: string): RunSummaries;
	/** A run's whole results, read again from its sidecar (the last two runs asked are kept). */
	results(runId: string): Promise<RunResults>;
	/** The summary of every result of every run for one case, oldest run first. */
	historyOf(caseId: string): RunResult<ResultSummary>[];
	/** The whole results of the newest run that has the case: the answers its page shows. */
	newestResultsOf(caseId: string): { run: RunEntry; results: CaseResult[] } | undefined;
	/** A case's history with its newest run's results whole: what `/api/cases/<id>.json` lists. */
	caseResults(caseId: string): RunResult<ResultSummary | CaseResult>[];
	/** True when the build renders the demo (`LMB_DEMO=1`). */
	demo: boolean;
}

let loading: Promise<Site> | undefined;

/**
 * The site's data: the collections (validated by the same schemas as the pipeline) and, lazily, each
 * run's results sidecar. Memoized, so a build with a thousand case pages reads every file once.
 */
export function loadSite(): Promise<Site> {
	loading ??= load();
	return loading;
}

async function load(): Promise<Site> {
	const root = process.cwd();
	const models = (await getCollection('models')).map((entry) => entry.data).sort((a, b) => a.id.localeCompare(b.id));
	const roles = (await getCollection('roles')).map((entry) => entry.data).sort((a, b) => compareRoles(a.role, b.role));
	const cases = (await getCollection('cases')).map((entry) => entry.data as Case).sort((a, b) => a.id.localeCompare(b.id));
	const policy = (await getEntry('policy', 'policy'))?.data;
	if (!policy) throw new Error(`${REGISTRY_PATHS.policy} is missing: the site renders the policy from it.`);
	// Report ids sort by date, then by the same-day suffix (-2, -3…): oldest first.
	const runs: RunEntry[] = (hasReportFiles(root) ? await getCollection('reports') : [])
		.sort((a, b) => reportOrder(a.id).localeCompare(reportOrder(b.id)))
		.map((entry) => ({ id: entry.id, report: entry.data }));

	const input: SiteInput = { models, roles, policy, cases, runs };
	const slugs = siteModelSlugs(input);
	const slugOf = (id: string) => slugs.get(id) ?? id;
	const runById = new Map(runs.map((run) => [run.id, run]));
	const { summaries, history, newest } = await indexResults(root, runs);
	// Only the run JSON needs whole results once the index is built; the endpoints of one run are
	// rendered together, so two runs kept are enough and memory stays flat however many runs there are.
	const recent: { runId: string; loaded: Promise<RunResults> }[] = [];
	const results = (runId: string) => {
		const run = runById.get(runId);
		if (!run) throw new Error(`There is no run ${runId}.`);
		const known = recent.find((entry) => entry.runId === runId);
		if (known) return known.loaded;
		const indexed = summaries.get(runId);
		// The index read validated this file: the schema runs again only if the file changed since.
		const loaded = readRunResults(root, runId, run.report, indexed?.status === 'ok' ? indexed.stamp : undefined);
		recent.unshift({ runId, loaded });
		recent.length = Math.min(recent.length, KEPT_RUNS);
		return loaded;
	};
	const summariesOf = (runId: string) => {
		const found = summaries.get(runId);
		if (!found) throw new Error(`There is no run ${runId}.`);
		return found;
	};

	return {
		...input,
		latest: runs.at(-1),
		roleNames: allRoles(input),
		modelIds: allModelIds(input),
		modelById: new Map(models.map((model) => [model.id, model])),
		roleByName: new Map(roles.map((role) => [role.role, role])),
		caseById: new Map(cases.map((testCase) => [testCase.id, testCase])),
		runById,
		slugOf,
		modelHref: (id) => modelPath(slugOf(id)),
		summaries: summariesOf,
		results,
		historyOf: (caseId) => history.get(caseId) ?? [],
		newestResultsOf: (caseId) => newest.get(caseId),
		caseResults: (caseId) => historyWithNewest(history.get(caseId) ?? [], newest.get(caseId)),
		demo: process.env.LMB_DEMO === '1',
	};
}

/** Runs whose whole results `Site.results` keeps in memory. */
const KEPT_RUNS = 2;

/**
 * One pass over every run's results sidecar, newest run first, each read, validated, summarized and
 * dropped before the next: the summaries of every result, the JSON result pages of every run, and the
 * whole results of each case's newest run. Memory then grows by the summaries (about 0.1 kB a result),
 * not by the answers.
 */
async function indexResults(root: string, runs: readonly RunEntry[]) {
	const intern = createInterner();
	const summaries = new Map<string, RunSummaries>();
	const newest = new Map<string, { run: RunEntry; results: CaseResult[] }>();
	for (const run of [...runs].reverse()) {
		const loaded = await readRunResults(root, run.id, run.report);
		if (loaded.status !== 'ok') {
			summaries.set(run.id, loaded);
			continue;
		}
		summaries.set(run.id, {
			status: 'ok',
			file: loaded.file,
			results: loaded.results.map((result) => summarizeResult(result, intern)),
			resultPages: runResultPages(loaded.results),
			stamp: loaded.stamp,
		});
		// Only the cases no newer run had keep their whole results from this run.
		for (const [caseId, entry] of newestResultsByCase([{ run, results: loaded.results }]))
			if (!newest.has(caseId)) newest.set(caseId, entry);
	}
	const history = historyByCase(
		runs.map((run) => {
			const found = summaries.get(run.id);
			return { run, results: found?.status === 'ok' ? found.results : undefined };
		}),
	);
	return { summaries, history, newest };
}

/**
 * Whether `reports/` holds a report. A fresh clone has none, which is the normal state; asking Astro for
 * the empty collection would print a warning that it "does not exist or is empty" on every build.
 */
function hasReportFiles(root: string): boolean {
	try {
		return readdirSync(path.join(root, REGISTRY_PATHS.reports)).some((name) => REPORT_FILE.test(name));
	} catch {
		// No folder, or one that cannot be read: let the collection say what it holds.
		return true;
	}
}

/** The files the reports collection loads (`local-model-benchmark-*.md` in content.config.ts). */
const REPORT_FILE = /^local-model-benchmark-.*\.md$/;
