/**
 * When a challenger (or the frontier baseline) may stop answering a role's cases: `evidence.sequential`.
 * The rule reads each model's results strictly in its fixed case order, over the contiguous prefix whose
 * results (every repeat, or the skip of one the server could not serve) are in, and only once the role's
 * incumbent has finished every case: so parallel slots, several hosts and a rebuild from cached answers
 * all stop at the same case with the same verdict.
 */
import {
	type BettingEProcess,
	type CombinedEProcess,
	type NonInferiorityProcess,
	type SignTestSoFar,
	BET_GRID,
	addRemainingGrowth,
	anytimeP,
	casesToSettleByBetting,
	casesToSettleNonInferiority,
	combineEProcesses,
	createBettingEProcess,
	createNonInferiorityProcess,
	nonInferiorityP,
	observeBet,
	observeDifference,
	reachableCombinedLogE,
	reachableLogE,
	signFlipCompletionPWorse,
	signTestCompletions,
	updateCombined,
} from '../metrics/sequential-tests.ts';
import { EXACT_SIGN_FLIP_LIMIT } from '../metrics/paired-tests.ts';
import { type PairedCounts, pairedDifferenceInterval } from '../metrics/paired-difference.ts';
import type { Model } from '../schema/model.ts';
import type { Policy, SequentialMode } from '../schema/policy.ts';
import type { Role } from '../schema/role.ts';
import type { CaseResult, SequentialStop } from '../schema/report.ts';
import { type GateMetric, METRIC_GATES } from './gate-rules.ts';

export interface StopRuleInput {
	/** Incumbent, challengers and the baseline (`role.baseline`) of every role of the run. */
	roles: readonly Role[];
	/** `evidence.sequential` and `alpha`, `gates.strictly_better_on_one`, `baseline.margin`. */
	policy: Policy;
	/** Models by id, for the cost tier. */
	catalog: ReadonlyMap<string, Model>;
	/** The fixed order in which `model` answers the cases of `role`: the test reads results in this order. */
	order(role: string, model: string): readonly string[];
	/** Repeats per case of a local model (`run.repeats`); the baseline answers each case once. */
	repeats: number;
}

export interface StopRule {
	readonly mode: SequentialMode;
	/** Every graded result of the run (incumbents, challengers, baseline), in whatever order they arrive. */
	observe(result: CaseResult): void;
	/**
	 * A case (one repeat of it) the server could not serve this model after the retries: not evidence; the
	 * test reads past it. Call it once per repeat not run, as the not-run records are kept.
	 */
	skip(role: string, model: string, caseId: string): void;
	/**
	 * False once `model`'s verdict in `role` is settled: its remaining cases there are not asked. Always true
	 * for a role's incumbent, for a model the role does not watch, and in mode `off`.
	 */
	goOn(role: string, model: string): boolean;
	/** For the report: one entry per watched challenger and baseline per role, sorted by role then model. */
	stops(): SequentialStop[];
	/** What the sequential test read and decided for `model` in `role`, for the verdicts; undefined when the role does not watch it. */
	evidence(role: string, model: string): SequentialEvidence | undefined;
}

/** A fixed-sample verdict that no completion of the unread cases could change. */
export interface CurtailSettlement {
	outcome: 'hold' | 'blocked: cost';
	/** `worse`: shown worse in every completion; `not ahead`: ahead on no metric in any; `not worse`: worse in none (cost then decides). */
	why: 'worse' | 'not ahead' | 'not worse';
	/** The metric shown worse, for `worse`. */
	metric?: GateMetric;
	/** Cases still unread that could have been evidence. */
	remaining: number;
	/** Per metric, the p-value for "worse" in the challenger's most favourable completion (null where not exact), and what it counted. */
	bounds: Record<GateMetric, { pWorseAtBest: number | null; detail: string }>;
}

/** One metric under the anytime-valid test, over the cases read. */
export interface AnytimeComparison {
	metric: GateMetric;
	/** Cases read (pairs). */
	paired: number;
	/** 1 / running max of the e-process for "better" (resp. "worse"). */
	pBetter: number;
	pWorse: number;
	/** Mean per-case difference in the challenger's favour. */
	mean: number;
	/** About how many cases in all, at the observed differences, would show it better; null when it is not ahead. */
	casesToShowBetter: number | null;
}

