import { describe, expect, it } from 'vitest';
import { wilson } from '../../src/lib/metrics/wilson.ts';
import { decideRole } from '../../src/lib/policy/decide-verdicts.ts';
import { decideRun } from '../../src/lib/policy/decide-run.ts';
import { historyDepth } from '../../src/lib/policy/propose-changes.ts';
import type { Model } from '../../src/lib/schema/model.ts';
import { type Policy, PolicySchema } from '../../src/lib/schema/policy.ts';
import type { Report, RoleMetrics } from '../../src/lib/schema/report.ts';
import type { Role } from '../../src/lib/schema/role.ts';

const policy: Policy = PolicySchema.parse({
	gates: { acceptance_rate: {}, review_pain: {}, hard_failure_rate: {}, cost_tier: 'free-unless-incumbent-paid' },
	diversity: { min_families: 2 },
	evidence: { min_cases_per_role: 3 },
	severity_weights: {},
	run: { num_ctx: 8192, num_predict: 512, seed: 1, call_timeout_s: 60, stall_timeout_s: 30 },
	retirement: {},
	escalation: { tasks: ['code-review'], chain: [{ provider: 'ollama', model: 'big:1b' }], max_frontier_calls_per_run: 0 },
});

const model = (id: string, family: string, cost_tier: 'free' | 'paid' = 'free'): Model => ({ id, family, cost_tier, provider: 'ollama' });
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

/** A metrics row: `accepted` of 10 cases, with review pain, hard failures, weighted pass and latency. */
function row(modelId: string, accepted: number, pain: number, hard: number, swp = accepted, p50: number | null = 1000): RoleMetrics {
	return {
		role: 'r',
		model: modelId,
		cases: 10,
		accepted,
		rejected: 10 - accepted - hard,
		hard_failures: hard,
		acceptance_rate: wilson(accepted, 10),
		severity_weighted_pass: { value: swp, max: 20, share: swp / 20 },
		review_pain: pain,
		hard_failure_rate: wilson(hard, 10),
		hard_failures_by_class: hard ? { timeout: hard } : {},
		latency_ms: { p50, p95: p50 },
		ttft_ms_p50: null,
		tokens_per_s: null,
		load_ms: null,
		pass_k: null,
	};
}

const role = (incumbent: string, challengers: string[]): Role => ({ role: 'r', description: 'd', incumbent, challengers, retired: [] });
// A second challenger of another family that loses everywhere: with it in the role, promoting the first
// one keeps two families, so the tests of the other gates are not decided by the diversity guard.
const BYSTANDER = 'c2:1b';
const bystander = () => row(BYSTANDER, 0, 1, 10);
const withBystander = (incumbent: string, challenger: string) => role(incumbent, [challenger, BYSTANDER]);
const decide = (r: Role, metrics: RoleMetrics[], cases = 10, p: Policy = policy, earlierWins?: Map<string, number>) =>
	decideRole({ role: r, cases, metrics, catalog, earlierWins }, p);

