// `npm run perf -- --only 8`: do the sequential modes (evidence.sequential: curtail, anytime) keep the
// verdicts and the error rates of a full run, and what do they save? Simulated runs through the real
// policy code — computeMetrics, decideRun, createStopRule — on outcomes drawn from known true rates:
// one incumbent and eight challengers (two families, so the diversity guard never decides), roles of
// 50, 120 and 500 cases, challengers from equal to 30 points apart, better and worse. Each run is
// decided three ways on the same drawn outcomes: the full run (every model every case, mode `off`),
// and per mode the incumbent on every case and each challenger only while the stop rule goes on.
import { computeMetrics } from '../src/lib/metrics/compute-metrics.ts';
import { seededRandom } from '../src/lib/metrics/seeded-random.ts';
import { decideRun } from '../src/lib/policy/decide-run.ts';
import { type StopRule, createStopRule } from '../src/lib/policy/sequential-stop.ts';
import type { Model } from '../src/lib/schema/model.ts';
import { type Policy, PolicySchema, type SequentialMode } from '../src/lib/schema/policy.ts';
import type { CaseResult, Report, Verdict } from '../src/lib/schema/report.ts';
import type { Role } from '../src/lib/schema/role.ts';
import type { Severity } from '../src/lib/schema/common.ts';
import { caseResult } from '../testing/case-result.ts';

/** The stopping modes simulated against the full run. */
export type StoppingMode = Exclude<SequentialMode, 'off'>;
export const STOPPING_MODES: readonly StoppingMode[] = ['curtail', 'anytime'];

/** One simulated setting: a role of `cases` cases, the incumbent's true acceptance rate and each challenger's. */
export interface Scenario {
	name: string;
	cases: number;
	incumbent: number;
	/** True acceptance rate of each of the eight challengers, in the order they are asked. */
	challengers: readonly number[];
}

/** The incumbent's true acceptance rate: the middle, so 30 points either way stay inside (0, 1). */
export const INCUMBENT_RATE = 0.5;
export const ROLE_SIZES = [50, 120, 500] as const;

/**
 * The scenarios at one role size: every challenger equal to the incumbent; four 10, 20 and 30 points
 * better and four as much worse; and a spread from 30 worse to 30 better with two equal.
 */
export function scenariosFor(cases: number): Scenario[] {
	const p = INCUMBENT_RATE;
	const apart = (points: number) => [...Array<number>(4).fill(p + points / 100), ...Array<number>(4).fill(p - points / 100)];
	return [
		{ name: 'equal', cases, incumbent: p, challengers: Array<number>(8).fill(p) },
		{ name: '±10 points', cases, incumbent: p, challengers: apart(10) },
		{ name: '±20 points', cases, incumbent: p, challengers: apart(20) },
		{ name: '±30 points', cases, incumbent: p, challengers: apart(30) },
		{ name: 'spread −30…+30', cases, incumbent: p, challengers: [-30, -20, -10, 0, 0, 10, 20, 30].map((points) => p + points / 100) },
	].map((scenario) => ({ ...scenario, challengers: scenario.challengers.map((rate) => Math.round(rate * 100) / 100) }));
}

/** How the outcomes are drawn (the same for every model; only the acceptance rate differs). */
export const OUTCOMES = {
	/** Share of a model's answers on a case that follow the case's shared difficulty (the rest are independent draws). */
	caseCorrelation: 0.5,
	/** Share of the answers not accepted that fail hard (the rest are rejected). */
	hardShareOfFailures: 0.25,
	/** Quality of an accepted answer: review pain 0 or 0.25. */
	acceptedQuality: [1, 0.75],
	/** Quality of a rejected answer: review pain 0.5 to 1 on graded steps. */
	rejectedQuality: [0.5, 0.25, 0],
	/** Severity shares of the cases (low, medium, high, critical). */
	severities: [
		['low', 0.4],
		['medium', 0.3],
		['high', 0.2],
		['critical', 0.1],
	] as const satisfies readonly (readonly [Severity, number])[],
} as const;