/** What the test read for one model in one role, and what it decided. */
export interface SequentialEvidence {
	mode: SequentialMode;
	kind: 'challenger' | 'baseline';
	/** The paired cases read, in the order read. */
	read: readonly string[];
	planned: number;
	/** Settled while some planned case was still unread: the cases past it were not asked (or, in flight, not read). */
	stopped: boolean;
	reason: string;
	test: string;
	/** Mode `curtail`, once settled. */
	curtail?: CurtailSettlement;
	/** Mode `anytime`, for a challenger: every metric, and the combined "better on at least one". */
	anytime?: { metrics: Record<GateMetric, AnytimeComparison>; pBetterOnOne: number };
	/** Mode `anytime`, for the baseline: the two sides of non-inferiority at `baseline.margin`. */
	nonInferiority?: {
		margin: number;
		/** Anytime p of "frontier − local ≥ margin": small means stay local. */
		pWithin: number;
		/** Anytime p of "frontier − local ≤ margin": small means the frontier is better. */
		pBeyond: number;
		/** Mean (frontier − local) acceptance over the cases read. */
		difference: number;
		casesToSettle: number | null;
	};
	/** Mode `curtail`, for a settled baseline: the routing outcome every completion of its unread cases leads to. */
	routing?: BaselineSettlement;
}

/**
 * A routing verdict no completion of the baseline's unread cases could change: the bounds of Tango's
 * interval at the extreme completions (the frontier accepting every unread case, or none), with the local
 * model's answers there known.
 */
export interface BaselineSettlement {
	outcome: 'stay local' | 'frontier is better' | 'hold: not enough evidence';
	/** Unread cases the incumbent answered. */
	remaining: number;
	/** The largest upper bound and the smallest lower bound of (frontier − local) over the completions. */
	highestHigh: number;
	lowestLow: number;
	/** The smallest upper bound and the largest lower bound (what a hold rests on). */
	lowestHigh: number;
	highestLow: number;
}

export const CURTAIL_TEST =
	'curtailment of the fixed-sample tests: the exact sign tests (and the exact sign-flip test while it stays within 16 non-zero differences) over every completion of the unread cases';
export const ANYTIME_TEST = `anytime-valid betting e-process on the per-case differences (mean over ${BET_GRID} bets), p = 1 / its running maximum`;
export const CURTAIL_BASELINE_TEST =
	"curtailment of the routing test: Tango's score bounds over every completion of the baseline's unread cases";
export const anytimeBaselineTest = (margin: number) =>
	`anytime-valid betting e-processes on (frontier − local) acceptance against the margin ${margin} (mean over ${BET_GRID} bets), p = 1 / their running maximum`;
const NOT_STOPPED_TEST: Record<SequentialMode, string> = {
	off: 'none: evidence.sequential is off',
	curtail: CURTAIL_TEST,
	anytime: ANYTIME_TEST,
};

/** One model's results on one case so far. */
interface CaseState {
	/** Results by repeat. */
	results: (CaseResult | undefined)[];
	count: number;
	skips: number;
	done: boolean;
}

interface Score {
	accepted: number;
	pain: number;
	hard: number;
}

/** Per case, the mean over its repeats (in repeat order, so the sum never depends on arrival): as the paired tests count it. */
function scoreOf(state: CaseState): Score | undefined {
	if (state.count === 0) return undefined;
	let accepted = 0;
	let pain = 0;
	let hard = 0;
	for (const result of state.results) {
		if (!result) continue;
		accepted += result.outcome === 'accepted' ? 1 : 0;
		pain += result.outcome === 'hard-failure' ? 1 : 1 - result.quality;
		hard += result.outcome === 'hard-failure' ? 1 : 0;
	}
	return { accepted: accepted / state.count, pain: pain / state.count, hard: hard / state.count };
}

/** The per-case difference on each metric, > 0 where the challenger did better (as `compareOnCases` counts it). */
const differences = (c: Score, i: Score): Record<GateMetric, number> => ({
	acceptance_rate: c.accepted - i.accepted,
	review_pain: i.pain - c.pain,
	hard_failure_rate: i.hard - c.hard,
});
/** The largest and smallest difference a remaining case can still give, from the incumbent's score there. */
const bestDifferences = (i: Score): Record<GateMetric, number> => ({
	acceptance_rate: 1 - i.accepted,
	review_pain: i.pain,
	hard_failure_rate: i.hard,
});
const worstDifferences = (i: Score): Record<GateMetric, number> => ({
	acceptance_rate: -i.accepted,
	review_pain: i.pain - 1,
	hard_failure_rate: i.hard - 1,
});
const SIGN_METRICS = ['acceptance_rate', 'hard_failure_rate'] as const;
const TIE = 1e-12;
/** Below this, a sum of pain differences counts as surely ≤ 0 whatever order a later sum adds them in. */
const SUM_MARGIN = 1e-9;
/** Futility (ahead nowhere) over a Monte Carlo sign-flip test is claimed only at levels this far below its p ≥ ½. */
const MONTE_CARLO_FUTILITY_ALPHA = 0.25;

