import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/lib/metrics/seeded-random.ts';
import { decideRun } from '../../src/lib/policy/decide-run.ts';
import { decideRole } from '../../src/lib/policy/decide-verdicts.ts';
import { createStopRule, type StopRule } from '../../src/lib/policy/sequential-stop.ts';
import { type RouteInput, routeRole } from '../../src/lib/policy/route-role.ts';
import { costSummary } from '../../src/lib/metrics/cost.ts';
import { signTest } from '../../src/lib/metrics/paired-tests.ts';
import type { Policy, SequentialMode } from '../../src/lib/schema/policy.ts';
import type { CaseResult, Report, Verdict } from '../../src/lib/schema/report.ts';
import type { Role } from '../../src/lib/schema/role.ts';
import { caseResult } from '../../testing/case-result.ts';
import { answers, letters, metricsOf, model, policy, role } from './support.ts';

const catalog = new Map(
	[
		model('inc:1b', 'fam-a'),
		model('c1:1b', 'fam-b'),
		model('c2:1b', 'fam-c'),
		model('paid:1b', 'fam-d', 'paid'),
		model('frontier', 'fam-f', 'paid'),
	].map((m) => [m.id, m]),
);
const manifest = { repeats: 1, models: [] } as unknown as Report['manifest'];
const withMode = (mode: SequentialMode, p: Policy = policy, extra: Partial<Policy['evidence']> = {}): Policy => ({
	...p,
	evidence: { ...p.evidence, sequential: mode, ...extra },
});
const ids = (n: number) => Array.from({ length: n }, (_, i) => `c${String(i).padStart(3, '0')}`);

/**
 * A run as the run stage drives it: the incumbent answers every case first, then each challenger its
 * cases in order for as long as the rule says go on. Returns the results asked and the rule.
 */
function drive(r: Role, scripts: Record<string, string>, p: Policy, order?: readonly string[]) {
	const n = scripts[r.incumbent]!.split('|')[0]!.length;
	const caseOrder = order ?? ids(n);
	const rule = createStopRule({ roles: [r], policy: p, catalog, order: () => caseOrder, repeats: 1 });
	const asked: CaseResult[] = [];
	for (const result of answers(r.incumbent, scripts[r.incumbent]!)) {
		expect(rule.goOn(r.role, r.incumbent)).toBe(true);
		rule.observe(result);
		asked.push(result);
	}
	for (const challenger of r.challengers) {
		const byId = new Map(answers(challenger, scripts[challenger]!).map((result) => [result.case_id, result]));
		for (const id of caseOrder) {
			if (!rule.goOn(r.role, challenger)) break;
			rule.observe(byId.get(id)!);
			asked.push(byId.get(id)!);
		}
	}
	return { rule, results: asked };
}

function decide(r: Role, results: readonly CaseResult[], p: Policy, rule?: StopRule, cases?: number): Verdict[] {
	return decideRun({
		roles: [r],
		models: [...catalog.values()],
		casesPerRole: new Map([[r.role, cases ?? new Set(results.map((result) => result.case_id)).size]]),
		metrics: metricsOf(results),
		results,
		policy: p,
		history: [],
		manifest,
		...(rule ? { sequential: rule } : {}),
	}).verdicts;
}