describe('the promotion gates', () => {
	const incumbent = row('inc:1b', 6, 0.4, 1);
	it.each([
		{ name: 'better on every metric', challenger: row('c1:1b', 8, 0.2, 0), outcome: 'promote', reason: /c1:1b replaces inc:1b: acceptance_rate 0\.80/ },
		{ name: 'better acceptance, equal elsewhere', challenger: row('c1:1b', 7, 0.4, 1), outcome: 'promote', reason: /acceptance_rate/ },
		{ name: 'lower review pain only', challenger: row('c1:1b', 6, 0.3, 1), outcome: 'promote', reason: /review_pain 0\.30 vs 0\.40/ },
		{ name: 'lower acceptance', challenger: row('c1:1b', 5, 0.1, 0), outcome: 'hold', reason: /c1:1b holds: acceptance_rate 0\.50 \[.*\] < 0\.60/ },
		{ name: 'more review pain', challenger: row('c1:1b', 8, 0.41, 0), outcome: 'hold', reason: /c1:1b holds: review_pain 0\.41 > 0\.40/ },
		{ name: 'more hard failures', challenger: row('c1:1b', 8, 0.2, 2), outcome: 'hold', reason: /hard_failure_rate 0\.20 .* > 0\.10/ },
		{ name: 'a tie on all three metrics', challenger: row('c1:1b', 6, 0.4, 1), outcome: 'hold', reason: /equal to the incumbent/ },
	])('$name → $outcome', ({ challenger, outcome, reason }) => {
		const [verdict] = decide(withBystander('inc:1b', 'c1:1b'), [incumbent, challenger, bystander()]);
		expect(verdict!.outcome).toBe(outcome);
		expect(verdict!.reason).toMatch(reason);
		const gates = Object.fromEntries(verdict!.gates.map((gate) => [gate.gate, gate]));
		expect(gates.acceptance_rate).toEqual({ gate: 'acceptance_rate', challenger: challenger.acceptance_rate.value, incumbent: 0.6, pass: challenger.acceptance_rate.value >= 0.6 });
		expect(gates.review_pain!.incumbent).toBe(0.4);
	});

	it('grants a tolerance from policy.yaml', () => {
		const lenient = { ...policy, gates: { ...policy.gates, acceptance_rate: { tolerance: 0.1 } } };
		const [verdict] = decide(withBystander('inc:1b', 'c1:1b'), [incumbent, row('c1:1b', 5, 0.1, 0), bystander()], 10, lenient);
		expect(verdict!.outcome).toBe('promote');
	});

	it('lets a tie through when strictly_better_on_one is off, without recording that gate', () => {
		const churn = { ...policy, gates: { ...policy.gates, strictly_better_on_one: false } };
		const [verdict] = decide(withBystander('inc:1b', 'c1:1b'), [incumbent, row('c1:1b', 6, 0.4, 1), bystander()], 10, churn);
		expect(verdict!.outcome).toBe('promote');
		expect(verdict!.gates.map((gate) => gate.gate)).not.toContain('strictly_better');
	});
});

describe('the cost gate', () => {
	it.each([
		{ incumbent: 'inc:1b', challenger: 'c1:1b', outcome: 'promote', tiers: ['free', 'free'] },
		{ incumbent: 'inc:1b', challenger: 'paid:1b', outcome: 'blocked: cost', tiers: ['paid', 'free'] },
		{ incumbent: 'paid-inc:1b', challenger: 'paid:1b', outcome: 'promote', tiers: ['paid', 'paid'] },
		{ incumbent: 'paid-inc:1b', challenger: 'c1:1b', outcome: 'promote', tiers: ['free', 'paid'] },
	])('a $tiers.0 challenger against a $tiers.1 incumbent → $outcome', ({ incumbent, challenger, outcome, tiers }) => {
		const [verdict] = decide(withBystander(incumbent, challenger), [row(incumbent, 5, 0.5, 0), row(challenger, 9, 0.1, 0), bystander()]);
		expect(verdict!.outcome).toBe(outcome);
		expect(verdict!.gates.find((gate) => gate.gate === 'cost_tier')).toEqual({ gate: 'cost_tier', challenger: tiers[0], incumbent: tiers[1], pass: outcome === 'promote' });
	});

	it('holds a paid challenger that is also worse, naming the metric', () => {
		const [verdict] = decide(role('inc:1b', ['paid:1b']), [row('inc:1b', 9, 0.1, 0), row('paid:1b', 5, 0.5, 0)]);
		expect(verdict!.outcome).toBe('hold');
	});
});

