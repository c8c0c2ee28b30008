import { describe, expect, it } from 'vitest';
import { decideRole } from '../../src/lib/policy/decide-verdicts.ts';
import { compareChallengers } from '../../src/lib/policy/promote-best.ts';
import { decideRun } from '../../src/lib/policy/decide-run.ts';
import { historyDepth } from '../../src/lib/policy/propose-changes.ts';
import type { Policy } from '../../src/lib/schema/policy.ts';
import type { CaseResult, Report } from '../../src/lib/schema/report.ts';
import type { Role } from '../../src/lib/schema/role.ts';
import { answers, letters, metricsOf, model, policy, role } from './support.ts';

const catalog = new Map(
	[
		model('inc:1b', 'fam-a'),
		model('c1:1b', 'fam-b'),
		model('c2:1b', 'fam-c'),
		model('same:1b', 'fam-a'),
		model('paid:1b', 'fam-d', 'paid'),
		model('paid-inc:1b', 'fam-e', 'paid'),
	].map((m) => [m.id, m]),
);

// A second challenger of another family that loses everywhere: with it in the role, promoting the first
// one keeps two families, so the tests of the other gates are not decided by the diversity guard.
const BYSTANDER = 'c2:1b';
const withBystander = (incumbent: string, challenger: string) => role(incumbent, [challenger, BYSTANDER]);

/** Decides role `r` from per-model scripts (see `answers`): `{ 'inc:1b': 'AAR', … }`. */
function decide(
	r: Role,
	scripts: Record<string, string>,
	p: Policy = policy,
	extra: { earlierWins?: Map<string, number>; graderInvalid?: string; repeats?: number } = {},
) {
	const results: CaseResult[] = Object.entries(scripts).flatMap(([id, script]) => answers(id, script));
	const cases = Math.max(...Object.values(scripts).map((script) => script.split('|')[0]!.length));
	return decideRole(
		{
			role: r,
			cases,
			metrics: metricsOf(results, extra.repeats),
			results,
			catalog,
			earlierWins: extra.earlierWins,
			graderInvalid: extra.graderInvalid,
		},
		p,
	);
}
const gate = (verdict: Report['verdicts'][number], name: string) => verdict.gates.find((entry) => entry.gate === name);
const lenient: Policy = { ...policy, evidence: { ...policy.evidence, min_cases_per_role: 1 } };