describe('createStopRule', () => {
	it('never stops in mode off, and lists every watched model as having run every case', () => {
		const r = role('inc:1b', ['c1:1b']);
		const { rule, results } = drive(r, { 'inc:1b': 'A'.repeat(30), 'c1:1b': 'H'.repeat(30) }, withMode('off'));
		expect(results.filter((result) => result.model === 'c1:1b')).toHaveLength(30);
		expect(rule.mode).toBe('off');
		expect(rule.stops()).toEqual([
			{
				role: 'r',
				model: 'c1:1b',
				kind: 'challenger',
				answered: 30,
				read: 0,
				planned: 30,
				stopped: false,
				reason: 'ran every case',
				test: 'none: evidence.sequential is off',
			},
		]);
	});

	it('curtails a challenger shown worse on acceptance whatever the rest give, and never the incumbent', () => {
		const r = role('inc:1b', ['c1:1b']);
		const p = withMode('curtail');
		// The incumbent accepts the first 25 and fails hard on the last 5: the challenger, rejected on every
		// case, could still win those 5 on hard failures, so it is not yet hopeless everywhere. It is shown
		// worse on acceptance once its losses would be significant even with those 5 won on acceptance too.
		const scripts = { 'inc:1b': 'A'.repeat(25) + 'H'.repeat(5), 'c1:1b': 'R'.repeat(30) };
		const { rule, results } = drive(r, scripts, p);
		let expected = 1;
		while (signTest(5, expected).pWorse > 0.05) expected++;
		expect(expected).toBe(13);
		expect(results.filter((result) => result.model === 'c1:1b')).toHaveLength(expected);
		expect(rule.goOn('r', 'c1:1b')).toBe(false);
		expect(rule.goOn('r', 'inc:1b')).toBe(true);
		expect(rule.goOn('r', 'unknown:1b')).toBe(true);
		expect(rule.stops()[0]).toMatchObject({
			answered: 13,
			read: 13,
			planned: 30,
			stopped: true,
			reason: 'settled: shown worse on acceptance_rate after 13 cases, whatever the remaining 17 give',
		});
		const [verdict] = decide(r, results, p, rule, 30);
		expect(verdict!.outcome).toBe('hold');
		expect(verdict!.reason).toMatch(/^c1:1b holds: acceptance_rate .* is worse after 13 of its 30 cases, whatever the other 17 give/);
		// The full run says the same.
		const full = drive(r, scripts, withMode('off'));
		expect(decide(r, full.results, withMode('off'))[0]!.outcome).toBe('hold');
	});

	it('stops a challenger against an incumbent that did perfectly after one case: it can never get ahead', () => {
		const r = role('inc:1b', ['c1:1b']);
		const { rule } = drive(r, { 'inc:1b': 'A'.repeat(30), 'c1:1b': 'R'.repeat(30) }, withMode('curtail'));
		expect(rule.stops()[0]).toMatchObject({ read: 1, stopped: true });
	});

	it('curtails a challenger that cannot get ahead even if every remaining case went its way', () => {
		const r = role('inc:1b', ['c1:1b']);
		const p = withMode('curtail');
		// The incumbent accepts the first 20 and rejects the last 10: the challenger ties the first 10, then
		// loses 10. From there it can win at most the 10 the incumbent rejected: never ahead.
		const incumbent = letters(30, 20);
		const challenger = 'A'.repeat(10) + 'R'.repeat(20);
		const { rule, results } = drive(r, { 'inc:1b': incumbent, 'c1:1b': challenger }, p);
		const stop = rule.stops()[0]!;
		expect(stop.reason).toBe(
			`settled: cannot get ahead of the incumbent even if every remaining case went its way, after ${stop.read} cases`,
		);
		// After 20 the most favourable completion ties exactly on review pain (mean 0): a tie is not ahead, but
		// the rule does not claim a sum of exactly 0 through rounding, so it settles one case later.
		expect(stop.read).toBe(21);
		expect(decide(r, results, p, rule, 30)[0]!.outcome).toBe('hold');
	});

	it('reads only a contiguous prefix: results arriving out of order, skips and repeats stop it at the same case', () => {
		const r = role('inc:1b', ['c1:1b']);
		const p = withMode('curtail');
		const order = [...ids(40)].reverse();
		const incumbent = answers('inc:1b', 'A'.repeat(40) + '|' + 'A'.repeat(40));
		const challenger = answers('c1:1b', letters(40, 10) + '|' + letters(40, 10));
		const skipped = new Set(['c039', 'c030']);
		const stopsFor = (seed: number) => {
			const rule = createStopRule({ roles: [r], policy: p, catalog, order: () => order, repeats: 2 });
			const random = seededRandom(seed);
			// Everything arrives shuffled: the challenger's results may come before the incumbent's.
			const events: (() => void)[] = [
				...incumbent.map((result) => () => rule.observe(result)),
				...challenger.filter((result) => !(skipped.has(result.case_id) && result.repeat === 1)).map((result) => () => rule.observe(result)),
				...[...skipped].map((id) => () => rule.skip('r', 'c1:1b', id)),
			];
			for (let i = events.length - 1; i > 0; i--) {
				const j = Math.floor(random() * (i + 1));
				[events[i], events[j]] = [events[j]!, events[i]!];
			}
			for (const event of events) event();
			return { stops: rule.stops(), read: rule.evidence('r', 'c1:1b')!.read };
		};
		const first = stopsFor(1);
		// Read in the order given: c039 … down; none of the first 30 read were accepted by the challenger.
		expect(first.read[0]).toBe('c039');
		expect(first.stops[0]!.stopped).toBe(true);
		for (const seed of [2, 3, 4, 5, 6]) expect(stopsFor(seed)).toEqual(first);
	});

	it('reads nothing until the incumbent has finished every case', () => {
		const r = role('inc:1b', ['c1:1b']);
		const order = ['c009', ...ids(9)];
		const rule = createStopRule({ roles: [r], policy: withMode('curtail'), catalog, order: () => order, repeats: 1 });
		for (const result of answers('c1:1b', 'H'.repeat(10))) rule.observe(result);
		const incumbent = answers('inc:1b', 'A'.repeat(10));
		for (const result of incumbent.slice(0, 9)) rule.observe(result);
		expect(rule.evidence('r', 'c1:1b')!.read).toEqual([]);
		expect(rule.goOn('r', 'c1:1b')).toBe(true);
		rule.skip('r', 'inc:1b', 'c009');
		expect(rule.goOn('r', 'c1:1b')).toBe(false);
		// The case the incumbent did not serve is no evidence: passed over, the next one read and enough.
		expect(rule.evidence('r', 'c1:1b')!.read).toEqual(['c000']);
	});

	it('stops a clearly better challenger under anytime and decides it with the anytime test', () => {
		const r = role('inc:1b', ['c1:1b', 'c2:1b']);
		const p = withMode('anytime');
		const random = seededRandom(7);
		const script = (rate: number) => Array.from({ length: 120 }, () => (random() < rate ? 'A' : 'R')).join('');
		const { rule, results } = drive(r, { 'inc:1b': script(0.4), 'c1:1b': script(0.9), 'c2:1b': 'H'.repeat(120) }, p);
		const stop = rule.stops()[0]!;
		expect(stop.stopped).toBe(true);
		expect(stop.reason).toMatch(/^settled: shown better on (acceptance_rate|review_pain) after \d+ cases$/);
		expect(stop.read).toBeLessThan(60);
		const [verdict] = decide(r, results, p, rule, 120);
		expect(verdict!.outcome).toBe('promote');
		const better = verdict!.gates.find((gate) => gate.gate === 'strictly_better')!;
		expect(better.test).toMatch(/^anytime-valid betting e-process/);
		expect(better.p_better).toBeLessThanOrEqual(0.05);
		for (const metric of ['acceptance_rate', 'review_pain', 'hard_failure_rate'])
			expect(verdict!.gates.find((gate) => gate.gate === metric)!.test).toMatch(/^anytime-valid/);
	});

	it('stops a clearly worse challenger under anytime: hold, with the stop in the reason', () => {
		const r = role('inc:1b', ['c1:1b']);
		const p = withMode('anytime');
		// The incumbent fails hard on its last 10: until they are read the challenger could still be better there.
		const { rule, results } = drive(r, { 'inc:1b': 'A'.repeat(90) + 'H'.repeat(10), 'c1:1b': 'ARRR'.repeat(25) }, p);
		expect(rule.stops()[0]!.reason).toMatch(/^settled: shown worse on acceptance_rate after \d+ cases$/);
		const [verdict] = decide(r, results, p, rule, 100);
		expect(verdict!.outcome).toBe('hold');
		expect(verdict!.reason).toMatch(
			/; stopped early \(settled: shown worse on acceptance_rate after \d+ cases; \d+ of its 100 cases not read\)$/,
		);
	});

	it('stops a challenger a little ahead under anytime for futility: it holds, since no remaining case could show it better', () => {
		const r = role('inc:1b', ['c1:1b', 'c2:1b']);
		const p = withMode('anytime');
		// Ahead by one case of thirty: a fixed-sample reading would say "hold: not enough evidence, n more cases".
		const { rule, results } = drive(r, { 'inc:1b': 'AR'.repeat(15), 'c1:1b': 'AA' + 'AR'.repeat(14), 'c2:1b': 'R'.repeat(30) }, p);
		const stop = rule.stops().find((entry) => entry.model === 'c1:1b')!;
		expect(stop.stopped).toBe(true);
		expect(stop.reason).toMatch(/^settled: cannot be shown better even if every remaining case went its way/);
		expect(results.filter((result) => result.model === 'c1:1b').length).toBeLessThan(30);
		const verdict = decide(r, results, p, rule, 30).find((entry) => entry.challenger === 'c1:1b')!;
		expect(verdict.outcome).toBe('hold');
		expect(verdict.more_evidence).toBeUndefined();
		expect(verdict.reason).toContain("could not be within the role's cases even if every remaining one went its way");
	});

	it('stops the baseline under anytime once non-inferiority is settled, and the routing verdict says so', () => {
		const r: Role = { ...role('inc:1b', []), baseline: 'frontier' };
		const p = withMode('anytime', { ...policy, baseline: { max_calls_per_run: 1000 } as Policy['baseline'] });
		// Equal acceptance on every case: the difference is 0, well under the 5-point margin.
		const rule = createStopRule({
			roles: [r],
			policy: { ...p, baseline: { ...p.baseline!, margin: 0.2 } },
			catalog,
			order: () => ids(200),
			repeats: 1,
		});
		const local = answers('inc:1b', 'A'.repeat(200));
		for (const result of local) rule.observe(result);
		const frontier: CaseResult[] = [];
		for (const result of answers('frontier', 'A'.repeat(200))) {
			if (!rule.goOn('r', 'frontier')) break;
			rule.observe(result);
			frontier.push(result);
		}
		const evidence = rule.evidence('r', 'frontier')!;
		expect(evidence.stopped).toBe(true);
		expect(evidence.reason).toMatch(/^settled: stays local, the incumbent within 20 points of it, after \d+ cases$/);
		expect(frontier.length).toBeLessThan(40);
		const verdict = routeRole({
			role: 'r',
			incumbent: 'inc:1b',
			baseline: 'frontier',
			answeredBy: 'frontier',
			skipped: null,
			local,
			frontier,
			roleCases: 200,
			sampled: 200,
			notScored: 0,
			cost: { local: costSummary(local, () => 0), frontier: costSummary(frontier, () => 0.01) },
			casesPerMonth: null,
			margin: 0.2,
			alpha: 0.05,
			anytime: { read: evidence.read, stopped: evidence.stopped, reason: evidence.reason, planned: evidence.planned },
		});
		expect(verdict.outcome).toBe('stay local');
		expect(verdict.test).toMatch(/^anytime-valid/);
		expect(verdict.difference!.high).toBeLessThan(0.2);
		expect(verdict.reason).toMatch(/the baseline stopped early after \d+ of its 200 cases/);
	});
});

