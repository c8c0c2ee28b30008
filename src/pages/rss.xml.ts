import rss from '@astrojs/rss';
import type { APIRoute } from 'astro';
import { count } from '../lib/format/format.ts';
import { loadSite } from '../lib/site/load-site.ts';
import { rolesOf } from '../lib/site/site-model.ts';
import { runPath } from '../lib/site/urls.ts';

/** `/rss.xml`: one item per run, newest first, linking to the run page. */
export const GET: APIRoute = async (context) => {
	const site = await loadSite();
	return rss({
		title: `Local Model Benchmarks${site.demo ? ' (demo data from a simulated model server)' : ''}`,
		description: 'Every benchmark run: which local model serves each role, and why.',
		site: context.site ?? 'http://localhost:4321',
		items: [...site.runs].reverse().map((run) => {
			const { report } = run;
			const proposals = report.proposals.map((p) =>
				p.kind === 'promote' ? `promote ${p.model} in ${p.role}` : `retire ${p.model} from ${p.role}`,
			);
			return {
				title: report.title,
				link: runPath(run.id),
				pubDate: new Date(report.manifest.finished_at),
				// Plain text built from model ids and counts; the feed library escapes it as XML text.
				description: [
					`${count(report.manifest.models.length, 'model')} over ${rolesOf(report).join(', ') || 'no role'}.`,
					`${count(report.verdicts.length, 'verdict')}.`,
					proposals.length > 0 ? `Proposed: ${proposals.join('; ')}.` : 'No registry change proposed.',
				].join(' '),
			};
		}),
	});
};
