import type { APIRoute } from 'astro';
import { routingPayload } from '../../lib/site/api-payloads.ts';
import { jsonResponse } from '../../lib/site/json-response.ts';
import { loadSite } from '../../lib/site/load-site.ts';

/** `/api/routing.json`: role → incumbent, with the run that justified it. */
export const GET: APIRoute = async () => {
	const site = await loadSite();
	return jsonResponse(routingPayload(site, site));
};
