import type { SeverityWeightsSchema } from '../schema/policy.ts';
import type { CaseResult, HardFailureClass, RoleMetrics } from '../schema/report.ts';
import type { z } from 'astro/zod';
import { percentile, round4, wilson } from './wilson.ts';

type SeverityWeights = z.infer<typeof SeverityWeightsSchema>;

/** Hard-failure classes of an answer that was written but could not be read as the task's answer. */
const MALFORMED: ReadonlySet<HardFailureClass> = new Set(['malformed-edit', 'unparseable']);

/**
 * The well-formed edit rate of one role × model: over its implement-change results that reached the
 * parser, the share whose answer parsed and applied. Null without such results.
 */
export function wellFormedEdits(group: readonly CaseResult[]): Pick<RoleMetrics, 'well_formed_edits'> {
	const coder = group.filter((result) => result.task === 'implement-change');
	const answered = coder.filter(
		(result) => result.outcome !== 'hard-failure' || (result.failure_class !== null && MALFORMED.has(result.failure_class)),
	);
	const wellFormed = answered.filter((result) => result.outcome !== 'hard-failure').length;
	return {
		well_formed_edits:
			answered.length === 0 ? null : { well_formed: wellFormed, answered: answered.length, rate: wilson(wellFormed, answered.length) },
	};
}

/**
 * Metrics per role × model, as the methodology defines them, over the cases of `casesPerRole` the model
 * ran: a case the server could not serve (not run) has no result and counts nowhere — not in `cases`, not
 * in the severity maximum. With repeats, each result counts once and pass^k is the share of cases accepted
 * in every repeat, among the cases whose every repeat ran. A model without results has no row. Rows are
 * sorted by role, then model. Pure.
 */
export function computeMetrics(
	results: readonly CaseResult[],
	casesPerRole: ReadonlyMap<string, readonly { id: string; severity: keyof SeverityWeights }[]>,
	weights: SeverityWeights,
	repeats: number,
): RoleMetrics[] {
	const groups = new Map<string, CaseResult[]>();
	for (const result of results) {
		const key = `${result.role}\u0000${result.model}`;
		const group = groups.get(key);
		if (group) group.push(result);
		else groups.set(key, [result]);
	}
	const rows: RoleMetrics[] = [];
	for (const [key, group] of groups) {
		const [role, model] = key.split('\u0000') as [string, string];
		// Each case's results (its repeats), in the order they came.
		const byCase = new Map<string, CaseResult[]>();
		for (const r of group) {
			const runs = byCase.get(r.case_id);
			if (runs) runs.push(r);
			else byCase.set(r.case_id, [r]);
		}
		const runsOf = (id: string) => byCase.get(id) ?? [];
		const cases = (casesPerRole.get(role) ?? []).filter((c) => byCase.has(c.id));
		const n = group.length;
		const accepted = group.filter((r) => r.outcome === 'accepted');
		const hard = group.filter((r) => r.outcome === 'hard-failure');
		const byClass: Partial<Record<HardFailureClass, number>> = {};
		for (const r of hard) if (r.failure_class) byClass[r.failure_class] = (byClass[r.failure_class] ?? 0) + 1;

		// Each case is worth its weight once; with repeats, a case earns its weight × the share of
		// repeats it passed, so the maximum stays Σ weights over the role's cases.
		const max = cases.reduce((sum, c) => sum + weights[c.severity], 0);
		const earned = cases.reduce((sum, c) => {
			const runs = runsOf(c.id);
			const passed = runs.filter((r) => r.outcome === 'accepted').length;
			return sum + (runs.length > 0 ? (weights[c.severity] * passed) / runs.length : 0);
		}, 0);

		const answered = group.filter((r) => r.latency_ms !== null);
		const latencies = answered.map((r) => r.latency_ms!);
		const ttfts = answered.flatMap((r) => (r.ttft_ms === null ? [] : [r.ttft_ms]));
		const evalCount = group.reduce((sum, r) => sum + r.eval_count, 0);
		const evalNs = group.reduce((sum, r) => sum + r.eval_duration_ns, 0);
		const loads = group.flatMap((r) => (r.load_ms === null ? [] : [r.load_ms]));

		let passK: number | null = null;
		const everyRepeat = cases.filter((c) => runsOf(c.id).length === repeats);
		if (repeats > 1 && everyRepeat.length > 0) {
			const allPassed = everyRepeat.filter((c) => runsOf(c.id).every((r) => r.outcome === 'accepted')).length;
			passK = round4(allPassed / everyRepeat.length);
		}

		rows.push({
			...wellFormedEdits(group),
			role,
			model,
			cases: cases.length,
			accepted: accepted.length,
			rejected: group.filter((r) => r.outcome === 'rejected').length,
			hard_failures: hard.length,
			acceptance_rate: wilson(accepted.length, n),
			severity_weighted_pass: { value: round4(earned), max, share: max > 0 ? round4(earned / max) : 0 },
			review_pain: n > 0 ? round4(group.reduce((sum, r) => sum + (r.outcome === 'hard-failure' ? 1 : 1 - r.quality), 0) / n) : 1,
			hard_failure_rate: wilson(hard.length, n),
			hard_failures_by_class: byClass,
			latency_ms: { p50: percentile(latencies, 50), p95: percentile(latencies, 95) },
			ttft_ms_p50: percentile(ttfts, 50),
			tokens_per_s: evalNs > 0 ? Math.round((evalCount / (evalNs / 1e9)) * 10) / 10 : null,
			load_ms: percentile(loads, 50),
			pass_k: passK,
		});
	}
	return rows.sort((a, b) => a.role.localeCompare(b.role) || a.model.localeCompare(b.model));
}