/** A random graded answer: accepted, rejected at some quality, or a hard failure. */
function randomResult(random: () => number, modelId: string, caseId: string, repeat: number, acceptRate: number): CaseResult {
	const u = random();
	const hardRate = 0.15;
	const outcome = u < acceptRate ? 'accepted' : u < 1 - hardRate ? 'rejected' : 'hard-failure';
	const quality = outcome === 'accepted' ? 1 : outcome === 'hard-failure' ? 0 : [0, 0.5, 0.9][Math.floor(random() * 3)]!;
	return caseResult({
		role: 'r',
		model: modelId,
		case_id: caseId,
		repeat,
		outcome,
		quality,
		failure_class: outcome === 'hard-failure' ? 'timeout' : null,
		latency_ms: 1000,
	});
}

describe('curtailment is exact', () => {
	it('never stops a challenger with a verdict that some completion of its unread cases would change', () => {
		const random = seededRandom(27);
		let stopped = 0;
		let completionsChecked = 0;
		const outcomes = new Map<string, number>();
		const kinds = new Map<string, number>();
		for (let trial = 0; trial < 300; trial++) {
			// Mostly small roles (the pain test exact), some larger ones (Monte Carlo above 16 differences).
			const large = trial % 5 === 0;
			const n = large ? 40 + Math.floor(random() * 20) : 6 + Math.floor(random() * 8);
			const repeats = random() < 0.2 ? 2 : 1;
			const challenger = random() < 0.15 ? 'paid:1b' : 'c1:1b';
			const r = role('inc:1b', [challenger]);
			const p = withMode(
				'curtail',
				{ ...policy, gates: { ...policy.gates, strictly_better_on_one: random() < 0.85 } },
				{ alpha: [0.05, 0.1, 0.2, 0.3][Math.floor(random() * 4)]!, min_cases_per_role: 1 },
			);
			const order = ids(n);
			const incumbentRate = random();
			const challengerRate = random();
			const incumbent = order.flatMap((id) =>
				Array.from({ length: repeats }, (_, k) => randomResult(random, 'inc:1b', id, k, incumbentRate)),
			);
			const rule = createStopRule({ roles: [r], policy: p, catalog, order: () => order, repeats });
			for (const result of incumbent) rule.observe(result);
			const asked: CaseResult[] = [];
			for (const id of order) {
				if (!rule.goOn('r', challenger)) break;
				for (let k = 0; k < repeats; k++) {
					const result = randomResult(random, challenger, id, k, challengerRate);
					asked.push(result);
					rule.observe(result);
				}
			}
			const evidence = rule.evidence('r', challenger)!;
			if (!evidence.stopped) continue;
			stopped++;
			const [settled] = decide(r, [...incumbent, ...asked], p, rule, n);
			outcomes.set(settled!.outcome, (outcomes.get(settled!.outcome) ?? 0) + 1);
			const why = `${evidence.curtail!.why}${evidence.curtail!.metric ? ` ${evidence.curtail!.metric}` : ''}${large ? ' (large)' : ''}`;
			kinds.set(why, (kinds.get(why) ?? 0) + 1);
			// Every completion of the unread cases, through the real fixed-sample decision on the full data.
			const unread = order.slice(new Set(asked.map((result) => result.case_id)).size);
			const choices: [CaseResult['outcome'], number][] = [
				['accepted', 1],
				['rejected', 0],
				['rejected', 0.5],
				['rejected', 0.9],
				['hard-failure', 0],
			];
			const cells = unread.length * repeats;
			const exhaustive = cells <= 3;
			const count = exhaustive ? choices.length ** cells : large ? 12 : 60;
			for (let c = 0; c < count; c++) {
				let code = c;
				const completion = unread.flatMap((id) =>
					Array.from({ length: repeats }, (_, k) => {
						const pick = exhaustive ? code % choices.length : Math.floor(random() * choices.length);
						code = Math.floor(code / choices.length);
						// Extreme completions (all the challenger's way, all against it) are tried first.
						const [outcome, quality] = c === 0 ? choices[0]! : c === 1 ? choices[4]! : choices[pick]!;
						return caseResult({
							role: 'r',
							model: challenger,
							case_id: id,
							repeat: k,
							outcome,
							quality,
							failure_class: outcome === 'hard-failure' ? 'timeout' : null,
							latency_ms: 1000,
						});
					}),
				);
				const results = [...incumbent, ...asked, ...completion];
				const [full] = decideRole({ role: r, cases: n, metrics: metricsOf(results, repeats), results, catalog }, p);
				expect(full!.outcome, `trial ${trial}, completion ${c}`).toBe(settled!.outcome);
				completionsChecked++;
			}
		}
		// The trials must reach stops of every kind, or the check proves little.
		expect(stopped).toBeGreaterThan(100);
		expect(outcomes.get('hold')).toBeGreaterThan(50);
		expect(outcomes.get('blocked: cost')).toBeGreaterThan(0);
		expect(completionsChecked).toBeGreaterThan(5_000);
		for (const kind of [
			'worse acceptance_rate',
			'worse review_pain',
			'worse hard_failure_rate',
			'not ahead',
			'not worse',
			'not ahead (large)',
		])
			expect(kinds.get(kind), kind).toBeGreaterThan(0);
		if (process.env.SEQUENTIAL_FIGURES) console.log({ stopped, completionsChecked, kinds });
	}, 120_000);
});