const ROLE = 'r';
export const INCUMBENT = 'inc:1b';
export const CHALLENGERS = Array.from({ length: 8 }, (_, i) => `c${i + 1}:1b`);

/** Incumbent in family a, challengers alternating b, a, b, …: any promotion leaves two families. */
export const SIM_MODELS: Model[] = [INCUMBENT, ...CHALLENGERS].map((id, i) => ({
	id,
	family: i % 2 === 0 ? 'fam-a' : 'fam-b',
	cost_tier: 'free',
	provider: 'ollama',
}));
const SIM_ROLE: Role = { role: ROLE, description: 'simulated', incumbent: INCUMBENT, challengers: CHALLENGERS, retired: [] };

/** The project's default policy (benchmarks/policy.yaml's evidence and gates), in the given mode. */
export function simulationPolicy(mode: SequentialMode, alpha = 0.05): Policy {
	return PolicySchema.parse({
		gates: { cost_tier: 'free-unless-incumbent-paid', strictly_better_on_one: true },
		diversity: { min_families: 2 },
		evidence: { min_cases_per_role: 1, alpha, confirm_runs: 1, sequential: mode },
		severity_weights: {},
		run: { num_ctx: 8192, num_predict: 512, seed: 1, call_timeout_s: 60, stall_timeout_s: 30 },
		retirement: {},
		escalation: { tasks: ['code-review'], chain: [{ provider: 'ollama', model: 'big:1b' }], max_frontier_calls_per_run: 0 },
	});
}

/** A 32-bit mix of the seed, the scenario and the run, so every run draws its own stream. */
function runSeed(seed: number, scenario: Scenario, run: number): number {
	let h = (seed ^ 0x9e3779b9) >>> 0;
	for (const part of [scenario.cases, ...scenario.name].map((c) => (typeof c === 'number' ? c : c.charCodeAt(0))).concat(run)) {
		h = Math.imul(h ^ part, 0x85ebca6b) >>> 0;
		h = (h ^ (h >>> 13)) >>> 0;
	}
	return h;
}

/** One run's drawn outcomes: every model's graded answer to every case, and the cases in asking order. */
export interface DrawnRun {
	cases: { id: string; severity: Severity }[];
	/** Per model, its results in case order. */
	results: Map<string, CaseResult[]>;
}

/**
 * Draws every model's answer to every case: a case has a shared difficulty u; a model's answer follows
 * it with probability `caseCorrelation` (else an independent draw) and is accepted when that draw is
 * below the model's rate, so each model's acceptance rate is its true rate and models agree on the easy
 * and hard cases more often than chance. An answer not accepted fails hard with `hardShareOfFailures`.
 * Quality (review pain = 1 − quality, 1 for a hard failure) is drawn on graded steps consistent with the
 * outcome. Each case carries its own severity.
 */
export function drawRun(scenario: Scenario, seed: number, run: number): DrawnRun {
	const random = seededRandom(runSeed(seed, scenario, run));
	const pick = <T>(list: readonly T[]): T => list[Math.min(list.length - 1, Math.floor(random() * list.length))]!;
	const cases = Array.from({ length: scenario.cases }, (_, i) => {
		let draw = random();
		let severity: Severity = 'low';
		for (const [name, share] of OUTCOMES.severities) {
			severity = name;
			if ((draw -= share) < 0) break;
		}
		return { id: `c${String(i).padStart(4, '0')}`, severity, difficulty: random() };
	});
	const rates = new Map([[INCUMBENT, scenario.incumbent], ...CHALLENGERS.map((id, i) => [id, scenario.challengers[i]!] as const)]);
	const results = new Map<string, CaseResult[]>();
	for (const [model, rate] of rates) {
		results.set(
			model,
			cases.map((testCase) => {
				const u = random() < OUTCOMES.caseCorrelation ? testCase.difficulty : random();
				const outcome: CaseResult['outcome'] =
					u < rate ? 'accepted' : random() < OUTCOMES.hardShareOfFailures ? 'hard-failure' : 'rejected';
				const quality =
					outcome === 'accepted' ? pick(OUTCOMES.acceptedQuality) : outcome === 'rejected' ? pick(OUTCOMES.rejectedQuality) : 0;
				return simulatedResult(model, testCase.id, testCase.severity, outcome, quality);
			}),
		);
	}
	return { cases: cases.map(({ id, severity }) => ({ id, severity })), results };
}

