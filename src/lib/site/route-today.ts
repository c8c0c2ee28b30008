import type { RouteVerdict } from '../schema/report.ts';
import type { RunEntry } from './site-model.ts';

/** Where a role's work goes today: the newest run's routing verdict for it, or `none` when no run has one. */
export interface RouteToday {
	route: RouteVerdict['route'];
	outcome: RouteVerdict['outcome'];
	/** The routing line, e.g. `stays local: … within 5 points of … on 57 cases (upper bound 3.1 points)`. */
	reason: string;
	/** The run it comes from, or null when no run has routing for the role. */
	run: string | null;
	/** The verdict itself (the paired counts, the bounds, the costs), or null. */
	verdict: RouteVerdict | null;
}

/** The routing of one role from the newest run that has one (runs oldest first). Pure. */
export function routeToday(role: string, runs: readonly RunEntry[]): RouteToday {
	for (const run of [...runs].reverse()) {
		const verdict = run.report.routing?.find((entry) => entry.role === role);
		if (verdict) return { route: verdict.route, outcome: verdict.outcome, reason: verdict.reason, run: run.id, verdict };
	}
	return {
		route: 'none',
		outcome: 'no baseline',
		reason: 'no baseline: no run has compared this role with a frontier model',
		run: null,
		verdict: null,
	};
}