describe('anytime keeps false promotions at alpha', () => {
	it('promotes an equal challenger in at most alpha of seeded runs, through the stop rule and decideRun', () => {
		const random = seededRandom(2026);
		const p = withMode('anytime', policy, { min_cases_per_role: 1 });
		const r = role('inc:1b', ['c1:1b', 'c2:1b']);
		const runs = 300;
		let promoted = 0;
		let calls = 0;
		for (let run = 0; run < runs; run++) {
			const n = 60;
			const order = ids(n);
			const rate = 0.3 + random() * 0.5;
			const rule = createStopRule({ roles: [r], policy: p, catalog, order: () => order, repeats: 1 });
			const results = order.map((id) => randomResult(random, 'inc:1b', id, 0, rate));
			for (const result of results) rule.observe(result);
			for (const [challenger, challengerRate] of [
				['c1:1b', rate],
				['c2:1b', 0.05],
			] as const)
				for (const id of order) {
					if (!rule.goOn('r', challenger)) break;
					const result = randomResult(random, challenger, id, 0, challengerRate);
					rule.observe(result);
					results.push(result);
					if (challenger === 'c1:1b') calls++;
				}
			const verdicts = decide(r, results, p, rule, n);
			if (verdicts[0]!.outcome === 'promote') promoted++;
		}
		expect(promoted / runs).toBeLessThanOrEqual(0.05);
		// It does stop: equal models are settled (shown worse somewhere by chance, or unable to be shown better) before the end in many runs.
		expect(calls / (runs * 60)).toBeLessThan(0.9);
		if (process.env.SEQUENTIAL_FIGURES) console.log({ falsePromotion: promoted / runs, callsShare: calls / (runs * 60) });
	}, 60_000);
});