interface CurtailState {
	sign: Record<(typeof SIGN_METRICS)[number], SignTestSoFar>;
	/** Pain differences read. */
	painRead: number[];
	painSum: number;
	painNonZero: number;
	/** Over the remaining cases: Σ incumbent pain, cases with incumbent pain > 0. */
	painBestSum: number;
	painBestPositive: number;
}

interface AnytimeState {
	better: Record<GateMetric, BettingEProcess>;
	worse: Record<GateMetric, BettingEProcess>;
	betterOnOne: CombinedEProcess;
	/** Σ log(1 + λ·max payoff) over the remaining cases, per process. */
	betterGrowth: Record<GateMetric, Float64Array>;
	worseGrowth: Record<GateMetric, Float64Array>;
	/** Payoffs read, for the projection. */
	read: Record<GateMetric, number[]>;
}

/** Curtailment of the baseline: the paired table read, and over the unread cases how many the local model accepted. */
interface BaselineCurtailState {
	counts: PairedCounts;
	remainingLocalAccepted: number;
	remainingLocalRejected: number;
}

interface BaselineState {
	process: NonInferiorityProcess;
	withinGrowth: Float64Array;
	beyondGrowth: Float64Array;
	differences: number[];
}

interface Watch {
	role: Role;
	model: string;
	kind: 'challenger' | 'baseline';
	order: readonly string[];
	cases: Map<string, CaseState>;
	pointer: number;
	read: string[];
	/** Unread cases that could still be evidence (the incumbent answered them). */
	remaining: number;
	settled: { reason: string; stopped: boolean; curtail?: CurtailSettlement; routing?: BaselineSettlement } | undefined;
	costPass: boolean;
	curtail?: CurtailState;
	anytime?: AnytimeState;
	baseline?: BaselineState;
	baselineCurtail?: BaselineCurtailState;
}

interface Incumbent {
	model: string;
	cases: Map<string, CaseState>;
	pending: number;
	watches: Watch[];
}

const newCase = (): CaseState => ({ results: [], count: 0, skips: 0, done: false });
const plural = (n: number) => (n === 1 ? '1 case' : `${n} cases`);
const perMetric = <T>(make: (metric: GateMetric) => T) =>
	Object.fromEntries(METRIC_GATES.map(({ metric }) => [metric, make(metric)])) as Record<GateMetric, T>;

/**
 * The stop rule of one run (see `StopRule`). Mode `curtail` stops a challenger once no completion of its
 * unread cases could change the fixed-sample verdict at the end of the full run (shown worse in every
 * completion, or — with the cost gate passing and `strictly_better_on_one` — ahead on no metric in any,
 * or — with it failing — worse in none), and the baseline once the routing verdict (Tango's bounds at the
 * margin) is the same in every completion (in the escalation role, only `stay local`). Mode `anytime` stops a challenger
 * when its anytime-valid test shows it worse on a metric or better on at least one at `alpha`, or when no
 * completion of the unread cases could any longer settle it; the baseline when non-inferiority at
 * `baseline.margin` is settled either way or can no longer be. Every stop reads at least one case.
 */
