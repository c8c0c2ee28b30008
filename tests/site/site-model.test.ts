import { describe, expect, it } from 'vitest';
import {
	acceptanceTrend,
	allModelIds,
	compareRoles,
	digestsSeen,
	roleRows,
	routingTable,
	runIncumbent,
	verdictLabel,
} from '../../src/lib/site/site-model.ts';
import type { Case } from '../../src/lib/schema/case.ts';
import { metricsRow, role, run, verdict } from './fixtures.ts';

const first = run('local-model-benchmark-2026-01-01', '2026-01-01', {
	metrics: [metricsRow('draft', 'inc:1b', 2), metricsRow('draft', 'chal:1b', 3), metricsRow('coder', 'solo:1b', 4)],
	verdicts: [verdict('draft', 'chal:1b', 'inc:1b', 'promote')],
	proposals: [{ kind: 'promote', role: 'draft', model: 'chal:1b', replaces: 'inc:1b', reason: 'better' }],
	digests: { 'chal:1b': 'c'.repeat(64) },
});
const second = run('local-model-benchmark-2026-01-08', '2026-01-08', {
	metrics: [metricsRow('draft', 'chal:1b', 4), metricsRow('draft', 'new:1b', 1), metricsRow('coder', 'solo:1b', 3)],
	verdicts: [verdict('draft', 'new:1b', 'chal:1b')],
	proposals: [{ kind: 'retire', role: 'draft', model: 'new:1b', reason: 'hard failures' }],
	digests: { 'chal:1b': 'd'.repeat(64) },
});
const third = run('local-model-benchmark-2026-01-08-2', '2026-01-08', {
	metrics: [metricsRow('coder', 'solo:1b', 4)],
	digests: { 'chal:1b': 'c'.repeat(64) },
});

describe('what the pages derive from the reports', () => {
	it('orders roles as the routing slots, then others alphabetically', () => {
		expect(['zeta', 'coder', 'alpha', 'draft', 'review', 'reason'].sort(compareRoles)).toEqual([
			'draft',
			'reason',
			'review',
			'coder',
			'alpha',
			'zeta',
		]);
	});

	it('says who served a role in a run, and what the run decided about each model', () => {
		expect(runIncumbent(first.report, 'draft')).toBe('inc:1b');
		expect(runIncumbent(first.report, 'coder')).toBe('solo:1b');
		expect(roleRows(first.report, 'draft').map((row) => row.model)).toEqual(['inc:1b', 'chal:1b']);
		expect(verdictLabel(first.report, 'draft', 'inc:1b')).toBe('incumbent, replacement proposed');
		expect(verdictLabel(first.report, 'draft', 'chal:1b')).toBe('promote');
		expect(verdictLabel(second.report, 'draft', 'new:1b')).toBe('hold, retirement proposed');
		expect(verdictLabel(first.report, 'coder', 'solo:1b')).toBe('incumbent');
		expect(verdictLabel(first.report, 'coder', 'other:1b')).toBe('—');
	});

	it('traces each model of a role over the runs that measured it, null where it was not run', () => {
		const trend = acceptanceTrend([first, second, third], 'draft');
		expect(trend.runs.map((entry) => entry.id)).toEqual([first.id, second.id]);
		expect(trend.series.map((series) => series.model)).toEqual(['chal:1b', 'inc:1b', 'new:1b']);
		expect(trend.series[1]!.points[0]!.value).toBe(0.5);
		expect(trend.series[1]!.points[1]).toBeNull();
		expect(trend.series[0]!.points.map((point) => point?.value)).toEqual([0.75, 1]);
	});

	it('lists the digests a model was seen with, each once, in the order they appeared', () => {
		expect(digestsSeen([first, second, third], 'chal:1b')).toEqual([
			{ digest: 'c'.repeat(64), quantization: 'Q4_K_M', parameter_size: '8B', first_run: first.id, last_run: first.id, runs: 1 },
			{ digest: 'd'.repeat(64), quantization: 'Q4_K_M', parameter_size: '8B', first_run: second.id, last_run: second.id, runs: 1 },
		]);
		expect(digestsSeen([first], 'absent:1b')).toEqual([]);
	});

	it('routes each role to its incumbent, justified by the newest run that measured it serving or winning', () => {
		const roles = [role('draft', 'chal:1b', ['new:1b']), role('coder', 'solo:1b'), role('review', 'unmeasured:1b')];
		const cases = [{ role: 'draft' }, { role: 'draft' }, { role: 'coder' }] as Case[];
		const routes = routingTable({ roles, runs: [first, second, third], cases });
		expect([...routes.keys()]).toEqual(['coder', 'draft', 'review']);
		expect(routes.get('draft')).toEqual({
			incumbent: 'chal:1b',
			promoted_in: first.id,
			justified_by: { basis: 'held', run: second.id, date: '2026-01-08', acceptance_rate: 1, review_pain: 0, hard_failure_rate: 0 },
			evidence: { tasks: ['commit-message'], cases: 2 },
		});
		expect(routes.get('coder')!.justified_by).toMatchObject({ basis: 'held', run: third.id });
		expect(routes.get('review')).toEqual({ incumbent: 'unmeasured:1b', promoted_in: null, justified_by: null, evidence: null });
		// Right after the promoting run, that run is the justification.
		expect(routingTable({ roles, runs: [first], cases }).get('draft')!.justified_by).toMatchObject({
			basis: 'promoted',
			run: first.id,
			acceptance_rate: 0.75,
		});
	});

	it('gives a role no evidence when no task measures it or it has no cases', () => {
		const roles = [role('draft', 'a:1b'), role('translate', 'b:1b')];
		const routes = routingTable({ roles, runs: [], cases: [{ role: 'translate' }] as Case[] });
		expect(routes.get('draft')!.evidence).toBeNull();
		expect(routes.get('translate')!.evidence).toBeNull();
	});

	it('does not let a run in which the incumbent lost as a challenger justify it', () => {
		const lost = run('local-model-benchmark-2026-02-01', '2026-02-01', {
			metrics: [metricsRow('draft', 'x:1b', 4), metricsRow('draft', 'y:1b', 1)],
			verdicts: [verdict('draft', 'y:1b', 'x:1b')],
		});
		expect(routingTable({ roles: [role('draft', 'y:1b')], runs: [lost], cases: [] }).get('draft')!.justified_by).toBeNull();
	});

	it('knows every model id the site mentions', () => {
		const roles = [{ ...role('draft', 'chal:1b', ['new:1b']), retired: [{ model: 'gone:1b', reason: 'r', date: '2026-01-01' }] }];
		expect(
			allModelIds({ models: [{ id: 'catalog:1b', family: 'f', cost_tier: 'free', provider: 'ollama' }], roles, runs: [first] }),
		).toEqual(['catalog:1b', 'chal:1b', 'gone:1b', 'inc:1b', 'new:1b', 'solo:1b']);
	});
});
