import type { APIRoute } from 'astro';
import { casePayload } from '../../../lib/site/api-payloads.ts';
import { jsonResponse } from '../../../lib/site/json-response.ts';
import { loadSite } from '../../../lib/site/load-site.ts';

export async function getStaticPaths() {
	const site = await loadSite();
	return site.cases.map((testCase) => ({ params: { id: testCase.id } }));
}

/** `/api/cases/<id>.json`: the whole case and every model's result for it in every run. */
export const GET: APIRoute = async ({ params }) => {
	const site = await loadSite();
	const testCase = site.caseById.get(params.id!)!;
	return jsonResponse(casePayload(testCase, await site.resultsForCase(testCase.id), site));
};