export function createStopRule(input: StopRuleInput): StopRule {
	const { policy } = input;
	const mode = policy.evidence.sequential;
	const alpha = policy.evidence.alpha;
	const threshold = Math.log(1 / alpha);
	const margin = policy.baseline?.margin ?? 0.05;
	const incumbents = new Map<string, Incumbent>();
	const watches = new Map<string, Watch>();
	const key = (role: string, model: string) => `${role}\u0000${model}`;

	for (const role of input.roles) {
		const incumbent: Incumbent = { model: role.incumbent, cases: new Map(), pending: 0, watches: [] };
		for (const id of input.order(role.role, role.incumbent)) incumbent.cases.set(id, newCase());
		incumbent.pending = incumbent.cases.size;
		incumbents.set(role.role, incumbent);
		const watched = [
			...role.challengers.filter((id) => id !== role.incumbent).map((model) => ({ model, kind: 'challenger' as const })),
			...(role.baseline !== undefined && role.baseline !== role.incumbent && !role.challengers.includes(role.baseline)
				? [{ model: role.baseline, kind: 'baseline' as const }]
				: []),
		];
		for (const { model, kind } of watched) {
			const order = input.order(role.role, model);
			const challengerCost = input.catalog.get(model)?.cost_tier ?? 'free';
			const incumbentCost = input.catalog.get(role.incumbent)?.cost_tier ?? 'free';
			const watch: Watch = {
				role,
				model,
				kind,
				order,
				cases: new Map(order.map((id) => [id, newCase()])),
				pointer: 0,
				read: [],
				remaining: 0,
				settled: undefined,
				costPass: challengerCost === 'free' || incumbentCost === 'paid',
			};
			watches.set(key(role.role, model), watch);
			incumbent.watches.push(watch);
		}
	}

	const repeatsOf = (watch: Watch | undefined) => (watch?.kind === 'baseline' ? 1 : input.repeats);

	/** Once the incumbent has finished: the unread cases' extremes, from its results there. */
	function start(watch: Watch, incumbent: Incumbent): void {
		const incumbentScores: Score[] = [];
		for (const id of watch.order) {
			const state = incumbent.cases.get(id);
			const score = state && incumbentScoreFor(watch, state);
			if (score) incumbentScores.push(score);
		}
		watch.remaining = incumbentScores.length;
		if (watch.kind === 'baseline') {
			if (mode === 'curtail') {
				const accepted = incumbentScores.filter((score) => score.accepted === 1).length;
				watch.baselineCurtail = {
					counts: { both: 0, onlyFirst: 0, onlySecond: 0, neither: 0 },
					remainingLocalAccepted: accepted,
					remainingLocalRejected: incumbentScores.length - accepted,
				};
			}
			if (mode !== 'anytime') return;
			const process = createNonInferiorityProcess(margin);
			const state: BaselineState = {
				process,
				withinGrowth: new Float64Array(BET_GRID),
				beyondGrowth: new Float64Array(BET_GRID),
				differences: [],
			};
			for (const score of incumbentScores) addBaselineRemaining(state, score.accepted, 1);
			watch.baseline = state;
			return;
		}
		if (mode === 'curtail') {
			const sign = {
				acceptance_rate: { wins: 0, losses: 0, winnable: 0, losable: 0 },
				hard_failure_rate: { wins: 0, losses: 0, winnable: 0, losable: 0 },
			};
			const state: CurtailState = { sign, painRead: [], painSum: 0, painNonZero: 0, painBestSum: 0, painBestPositive: 0 };
			for (const score of incumbentScores) addCurtailRemaining(state, score, 1);
			watch.curtail = state;
		} else {
			const better = perMetric(() => createBettingEProcess());
			const state: AnytimeState = {
				better,
				worse: perMetric(() => createBettingEProcess()),
				betterOnOne: combineEProcesses(METRIC_GATES.map(({ metric }) => better[metric])),
				betterGrowth: perMetric(() => new Float64Array(BET_GRID)),
				worseGrowth: perMetric(() => new Float64Array(BET_GRID)),
				read: perMetric(() => []),
			};
			for (const score of incumbentScores) addAnytimeRemaining(state, score, 1);
			watch.anytime = state;
		}
	}

	/** The incumbent's score as this comparison uses it: every repeat for a challenger, the first for the baseline (as routing does). */
	function incumbentScoreFor(watch: Watch, state: CaseState): Score | undefined {
		if (watch.kind === 'challenger') return scoreOf(state);
		const first = state.results[0];
		return first ? scoreOf({ results: [first], count: 1, skips: 0, done: true }) : undefined;
	}

	function addCurtailRemaining(state: CurtailState, incumbent: Score, sign: 1 | -1): void {
		const best = bestDifferences(incumbent);
		const worst = worstDifferences(incumbent);
		for (const metric of SIGN_METRICS) {
			if (best[metric] > TIE) state.sign[metric].winnable += sign;
			if (worst[metric] < -TIE) state.sign[metric].losable += sign;
		}
		state.painBestSum += sign * best.review_pain;
		if (best.review_pain > TIE) state.painBestPositive += sign;
	}

	function addAnytimeRemaining(state: AnytimeState, incumbent: Score, sign: 1 | -1): void {
		const best = bestDifferences(incumbent);
		const worst = worstDifferences(incumbent);
		for (const { metric } of METRIC_GATES) {
			addRemainingGrowth(state.better[metric], state.betterGrowth[metric], best[metric], sign);
			addRemainingGrowth(state.worse[metric], state.worseGrowth[metric], -worst[metric], sign);
		}
	}

	function addBaselineRemaining(state: BaselineState, localAccepted: number, sign: 1 | -1): void {
		// d = frontier − local: at most 1 − local, at least −local.
		addRemainingGrowth(state.process.within, state.withinGrowth, margin + localAccepted, sign);
		addRemainingGrowth(state.process.beyond, state.beyondGrowth, 1 - localAccepted - margin, sign);
	}

	/** Reads the contiguous prefix of finished cases, deciding after each paired one. */
	function advance(watch: Watch): void {
		const incumbent = incumbents.get(watch.role.role)!;
		if (mode === 'off' || watch.settled || incumbent.pending > 0) return;
		while (watch.pointer < watch.order.length) {
			const id = watch.order[watch.pointer]!;
			const state = watch.cases.get(id)!;
			if (!state.done) return;
			watch.pointer++;
			const incumbentScore = incumbentScoreFor(watch, incumbent.cases.get(id) ?? newCase());
			if (!incumbentScore) continue;
			watch.remaining--;
			const score =
				watch.kind === 'baseline'
					? scoreOf({ results: [state.results[0]], count: state.results[0] ? 1 : 0, skips: 0, done: true })
					: scoreOf(state);
			if (watch.kind === 'baseline') {
				if (watch.baselineCurtail) {
					const state = watch.baselineCurtail;
					if (incumbentScore.accepted === 1) state.remainingLocalAccepted--;
					else state.remainingLocalRejected--;
					if (!score) continue;
					watch.read.push(id);
					readBaselineCurtail(watch, state, score.accepted === 1, incumbentScore.accepted === 1);
					continue;
				}
				if (!watch.baseline) continue;
				addBaselineRemaining(watch.baseline, incumbentScore.accepted, -1);
				if (!score) continue;
				watch.read.push(id);
				readBaseline(watch, watch.baseline, score.accepted - incumbentScore.accepted);
			} else if (watch.curtail) {
				addCurtailRemaining(watch.curtail, incumbentScore, -1);
				if (!score) continue;
				watch.read.push(id);
				readCurtail(watch, watch.curtail, differences(score, incumbentScore));
			} else if (watch.anytime) {
				addAnytimeRemaining(watch.anytime, incumbentScore, -1);
				if (!score) continue;
				watch.read.push(id);
				readAnytime(watch, watch.anytime, differences(score, incumbentScore));
			}
			if (watch.settled) return;
		}
	}

	const settle = (watch: Watch, reason: string, curtail?: CurtailSettlement) => {
		watch.settled = { reason, stopped: watch.pointer < watch.order.length, ...(curtail ? { curtail } : {}) };
	};

	function readCurtail(watch: Watch, state: CurtailState, d: Record<GateMetric, number>): void {
		for (const metric of SIGN_METRICS) {
			if (d[metric] > TIE) state.sign[metric].wins++;
			else if (d[metric] < -TIE) state.sign[metric].losses++;
		}
		state.painRead.push(d.review_pain);
		state.painSum += d.review_pain;
		if (Math.abs(d.review_pain) > TIE) state.painNonZero++;
		const settlement = curtailSettlement(watch, state);
		if (!settlement) return;
		const n = plural(watch.read.length);
		const reason =
			settlement.why === 'worse'
				? `settled: shown worse on ${settlement.metric} after ${n}, whatever the remaining ${settlement.remaining} give`
				: settlement.why === 'not ahead'
					? `settled: cannot get ahead of the incumbent even if every remaining case went its way, after ${n}`
					: `settled: blocked by cost, as it cannot be shown worse even if every remaining case went against it, after ${n}`;
		settle(watch, reason, settlement);
	}

	/** The fixed-sample outcome every completion of the unread cases leads to, when there is one this can prove. */
	function curtailSettlement(watch: Watch, state: CurtailState): CurtailSettlement | undefined {
		const sign = {
			acceptance_rate: signTestCompletions(state.sign.acceptance_rate, alpha),
			hard_failure_rate: signTestCompletions(state.sign.hard_failure_rate, alpha),
		};
		const remaining = watch.remaining;
		const exactPain = state.painNonZero + remaining <= EXACT_SIGN_FLIP_LIMIT;
		// Only the remaining cases' extremes matter; they are rebuilt here, only while the test would be exact.
		const remainingScores = () => {
			const incumbent = incumbents.get(watch.role.role)!;
			const scores: Score[] = [];
			for (let p = watch.pointer; p < watch.order.length; p++) {
				const score = incumbentScoreFor(watch, incumbent.cases.get(watch.order[p]!) ?? newCase());
				if (score) scores.push(score);
			}
			return scores;
		};
		const painPWorseAtBest = exactPain
			? signFlipCompletionPWorse(
					state.painRead,
					remainingScores().map((score) => bestDifferences(score).review_pain),
				)
			: null;
		// The bounds cost O(n) each: computed only for a settlement.
		const bounds = () => ({
			acceptance_rate: signBound(state.sign.acceptance_rate, sign.acceptance_rate.pWorseAtBest),
			review_pain: {
				pWorseAtBest: painPWorseAtBest,
				detail:
					painPWorseAtBest === null
						? `not bounded: a completion would have more than ${EXACT_SIGN_FLIP_LIMIT} non-zero differences (Monte Carlo)`
						: `most favourable completion: the challenger at pain 0 on the ${remaining} unread case(s)`,
			},
			hard_failure_rate: signBound(state.sign.hard_failure_rate, sign.hard_failure_rate.pWorseAtBest),
		});
		const settled = (decided: Pick<CurtailSettlement, 'outcome' | 'why' | 'metric'>): CurtailSettlement => ({
			...decided,
			remaining,
			bounds: bounds(),
		});
		if (sign.acceptance_rate.worseInEvery) return settled({ outcome: 'hold', why: 'worse', metric: 'acceptance_rate' });
		if (painPWorseAtBest !== null && painPWorseAtBest <= alpha) return settled({ outcome: 'hold', why: 'worse', metric: 'review_pain' });
		if (sign.hard_failure_rate.worseInEvery) return settled({ outcome: 'hold', why: 'worse', metric: 'hard_failure_rate' });
		if (watch.costPass) {
			if (!policy.gates.strictly_better_on_one) return undefined;
			const painAheadInNone = (state.painNonZero === 0 && state.painBestPositive === 0) || state.painSum + state.painBestSum < -SUM_MARGIN;
			if (
				sign.acceptance_rate.aheadInNone &&
				sign.hard_failure_rate.aheadInNone &&
				painAheadInNone &&
				(exactPain || alpha <= MONTE_CARLO_FUTILITY_ALPHA)
			)
				return settled({ outcome: 'hold', why: 'not ahead' });
			return undefined;
		}
		if (!exactPain || !sign.acceptance_rate.worseInNone || !sign.hard_failure_rate.worseInNone) return undefined;
		const painPWorseAtWorst = signFlipCompletionPWorse(
			state.painRead,
			remainingScores().map((score) => worstDifferences(score).review_pain),
		);
		if (painPWorseAtWorst !== null && painPWorseAtWorst > alpha) return settled({ outcome: 'blocked: cost', why: 'not worse' });
		return undefined;
	}

	const signBound = (soFar: SignTestSoFar, pWorseAtBest: number) => ({
		pWorseAtBest,
		detail: `read: challenger better on ${plural(soFar.wins)}, incumbent on ${soFar.losses}; of the unread, the challenger could still win ${soFar.winnable}`,
	});

	function readAnytime(watch: Watch, state: AnytimeState, d: Record<GateMetric, number>): void {
		for (const { metric } of METRIC_GATES) {
			observeBet(state.better[metric], d[metric]);
			observeBet(state.worse[metric], -d[metric]);
			state.read[metric].push(d[metric]);
		}
		updateCombined(state.betterOnOne);
		const n = plural(watch.read.length);
		const worse = METRIC_GATES.find(({ metric }) => anytimeP(state.worse[metric]) <= alpha);
		if (worse) return settle(watch, `settled: shown worse on ${worse.metric} after ${n}`);
		if (Math.min(1, Math.exp(-state.betterOnOne.maxLogE)) <= alpha) {
			const best = METRIC_GATES.map(({ metric }) => metric).sort((a, b) => anytimeP(state.better[a]) - anytimeP(state.better[b]))[0]!;
			return settle(watch, `settled: shown better on ${best} after ${n}`);
		}
		// Futility: when no completion of the unread cases could reach 1/α any more, reading on changes nothing.
		const cannotBeBetter =
			reachableCombinedLogE(
				state.betterOnOne,
				METRIC_GATES.map(({ metric }) => state.betterGrowth[metric]),
			) <
			threshold - SUM_MARGIN;
		if (!cannotBeBetter) return;
		if (!policy.gates.strictly_better_on_one) {
			const couldBeWorse = METRIC_GATES.some(
				({ metric }) => reachableLogE(state.worse[metric], state.worseGrowth[metric]) >= threshold - SUM_MARGIN,
			);
			if (couldBeWorse) return;
		}
		settle(watch, `settled: cannot be shown better even if every remaining case went its way, after ${n}`);
	}

	function readBaseline(watch: Watch, state: BaselineState, difference: number): void {
		observeDifference(state.process, difference);
		state.differences.push(difference);
		const { pWithin, pBeyond } = nonInferiorityP(state.process);
		const n = plural(watch.read.length);
		const points = `${(margin * 100).toFixed(1).replace(/\.0$/, '')} points`;
		if (pWithin <= alpha) return settle(watch, `settled: stays local, the incumbent within ${points} of it, after ${n}`);
		if (pBeyond <= alpha) return settle(watch, `settled: the frontier is better by more than ${points}, after ${n}`);
		const reachable =
			reachableLogE(state.process.within, state.withinGrowth) >= threshold - SUM_MARGIN ||
			reachableLogE(state.process.beyond, state.beyondGrowth) >= threshold - SUM_MARGIN;
		if (!reachable) settle(watch, `settled: the remaining cases could not settle it either way, after ${n}`);
	}

	/**
	 * Tango's bounds of (frontier − local) depend only on the discordant counts and n, rising with the cases
	 * only the frontier accepted and falling with those only the local model did: over the unread cases (the
	 * local answer known) their extremes are the completions where the frontier accepts every one or none.
	 * In the escalation role only `stay local` is settled early: any other routing verdict there is weighed
	 * again with the escalated answers and their cost over every paired case.
	 */
	function readBaselineCurtail(watch: Watch, state: BaselineCurtailState, frontierAccepted: boolean, localAccepted: boolean): void {
		const { counts } = state;
		if (frontierAccepted && localAccepted) counts.both++;
		else if (frontierAccepted) counts.onlyFirst++;
		else if (localAccepted) counts.onlySecond++;
		else counts.neither++;
		const remaining = state.remainingLocalAccepted + state.remainingLocalRejected;
		// The frontier accepting every unread case, then none (only b and c matter, so the rest go to `both`/`neither`).
		const best = pairedDifferenceInterval(
			{ ...counts, onlyFirst: counts.onlyFirst + state.remainingLocalRejected, both: counts.both + state.remainingLocalAccepted },
			alpha,
		)!;
		const worst = pairedDifferenceInterval(
			{ ...counts, onlySecond: counts.onlySecond + state.remainingLocalAccepted, neither: counts.neither + state.remainingLocalRejected },
			alpha,
		)!;
		const bounds = { remaining, highestHigh: best.high, highestLow: best.low, lowestHigh: worst.high, lowestLow: worst.low };
		const escalationRole = policy.escalation.enabled && policy.escalation.role === watch.role.role;
		const n = plural(watch.read.length);
		const points = `${(margin * 100).toFixed(1).replace(/\.0$/, '')} points`;
		if (best.high < margin)
			return settleRouting(watch, `settled: stays local whatever the remaining ${remaining} give, after ${n}`, {
				...bounds,
				outcome: 'stay local',
			});
		if (escalationRole) return;
		if (worst.low > margin)
			return settleRouting(
				watch,
				`settled: the frontier is better by more than ${points} whatever the remaining ${remaining} give, after ${n}`,
				{
					...bounds,
					outcome: 'frontier is better',
				},
			);
		if (worst.high >= margin && best.low <= margin)
			settleRouting(watch, `settled: no answers to the remaining ${remaining} could settle it either way, after ${n}`, {
				...bounds,
				outcome: 'hold: not enough evidence',
			});
	}

	function settleRouting(watch: Watch, reason: string, routing: BaselineSettlement): void {
		watch.settled = { reason, stopped: watch.pointer < watch.order.length, routing };
	}

	function record(state: CaseState, result: CaseResult, repeats: number): boolean {
		if (state.done || result.repeat >= repeats || state.results[result.repeat]) return false;
		state.results[result.repeat] = result;
		state.count++;
		state.done = state.count + state.skips >= repeats;
		return state.done;
	}

	function finishedIncumbentCase(incumbent: Incumbent): void {
		incumbent.pending--;
		if (incumbent.pending > 0) return;
		for (const watch of incumbent.watches) {
			if (mode !== 'off') start(watch, incumbent);
			advance(watch);
		}
	}

	return {
		mode,
		observe(result) {
			const incumbent = incumbents.get(result.role);
			if (!incumbent) return;
			if (result.model === incumbent.model) {
				const state = incumbent.cases.get(result.case_id);
				if (state && record(state, result, input.repeats)) finishedIncumbentCase(incumbent);
				return;
			}
			const watch = watches.get(key(result.role, result.model));
			const state = watch?.cases.get(result.case_id);
			if (!watch || !state) return;
			if (record(state, result, repeatsOf(watch))) advance(watch);
		},
		skip(role, model, caseId) {
			const incumbent = incumbents.get(role);
			if (!incumbent) return;
			const watch = model === incumbent.model ? undefined : watches.get(key(role, model));
			const state = model === incumbent.model ? incumbent.cases.get(caseId) : watch?.cases.get(caseId);
			if (!state || state.done) return;
			state.skips++;
			state.done = state.count + state.skips >= (watch ? repeatsOf(watch) : input.repeats);
			if (!state.done) return;
			if (watch) advance(watch);
			else finishedIncumbentCase(incumbent);
		},
		goOn(role, model) {
			if (mode === 'off') return true;
			return watches.get(key(role, model))?.settled === undefined;
		},
		stops() {
			return [...watches.values()]
				.sort((a, b) => a.role.role.localeCompare(b.role.role) || a.model.localeCompare(b.model))
				.map((watch) => {
					const snapshot = evidenceOf(watch);
					return {
						role: watch.role.role,
						model: watch.model,
						kind: watch.kind,
						answered: [...watch.cases.values()].filter((state) => state.count > 0).length,
						read: watch.read.length,
						planned: watch.order.length,
						stopped: snapshot.stopped,
						reason: snapshot.reason,
						test: snapshot.test,
					};
				});
		},
		evidence(role, model) {
			const watch = watches.get(key(role, model));
			return watch ? evidenceOf(watch) : undefined;
		},
	};

	function evidenceOf(watch: Watch): SequentialEvidence {
		const test =
			watch.kind === 'baseline'
				? mode === 'anytime'
					? anytimeBaselineTest(margin)
					: mode === 'curtail'
						? CURTAIL_BASELINE_TEST
						: 'none: evidence.sequential is off'
				: NOT_STOPPED_TEST[mode];
		const snapshot: SequentialEvidence = {
			mode,
			kind: watch.kind,
			read: [...watch.read],
			planned: watch.order.length,
			stopped: watch.settled?.stopped ?? false,
			reason: watch.settled?.reason ?? 'ran every case',
			test,
			...(watch.settled?.curtail ? { curtail: watch.settled.curtail } : {}),
			...(watch.settled?.routing ? { routing: watch.settled.routing } : {}),
		};
		if (watch.anytime) {
			const state = watch.anytime;
			snapshot.anytime = {
				metrics: perMetric((metric) => {
					const xs = state.read[metric];
					const mean = xs.length > 0 ? xs.reduce((sum, x) => sum + x, 0) / xs.length : 0;
					return {
						metric,
						paired: xs.length,
						pBetter: anytimeP(state.better[metric]),
						pWorse: anytimeP(state.worse[metric]),
						mean,
						casesToShowBetter: mean > TIE ? casesToSettleByBetting(xs, alpha) : null,
					};
				}),
				pBetterOnOne: Math.min(1, Math.exp(-state.betterOnOne.maxLogE)),
			};
		}
		if (watch.baseline) {
			const state = watch.baseline;
			const { pWithin, pBeyond } = nonInferiorityP(state.process);
			snapshot.nonInferiority = {
				margin,
				pWithin,
				pBeyond,
				difference: state.process.cases > 0 ? state.process.sum / state.process.cases : 0,
				casesToSettle: casesToSettleNonInferiority(state.differences, margin, alpha),
			};
		}
		return snapshot;
	}
}
