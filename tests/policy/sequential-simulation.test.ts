import { describe, expect, it } from 'vitest';
import {
	CHALLENGERS,
	INCUMBENT,
	OUTCOMES,
	type ScenarioFigures,
	drawRun,
	measureSequential,
	scenariosFor,
	simulateScenario,
	simulationGoals,
} from '../../bench/sequential-simulation.ts';

// The simulation of `npm run perf -- --only 8` with fewer seeded runs: the same scenarios, the same real
// policy code, the same goals, with a tolerance of about two standard errors of the smaller sample.

const ALPHA = 0.05;
const scenario = (cases: number, name: string) => scenariosFor(cases).find((s) => s.name === name)!;

describe('the drawn outcomes', () => {
	it('have each model’s true acceptance rate, the hard-failure share, and the paired agreement the correlation gives', () => {
		const setting = scenario(120, 'spread −30…+30');
		const runs = 150;
		const accepted = new Map<string, number>();
		let notAccepted = 0;
		let hard = 0;
		let discordant = 0;
		let equalPairs = 0;
		const equal = CHALLENGERS.filter((_, i) => setting.challengers[i] === setting.incumbent);
		for (let run = 0; run < runs; run++) {
			const drawn = drawRun(setting, 1, run);
			for (const [model, results] of drawn.results) {
				for (const result of results) {
					if (result.outcome === 'accepted') accepted.set(model, (accepted.get(model) ?? 0) + 1);
					else notAccepted++;
					if (result.outcome === 'hard-failure') hard++;
					// Review pain consistent with the outcome: low when accepted, high when rejected, 1 for a hard failure.
					const pain = result.outcome === 'hard-failure' ? 1 : 1 - result.quality;
					expect(result.outcome === 'accepted' ? pain <= 0.25 : pain >= 0.5).toBe(true);
				}
			}
			const incumbent = drawn.results.get(INCUMBENT)!;
			for (const model of equal) {
				drawn.results.get(model)!.forEach((result, i) => {
					equalPairs++;
					if ((result.outcome === 'accepted') !== (incumbent[i]!.outcome === 'accepted')) discordant++;
				});
			}
		}
		const total = runs * setting.cases;
		const rates = [setting.incumbent, ...setting.challengers];
		[INCUMBENT, ...CHALLENGERS].forEach((model, i) => {
			// Standard error at 18,000 draws ≤ 0.004.
			expect(Math.abs((accepted.get(model) ?? 0) / total - rates[i]!), model).toBeLessThan(0.012);
		});
		expect(Math.abs(hard / notAccepted - OUTCOMES.hardShareOfFailures)).toBeLessThan(0.01);
		// Two equal models (p = ½) disagree unless both follow the shared difficulty: (1 − ρ²) · 2p(1 − p).
		const expected = (1 - OUTCOMES.caseCorrelation ** 2) * 2 * setting.incumbent * (1 - setting.incumbent);
		expect(Math.abs(discordant / equalPairs - expected)).toBeLessThan(0.015);
	});

	it('are the same for the same seed and differ between runs', () => {
		const setting = scenario(50, 'equal');
		expect(drawRun(setting, 3, 7)).toEqual(drawRun(setting, 3, 7));
		expect(drawRun(setting, 3, 7)).not.toEqual(drawRun(setting, 3, 8));
	});
});

describe('the full run (every model every case, as today)', () => {
	it('promotes an equal challenger (or passes it through every gate) in at most α of comparisons, within two standard errors', () => {
		const { full } = simulateScenario(scenario(120, 'equal'), { runs: 100, seed: 5, modes: [] });
		// "Strictly better on one" of three tests is one claim at α (800 equal challengers, SE of 5 % ≈ 0.8 %).
		expect(full.falsePromotion.count / full.falsePromotion.of).toBeLessThanOrEqual(ALPHA + 2 * Math.sqrt((ALPHA * (1 - ALPHA)) / 800));
		expect(full.falsePromotion.count).toBeGreaterThan(0);
	});

	it('shows a challenger 30 points better as better, and 30 points worse as worse, at 120 cases', () => {
		const { full } = simulateScenario(scenario(120, '±30 points'), { runs: 40, seed: 5, modes: [] });
		expect(full.power[30]!.count / full.power[30]!.of).toBeGreaterThan(0.95);
		expect(full.shownWorse[30]!.count / full.shownWorse[30]!.of).toBeGreaterThan(0.95);
		expect(full.agreeRuns).toBe(1);
		expect(full.callShare).toBe(1);
	});
});

