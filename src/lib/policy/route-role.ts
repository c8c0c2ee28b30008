import { type NonInferiority, type PairedCounts, nonInferiority } from '../metrics/paired-difference.ts';
import { anytimeDifferenceBounds, casesToSettleNonInferiority, nonInferiorityOf } from '../metrics/sequential-tests.ts';
import { type BaselineSettlement, CURTAIL_BASELINE_TEST, anytimeBaselineTest } from './sequential-stop.ts';
import type { CaseResult, CostSummary, RouteVerdict } from '../schema/report.ts';
import type { EscalationSummary } from '../schema/escalation.ts';

/** The test named in every routing verdict. */
export const ROUTING_TEST =
	"paired non-inferiority on acceptance: one-sided score bounds for (frontier − local) by Tango's interval for paired proportions (Tango 1998)";

/** What the routing verdict of one role rests on. */
export interface RouteInput {
	role: string;
	incumbent: string;
	/** The role's `baseline:` model, or undefined when it names none. */
	baseline: string | undefined;
	/** The id the API resolved the baseline to, or null when it was never reached. */
	answeredBy: string | null;
	/** Why the baseline answered nothing this run (no key, budget, unknown model), or null. */
	skipped: string | null;
	/** The incumbent's results in the role (first repeat is used). */
	local: readonly CaseResult[];
	/** The baseline's results in the role. */
	frontier: readonly CaseResult[];
	roleCases: number;
	sampled: number;
	notScored: number;
	/** Cost over the paired cases; the frontier's is null without a baseline. */
	cost: { local: CostSummary; frontier: CostSummary | null };
	casesPerMonth: number | null;
	margin: number;
	alpha: number;
	/** The escalation accounting when this role is the escalation role. */
	escalation?: EscalationSummary;
	/**
	 * Under `evidence.sequential: anytime`, the cases the stop rule read for the baseline, in the order read:
	 * the verdict is then the anytime-valid non-inferiority test over these pairs, in this order.
	 */
	anytime?: { read: readonly string[]; stopped: boolean; reason: string; planned: number };
	/**
	 * Under `evidence.sequential: curtail`, a baseline the stop rule stopped: the cases it read, in order, and
	 * the routing outcome every completion of its unread cases leads to (the full run's).
	 */
	curtailed?: { read: readonly string[]; reason: string; planned: number; settlement: BaselineSettlement };
}

/**
 * The routing verdict of one role: does the work stay local? On the cases both the incumbent and the
 * baseline answered, `stay local` when the upper bound of (frontier − local) acceptance is below the
 * margin, `frontier is better` when its lower bound is above it, else `hold: not enough evidence` with
 * the cases that would settle it; `no baseline` when there is nothing to compare. Never changes a
 * promotion verdict. Pure.
 */
