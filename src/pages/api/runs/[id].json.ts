import type { APIRoute } from 'astro';
import { runPayload } from '../../../lib/site/api-payloads.ts';
import { jsonResponse } from '../../../lib/site/json-response.ts';
import { loadSite } from '../../../lib/site/load-site.ts';

export async function getStaticPaths() {
	const site = await loadSite();
	return site.runs.map((run) => ({ params: { id: run.id } }));
}

/** `/api/runs/<id>.json`: the report's data and every case result of the run. */
export const GET: APIRoute = async ({ params }) => {
	const site = await loadSite();
	const run = site.runById.get(params.id!)!;
	const summary = site.summaries(run.id);
	if (summary.status !== 'ok') return jsonResponse(runPayload(run, null, site));
	// A paged run lists its pages, known from the index: its sidecar need not be read again here.
	const paged = summary.resultPages.some((page) => page.page > 1);
	const loaded = paged ? undefined : await site.results(run.id);
	return jsonResponse(runPayload(run, loaded?.status === 'ok' ? loaded.results : [], site, summary.resultPages));
};
