import type { APIRoute } from 'astro';
import { casePages, casesPagePayload } from '../../../../lib/site/api-payloads.ts';
import { jsonResponse } from '../../../../lib/site/json-response.ts';
import { loadSite } from '../../../../lib/site/load-site.ts';

// Only a case list too long for one file gets these pages (see `casesPayload`).
export async function getStaticPaths() {
	const site = await loadSite();
	const pages = casePages(site.cases).length;
	return pages > 1 ? Array.from({ length: pages }, (_, index) => ({ params: { page: String(index + 1) } })) : [];
}

/** `/api/cases/pages/<n>.json`: one page of the case list. */
export const GET: APIRoute = async ({ params }) => {
	const site = await loadSite();
	return jsonResponse(casesPagePayload(site.cases, Number(params.page), site));
};
