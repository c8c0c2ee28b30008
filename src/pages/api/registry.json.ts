import type { APIRoute } from 'astro';
import { registryPayload } from '../../lib/site/api-payloads.ts';
import { jsonResponse } from '../../lib/site/json-response.ts';
import { loadSite } from '../../lib/site/load-site.ts';

/** `/api/registry.json`: the models, roles and policy the site was built from. */
export const GET: APIRoute = async () => {
	const site = await loadSite();
	return jsonResponse(registryPayload(site, site));
};
