import { computeMetrics } from '../../src/lib/metrics/compute-metrics.ts';
import type { Model } from '../../src/lib/schema/model.ts';
import { type Policy, PolicySchema } from '../../src/lib/schema/policy.ts';
import type { CaseResult, RoleMetrics } from '../../src/lib/schema/report.ts';
import type { Role } from '../../src/lib/schema/role.ts';
import { caseResult } from '../../testing/case-result.ts';

/** The policy the decision tests judge by: alpha 0.05, two families, three cases at least. */
export const policy: Policy = PolicySchema.parse({
	gates: { cost_tier: 'free-unless-incumbent-paid' },
	diversity: { min_families: 2 },
	evidence: { min_cases_per_role: 3 },
	severity_weights: {},
	run: { num_ctx: 8192, num_predict: 512, seed: 1, call_timeout_s: 60, stall_timeout_s: 30 },
	retirement: {},
	escalation: { tasks: ['code-review'], chain: [{ provider: 'ollama', model: 'big:1b' }], max_frontier_calls_per_run: 0 },
});

export const model = (id: string, family: string, cost_tier: 'free' | 'paid' = 'free'): Model => ({
	id,
	family,
	cost_tier,
	provider: 'ollama',
});

export const role = (incumbent: string, challengers: string[], name = 'r'): Role => ({
	role: name,
	description: 'd',
	incumbent,
	challengers,
	retired: [],
});

/**
 * One model's case results in a role, written case by case: `A` accepted (quality 1), `R` rejected
 * (quality 0.4), `H` a hard failure; one letter per case, case ids c000, c001, …. With `repeats`, each
 * group of letters separated by `|` is one repeat.
 */
export function answers(modelId: string, script: string, name = 'r', latency = 1000): CaseResult[] {
	return script.split('|').flatMap((letters, repeat) =>
		[...letters].map((letter, index) =>
			caseResult({
				role: name,
				model: modelId,
				case_id: `c${String(index).padStart(3, '0')}`,
				repeat,
				outcome: letter === 'A' ? 'accepted' : letter === 'R' ? 'rejected' : 'hard-failure',
				failure_class: letter === 'H' ? 'timeout' : null,
				quality: letter === 'A' ? 1 : letter === 'R' ? 0.4 : 0,
				output: letter === 'H' ? '' : 'answer',
				latency_ms: letter === 'H' ? null : latency,
			}),
		),
	);
}

/** `n` letters: `a` A's, then `r` R's, then H's for the rest. */
export const letters = (n: number, a: number, r = n - a) => 'A'.repeat(a) + 'R'.repeat(r) + 'H'.repeat(n - a - r);

/** The metrics rows the pipeline would compute from these results. */
export function metricsOf(results: readonly CaseResult[], repeats = 1): RoleMetrics[] {
	const roles = new Map<string, { id: string; severity: 'low' }[]>();
	for (const result of results) {
		const list = roles.get(result.role) ?? [];
		if (!list.some((c) => c.id === result.case_id)) list.push({ id: result.case_id, severity: 'low' });
		roles.set(result.role, list);
	}
	return computeMetrics(results, roles, { low: 1, medium: 2, high: 3, critical: 5 }, repeats);
}