describe('the stopping modes against the full run (the issue’s goals, fewer runs)', () => {
	// Per role size: the equal scenario with enough runs for the false-promotion rate (at 120 cases 800 equal
	// challengers, SE of a 5 % rate 0.8 %; at 500 cases 400, SE 1.1 %), 30 runs of the others.
	const sizes = { 120: 100, 500: 50 } as const;
	const cache = new Map<number, { alpha: number; scenarios: ScenarioFigures[] }>();
	const simulated = (cases: keyof typeof sizes) => {
		let result = cache.get(cases);
		if (!result) {
			const scenarios = scenariosFor(cases).filter((s) => s.name !== '±10 points');
			result = {
				alpha: ALPHA,
				scenarios: scenarios.map(
					(s) => measureSequential({ runs: s.name === 'equal' ? sizes[cases] : 30, seed: 11, alpha: ALPHA, scenarios: [s] }).scenarios[0]!,
				),
			};
			cache.set(cases, result);
		}
		return result;
	};
	const goal = (cases: keyof typeof sizes, words: string) => {
		const found = simulationGoals(simulated(cases)).filter((g) => g.figure.includes(words));
		expect(found.length, words).toBeGreaterThan(0);
		return found;
	};
	const standardError = (rate: number, n: number) => Math.sqrt((rate * (1 - rate)) / n);

	describe.each([120, 500] as const)('%i cases', (cases) => {
		it('curtail: every challenger’s outcome is the full run’s, in every run', () => {
			for (const figures of simulated(cases).scenarios) {
				expect(figures.modes.curtail!.agreeRuns, figures.scenario.name).toBe(1);
			}
		});

		it('anytime: an equal challenger passes every gate in at most α of cases, within two standard errors', () => {
			for (const g of goal(cases, 'false promotion')) {
				expect(g.value, g.figure).toBeLessThanOrEqual(ALPHA + 2 * standardError(ALPHA, 8 * sizes[cases]));
			}
		});

		it('anytime: asks at most half the full run’s challenger calls where challengers are 20 or 30 points apart', () => {
			const calls = goal(cases, 'calls');
			expect(calls).toHaveLength(2);
			for (const g of calls) expect(g.value, g.figure).toBeLessThanOrEqual(0.5 + 0.02);
		});
	});

	it('anytime: the same decision as the full run (promoted or only outranked) on ≥ 95 % of the verdicts it settles, within two SE', () => {
		for (const cases of [120, 500] as const) {
			for (const g of goal(cases, 'same decision')) expect(g.value, g.figure).toBeGreaterThanOrEqual(0.95 - 2 * standardError(0.95, 500));
		}
	});

	// Not met (docs/performance.md has the figures of 1,000 runs): the same outcome, counted strictly, stays at
	// about 90 %, because which of several equally good challengers ranks first (and is promoted) rests on
	// point estimates over fewer cases for one stopped early. Written as expected failures: should the policy
	// meet it, the test says so and becomes an ordinary test.
	it.fails('anytime, 120 cases: gives the full run’s outcome to ≥ 95 % of the verdicts it settles (within two SE)', () => {
		for (const g of goal(120, 'same outcome where')) expect(g.value, g.figure).toBeGreaterThanOrEqual(0.95 - 2 * standardError(0.95, 500));
	});
	it.fails('anytime, 500 cases: gives the full run’s outcome to ≥ 95 % of the verdicts it settles (within two SE)', () => {
		for (const g of goal(500, 'same outcome where')) expect(g.value, g.figure).toBeGreaterThanOrEqual(0.95 - 2 * standardError(0.95, 500));
	});
});
