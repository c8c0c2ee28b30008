import { describe, expect, it } from 'vitest';
import { cachedFirst, caseDraw, createCaseOrders, stratifiedOrder } from '../../src/lib/run/case-order.ts';
import { SEVERITIES, type Severity } from '../../src/lib/schema/common.ts';
import { planRun } from '../../src/lib/run/plan-run.ts';
import { ModelSchema } from '../../src/lib/schema/model.ts';
import { RoleSchema } from '../../src/lib/schema/role.ts';
import { generateCases } from '../../bench/support/generated-cases.ts';

/** A role's cases with these many of each severity. */
function cases(counts: Partial<Record<Severity, number>>): { id: string; severity: Severity }[] {
	return SEVERITIES.flatMap((severity) =>
		Array.from({ length: counts[severity] ?? 0 }, (_, index) => ({ id: `${severity}-${String(index).padStart(3, '0')}`, severity })),
	);
}

/** Across every prefix of `order`, the furthest any severity's count is from its share of the prefix. */
function worstPrefixDeviation(order: readonly { severity: Severity }[]): number {
	const totals = new Map(SEVERITIES.map((severity) => [severity, order.filter((entry) => entry.severity === severity).length]));
	const seen = new Map(SEVERITIES.map((severity) => [severity, 0]));
	let worst = 0;
	order.forEach((entry, index) => {
		seen.set(entry.severity, seen.get(entry.severity)! + 1);
		const length = index + 1;
		for (const severity of SEVERITIES)
			worst = Math.max(worst, Math.abs(seen.get(severity)! - (length * totals.get(severity)!) / order.length));
	});
	return worst;
}

describe('the order a model answers a role’s cases in', () => {
	it.each([
		{ low: 60, medium: 30, high: 8, critical: 2 },
		{ low: 10, medium: 10, high: 10, critical: 10 },
		{ low: 1, medium: 97, high: 1, critical: 1 },
		{ low: 250, medium: 150, high: 70, critical: 30 },
		{ medium: 7, critical: 3 },
	])('keeps every prefix within two cases of each severity’s share (%o)', (counts) => {
		const all = cases(counts);
		for (const seed of [0, 1, 42, 12345]) {
			const order = stratifiedOrder(all, seed);
			expect(order.map((entry) => entry.id).sort()).toEqual(all.map((entry) => entry.id).sort());
			expect(worstPrefixDeviation(order)).toBeLessThanOrEqual(2);
		}
	});

	it('is a shuffle, not the id order: a sorted list gives a prefix of mixed severities', () => {
		const order = stratifiedOrder(cases({ low: 50, medium: 30, high: 15, critical: 5 }), 7);
		// The first 20 hold every severity, the one critical case its share (5 of 100) gives them included.
		expect(new Set(order.slice(0, 20).map((entry) => entry.severity))).toEqual(new Set(SEVERITIES));
		expect(order.slice(0, 20).filter((entry) => entry.severity === 'critical')).toHaveLength(1);
		const lows = order.filter((entry) => entry.severity === 'low').map((entry) => entry.id);
		expect(lows).not.toEqual([...lows].sort());
	});

	it('is fixed by the seed and the ids alone: the same order for the same inputs, another for another seed', () => {
		const all = cases({ low: 40, medium: 20, high: 10, critical: 4 });
		const ids = (seed: number, list = all) => stratifiedOrder(list, seed).map((entry) => entry.id);
		expect(ids(3)).toEqual(ids(3));
		expect(ids(3, [...all].reverse())).toEqual(ids(3));
		expect(ids(4)).not.toEqual(ids(3));
	});

	it('keeps the order within a severity when a case is added: the new case takes its own draw', () => {
		const all = cases({ low: 30, medium: 12, high: 6, critical: 2 });
		const grown = [...all, { id: 'medium-new', severity: 'medium' as const }];
		const within = (order: readonly { id: string; severity: Severity }[], severity: Severity) =>
			order.filter((entry) => entry.severity === severity && entry.id !== 'medium-new').map((entry) => entry.id);
		for (const severity of SEVERITIES)
			expect(within(stratifiedOrder(grown, 9), severity)).toEqual(within(stratifiedOrder(all, 9), severity));
		// Within a severity, the draw alone decides.
		const mediums = within(stratifiedOrder(all, 9), 'medium');
		expect(mediums).toEqual([...mediums].sort((a, b) => (caseDraw(9, a) < caseDraw(9, b) ? -1 : 1)));
	});

	it('puts the cached answers first and keeps each part in its order', () => {
		expect(cachedFirst(['a', 'b', 'c', 'd', 'e'], (id) => id === 'b' || id === 'e')).toEqual(['b', 'e', 'a', 'c', 'd']);
		expect(cachedFirst([], () => true)).toEqual([]);
	});

	it('keeps each model’s order per role, empty for a pair it was never given', () => {
		const orders = createCaseOrders();
		const ids = ['c', 'a'];
		orders.set('draft', 'm:1b', ids);
		ids.push('mutated');
		expect(orders.get('draft', 'm:1b')).toEqual(['c', 'a']);
		expect(orders.get('draft', 'other:1b')).toEqual([]);
	});
});

describe('the plan', () => {
	it('plans the incumbents first, each on its role’s cases in id order, and every other model in the seeded, stratified order', async () => {
		const all = await generateCases(16);
		const model = (id: string, family: string) => ModelSchema.parse({ id, family });
		const role = (name: string, incumbent: string, challengers: string[]) => ({
			file: `${name}.yaml`,
			role: RoleSchema.parse({ role: name, description: 'Plan test role.', incumbent, challengers }),
		});
		const registry = {
			models: [model('aaa:1b', 'a'), model('mmm:1b', 'm'), model('zzz:1b', 'z')],
			// zzz is an incumbent, aaa only a challenger: zzz comes first although it sorts last.
			roles: [role('draft', 'zzz:1b', ['aaa:1b']), role('reason', 'mmm:1b', ['zzz:1b'])],
			cases: all.map((testCase) => ({ file: `${testCase.id}.json`, case: testCase })),
			policy: { run: { seed: 11 } },
		};
		const plans = planRun(registry, 'http://127.0.0.1:9');
		expect(plans.map((plan) => plan.model)).toEqual(['mmm:1b', 'zzz:1b', 'aaa:1b']);
		// zzz is the incumbent of draft (id order there) and a challenger in reason (the seeded order there).
		const zzz = plans.find((plan) => plan.model === 'zzz:1b')!;
		const idsOf = (name: string) => zzz.items.filter((item) => item.role === name).map((item) => item.case.id);
		const casesOf = (name: string) => all.filter((testCase) => testCase.role === name);
		expect(idsOf('draft')).toEqual(
			casesOf('draft')
				.map((testCase) => testCase.id)
				.sort(),
		);
		expect(idsOf('reason')).toEqual(stratifiedOrder(casesOf('reason'), 11).map((testCase) => testCase.id));
		expect(idsOf('reason')).not.toEqual([...idsOf('reason')].sort());
		// A filter on models: the incumbent left out is not planned, its challenger still is.
		expect(planRun(registry, 'http://127.0.0.1:9', { models: ['aaa:1b', 'mmm:1b'] }).map((plan) => plan.model)).toEqual([
			'mmm:1b',
			'aaa:1b',
		]);
	});
});