describe('the family-diversity guard', () => {
	it('blocks a promotion that leaves a role of one challenger single-model, hence single-family', () => {
		const [verdict] = decide(role('inc:1b', ['c1:1b']), [row('inc:1b', 5, 0.5, 0), row('c1:1b', 9, 0.1, 0)]);
		expect(verdict!.outcome).toBe('blocked: diversity');
	});

	it('blocks a promotion that leaves the role single-family', () => {
		// same:1b shares the incumbent's family; after it replaces inc:1b the role is same:1b alone.
		const [verdict] = decide(role('inc:1b', ['same:1b']), [row('inc:1b', 5, 0.5, 0), row('same:1b', 9, 0.1, 0)]);
		expect(verdict!.outcome).toBe('blocked: diversity');
		expect(verdict!.reason).toBe('same:1b is blocked: the role would be served by 1 family (fam-a), the policy needs 2');
		expect(verdict!.gates.at(-1)).toEqual({ gate: 'family_diversity', challenger: 1, incumbent: 2, pass: false });
	});

	it('blocks the winner when the remaining challengers all share its family, and promotes the next eligible one', () => {
		const models = new Map(catalog);
		models.set('twin:1b', model('twin:1b', 'fam-b'));
		const r = role('inc:1b', ['c1:1b', 'twin:1b', 'c2:1b']);
		// c1 ranks first; after it: c1 (fam-b), twin (fam-b), c2 (fam-c) → 2 families: allowed. Make c2 the odd one out.
		const verdicts = decideRole(
			{ role: role('inc:1b', ['c1:1b', 'twin:1b']), cases: 10, metrics: [row('inc:1b', 5, 0.5, 0), row('c1:1b', 9, 0.1, 0), row('twin:1b', 8, 0.2, 0)], catalog: models },
			policy,
		);
		expect(verdicts.map((v) => v.outcome)).toEqual(['blocked: diversity', 'blocked: diversity']);
		const promoted = decideRole({ role: r, cases: 10, metrics: [row('inc:1b', 5, 0.5, 0), row('c1:1b', 9, 0.1, 0), row('twin:1b', 8, 0.2, 0), row('c2:1b', 7, 0.3, 0)], catalog: models }, policy);
		expect(promoted.map((v) => `${v.challenger} ${v.outcome}`)).toEqual(['c1:1b promote', 'twin:1b hold', 'c2:1b hold']);
	});
});

describe('several eligible challengers', () => {
	it('promotes the best by severity-weighted pass, and holds the others', () => {
		const verdicts = decide(role('inc:1b', ['c1:1b', 'c2:1b']), [row('inc:1b', 5, 0.5, 0), row('c1:1b', 8, 0.2, 0, 12), row('c2:1b', 9, 0.1, 0, 14)]);
		expect(verdicts.map((v) => `${v.challenger} ${v.outcome}`)).toEqual(['c1:1b hold', 'c2:1b promote']);
		expect(verdicts[0]!.reason).toMatch(/c1:1b holds: it passes every gate, but c2:1b ranks higher/);
	});

	it.each([
		{ name: 'acceptance breaks a severity tie', a: row('c1:1b', 8, 0.2, 0, 12), b: row('c2:1b', 9, 0.2, 0, 12), winner: 'c2:1b' },
		{ name: 'review pain breaks the next tie', a: row('c1:1b', 8, 0.2, 0, 12), b: row('c2:1b', 8, 0.1, 0, 12), winner: 'c2:1b' },
		{ name: 'latency breaks the next tie', a: row('c1:1b', 8, 0.2, 0, 12, 900), b: row('c2:1b', 8, 0.2, 0, 12, 1200), winner: 'c1:1b' },
		{ name: 'the model id settles a full tie', a: row('c2:1b', 8, 0.2, 0, 12), b: row('c1:1b', 8, 0.2, 0, 12), winner: 'c1:1b' },
	])('$name', ({ a, b, winner }) => {
		const verdicts = decide(role('inc:1b', ['c1:1b', 'c2:1b']), [row('inc:1b', 5, 0.5, 0), a, b]);
		expect(verdicts.find((v) => v.outcome === 'promote')?.challenger).toBe(winner);
	});
});

