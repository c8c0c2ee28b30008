import type { Registry } from '../registry/load-registry.ts';
import type { EscalationOutcome, EscalationSummary } from '../schema/escalation.ts';
import type { CaseResult } from '../schema/report.ts';

/**
 * The run's turbo-escalation accounting: how often the incumbent's rejections were escalated, how often
 * the escalated verdict overturned them (and whether the history agrees), what each step of the chain
 * did, and what the frontier API cost. Undefined when escalation is off. Pure.
 */
export function summarizeEscalations(
	registry: Pick<Registry, 'policy' | 'roles'>,
	results: readonly CaseResult[],
): EscalationSummary | undefined {
	const policy = registry.policy.escalation;
	if (!policy.enabled) return undefined;
	const incumbent = registry.roles.find((entry) => entry.role.role === policy.role)?.role.incumbent ?? null;
	const tasks: readonly string[] = policy.tasks;
	const considered = results.filter((result) => result.role === policy.role && result.model === incumbent && tasks.includes(result.task));
	const records = considered.flatMap((result) => (result.escalation ? [result.escalation] : []));
	const resolved = records.filter((record) => record.verdict !== null);
	const overturned = records.filter((record) => record.overturned);

	// A record's steps are a prefix of the chain (the chain stops at the first answer): step i is chain[i].
	const steps = policy.chain.map((step, index) => {
		const taken = records.flatMap((record) => (record.steps[index] ? [record.steps[index]] : []));
		const outcomes: Partial<Record<EscalationOutcome, number>> = {};
		for (const record of taken) outcomes[record.outcome] = (outcomes[record.outcome] ?? 0) + 1;
		return {
			provider: step.provider,
			model: step.model,
			outcomes,
			calls: taken.filter((record) => record.latency_ms !== null && !record.cached).length,
			cached: taken.filter((record) => record.cached).length,
			input_tokens: sum(taken.map((record) => record.input_tokens)),
			output_tokens: sum(taken.map((record) => record.output_tokens)),
		};
	});
	const frontier = steps.filter((step) => step.provider !== 'ollama');
	return {
		role: policy.role,
		incumbent,
		tasks: [...tasks],
		results: considered.length,
		escalations: records.length,
		escalation_rate: share(records.length, considered.length),
		resolved: resolved.length,
		overturned: overturned.length,
		overturn_rate: share(overturned.length, resolved.length),
		overturned_right: overturned.filter((record) => record.reference_verdict === 'approve').length,
		overturned_wrong: overturned.filter((record) => record.reference_verdict === 'reject').length,
		steps,
		frontier: {
			calls: sum(frontier.map((step) => step.calls)),
			cached: sum(frontier.map((step) => step.cached)),
			input_tokens: sum(frontier.map((step) => step.input_tokens)),
			output_tokens: sum(frontier.map((step) => step.output_tokens)),
			budget: policy.max_frontier_calls_per_run,
		},
	};
}

/**
 * A result as the report's evidence hash should see it: an escalation without what changes from one
 * run to the next when nothing else did (whether an answer came from the cache, how long a refused
 * request took, a server's wording of a failure). A rebuild whose failing steps fail the same way, and
 * whose answers come from the cache, hashes the same and writes no new report. Pure.
 */
export function withStableEscalation<T extends Pick<CaseResult, 'escalation'>>(result: T): T {
	if (!result.escalation) return result;
	return {
		...result,
		escalation: {
			...result.escalation,
			steps: result.escalation.steps.map(({ cached: _cached, latency_ms: _latency, detail: _detail, ...step }) => step),
		},
	} as T;
}

function share(part: number, whole: number): number | null {
	return whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null;
}

function sum(values: readonly number[]): number {
	return values.reduce((total, value) => total + value, 0);
}
