import type { Case } from '../schema/case.ts';
import type { Model } from '../schema/model.ts';
import type { Policy } from '../schema/policy.ts';
import type { Report, RoleMetrics } from '../schema/report.ts';
import type { Role } from '../schema/role.ts';
import { type RoleEvidence, roleEvidence } from '../registry/registry-gaps.ts';
import { assignModelSlugs } from './slug.ts';

/** One archived run: its report id (the file name without `.md`) and its frontmatter. */
export interface RunEntry {
	id: string;
	report: Report;
}

/** Everything the site renders, before any per-case results are read. Runs are oldest first. */
export interface SiteInput {
	models: readonly Model[];
	roles: readonly Role[];
	policy: Policy;
	cases: readonly Case[];
	runs: readonly RunEntry[];
}

const KNOWN_ROLES = ['draft', 'reason', 'review', 'coder'];

/** Page order of roles: the four routing slots in pipeline order, any others after them alphabetically. Pure. */
export function compareRoles(a: string, b: string): number {
	const rank = (role: string) => (KNOWN_ROLES.includes(role) ? KNOWN_ROLES.indexOf(role) : KNOWN_ROLES.length);
	return rank(a) - rank(b) || a.localeCompare(b);
}

/** Every role the site has a page for: the registry's, and any that only old runs still name. Pure. */
export function allRoles(input: Pick<SiteInput, 'roles' | 'runs'>): string[] {
	const names = new Set(input.roles.map((role) => role.role));
	for (const run of input.runs) for (const row of run.report.metrics) names.add(row.role);
	return [...names].sort(compareRoles);
}

/** Every model id the site mentions: the catalog, the roles (retired included) and every run. Pure. */
export function allModelIds(input: Pick<SiteInput, 'models' | 'roles' | 'runs'>): string[] {
	const ids = new Set(input.models.map((model) => model.id));
	for (const role of input.roles) {
		ids.add(role.incumbent);
		for (const id of role.challengers) ids.add(id);
		for (const retired of role.retired) ids.add(retired.model);
	}
	for (const run of input.runs) {
		for (const row of run.report.metrics) ids.add(row.model);
		for (const model of run.report.manifest.models) ids.add(model.id);
	}
	return [...ids].sort();
}

/** The slug of every model id the site mentions (see `assignModelSlugs`). Pure. */
export function siteModelSlugs(input: Pick<SiteInput, 'models' | 'roles' | 'runs'>): Map<string, string> {
	return assignModelSlugs(allModelIds(input));
}

/** The roles a run measured, in page order. Pure. */
export function rolesOf(report: Report): string[] {
	return [...new Set(report.metrics.map((row) => row.role))].sort(compareRoles);
}

/** The metrics rows of one role in a run: the incumbent first, then the challengers by id. Pure. */
export function roleRows(report: Report, role: string): RoleMetrics[] {
	const incumbent = runIncumbent(report, role);
	return report.metrics
		.filter((row) => row.role === role)
		.sort((a, b) => Number(b.model === incumbent) - Number(a.model === incumbent) || a.model.localeCompare(b.model));
}

/** How many cases a role had in a run (every model of a role answers the same cases). Pure. */
export function roleCaseCount(report: Report, role: string): number {
	return Math.max(0, ...report.metrics.filter((row) => row.role === role).map((row) => row.cases));
}

/**
 * Who served `role` when the run was made: the incumbent its verdicts name, or the only model it ran
 * in the role; undefined when the report cannot say (several models and no verdict). Pure.
 */
export function runIncumbent(report: Report, role: string): string | undefined {
	const verdict = report.verdicts.find((entry) => entry.role === role);
	if (verdict) return verdict.incumbent;
	const models = report.metrics.filter((row) => row.role === role).map((row) => row.model);
	return models.length === 1 ? models[0] : undefined;
}

/** What the run decided about `model` in `role`, in the words of the policy page. Pure. */
export function verdictLabel(report: Report, role: string, model: string): string {
	const parts: string[] = [];
	if (runIncumbent(report, role) === model) parts.push('incumbent');
	const verdict = report.verdicts.find((entry) => entry.role === role && entry.challenger === model);
	if (verdict) parts.push(verdict.outcome);
	for (const proposal of report.proposals.filter((entry) => entry.role === role)) {
		if (proposal.kind === 'retire' && proposal.model === model) parts.push('retirement proposed');
		if (proposal.kind === 'promote' && proposal.replaces === model) parts.push('replacement proposed');
	}
	return parts.length > 0 ? parts.join(', ') : '—';
}

