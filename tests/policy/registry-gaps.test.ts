import { describe, expect, it } from 'vitest';
import { registryGaps, roleEvidence } from '../../src/lib/registry/registry-gaps.ts';
import { model, role } from './support.ts';

const escalation = {
	escalation: {
		enabled: true,
		role: 'review',
		tasks: ['code-review' as const],
		chain: [{ provider: 'ollama' as const, model: 'big:1b' }],
		max_frontier_calls_per_run: 0,
	},
};

describe('registry gaps', () => {
	it('warns about a role no task measures, a role without cases and a model no role names', () => {
		const warnings = registryGaps({
			models: [
				model('a:1b', 'fam-a'),
				model('b:1b', 'fam-b'),
				model('big:1b', 'fam-c'),
				model('idle:1b', 'fam-d'),
				model('old:1b', 'fam-e'),
			],
			roles: [
				{ ...role('a:1b', ['b:1b'], 'draft'), retired: [{ model: 'old:1b', reason: 'slow', date: '2026-01-01' }] },
				role('a:1b', [], 'review'),
				role('b:1b', [], 'translate'),
			],
			cases: [{ role: 'draft' }],
			policy: escalation,
		});
		expect(warnings).toEqual([
			'role review: no cases under benchmarks/cases/review/, so it gets no evidence; mine some with `npm run mine`',
			'role translate: no task measures it (tasks exist for draft, reason, review, coder), so it gets no evidence and its incumbent is never judged',
			'model idle:1b: in benchmarks/models.yaml, but no role names it and no escalation step uses it, so it is never run',
		]);
	});

	it('warns about a baseline that policy.yaml gives no settings to, and not once it does', () => {
		const registry = {
			models: [model('a:1b', 'f'), model('big:1b', 'g'), model('claude-x', 'anthropic-claude')],
			roles: [{ ...role('a:1b', [], 'coder'), baseline: 'claude-x' }],
			cases: [{ role: 'coder' }],
		};
		expect(registryGaps({ ...registry, policy: escalation })).toEqual([
			'role coder: names the baseline claude-x, but benchmarks/policy.yaml has no `baseline` section, so it is never asked (add one: see "Local or frontier" in the README)',
		]);
		const baseline = {
			max_calls_per_run: 1,
			margin: 0.05,
			max_tokens: 100,
			api_key_env: 'K',
			base_url: 'http://x',
			local_cost_per_gpu_hour: 0,
		};
		expect(registryGaps({ ...registry, policy: { ...escalation, baseline } })).toEqual([]);
	});

	it('says nothing about a registry with no gaps', () => {
		expect(
			registryGaps({
				models: [model('a:1b', 'f'), model('big:1b', 'g')],
				roles: [role('a:1b', [], 'coder')],
				cases: [{ role: 'coder' }],
				policy: escalation,
			}),
		).toEqual([]);
	});

	it.each([
		{
			name: 'a measured role',
			r: 'review',
			cases: [{ role: 'review' }, { role: 'review' }, { role: 'draft' }],
			expected: { tasks: ['code-review', 'security-review'], cases: 2 },
		},
		{ name: 'a role without cases', r: 'coder', cases: [{ role: 'draft' }], expected: null },
		{ name: 'a role no task measures', r: 'translate', cases: [{ role: 'translate' }], expected: null },
	])('evidence of $name', ({ r, cases, expected }) => {
		expect(roleEvidence(r, cases)).toEqual(expected);
	});
});
