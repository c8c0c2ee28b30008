import type { APIRoute } from 'astro';
import { runResultsPagePayload } from '../../../../../../lib/site/api-payloads.ts';
import { jsonResponse } from '../../../../../../lib/site/json-response.ts';
import { loadSite } from '../../../../../../lib/site/load-site.ts';

// Only runs too large to carry their results inline get these pages (see `runPayload`).
export async function getStaticPaths() {
	const site = await loadSite();
	const paths = [];
	for (const run of site.runs) {
		const loaded = site.summaries(run.id);
		if (loaded.status !== 'ok') continue;
		const pages = loaded.resultPages;
		if (!pages.some((page) => page.page > 1)) continue;
		for (const { role, page } of pages) paths.push({ params: { id: run.id, role, page: String(page) } });
	}
	return paths;
}

/** `/api/runs/<id>/results/<role>/<page>.json`: one page of a role's case results in a run. */
export const GET: APIRoute = async ({ params }) => {
	const site = await loadSite();
	const run = site.runById.get(params.id!)!;
	const loaded = await site.results(run.id);
	const summary = site.summaries(run.id);
	return jsonResponse(
		runResultsPagePayload(
			run,
			params.role!,
			Number(params.page),
			loaded.status === 'ok' ? loaded.results : [],
			site,
			summary.status === 'ok' ? summary.resultPages : [],
		),
	);
};