/** A graded answer as a run's results sidecar holds it (the fields the metrics and the policy read). */
function simulatedResult(model: string, caseId: string, severity: Severity, outcome: CaseResult['outcome'], quality: number): CaseResult {
	const hard = outcome === 'hard-failure';
	return caseResult({
		role: ROLE,
		model,
		case_id: caseId,
		severity,
		outcome,
		failure_class: hard ? 'timeout' : null,
		failure_message: hard ? 'timed out' : null,
		quality,
		output: hard ? '' : 'answer',
		latency_ms: hard ? null : 1000,
	});
}

const MANIFEST = { repeats: 1, models: [] } as unknown as Report['manifest'];

/** decideRun on these results, as the pipeline calls it (no history, no invalid grader, nothing not run). */
function decide(run: DrawnRun, results: CaseResult[], policy: Policy, sequential?: StopRule): Verdict[] {
	const metrics = computeMetrics(results, new Map([[ROLE, run.cases]]), policy.severity_weights, 1);
	return decideRun({
		roles: [SIM_ROLE],
		models: SIM_MODELS,
		casesPerRole: new Map([[ROLE, run.cases.length]]),
		metrics,
		results,
		policy,
		history: [],
		manifest: MANIFEST,
		...(sequential ? { sequential } : {}),
	}).verdicts;
}

/** What one challenger's verdict says, finer than its outcome. */
export type Settled = 'promote' | 'eligible' | 'shown worse' | 'undecided';
function kindOf(verdict: Verdict): Settled {
	if (verdict.outcome === 'promote') return 'promote';
	const metricFailed = verdict.gates.some(
		(gate) => !gate.pass && ['acceptance_rate', 'review_pain', 'hard_failure_rate'].includes(gate.gate),
	);
	if (metricFailed) return 'shown worse';
	// Passes every gate, outranked by the promoted one.
	if (verdict.outcome === 'hold' && verdict.gates.every((gate) => gate.pass)) return 'eligible';
	return 'undecided';
}

/** A verdict as a decision: shown better and passing every gate (promoted or outranked), or its outcome. */
const decisionOf = (verdict: Verdict, kind: Settled) => (kind === 'promote' || kind === 'eligible' ? 'better' : verdict.outcome);

/** One run decided in full and per mode. */
export interface RunOutcome {
	full: Verdict[];
	modes: Partial<Record<StoppingMode, { verdicts: Verdict[]; answered: number[] }>>;
}

export function simulateRun(scenario: Scenario, seed: number, run: number, modes: readonly StoppingMode[], alpha: number): RunOutcome {
	const drawn = drawRun(scenario, seed, run);
	const all = [...drawn.results.values()].flat();
	const full = decide(drawn, all, simulationPolicy('off', alpha));
	const outcome: RunOutcome = { full, modes: {} };
	for (const mode of modes) outcome.modes[mode] = simulateMode(drawn, mode, alpha);
	return outcome;
}

/**
 * One run in a stopping mode, as a run asks: the incumbent answers every case, then each challenger in
 * turn answers the cases in the fixed order while the stop rule goes on, every result observed; then
 * decideRun on the results asked, with the rule.
 */
function simulateMode(drawn: DrawnRun, mode: StoppingMode, alpha: number): { verdicts: Verdict[]; answered: number[] } {
	const policy = simulationPolicy(mode, alpha);
	const order = drawn.cases.map((testCase) => testCase.id);
	const rule = createStopRule({
		roles: [SIM_ROLE],
		policy,
		catalog: new Map(SIM_MODELS.map((model) => [model.id, model])),
		order: () => order,
		repeats: 1,
	});
	const asked: CaseResult[] = [];
	const ask = (result: CaseResult) => {
		asked.push(result);
		rule.observe(result);
	};
	for (const result of drawn.results.get(INCUMBENT)!) ask(result);
	const answered = CHALLENGERS.map((challenger) => {
		let count = 0;
		for (const result of drawn.results.get(challenger)!) {
			if (!rule.goOn(ROLE, challenger)) break;
			ask(result);
			count++;
		}
		return count;
	});
	return { verdicts: decide(drawn, asked, policy, rule), answered };
}