describe('paired statistics decide the metric gates', () => {
	it('holds 2 of 2 against 1 of 2 for more evidence, and says how many cases would settle it', () => {
		const [verdict] = decide(withBystander('inc:1b', 'c1:1b'), { 'inc:1b': 'AR', 'c1:1b': 'AA', [BYSTANDER]: 'HH' }, lenient);
		expect(verdict!.outcome).toBe('hold: not enough evidence');
		expect(verdict!.more_evidence!.cases).toBeGreaterThan(0);
		expect(verdict!.reason).toMatch(
			/^c1:1b holds for more evidence: ahead on .*, but 2 case\(s\) cannot show it better at α 0\.05 .*; about \d+ more case\(s\) at the observed rates would settle it$/,
		);
		expect(gate(verdict!, 'acceptance_rate')).toMatchObject({
			challenger: 1,
			incumbent: 0.5,
			pass: true,
			p_better: 0.5,
			p_worse: 1,
			detail: 'challenger better on 1 case, incumbent on 0, 1 tied',
		});
		expect(gate(verdict!, 'strictly_better')).toMatchObject({ challenger: 'none', pass: false });
		expect(verdict!.alpha).toBe(0.05);
	});

	it('says how many cases at the observed rates: one disagreement in two cases needs eleven cases for 3 × p ≤ 0.05', () => {
		const [verdict] = decide(withBystander('inc:1b', 'c1:1b'), { 'inc:1b': 'AH', 'c1:1b': 'AA', [BYSTANDER]: 'HH' }, lenient);
		// "Better on one of three" is judged at 0.05 / 3: 11 cases at these rates give 6 disagreements (round 5.5),
		// all for the challenger, p = 1/64 ≤ 0.0167; 9 cases give 5, p = 1/32, not enough.
		expect(verdict!.more_evidence).toEqual({ cases: 9 });
	});

	it('promotes 38 of 40 against 20 of 40', () => {
		const [verdict] = decide(withBystander('inc:1b', 'c1:1b'), {
			'inc:1b': letters(40, 20),
			'c1:1b': letters(40, 38),
			[BYSTANDER]: letters(40, 0, 0),
		});
		expect(verdict!.outcome).toBe('promote');
		expect(verdict!.reason).toMatch(
			/^c1:1b replaces inc:1b: acceptance_rate 0\.95 \[.*\] vs 0\.50 \[.*\], better at α 0\.05 \(challenger better on 18 cases, incumbent on 0, 22 tied; Bonferroni over 3 metrics; p = 1\.1e-5\)$/,
		);
		expect(gate(verdict!, 'acceptance_rate')).toMatchObject({
			challenger: 0.95,
			incumbent: 0.5,
			pass: true,
			test: expect.stringMatching(/^exact sign test/),
		});
		expect(gate(verdict!, 'strictly_better')).toMatchObject({
			challenger: 'acceptance_rate',
			pass: true,
			p_better: expect.closeTo(3 * 2 ** -18, 9),
		});
	});

	it.each([
		{
			name: 'shown worse on acceptance',
			inc: 'AAAAAAAAAA',
			chal: 'AARRRRRRRR',
			outcome: 'hold',
			reason:
				/^c1:1b holds: acceptance_rate 0\.20 \[.*\] vs 1 \[.*\] is worse \(challenger better on 0 cases, incumbent on 8, 2 tied; p = 0\.00391 ≤ α 0\.05\)$/,
		},
		{
			name: 'behind on acceptance but not shown worse, and ahead nowhere',
			inc: 'AAAAAARRRR',
			chal: 'AAAAARRRRR',
			outcome: 'hold',
			reason: /not ahead of the incumbent/,
		},
		{ name: 'a tie on all three metrics', inc: 'AAAAAARRRR', chal: 'AAAAAARRRR', outcome: 'hold', reason: /not ahead of the incumbent/ },
		{
			name: 'ahead on acceptance, not yet shown better',
			inc: 'AAAAAARRRR',
			chal: 'AAAAAAARRR',
			outcome: 'hold: not enough evidence',
			reason: /ahead on/,
		},
		{
			name: 'shown better on review pain and hard failures',
			inc: 'HHHHHHHHHH',
			chal: 'RRRRRRRRRR',
			outcome: 'promote',
			reason: /review_pain 0\.60 vs 1, better at α 0\.05/,
		},
		{
			name: 'shown worse on review pain',
			inc: 'RRRRRRRRRR',
			chal: 'HHHHHHHRRR',
			outcome: 'hold',
			reason: /^c1:1b holds: review_pain 0\.88 vs 0\.60 is worse \(mean per-case difference \+0\.280/,
		},
	])('$name → $outcome', ({ inc, chal, outcome, reason }) => {
		const [verdict] = decide(withBystander('inc:1b', 'c1:1b'), { 'inc:1b': inc, 'c1:1b': chal, [BYSTANDER]: 'HHHHHHHHHH' });
		expect(verdict!.outcome).toBe(outcome);
		expect(verdict!.reason).toMatch(reason);
		for (const metric of ['acceptance_rate', 'review_pain', 'hard_failure_rate']) {
			expect(gate(verdict!, metric), metric).toMatchObject({
				test: expect.any(String),
				p_worse: expect.any(Number),
				p_better: expect.any(Number),
				detail: expect.any(String),
			});
		}
	});

	it('fails the hard-failure gate when the challenger is shown to fail hard more often', () => {
		const [verdict] = decide(withBystander('inc:1b', 'c1:1b'), {
			'inc:1b': 'RRRRRRRRRR',
			'c1:1b': 'HHHHHHHHRR',
			[BYSTANDER]: 'HHHHHHHHHH',
		});
		expect(gate(verdict!, 'hard_failure_rate')).toMatchObject({
			challenger: 0.8,
			incumbent: 0,
			pass: false,
			p_worse: expect.closeTo(2 ** -8, 9),
		});
	});

	it('lets a challenger that nothing shows worse through when strictly_better_on_one is off, without recording that gate', () => {
		const churn = { ...policy, gates: { ...policy.gates, strictly_better_on_one: false } };
		const [verdict] = decide(
			withBystander('inc:1b', 'c1:1b'),
			{ 'inc:1b': 'AAAAAARRRR', 'c1:1b': 'AAAAARRRRR', [BYSTANDER]: 'HHHHHHHHHH' },
			churn,
		);
		expect(verdict!.outcome).toBe('promote');
		expect(verdict!.reason).toBe('c1:1b replaces inc:1b: passes every gate');
		expect(verdict!.gates.map((entry) => entry.gate)).not.toContain('strictly_better');
	});

	it('gives the same verdict for the same evidence, to the last digit', () => {
		const scripts = { 'inc:1b': letters(40, 20, 15), 'c1:1b': letters(40, 25, 14), [BYSTANDER]: letters(40, 0, 0) };
		expect(decide(withBystander('inc:1b', 'c1:1b'), scripts)).toEqual(decide(withBystander('inc:1b', 'c1:1b'), scripts));
	});
});

describe('repeats', () => {
	it('compare per case: the mean over the k repeats of each case', () => {
		// Two repeats of ten cases: the challenger is accepted once of two on every case, the incumbent never.
		const scripts = { 'inc:1b': 'RRRRRRRRRR|RRRRRRRRRR', 'c1:1b': 'AAAAAAAAAA|RRRRRRRRRR', [BYSTANDER]: 'HHHHHHHHHH|HHHHHHHHHH' };
		const [verdict] = decide(withBystander('inc:1b', 'c1:1b'), scripts, policy, { repeats: 2 });
		expect(gate(verdict!, 'acceptance_rate')).toMatchObject({
			challenger: 0.5,
			incumbent: 0,
			detail: 'challenger better on 10 cases, incumbent on 0, 0 tied',
			p_better: expect.closeTo(2 ** -10, 9),
		});
		expect(verdict!.outcome).toBe('promote');
	});
});

describe('the cost gate', () => {
	const strong = letters(40, 38);
	const weak = letters(40, 20);
	it.each([
		{ incumbent: 'inc:1b', challenger: 'c1:1b', outcome: 'promote', tiers: ['free', 'free'] },
		{ incumbent: 'inc:1b', challenger: 'paid:1b', outcome: 'blocked: cost', tiers: ['paid', 'free'] },
		{ incumbent: 'paid-inc:1b', challenger: 'paid:1b', outcome: 'promote', tiers: ['paid', 'paid'] },
		{ incumbent: 'paid-inc:1b', challenger: 'c1:1b', outcome: 'promote', tiers: ['free', 'paid'] },
	])('a $tiers.0 challenger against a $tiers.1 incumbent → $outcome', ({ incumbent, challenger, outcome, tiers }) => {
		const [verdict] = decide(withBystander(incumbent, challenger), {
			[incumbent]: weak,
			[challenger]: strong,
			[BYSTANDER]: letters(40, 0, 0),
		});
		expect(verdict!.outcome).toBe(outcome);
		expect(gate(verdict!, 'cost_tier')).toEqual({
			gate: 'cost_tier',
			challenger: tiers[0],
			incumbent: tiers[1],
			pass: outcome === 'promote',
		});
	});

	it('holds a paid challenger that is also shown worse, naming the metric', () => {
		const [verdict] = decide(role('inc:1b', ['paid:1b']), { 'inc:1b': strong, 'paid:1b': weak });
		expect(verdict!.outcome).toBe('hold');
		expect(verdict!.reason).toMatch(/acceptance_rate .* is worse/);
	});

	it('blocks a paid challenger on cost rather than asking for more evidence that could not change it', () => {
		const [verdict] = decide(role('inc:1b', ['paid:1b', BYSTANDER]), { 'inc:1b': 'AAR', 'paid:1b': 'AAA', [BYSTANDER]: 'HHH' });
		expect(verdict!.outcome).toBe('blocked: cost');
	});
});

describe('the family-diversity guard of one role', () => {
	const win = { 'inc:1b': letters(40, 20), 'c1:1b': letters(40, 38) };
	it('blocks a promotion that leaves a role of one challenger single-model, hence single-family', () => {
		const [verdict] = decide(role('inc:1b', ['c1:1b']), win);
		expect(verdict!.outcome).toBe('blocked: diversity');
	});

	it('blocks a promotion that leaves the role single-family', () => {
		// same:1b shares the incumbent's family; after it replaces inc:1b the role is same:1b alone.
		const [verdict] = decide(role('inc:1b', ['same:1b']), { 'inc:1b': letters(40, 20), 'same:1b': letters(40, 38) });
		expect(verdict!.outcome).toBe('blocked: diversity');
		expect(verdict!.reason).toBe('same:1b is blocked: the role would be served by 1 family (fam-a), the policy needs 2');
		expect(verdict!.gates.at(-1)).toEqual({ gate: 'family_diversity', challenger: 1, incumbent: 2, pass: false });
	});
});

describe('several eligible challengers', () => {
	it('promotes the best by severity-weighted pass, and holds the others', () => {
		const verdicts = decide(role('inc:1b', ['c1:1b', 'c2:1b']), {
			'inc:1b': letters(40, 10),
			'c1:1b': letters(40, 36),
			'c2:1b': letters(40, 38),
		});
		expect(verdicts.map((v) => `${v.challenger} ${v.outcome}`)).toEqual(['c1:1b hold', 'c2:1b promote']);
		expect(verdicts[0]!.reason).toMatch(/c1:1b holds: it passes every gate, but c2:1b ranks higher/);
	});

	const row = metricsOf([...answers('a:1b', 'AAR'), ...answers('b:1b', 'AAR')]);
	const [a, b] = [row[0]!, row[1]!];
	it.each([
		{
			name: 'severity-weighted pass first',
			x: { ...a, severity_weighted_pass: { ...a.severity_weighted_pass, value: 3 } },
			y: b,
			first: 'a:1b',
		},
		{ name: 'acceptance breaks a severity tie', x: a, y: { ...b, acceptance_rate: { ...b.acceptance_rate, value: 0.9 } }, first: 'b:1b' },
		{ name: 'review pain breaks the next tie', x: a, y: { ...b, review_pain: 0.1 }, first: 'b:1b' },
		{ name: 'latency breaks the next tie', x: { ...a, latency_ms: { p50: 900, p95: 900 } }, y: b, first: 'a:1b' },
		{ name: 'the model id settles a full tie', x: b, y: a, first: 'a:1b' },
	])('$name', ({ x, y, first }) => {
		expect([x, y].sort(compareChallengers)[0]!.model).toBe(first);
	});
});

describe('the evidence gates', () => {
	it('says insufficient evidence below the minimum number of cases, with how many more', () => {
		const [verdict] = decide(role('inc:1b', ['c1:1b']), { 'inc:1b': 'RA', 'c1:1b': 'AA' });
		expect(verdict).toMatchObject({
			outcome: 'insufficient evidence',
			reason: 'c1:1b cannot be judged: the role has 2 case(s), the policy needs 3',
			more_evidence: { cases: 1 },
		});
	});

	it('says insufficient evidence for a challenger with no results', () => {
		const [verdict] = decide(role('inc:1b', ['c1:1b']), { 'inc:1b': 'AAAAA' });
		expect(verdict).toMatchObject({ outcome: 'insufficient evidence', reason: 'c1:1b cannot be judged: c1:1b has no results in this run' });
	});

	it('waits for the configured number of consecutive wins', () => {
		const confirm = { ...policy, evidence: { ...policy.evidence, confirm_runs: 3 } };
		const scripts = { 'inc:1b': letters(40, 20), 'c1:1b': letters(40, 38), [BYSTANDER]: letters(40, 0, 0) };
		const first = decide(withBystander('inc:1b', 'c1:1b'), scripts, confirm, { earlierWins: new Map([['c1:1b', 1]]) });
		expect(first[0]).toMatchObject({ outcome: 'hold', reason: 'c1:1b holds: it wins, in 2 of the 3 consecutive runs the policy asks for' });
		const third = decide(withBystander('inc:1b', 'c1:1b'), scripts, confirm, { earlierWins: new Map([['c1:1b', 2]]) });
		expect(third[0]!.outcome).toBe('promote');
	});

	it('judges nothing in a role whose grader is not valid, and says why', () => {
		const scripts = { 'inc:1b': letters(40, 20), 'c1:1b': letters(40, 38), [BYSTANDER]: letters(40, 0, 0) };
		const verdicts = decide(withBystander('inc:1b', 'c1:1b'), scripts, policy, { graderInvalid: 'junk accepted on 40 % of the cases' });
		expect(verdicts.map((v) => v.outcome)).toEqual(['insufficient evidence', 'insufficient evidence']);
		expect(verdicts[0]!.reason).toBe('grader not valid on these cases: junk accepted on 40 % of the cases');
		expect(gate(verdicts[0]!, 'grader_valid')).toMatchObject({ pass: false, detail: 'junk accepted on 40 % of the cases' });
	});
});

describe('a whole run', () => {
	const manifest = (digests: Record<string, string | null>) =>
		({ repeats: 1, models: Object.entries(digests).map(([id, digest]) => ({ id, digest })) }) as unknown as Report['manifest'];
	const scripts = { 'inc:1b': letters(10, 2), 'c1:1b': letters(10, 10), 'c2:1b': letters(10, 0, 0), 'paid:1b': letters(10, 0, 0) };
	const results = Object.entries(scripts).flatMap(([id, script]) => answers(id, script));
	const metrics = metricsOf(results);
	const base = { models: [...catalog.values()], casesPerRole: new Map([['r', 10]]), metrics, results, policy };

	it('proposes the promotion, and retirements by the rules', () => {
		const roles = [role('inc:1b', ['c1:1b', 'c2:1b', 'paid:1b', 'same:1b'])];
		const earlier = { metrics, verdicts: [], manifest: manifest({ 'paid:1b': null }) };
		const decision = decideRun({ ...base, roles, history: [earlier, earlier], manifest: manifest({ 'paid:1b': null, 'c2:1b': 'abc' }) });
		expect(decision.proposals).toEqual([
			{ kind: 'promote', role: 'r', model: 'c1:1b', replaces: 'inc:1b', reason: expect.stringMatching(/^c1:1b replaces inc:1b/) },
			{ kind: 'retire', role: 'r', model: 'c2:1b', reason: 'failed hard on every case in each of the last 2 run(s)' },
			{ kind: 'retire', role: 'r', model: 'paid:1b', reason: 'missing from Ollama in each of the last 3 run(s)' },
		]);
		expect(decision.held_proposals).toEqual([]);
	});

	it('holds a retirement that, with the promotion, would leave the role one family', () => {
		// c1 replaces inc, and c2 — the only other family — would be retired: c1 would serve alone.
		const roles = [role('inc:1b', ['c1:1b', 'c2:1b'])];
		const earlier = { metrics, verdicts: [], manifest: manifest({}) };
		const decision = decideRun({ ...base, roles, history: [earlier], manifest: manifest({ 'c2:1b': 'abc' }) });
		expect(decision.verdicts.map((v) => `${v.challenger} ${v.outcome}`)).toEqual(['c1:1b promote', 'c2:1b hold']);
		expect(decision.proposals.map((p) => `${p.kind} ${p.model}`)).toEqual(['promote c1:1b']);
		expect(decision.held_proposals).toEqual([
			{
				proposal: { kind: 'retire', role: 'r', model: 'c2:1b', reason: 'failed hard on every case in each of the last 2 run(s)' },
				reason: 'held: retiring c2:1b together with promoting c1:1b would leave r served by 1 family (fam-b), the policy needs 2',
			},
		]);
	});

	it('proposes no promotion in a role whose grader is not valid', () => {
		const roles = [role('inc:1b', ['c1:1b', 'c2:1b', 'same:1b'])];
		const decision = decideRun({
			...base,
			roles,
			history: [],
			manifest: manifest({}),
			invalidRoles: new Map([['r', 'the reference is accepted on 50 % of the cases']]),
		});
		expect(
			decision.verdicts.every(
				(v) =>
					v.outcome === 'insufficient evidence' &&
					v.reason === 'grader not valid on these cases: the reference is accepted on 50 % of the cases',
			),
		).toBe(true);
		expect(decision.proposals).toEqual([]);
	});

	it('decides from the newest historyDepth runs exactly as from the whole history', () => {
		const roles = [role('inc:1b', ['c1:1b', 'c2:1b', 'paid:1b'])];
		const won = {
			role: 'r',
			challenger: 'c1:1b',
			incumbent: 'inc:1b',
			outcome: 'hold' as const,
			reason: 'wins',
			gates: [{ gate: 'confirm_runs', challenger: 1, incumbent: 9, pass: false }],
		};
		const earlier = { metrics, verdicts: [won], manifest: manifest({ 'paid:1b': null }) };
		const history = Array.from({ length: 8 }, () => earlier);
		for (const [confirm, hard, missing] of [
			[1, 2, 3],
			[3, 1, 1],
			[5, 2, 7],
			[9, 9, 9],
			[12, 1, 1],
		] as const) {
			const rules = {
				...policy,
				evidence: { ...policy.evidence, confirm_runs: confirm },
				retirement: { all_hard_failures_runs: hard, missing_model_runs: missing },
			};
			const input = { ...base, roles, policy: rules, manifest: manifest({ 'paid:1b': null, 'c2:1b': 'abc' }) };
			const depth = historyDepth(rules);
			expect(depth).toBe(Math.max(1, confirm - 1, hard - 1, missing - 1));
			expect(decideRun({ ...input, history: history.slice(-depth) }), `confirm ${confirm}, hard ${hard}, missing ${missing}`).toEqual(
				decideRun({ ...input, history }),
			);
		}
	});
});
