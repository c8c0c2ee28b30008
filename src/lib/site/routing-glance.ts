import type { Report, RoleMetrics, Verdict } from '../schema/report.ts';
import type { Role } from '../schema/role.ts';
import { METRIC_LABELS, count, reviewPain } from '../format/format.ts';
import { type RunEntry, runIncumbent } from './site-model.ts';

/** One routing slot at a glance: who serves it, since when, and how sure the evidence is, in words. */
export interface RoutingGlance {
	role: string;
	/** The registry's incumbent: the model serving the role today. */
	model: string;
	/**
	 * The run from which it has served the role without a break: the run that proposed its promotion
	 * (`promoted`), or the oldest run of the unbroken stretch it served in (`serving`); null when no
	 * archived run has measured it serving the role.
	 */
	since: { run: string; date: string; basis: 'promoted' | 'serving' } | null;
	/** The run the evidence words come from: the newest that measured the role; null when none did. */
	latest_run: string | null;
	/** The outcome the evidence words describe; null when there is no verdict to describe. */
	outcome: Verdict['outcome'] | null;
	/** The evidence in words, e.g. `held — 12 more cases needed to tell llama3.1:8b from gemma4:latest`. */
	evidence: string;
}

/** Which verdict of a run speaks for a role: the one that came closest to changing it. */
const OUTCOME_ORDER: readonly Verdict['outcome'][] = [
	'promote',
	'hold: not enough evidence',
	'blocked: diversity',
	'blocked: cost',
	'hold',
	'insufficient evidence',
];

/** A p-value in plain decimals, two significant digits: `0.000004`, `0.031`. */
const plainP = (p: number) => String(Number(p.toPrecision(2)));

/** `38 of 40`: a model's accepted results out of all of them. */
const acceptedOf = (row: RoleMetrics | undefined) => (row ? `${row.accepted} of ${row.accepted + row.rejected + row.hard_failures}` : '?');

/** The verdict that speaks for the role: by outcome order, then the fewest further cases needed, then the challenger id. */
function telling(verdicts: readonly Verdict[]): Verdict | undefined {
	return [...verdicts].sort(
		(a, b) =>
			OUTCOME_ORDER.indexOf(a.outcome) - OUTCOME_ORDER.indexOf(b.outcome) ||
			(a.more_evidence?.cases ?? Number.POSITIVE_INFINITY) - (b.more_evidence?.cases ?? Number.POSITIVE_INFINITY) ||
			a.challenger.localeCompare(b.challenger),
	)[0];
}

/** What a promotion rests on: the metric the paired test showed better, both sides' numbers and its p. */
function promotionEvidence(report: Report, verdict: Verdict): string {
	const row = (model: string) => report.metrics.find((entry) => entry.role === verdict.role && entry.model === model);
	const better = verdict.gates.find((gate) => gate.gate === 'strictly_better');
	const metric = typeof better?.challenger === 'string' && better.challenger !== 'none' ? better.challenger : 'acceptance_rate';
	const p = better?.p_better === undefined ? '' : ` (p ${plainP(better.p_better)})`;
	const challenger = row(verdict.challenger);
	const incumbent = row(verdict.incumbent);
	if (metric === 'review_pain' && challenger && incumbent)
		return `${METRIC_LABELS.review_pain.toLowerCase()} ${reviewPain(challenger.review_pain)} vs ${reviewPain(incumbent.review_pain)}${p}`;
	if (metric === 'hard_failure_rate' && challenger && incumbent)
		return `hard failures on ${challenger.hard_failures} of ${challenger.cases} vs ${incumbent.hard_failures} of ${incumbent.cases}${p}`;
	return `${acceptedOf(challenger)} vs ${acceptedOf(incumbent)} accepted${p}`;
}

/** A verdict in the words of the glance. Pure. */
export function verdictEvidence(report: Report, verdict: Verdict, model: string): string {
	const failed = (name: string) => verdict.gates.find((gate) => gate.gate === name && !gate.pass);
	switch (verdict.outcome) {
		case 'promote':
			return verdict.challenger === model
				? `promoted on ${promotionEvidence(report, verdict)}`
				: `${verdict.challenger} is proposed to replace it, on ${promotionEvidence(report, verdict)}; not applied yet`;
		case 'hold: not enough evidence':
			return `held — ${verdict.more_evidence ? count(verdict.more_evidence.cases, 'more case') : 'more cases'} needed to tell ${verdict.challenger} from ${verdict.incumbent}`;
		case 'blocked: diversity':
			return `held — ${verdict.challenger} would win, but the role would be left with too few model families`;
		case 'blocked: cost':
			return `held — ${verdict.challenger} would win, but it is paid and ${verdict.incumbent} is free`;
		case 'hold': {
			const worse = (['acceptance_rate', 'review_pain', 'hard_failure_rate'] as const).find((metric) => failed(metric));
			if (worse) return `held — ${verdict.challenger} is shown worse on ${METRIC_LABELS[worse].toLowerCase()}`;
			const confirm = failed('confirm_runs');
			if (confirm)
				return `held — ${verdict.challenger} has won ${confirm.challenger} of the ${confirm.incumbent} consecutive runs a promotion needs`;
			if (/ranks higher/.test(verdict.reason)) return `held — ${verdict.challenger} passes every gate, but another challenger ranks higher`;
			return `held — ${verdict.challenger} is not ahead on any metric`;
		}
		case 'insufficient evidence':
			if (failed('grader_valid')) return 'grader not valid on these cases';
			if (verdict.more_evidence) return `not judged yet — ${count(verdict.more_evidence.cases, 'more case')} needed before any verdict`;
			return `not judged — ${verdict.reason.replace(/^.*?cannot be judged: /, '')}`;
	}
}

/**
 * Per role of the registry (in `roles` order): the model serving it, since which run, and the newest
 * verdict on it in words, derived from the reports' verdict data (outcome, more evidence, the paired
 * tests' gates). Runs are oldest first. Pure.
 */
export function routingGlance(roles: readonly Pick<Role, 'role' | 'incumbent'>[], runs: readonly RunEntry[]): RoutingGlance[] {
	return roles.map(({ role, incumbent: model }) => {
		const measured = runs.filter((run) => run.report.metrics.some((row) => row.role === role));
		let since: RoutingGlance['since'] = null;
		for (const run of measured) {
			const promoted = run.report.proposals.some(
				(proposal) => proposal.kind === 'promote' && proposal.role === role && proposal.model === model,
			);
			if (promoted) since = { run: run.id, date: run.report.date, basis: 'promoted' };
			else if (runIncumbent(run.report, role) === model) since ??= { run: run.id, date: run.report.date, basis: 'serving' };
			else since = null;
		}
		const latest = measured.at(-1);
		if (!latest) return { role, model, since, latest_run: null, outcome: null, evidence: 'no evidence yet' };
		const measuredModel = latest.report.metrics.some((row) => row.role === role && row.model === model);
		const verdict = telling(latest.report.verdicts.filter((entry) => entry.role === role));
		if (verdict && (verdict.incumbent === model || verdict.challenger === model)) {
			return {
				role,
				model,
				since,
				latest_run: latest.id,
				outcome: verdict.outcome,
				evidence: verdictEvidence(latest.report, verdict, model),
			};
		}
		const evidence = !measuredModel
			? 'no evidence yet: the latest run did not measure it in this role'
			: verdict
				? 'no verdict yet with it as the incumbent'
				: `no challenger measured against it (${count(latest.report.metrics.find((row) => row.role === role && row.model === model)!.cases, 'case')})`;
		return { role, model, since, latest_run: latest.id, outcome: null, evidence };
	});
}