/** One model's acceptance in one run of a role, with its interval; null where the model was not run. */
export type TrendPoint = { value: number; low: number; high: number } | null;

/** Each model's acceptance rate over the runs that measured a role, oldest run first. */
export interface AcceptanceTrend {
	runs: { id: string; date: string }[];
	series: { model: string; points: TrendPoint[] }[];
}

/** The acceptance trend of `role` over `runs` (oldest first); models ordered by id. Pure. */
export function acceptanceTrend(runs: readonly RunEntry[], role: string): AcceptanceTrend {
	const measured = runs.filter((run) => run.report.metrics.some((row) => row.role === role));
	const models = [
		...new Set(measured.flatMap((run) => run.report.metrics.filter((row) => row.role === role).map((row) => row.model))),
	].sort();
	return {
		runs: measured.map((run) => ({ id: run.id, date: run.report.date })),
		series: models.map((model) => ({
			model,
			points: measured.map((run) => {
				const row = run.report.metrics.find((entry) => entry.role === role && entry.model === model);
				return row ? { ...row.acceptance_rate } : null;
			}),
		})),
	};
}

/** One digest a model was seen with, and the runs that saw it. */
export interface DigestSeen {
	/** null when the model was missing from Ollama in those runs. */
	digest: string | null;
	quantization: string | null;
	parameter_size: string | null;
	first_run: string;
	last_run: string;
	runs: number;
}

/** Every digest `model` had across `runs` (oldest first), in the order they first appeared. Pure. */
export function digestsSeen(runs: readonly RunEntry[], model: string): DigestSeen[] {
	const seen = new Map<string, DigestSeen>();
	for (const run of runs) {
		for (const entry of run.report.manifest.models.filter((item) => item.id === model)) {
			const key = entry.digest ?? '';
			const known = seen.get(key);
			if (known) {
				known.last_run = run.id;
				known.runs++;
			} else {
				seen.set(key, {
					digest: entry.digest,
					quantization: entry.quantization,
					parameter_size: entry.parameter_size,
					first_run: run.id,
					last_run: run.id,
					runs: 1,
				});
			}
		}
	}
	return [...seen.values()];
}

/** Why a role is routed to its incumbent: the newest run that measured it serving (or winning) the role. */
export interface RoutingJustification {
	/** `promoted`: that run proposed the promotion; `held`: it served the role in that run and kept it. */
	basis: 'promoted' | 'held';
	run: string;
	date: string;
	acceptance_rate: number;
	review_pain: number;
	hard_failure_rate: number;
}

/** One routing slot as tools read it. */
export interface Route {
	incumbent: string;
	/** null when no archived run has measured the incumbent in this role yet (a registry choice). */
	justified_by: RoutingJustification | null;
	/** The run whose proposal made the incumbent what it is, when one did. */
	promoted_in: string | null;
	/** The tasks and cases that measure the role; null when no task exists for it or it has no cases. */
	evidence: RoleEvidence | null;
}

/**
 * Role → incumbent, with the run behind it. The justification is the newest run in which the registry's
 * incumbent was measured in the role while serving it or while that run proposed promoting it; a run in
 * which it was only a challenger that did not win does not justify it. Pure.
 */
export function routingTable(input: Pick<SiteInput, 'roles' | 'runs' | 'cases'>): Map<string, Route> {
	const routes = new Map<string, Route>();
	for (const role of [...input.roles].sort((a, b) => a.role.localeCompare(b.role))) {
		const model = role.incumbent;
		const promotedBy = (report: Report) =>
			report.proposals.some((proposal) => proposal.kind === 'promote' && proposal.role === role.role && proposal.model === model);
		let justified: RoutingJustification | null = null;
		let promotedIn: string | null = null;
		for (const run of input.runs) {
			if (promotedBy(run.report)) promotedIn = run.id;
			const row = run.report.metrics.find((entry) => entry.role === role.role && entry.model === model);
			if (!row) continue;
			const promoted = promotedBy(run.report);
			if (!promoted && runIncumbent(run.report, role.role) !== model) continue;
			justified = {
				basis: promoted ? 'promoted' : 'held',
				run: run.id,
				date: run.report.date,
				acceptance_rate: row.acceptance_rate.value,
				review_pain: row.review_pain,
				hard_failure_rate: row.hard_failure_rate.value,
			};
		}
		routes.set(role.role, {
			incumbent: model,
			justified_by: justified,
			promoted_in: promotedIn,
			evidence: roleEvidence(role.role, input.cases),
		});
	}
	return routes;
}
