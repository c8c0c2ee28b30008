import type { APIRoute } from 'astro';
import { casesPayload } from '../../lib/site/api-payloads.ts';
import { jsonResponse } from '../../lib/site/json-response.ts';
import { loadSite } from '../../lib/site/load-site.ts';

/** `/api/cases.json`: every case's provenance and checks, by id. */
export const GET: APIRoute = async () => {
	const site = await loadSite();
	return jsonResponse(casesPayload(site.cases, site));
};
