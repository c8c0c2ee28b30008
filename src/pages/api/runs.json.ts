import type { APIRoute } from 'astro';
import { runsPayload } from '../../lib/site/api-payloads.ts';
import { jsonResponse } from '../../lib/site/json-response.ts';
import { loadSite } from '../../lib/site/load-site.ts';

/** `/api/runs.json`: every run, newest first. */
export const GET: APIRoute = async () => {
	const site = await loadSite();
	return jsonResponse(runsPayload(site.runs, site));
};