/** The figures of one scenario over its runs. */
export interface ScenarioFigures {
	scenario: Scenario;
	runs: number;
	seconds: number;
	full: ModeFigures;
	modes: Partial<Record<StoppingMode, ModeFigures>>;
}

export interface ModeFigures {
	/** Challenger calls made ÷ the full run's (8 × cases). */
	callShare: number;
	/** Challenger verdicts whose outcome equals the full run's, ÷ all challenger verdicts. */
	agreeVerdicts: number;
	/** Runs where every challenger's outcome equals the full run's. */
	agreeRuns: number;
	/** Among the challenger verdicts the full run settles (promote, or hold shown worse): same outcome. */
	agreeSettled: { agree: number; of: number };
	/**
	 * The same, by decision rather than outcome: "shown better and passing every gate" whether promoted or
	 * only outranked by another such challenger (which of several equally good challengers ranks first is
	 * decided by their point estimates, so it can differ between two reads of the same evidence).
	 */
	agreeSettledDecision: { agree: number; of: number };
	/** Equal challengers shown better and passing every gate (promoted, or only outranked): per challenger. */
	falsePromotion: { count: number; of: number };
	/** Runs in which an equal challenger was promoted. */
	falsePromotionRuns: { count: number; of: number };
	/** Better challengers (by 10, 20, 30 points) shown better and passing every gate. */
	power: Record<number, { count: number; of: number }>;
	/** Worse challengers shown worse. */
	shownWorse: Record<number, { count: number; of: number }>;
}

function emptyFigures(): ModeFigures {
	return {
		callShare: 0,
		agreeVerdicts: 0,
		agreeRuns: 0,
		agreeSettled: { agree: 0, of: 0 },
		agreeSettledDecision: { agree: 0, of: 0 },
		falsePromotion: { count: 0, of: 0 },
		falsePromotionRuns: { count: 0, of: 0 },
		power: {},
		shownWorse: {},
	};
}

/** Adds one run's verdicts (and calls) to the tallies; `full` is the full run's verdicts to agree with. */
function tally(figures: ModeFigures, scenario: Scenario, verdicts: Verdict[], full: Verdict[], answered: number[]): void {
	figures.callShare += answered.reduce((sum, n) => sum + n, 0) / (CHALLENGERS.length * scenario.cases);
	let allAgree = true;
	let equalPromoted = false;
	let hasEqual = false;
	CHALLENGERS.forEach((id, i) => {
		const verdict = verdicts.find((v) => v.challenger === id)!;
		const reference = full.find((v) => v.challenger === id)!;
		const agree = verdict.outcome === reference.outcome;
		if (agree) figures.agreeVerdicts++;
		else allAgree = false;
		const referenceKind = kindOf(reference);
		const kind = kindOf(verdict);
		if (referenceKind === 'promote' || referenceKind === 'shown worse') {
			figures.agreeSettled.of++;
			if (agree) figures.agreeSettled.agree++;
			figures.agreeSettledDecision.of++;
			if (decisionOf(verdict, kind) === decisionOf(reference, referenceKind)) figures.agreeSettledDecision.agree++;
		}
		const points = Math.round((scenario.challengers[i]! - scenario.incumbent) * 100);
		if (points === 0) {
			hasEqual = true;
			figures.falsePromotion.of++;
			if (kind === 'promote' || kind === 'eligible') figures.falsePromotion.count++;
			if (kind === 'promote') equalPromoted = true;
		} else if (points > 0) {
			const entry = (figures.power[points] ??= { count: 0, of: 0 });
			entry.of++;
			if (kind === 'promote' || kind === 'eligible') entry.count++;
		} else {
			const entry = (figures.shownWorse[-points] ??= { count: 0, of: 0 });
			entry.of++;
			if (kind === 'shown worse') entry.count++;
		}
	});
	if (allAgree) figures.agreeRuns++;
	if (hasEqual) {
		figures.falsePromotionRuns.of++;
		if (equalPromoted) figures.falsePromotionRuns.count++;
	}
}

