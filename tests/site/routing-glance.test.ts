import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/lib/schema/report.ts';
import { routingGlance } from '../../src/lib/site/routing-glance.ts';
import { metricsRow, role, run, verdict } from './fixtures.ts';

type Verdict = Report['verdicts'][number];
type Gate = Verdict['gates'][number];

const gate = (name: string, pass: boolean, extra: Partial<Gate> = {}): Gate => ({
	gate: name,
	challenger: null,
	incumbent: null,
	pass,
	...extra,
});
const judged = (challenger: string, incumbent: string, outcome: Verdict['outcome'], parts: Partial<Verdict> = {}): Verdict => ({
	...verdict('draft', challenger, incumbent, outcome),
	...parts,
});

const A = 'gemma4:latest';
const B = 'llama3.1:8b';
const C = 'qwen3:8b';

describe('routing at a glance', () => {
	it.each([
		{
			name: 'a promotion applied, with the counts and the p of the paired test',
			incumbent: B,
			metrics: [metricsRow('draft', A, 20, 40), metricsRow('draft', B, 38, 40)],
			verdicts: [
				judged(B, A, 'promote', {
					gates: [gate('acceptance_rate', true), gate('strictly_better', true, { challenger: 'acceptance_rate', p_better: 0.0000041 })],
				}),
			],
			proposals: [{ kind: 'promote' as const, role: 'draft', model: B, replaces: A, reason: 'better' }],
			evidence: 'promoted on 38 of 40 vs 20 of 40 accepted (p 0.0000041)',
			outcome: 'promote',
		},
		{
			name: 'a promotion proposed but not applied yet',
			incumbent: A,
			metrics: [metricsRow('draft', A, 20, 40), metricsRow('draft', B, 38, 40)],
			verdicts: [judged(B, A, 'promote', { gates: [gate('strictly_better', true, { challenger: 'acceptance_rate', p_better: 0.03 })] })],
			proposals: [{ kind: 'promote' as const, role: 'draft', model: B, replaces: A, reason: 'better' }],
			evidence: 'llama3.1:8b is proposed to replace it, on 38 of 40 vs 20 of 40 accepted (p 0.03); not applied yet',
			outcome: 'promote',
		},
		{
			name: 'a promotion on review pain',
			incumbent: B,
			metrics: [
				{ ...metricsRow('draft', A, 4, 4), review_pain: 0.4 },
				{ ...metricsRow('draft', B, 4, 4), review_pain: 0.125 },
			],
			verdicts: [judged(B, A, 'promote', { gates: [gate('strictly_better', true, { challenger: 'review_pain', p_better: 0.01 })] })],
			proposals: [{ kind: 'promote' as const, role: 'draft', model: B, replaces: A, reason: 'better' }],
			evidence: 'promoted on review pain 0.13 vs 0.40 (p 0.01)',
			outcome: 'promote',
		},
		{
			name: 'a hold for more evidence: the nearest of several challengers speaks',
			incumbent: A,
			metrics: [metricsRow('draft', A, 1, 4), metricsRow('draft', B, 3, 4), metricsRow('draft', C, 2, 4)],
			verdicts: [
				judged(C, A, 'hold: not enough evidence', { more_evidence: { cases: 30 } }),
				judged(B, A, 'hold: not enough evidence', { more_evidence: { cases: 12 } }),
			],
			evidence: 'held — 12 more cases needed to tell llama3.1:8b from gemma4:latest',
			outcome: 'hold: not enough evidence',
		},
		{
			name: 'a grader not valid on the cases',
			incumbent: A,
			metrics: [metricsRow('draft', A, 1, 4), metricsRow('draft', B, 3, 4)],
			verdicts: [judged(B, A, 'insufficient evidence', { gates: [gate('min_cases_per_role', true), gate('grader_valid', false)] })],
			evidence: 'grader not valid on these cases',
			outcome: 'insufficient evidence',
		},
		{
			name: 'too few cases for any verdict',
			incumbent: A,
			metrics: [metricsRow('draft', A, 1, 4), metricsRow('draft', B, 3, 4)],
			verdicts: [judged(B, A, 'insufficient evidence', { gates: [gate('min_cases_per_role', false)], more_evidence: { cases: 6 } })],
			evidence: 'not judged yet — 6 more cases needed before any verdict',
			outcome: 'insufficient evidence',
		},
		{
			name: 'a challenger shown worse',
			incumbent: A,
			metrics: [metricsRow('draft', A, 4, 4), metricsRow('draft', B, 0, 4)],
			verdicts: [judged(B, A, 'hold', { gates: [gate('acceptance_rate', false), gate('review_pain', true)] })],
			evidence: 'held — llama3.1:8b is shown worse on acceptance rate',
			outcome: 'hold',
		},
		{
			name: 'a challenger ahead nowhere',
			incumbent: A,
			metrics: [metricsRow('draft', A, 2, 4), metricsRow('draft', B, 2, 4)],
			verdicts: [judged(B, A, 'hold', { gates: [gate('acceptance_rate', true), gate('strictly_better', false)] })],
			evidence: 'held — llama3.1:8b is not ahead on any metric',
			outcome: 'hold',
		},
		{
			name: 'a win blocked by the diversity guard',
			incumbent: A,
			metrics: [metricsRow('draft', A, 0, 4), metricsRow('draft', B, 4, 4)],
			verdicts: [judged(B, A, 'blocked: diversity')],
			evidence: 'held — llama3.1:8b would win, but the role would be left with too few model families',
			outcome: 'blocked: diversity',
		},
		{
			name: 'a role with no challenger',
			incumbent: A,
			metrics: [metricsRow('draft', A, 3, 4)],
			verdicts: [],
			evidence: 'no challenger measured against it (4 cases)',
			outcome: null,
		},
	])('$name', ({ incumbent, metrics, verdicts, proposals, evidence, outcome }) => {
		const runs = [run('r1', '2026-11-01', { metrics, verdicts, proposals: proposals ?? [] })];
		const [glance] = routingGlance([role('draft', incumbent)], runs);
		expect(glance).toMatchObject({ role: 'draft', model: incumbent, latest_run: 'r1', evidence, outcome });
	});

	it('says there is no evidence yet when no run measured the role', () => {
		expect(routingGlance([role('coder', A)], [run('r1', '2026-11-01', { metrics: [metricsRow('draft', A, 1)] })])).toEqual([
			{ role: 'coder', model: A, since: null, latest_run: null, outcome: null, evidence: 'no evidence yet' },
		]);
	});

	it('dates the incumbent from its promotion, or from the first run of its unbroken stretch', () => {
		const serving = (id: string, date: string, incumbent: string) =>
			run(id, date, {
				metrics: [metricsRow('draft', incumbent, 2), metricsRow('draft', incumbent === A ? B : A, 1)],
				verdicts: [verdict('draft', incumbent === A ? B : A, incumbent)],
			});
		// A served, B served (by hand), then A again from r3 on: A's stretch starts at r3.
		const runs = [
			serving('r1', '2026-11-01', A),
			serving('r2', '2026-11-02', B),
			serving('r3', '2026-11-03', A),
			serving('r4', '2026-11-04', A),
		];
		expect(routingGlance([role('draft', A)], runs)[0]!.since).toEqual({ run: 'r3', date: '2026-11-03', basis: 'serving' });
		const promoted = run('r5', '2026-11-05', {
			metrics: [metricsRow('draft', A, 0), metricsRow('draft', B, 4)],
			verdicts: [verdict('draft', B, A, 'promote')],
			proposals: [{ kind: 'promote', role: 'draft', model: B, replaces: A, reason: 'better' }],
		});
		expect(routingGlance([role('draft', B)], [...runs, promoted])[0]!.since).toEqual({ run: 'r5', date: '2026-11-05', basis: 'promoted' });
	});
});