describe('curtailment of the frontier baseline is exact', () => {
	const routeOf = (local: CaseResult[], frontier: CaseResult[], margin: number, alpha: number, extra: Partial<RouteInput> = {}) =>
		routeRole({
			role: 'r',
			incumbent: 'inc:1b',
			baseline: 'frontier',
			answeredBy: 'frontier',
			skipped: null,
			local,
			frontier,
			roleCases: local.length,
			sampled: local.length,
			notScored: 0,
			cost: { local: costSummary(local, () => 0), frontier: costSummary(frontier, () => 0.01) },
			casesPerMonth: null,
			margin,
			alpha,
			...extra,
		});

	it('never stops the baseline with a routing verdict that some answers to its unread cases would change', () => {
		const random = seededRandom(31);
		const settled = new Map<string, number>();
		let checked = 0;
		for (let trial = 0; trial < 400; trial++) {
			const n = 5 + Math.floor(random() * 30);
			const escalationRole = trial % 4 === 0;
			const name = escalationRole ? 'review' : 'r';
			const r: Role = { ...role('inc:1b', [], name), baseline: 'frontier' };
			const margin = [0.05, 0.1, 0.2][Math.floor(random() * 3)]!;
			const alpha = [0.05, 0.1, 0.2][Math.floor(random() * 3)]!;
			const p = withMode('curtail', { ...policy, baseline: { max_calls_per_run: 1000, margin } as Policy['baseline'] }, { alpha });
			const order = ids(n);
			const localRate = random();
			const frontierRate = Math.min(1, localRate + random() * 0.4);
			const local = order.map((id) =>
				caseResult({ role: name, model: 'inc:1b', case_id: id, outcome: random() < localRate ? 'accepted' : 'rejected' }),
			);
			const rule = createStopRule({ roles: [r], policy: p, catalog, order: () => order, repeats: 1 });
			for (const result of local) rule.observe(result);
			const frontier: CaseResult[] = [];
			for (const id of order) {
				if (!rule.goOn(name, 'frontier')) break;
				const result = caseResult({
					role: name,
					model: 'frontier',
					case_id: id,
					outcome: random() < frontierRate ? 'accepted' : 'rejected',
				});
				rule.observe(result);
				frontier.push(result);
			}
			const evidence = rule.evidence(name, 'frontier')!;
			if (!evidence.stopped) continue;
			const settlement = evidence.routing!;
			if (escalationRole) expect(settlement.outcome).toBe('stay local');
			settled.set(settlement.outcome, (settled.get(settlement.outcome) ?? 0) + 1);
			const early = routeOf(local, frontier, margin, alpha, {
				role: name,
				curtailed: { read: evidence.read, reason: evidence.reason, planned: evidence.planned, settlement },
			});
			expect(early.outcome).toBe(settlement.outcome);
			const unread = order.slice(frontier.length);
			const exhaustive = unread.length <= 8;
			for (let c = 0; c < (exhaustive ? 2 ** unread.length : 200); c++) {
				const completion = unread.map((id, index) =>
					caseResult({
						role: name,
						model: 'frontier',
						case_id: id,
						outcome: (exhaustive ? (c >> index) & 1 : random() < 0.5) ? 'accepted' : 'rejected',
					}),
				);
				expect(routeOf(local, [...frontier, ...completion], margin, alpha, { role: name }).outcome, `trial ${trial}`).toBe(
					settlement.outcome,
				);
				checked++;
			}
		}
		for (const outcome of ['stay local', 'frontier is better', 'hold: not enough evidence'])
			expect(settled.get(outcome), outcome).toBeGreaterThan(5);
		expect(checked).toBeGreaterThan(5_000);
		if (process.env.SEQUENTIAL_FIGURES) console.log({ baselineSettled: settled, checked });
	}, 120_000);
});