/** Runs `runs` seeded runs of one scenario, full and in each mode, and tallies them. */
export function simulateScenario(
	scenario: Scenario,
	options: { runs: number; seed: number; modes: readonly StoppingMode[]; alpha?: number },
): ScenarioFigures {
	const started = performance.now();
	const alpha = options.alpha ?? 0.05;
	const full = emptyFigures();
	const modes: Partial<Record<StoppingMode, ModeFigures>> = {};
	for (const mode of options.modes) modes[mode] = emptyFigures();
	for (let run = 0; run < options.runs; run++) {
		const outcome = simulateRun(scenario, options.seed, run, options.modes, alpha);
		tally(full, scenario, outcome.full, outcome.full, Array<number>(CHALLENGERS.length).fill(scenario.cases));
		for (const mode of options.modes) {
			const result = outcome.modes[mode]!;
			tally(modes[mode]!, scenario, result.verdicts, outcome.full, result.answered);
		}
	}
	for (const figures of [full, ...Object.values(modes)]) {
		figures.callShare /= options.runs;
		figures.agreeVerdicts /= options.runs * CHALLENGERS.length;
		figures.agreeRuns /= options.runs;
	}
	return { scenario, runs: options.runs, seconds: (performance.now() - started) / 1000, full, modes };
}

/** Every scenario at every role size, in order. */
export function allScenarios(sizes: readonly number[] = ROLE_SIZES): Scenario[] {
	return sizes.flatMap((cases) => scenariosFor(cases));
}

/** The whole simulation: every scenario, `runs` seeded runs each, full and in every stopping mode. */
export function measureSequential(options: {
	runs: number;
	seed?: number;
	modes?: readonly StoppingMode[];
	alpha?: number;
	scenarios?: readonly Scenario[];
	log?: (line: string) => void;
}): { runs: number; seed: number; alpha: number; seconds: number; scenarios: ScenarioFigures[] } {
	const started = performance.now();
	const seed = options.seed ?? 27;
	const alpha = options.alpha ?? 0.05;
	const scenarios = (options.scenarios ?? allScenarios()).map((scenario) => {
		const figures = simulateScenario(scenario, { runs: options.runs, seed, modes: options.modes ?? STOPPING_MODES, alpha });
		options.log?.(`sequential: ${scenario.cases} cases, ${scenario.name}: ${options.runs} runs in ${figures.seconds.toFixed(1)} s`);
		return figures;
	});
	return { runs: options.runs, seed, alpha, seconds: (performance.now() - started) / 1000, scenarios };
}

const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
const share = ({ count, of }: { count: number; of: number }) => (of === 0 ? '—' : percent(count / of));