export function routeRole(input: RouteInput): RouteVerdict {
	const frontierByCase = new Map(input.frontier.map((result) => [result.case_id, result]));
	const localByCase = new Map(input.local.filter((result) => result.repeat === 0).map((result) => [result.case_id, result]));
	// Under anytime, only what the stop rule read, in its order; else every case both answered.
	const ids = input.anytime?.read ?? input.curtailed?.read ?? [...localByCase.keys()];
	const counts: PairedCounts = { both: 0, onlyFirst: 0, onlySecond: 0, neither: 0 };
	const differences: number[] = [];
	for (const id of ids) {
		const local = localByCase.get(id);
		const frontier = frontierByCase.get(id);
		if (!local || !frontier) continue;
		const f = frontier.outcome === 'accepted';
		const l = local.outcome === 'accepted';
		differences.push(Number(f) - Number(l));
		if (f && l) counts.both++;
		else if (f) counts.onlyFirst++;
		else if (l) counts.onlySecond++;
		else counts.neither++;
	}
	const n = counts.both + counts.onlyFirst + counts.onlySecond + counts.neither;
	const judged = input.anytime
		? anytimeNonInferiority(differences, input.margin, input.alpha)
		: nonInferiority(counts, input.margin, input.alpha);
	const stopNote = input.anytime?.stopped
		? ` — the baseline stopped early after ${input.anytime.read.length} of its ${input.anytime.planned} cases (${input.anytime.reason})`
		: '';
	const points = (share: number) => `${(share * 100).toFixed(1).replace(/\.0$/, '')} points`;
	const marginText = `${(input.margin * 100).toFixed(1).replace(/\.0$/, '')} points`;
	const extraPerMonth =
		input.cost.frontier?.usd_per_case != null && input.cost.local.usd_per_case !== null && input.casesPerMonth !== null
			? round((input.cost.frontier.usd_per_case - input.cost.local.usd_per_case) * input.casesPerMonth, 2)
			: null;
	const common = {
		role: input.role,
		incumbent: input.incumbent,
		baseline: input.baseline ?? null,
		answered_by: input.answeredBy,
		cases: n,
		pairs: { both: counts.both, only_frontier: counts.onlyFirst, only_local: counts.onlySecond, neither: counts.neither },
		difference: judged.interval
			? { value: round(judged.interval.difference, 4), low: round(judged.interval.low, 4), high: round(judged.interval.high, 4) }
			: null,
		margin: input.margin,
		alpha: input.alpha,
		test: input.anytime ? anytimeBaselineTest(input.margin) : input.curtailed ? `${ROUTING_TEST}; ${CURTAIL_BASELINE_TEST}` : ROUTING_TEST,
		baseline_cases: { role_cases: input.roleCases, sampled: input.sampled, answered: input.frontier.length, not_scored: input.notScored },
		cost: input.cost,
		cases_per_month: input.casesPerMonth,
		frontier_extra_usd_per_month: extraPerMonth,
		...(input.escalation ? { escalation: escalationLine(input.escalation) } : {}),
	};
	const name = input.answeredBy ?? input.baseline ?? '';
	if (input.baseline === undefined)
		return {
			...common,
			route: 'none',
			outcome: 'no baseline',
			reason: `no baseline: the role names no frontier model to compare ${input.incumbent} with`,
			more_cases: null,
		};
	if (judged.decision === 'no-data') {
		const why = input.skipped ?? `${name} answered none of the cases ${input.incumbent} answered`;
		return { ...common, route: 'none', outcome: 'no baseline', reason: `no baseline: ${why}`, more_cases: null };
	}
	const interval = judged.interval;
	if (input.curtailed) return curtailedRoute(input, common, name, n, marginText, judged.decision === 'undecided' ? judged.moreCases : null);
	if (judged.decision === 'non-inferior') {
		const saves = savings(input.cost, input.role);
		return {
			...common,
			route: 'local',
			outcome: 'stay local',
			reason: `stays local: ${input.incumbent} is within ${marginText} of ${name} on ${n} case${n === 1 ? '' : 's'} (upper bound ${points(interval.high)})${saves}${stopNote}`,
			more_cases: null,
		};
	}
	if (judged.decision === 'superior') {
		const cost = frontierCost(input, extraPerMonth);
		return {
			...common,
			route: 'frontier',
			outcome: 'frontier is better',
			reason: `goes to the frontier: ${name} is better than ${input.incumbent} by more than ${marginText} on ${n} case${n === 1 ? '' : 's'} (lower bound ${points(interval.low)}); ${cost}${stopNote}`,
			more_cases: null,
		};
	}
	const more = judged.moreCases;
	return {
		...common,
		route: 'hold',
		outcome: 'hold: not enough evidence',
		reason: `hold: ${n} paired case${n === 1 ? '' : 's'} cannot tell whether ${input.incumbent} is within ${marginText} of ${name} (bounds ${points(interval.low)} to ${points(interval.high)}); ${more === null ? 'no number of cases at these rates would settle it' : `about ${more} cases in all would settle it`}${stopNote}`,
		more_cases: more,
	};
}

/** What sending the role to the frontier costs, as a reason reads it: per accepted answer and per month. */
function frontierCost(input: RouteInput, extraPerMonth: number | null): string {
	const perAccepted = input.cost.frontier?.usd_per_accepted;
	return perAccepted == null
		? 'cost: price not set'
		: `$${perAccepted.toFixed(4)} per accepted answer${extraPerMonth === null ? '' : `, about $${extraPerMonth.toFixed(2)} more per month at this repository's ${input.casesPerMonth} cases a month`}`;
}

/**
 * The routing verdict of a baseline stopped by curtailment: the outcome every completion of its unread
 * cases leads to, with the bounds at the extreme completions. Pure.
 */
function curtailedRoute(
	input: RouteInput,
	common: Omit<RouteVerdict, 'route' | 'outcome' | 'reason' | 'more_cases'>,
	name: string,
	n: number,
	marginText: string,
	moreCases: number | null,
): RouteVerdict {
	const { settlement, planned } = input.curtailed!;
	const points = (share: number) => `${(share * 100).toFixed(1).replace(/\.0$/, '')} points`;
	const after = `after ${n} of its ${planned} cases, whatever the other ${settlement.remaining} give`;
	if (settlement.outcome === 'stay local')
		return {
			...common,
			route: 'local',
			outcome: 'stay local',
			reason: `stays local: ${input.incumbent} is within ${marginText} of ${name} ${after} (even if ${name} accepted them all, the upper bound is ${points(settlement.highestHigh)})${savings(input.cost, input.role)}; the baseline stopped early with the full run's verdict`,
			more_cases: null,
		};
	if (settlement.outcome === 'frontier is better')
		return {
			...common,
			route: 'frontier',
			outcome: 'frontier is better',
			reason: `goes to the frontier: ${name} is better than ${input.incumbent} by more than ${marginText} ${after} (even if it accepted none of them, the lower bound is ${points(settlement.lowestLow)}); ${frontierCost(input, common.frontier_extra_usd_per_month)}; the baseline stopped early with the full run's verdict`,
			more_cases: null,
		};
	return {
		...common,
		route: 'hold',
		outcome: 'hold: not enough evidence',
		reason: `hold: ${n} paired case${n === 1 ? '' : 's'} cannot tell whether ${input.incumbent} is within ${marginText} of ${name}, nor could all ${planned}, whatever the other ${settlement.remaining} give (the upper bound stays at ${points(settlement.lowestHigh)} or more, the lower bound at ${points(settlement.highestLow)} or less); ${moreCases === null ? 'no number of cases at these rates would settle it' : `about ${moreCases} cases in all would settle it`}; the baseline stopped early with the full run's verdict`,
		more_cases: moreCases,
	};
}