describe('the evidence gates', () => {
	it('says insufficient evidence below the minimum number of cases', () => {
		const [verdict] = decide(role('inc:1b', ['c1:1b']), [row('inc:1b', 1, 0.5, 0), row('c1:1b', 2, 0.1, 0)], 2);
		expect(verdict).toMatchObject({ outcome: 'insufficient evidence', reason: 'c1:1b cannot be judged: the role has 2 case(s), the policy needs 3' });
	});

	it('says insufficient evidence for a challenger with no results', () => {
		const [verdict] = decide(role('inc:1b', ['c1:1b']), [row('inc:1b', 5, 0.5, 0)]);
		expect(verdict).toMatchObject({ outcome: 'insufficient evidence', reason: 'c1:1b cannot be judged: c1:1b has no results in this run' });
	});

	it('waits for the configured number of consecutive wins', () => {
		const confirm = { ...policy, evidence: { ...policy.evidence, confirm_runs: 3 } };
		const metrics = [row('inc:1b', 5, 0.5, 0), row('c1:1b', 9, 0.1, 0), bystander()];
		const first = decide(withBystander('inc:1b', 'c1:1b'), metrics, 10, confirm, new Map([['c1:1b', 1]]));
		expect(first[0]).toMatchObject({ outcome: 'hold', reason: 'c1:1b holds: it wins, in 2 of the 3 consecutive runs the policy asks for' });
		const third = decide(withBystander('inc:1b', 'c1:1b'), metrics, 10, confirm, new Map([['c1:1b', 2]]));
		expect(third[0]!.outcome).toBe('promote');
	});
});

describe('a whole run', () => {
	const manifest = (digests: Record<string, string | null>) =>
		({ repeats: 1, models: Object.entries(digests).map(([id, digest]) => ({ id, digest })) }) as unknown as Report['manifest'];

	it('proposes the promotion, and retirements by the rules', () => {
		const roles = [role('inc:1b', ['c1:1b', 'c2:1b', 'paid:1b'])];
		const metrics = [row('inc:1b', 5, 0.5, 0), row('c1:1b', 9, 0.1, 0), row('c2:1b', 0, 1, 10), row('paid:1b', 0, 1, 10)];
		const earlier = { metrics, verdicts: [], manifest: manifest({ 'paid:1b': null }) };
		const decision = decideRun({
			roles,
			models: [...catalog.values()],
			casesPerRole: new Map([['r', 10]]),
			metrics,
			policy,
			history: [earlier, earlier],
			manifest: manifest({ 'paid:1b': null, 'c2:1b': 'abc' }),
		});
		expect(decision.proposals).toEqual([
			{ kind: 'promote', role: 'r', model: 'c1:1b', replaces: 'inc:1b', reason: expect.stringMatching(/^c1:1b replaces inc:1b/) },
			{ kind: 'retire', role: 'r', model: 'c2:1b', reason: 'failed hard on every case in each of the last 2 run(s)' },
			{ kind: 'retire', role: 'r', model: 'paid:1b', reason: 'missing from Ollama in each of the last 3 run(s)' },
		]);
	});

	it('decides from the newest historyDepth runs exactly as from the whole history', () => {
		const roles = [role('inc:1b', ['c1:1b', 'c2:1b', 'paid:1b'])];
		const metrics = [row('inc:1b', 5, 0.5, 0), row('c1:1b', 9, 0.1, 0), row('c2:1b', 0, 1, 10), row('paid:1b', 0, 1, 10)];
		const won = { role: 'r', challenger: 'c1:1b', incumbent: 'inc:1b', outcome: 'hold' as const, reason: 'wins', gates: [{ gate: 'confirm_runs', challenger: 1, incumbent: 9, pass: false }] };
		const earlier = { metrics, verdicts: [won], manifest: manifest({ 'paid:1b': null }) };
		const history = Array.from({ length: 8 }, () => earlier);
		for (const [confirm, hard, missing] of [[1, 2, 3], [3, 1, 1], [5, 2, 7], [9, 9, 9], [12, 1, 1]] as const) {
			const rules = { ...policy, evidence: { ...policy.evidence, confirm_runs: confirm }, retirement: { all_hard_failures_runs: hard, missing_model_runs: missing } };
			const input = { roles, models: [...catalog.values()], casesPerRole: new Map([['r', 10]]), metrics, policy: rules, manifest: manifest({ 'paid:1b': null, 'c2:1b': 'abc' }) };
			const depth = historyDepth(rules);
			expect(depth).toBe(Math.max(1, confirm - 1, hard - 1, missing - 1));
			expect(decideRun({ ...input, history: history.slice(-depth) }), `confirm ${confirm}, hard ${hard}, missing ${missing}`).toEqual(decideRun({ ...input, history }));
		}
	});
});
