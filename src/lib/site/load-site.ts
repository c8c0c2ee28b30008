import { getCollection, getEntry } from 'astro:content';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { REGISTRY_PATHS } from '../registry/paths.ts';
import { reportOrder } from '../report/read-reports.ts';
import { type RunResults, readRunResults } from '../report/read-results.ts';
import type { Case } from '../schema/case.ts';
import type { Model } from '../schema/model.ts';
import type { CaseResult } from '../schema/report.ts';
import type { Role } from '../schema/role.ts';
import { type RunEntry, type SiteInput, allModelIds, allRoles, compareRoles, siteModelSlugs } from './site-model.ts';
import { modelPath } from './urls.ts';

/** One case result with the run it belongs to. */
export interface RunResult {
	run: RunEntry;
	result: CaseResult;
}

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
	/** A run's per-case results, read from its sidecar on first use. */
	results(runId: string): Promise<RunResults>;
	/** Every result of every run for one case, oldest run first. */
	resultsForCase(caseId: string): Promise<RunResult[]>;
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
	const resultCache = new Map<string, Promise<RunResults>>();
	const results = (runId: string) => {
		const run = runById.get(runId);
		if (!run) throw new Error(`There is no run ${runId}.`);
		let cached = resultCache.get(runId);
		if (!cached) {
			cached = readRunResults(root, runId, run.report);
			resultCache.set(runId, cached);
		}
		return cached;
	};
	let byCase: Promise<Map<string, RunResult[]>> | undefined;
	const indexByCase = async () => {
		const index = new Map<string, RunResult[]>();
		for (const run of runs) {
			const loaded = await results(run.id);
			if (loaded.status !== 'ok') continue;
			for (const result of loaded.results) {
				const list = index.get(result.case_id);
				if (list) list.push({ run, result });
				else index.set(result.case_id, [{ run, result }]);
			}
		}
		return index;
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
		results,
		resultsForCase: async (caseId) => {
			byCase ??= indexByCase();
			return (await byCase).get(caseId) ?? [];
		},
		demo: process.env.LMB_DEMO === '1',
	};
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
