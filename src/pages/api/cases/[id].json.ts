import type { APIRoute } from 'astro';
import { casePayload } from '../../../lib/site/api-payloads.ts';
import { jsonResponse } from '../../../lib/site/json-response.ts';
import { loadSite } from '../../../lib/site/load-site.ts';

export async function getStaticPaths() {
	const site = await loadSite();
	return site.cases.map((testCase) => ({ params: { id: testCase.id } }));
}

/** `/api/cases/<id>.json`: the whole case, its newest run's results whole and every earlier run's summarized. */
export const GET: APIRoute = async ({ params }) => {
	const site = await loadSite();
	const testCase = site.caseById.get(params.id!)!;
	return jsonResponse(casePayload(testCase, site.caseResults(testCase.id), site));
};