/**
 * The anytime-valid counterpart of `nonInferiority`: the betting e-processes on the per-case differences
 * in the order read decide (`non-inferior` when "frontier − local ≥ margin" is rejected at alpha,
 * `superior` when "≤ margin" is); the bounds shown are where each side would reject. Pure.
 */
export function anytimeNonInferiority(differences: readonly number[], margin: number, alpha: number): NonInferiority {
	if (differences.length === 0) return { decision: 'no-data', interval: null, moreCases: null };
	const { pWithin, pBeyond } = nonInferiorityOf(differences, margin);
	const bounds = anytimeDifferenceBounds(differences, alpha);
	const interval = { difference: differences.reduce((sum, d) => sum + d, 0) / differences.length, ...bounds };
	if (pWithin <= alpha) return { decision: 'non-inferior', interval, moreCases: null };
	if (pBeyond <= alpha) return { decision: 'superior', interval, moreCases: null };
	return { decision: 'undecided', interval, moreCases: casesToSettleNonInferiority(differences, margin, alpha) };
}

/**
 * The escalation role's verdict, given what the incumbent achieves with its rejections escalated
 * (`escalated`: the same comparison with those cases counted as the chain's answer graded them). When
 * the incumbent alone does not stay local but with escalation it does, and escalating costs no more per
 * case than sending every case to the frontier (or a price is not set), the answer is `local, escalate
 * rejections`. Pure.
 */
export function withEscalation(alone: RouteVerdict, escalated: RouteVerdict, usdPerCase: number | null): RouteVerdict {
	const record = { ...alone, with_escalation: { pairs: escalated.pairs, difference: escalated.difference, usd_per_case: usdPerCase } };
	if (alone.route === 'local' || alone.route === 'none' || escalated.route !== 'local') return record;
	const frontier = alone.cost.frontier?.usd_per_case;
	if (usdPerCase !== null && frontier != null && usdPerCase > frontier) return record;
	const cost =
		usdPerCase === null || frontier == null
			? 'cost per case: price not set'
			: `$${usdPerCase.toFixed(4)} per case against $${frontier.toFixed(4)} for sending every case out`;
	const name = alone.answered_by ?? alone.baseline ?? '';
	return {
		...record,
		route: 'local',
		outcome: 'local, escalate rejections',
		reason: `stays local, escalating rejections: ${alone.incumbent} with the escalation chain is within ${(alone.margin * 100).toFixed(1).replace(/\.0$/, '')} points of ${name} on ${escalated.cases} case${escalated.cases === 1 ? '' : 's'} (upper bound ${(escalated.difference!.high * 100).toFixed(1).replace(/\.0$/, '')} points); ${cost}`,
		more_cases: null,
	};
}

/** ", saves $x per 100 <role> cases" when both costs are known; the local model's price may be 0 (policy default). */
function savings(cost: RouteInput['cost'], role: string): string {
	const frontier = cost.frontier?.usd_per_case;
	const local = cost.local.usd_per_case;
	if (frontier == null) return ', frontier price not set';
	if (local === null) return '';
	return `, saves $${((frontier - local) * 100).toFixed(2)} per 100 ${role} cases`;
}

/** What the escalation chain already measures in the review role, in a sentence. */
function escalationLine(summary: EscalationSummary): string {
	const overturned =
		summary.overturn_rate === null
			? 'no escalation resolved'
			: `the chain overturned ${summary.overturned} of ${summary.resolved} escalated rejection(s)`;
	return `${summary.escalations} of ${summary.results} local verdict(s) escalated; ${overturned}; frontier tokens ${summary.frontier.input_tokens} in, ${summary.frontier.output_tokens} out`;
}

/**
 * New cases per 30 days in the repository's history, from the cases' author dates: what "per month"
 * means for a role. Null with fewer than two cases or a span under a day. Pure.
 */
export function casesPerMonth(authorDates: readonly string[]): number | null {
	const times = authorDates
		.map((date) => Date.parse(date))
		.filter(Number.isFinite)
		.sort((a, b) => a - b);
	if (times.length < 2) return null;
	const days = (times.at(-1)! - times[0]!) / 86_400_000;
	if (days < 1) return null;
	return round((times.length / days) * 30, 1);
}

function round(value: number, digits: number): number {
	const factor = 10 ** digits;
	return Math.round(value * factor) / factor;
}