/** The figures as a plain-text table: one line per role size, scenario and mode (the full run first). */
export function simulationTable(scenarios: readonly ScenarioFigures[]): string[] {
	const header = [
		'cases',
		'scenario',
		'mode',
		'calls',
		'same outcome (verdicts)',
		'same (runs)',
		'same where full settles',
		'same decision there',
		'false promotion /challenger',
		'/run',
		'power +10',
		'+20',
		'+30',
		'shown worse −10',
		'−20',
		'−30',
	];
	const lines: string[][] = [];
	for (const { scenario, full, modes } of scenarios) {
		for (const [mode, f] of [['off (full)', full] as const, ...Object.entries(modes)]) {
			lines.push([
				String(scenario.cases),
				scenario.name,
				mode,
				percent(f.callShare),
				percent(f.agreeVerdicts),
				percent(f.agreeRuns),
				f.agreeSettled.of === 0 ? '—' : `${percent(f.agreeSettled.agree / f.agreeSettled.of)} of ${f.agreeSettled.of}`,
				share({ count: f.agreeSettledDecision.agree, of: f.agreeSettledDecision.of }),
				share(f.falsePromotion),
				share(f.falsePromotionRuns),
				...[10, 20, 30].map((points) => share(f.power[points] ?? { count: 0, of: 0 })),
				...[10, 20, 30].map((points) => share(f.shownWorse[points] ?? { count: 0, of: 0 })),
			]);
		}
	}
	const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
	const format = (cells: readonly string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
	return [format(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...lines.map(format)];
}

/** Adds up a figure over scenarios. */
function pooled(scenarios: readonly ScenarioFigures[], mode: StoppingMode, pick: (f: ModeFigures) => { count: number; of: number }) {
	return scenarios.reduce(
		(sum, s) => {
			const f = s.modes[mode];
			if (!f) return sum;
			const { count, of } = pick(f);
			return { count: sum.count + count, of: sum.of + of };
		},
		{ count: 0, of: 0 },
	);
}

/** One goal of the issue, measured. */
export interface SimulationGoal {
	figure: string;
	value: number;
	shown: string;
	goal: string;
	met: boolean;
}

/**
 * The goals, per role size: `curtail` gives every challenger the full run's outcome in every run;
 * `anytime` promotes an equal challenger (shown better and passing every gate) in at most `alpha` of
 * equal challengers, gives the full run's outcome to ≥ 95 % of the verdicts the full run settles
 * (promote, or hold shown worse), and asks at most half the full run's challenger calls where the
 * challengers are 20 or 30 points apart.
 */
export function simulationGoals(result: { alpha: number; scenarios: readonly ScenarioFigures[] }): SimulationGoal[] {
	const goals: SimulationGoal[] = [];
	const sizes = [...new Set(result.scenarios.map((s) => s.scenario.cases))];
	for (const cases of sizes) {
		const here = result.scenarios.filter((s) => s.scenario.cases === cases);
		const runs = here.reduce((sum, s) => sum + s.runs, 0);
		if (here.some((s) => s.modes.curtail)) {
			const identical = here.reduce((sum, s) => sum + (s.modes.curtail?.agreeRuns ?? 0) * s.runs, 0) / runs;
			goals.push({
				figure: `curtail, ${cases} cases: runs with every challenger's outcome as in the full run (${runs} runs)`,
				value: identical,
				shown: percent(identical),
				goal: '100 %',
				met: identical === 1,
			});
		}
		if (!here.some((s) => s.modes.anytime)) continue;
		const equal = here.filter((s) => s.scenario.name === 'equal');
		const falsePromotion = pooled(equal, 'anytime', (f) => f.falsePromotion);
		goals.push({
			figure: `anytime, ${cases} cases: false promotion per equal challenger (${falsePromotion.of} challengers)`,
			value: falsePromotion.count / falsePromotion.of,
			shown: share(falsePromotion),
			goal: `≤ ${percent(result.alpha)} (alpha)`,
			met: falsePromotion.count / falsePromotion.of <= result.alpha,
		});
		const settled = pooled(here, 'anytime', (f) => ({ count: f.agreeSettled.agree, of: f.agreeSettled.of }));
		goals.push({
			figure: `anytime, ${cases} cases: same outcome where the full run settles (${settled.of} verdicts)`,
			value: settled.count / settled.of,
			shown: share(settled),
			goal: '≥ 95 %',
			met: settled.count / settled.of >= 0.95,
		});
		const decided = pooled(here, 'anytime', (f) => ({ count: f.agreeSettledDecision.agree, of: f.agreeSettledDecision.of }));
		goals.push({
			figure: `anytime, ${cases} cases: same decision there (promoted ≡ passes every gate but outranked)`,
			value: decided.count / decided.of,
			shown: share(decided),
			goal: '≥ 95 %',
			met: decided.count / decided.of >= 0.95,
		});
		for (const s of here.filter((s) => s.scenario.name === '±20 points' || s.scenario.name === '±30 points')) {
			const calls = s.modes.anytime!.callShare;
			goals.push({
				figure: `anytime, ${cases} cases, ${s.scenario.name}: challenger calls ÷ the full run's`,
				value: calls,
				shown: percent(calls),
				goal: '≤ 50 %',
				met: calls <= 0.5,
			});
		}
	}
	return goals;
}
