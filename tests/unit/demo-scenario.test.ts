import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/lib/registry/load-registry.ts';
import { DEMO_ROLES, DEMO_RUNS, casesAnsweredRight, committedCases } from '../../testing/demo-scenario.ts';
import { PROJECT_ROOT } from '../../testing/project-copy.ts';

const cases = await committedCases();
const byRole = Map.groupBy(cases, (testCase) => testCase.role);

describe('the demo scenario', () => {
	it.each([
		{ model: 'llama3.1:8b', role: 'draft', share: 0.86, right: Math.round(0.86 * byRole.get('draft')!.length) },
		{ model: 'deepseek-r1:14b', role: 'reason', share: 0.62, right: Math.round(0.62 * byRole.get('reason')!.length) },
		{ model: 'gemma4:26b', role: 'review', share: 0.6, right: Math.round(0.6 * byRole.get('review')!.length) },
		{ model: 'phi4:14b', role: 'review', share: 1, right: byRole.get('review')!.length },
		{ model: 'qwen3:14b', role: 'coder', share: 0.5, right: Math.round(0.5 * byRole.get('coder')!.length) },
		{ model: 'granite3.3:8b', role: 'draft', share: 0, right: 0 },
	])('answers $right of $role right for $model at $share', ({ model, role, share, right }) => {
		const chosen = casesAnsweredRight(model, byRole.get(role)!, share);
		expect(chosen.size).toBe(right);
		expect(casesAnsweredRight(model, byRole.get(role)!, share)).toEqual(chosen);
	});

	it('keeps, after a regression, a subset of the cases a model got right before', () => {
		const before = casesAnsweredRight('deepseek-r1:14b', byRole.get('reason')!, 0.62);
		const after = casesAnsweredRight('deepseek-r1:14b', byRole.get('reason')!, 0.4);
		expect(after.size).toBeLessThan(before.size);
		expect([...after].every((id) => before.has(id))).toBe(true);
	});

	it('gives different models different cases, so paired tests see disagreements', () => {
		const gemma = casesAnsweredRight('gemma4:latest', byRole.get('draft')!, 0.6);
		const llama = casesAnsweredRight('llama3.1:8b', byRole.get('draft')!, 0.6);
		expect(gemma).not.toEqual(llama);
	});

	it('scripts every model of its line-up in every run, on cases of every role', async () => {
		const registry = await loadRegistry(PROJECT_ROOT);
		expect([...byRole.keys()].sort()).toEqual(Object.keys(DEMO_ROLES).sort());
		const lineUp = new Set([
			...Object.values(DEMO_ROLES).flatMap((role) => [role.incumbent, ...role.challengers]),
			...registry.policy.escalation.chain.filter((step) => step.provider === 'ollama').map((step) => step.model),
		]);
		for (const run of DEMO_RUNS) expect(Object.keys(run.models).sort()).toEqual([...lineUp].sort());
		expect(DEMO_RUNS.map((run) => run.daysAgo)).toEqual([21, 14, 7, 0]);
	});
});
