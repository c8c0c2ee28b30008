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
	const loaded = await site.results(run.id);
	return jsonResponse(runPayload(run, loaded.status === 'ok' ? loaded.results : null, site));
};
