import { wilson } from '../../src/lib/metrics/wilson.ts';
import type { Report, RoleMetrics } from '../../src/lib/schema/report.ts';
import type { Role } from '../../src/lib/schema/role.ts';
import type { RunEntry } from '../../src/lib/site/site-model.ts';

/** A metrics row of `model` in `role`: `accepted` of `cases`. */
export function metricsRow(role: string, model: string, accepted: number, cases = 4, p50: number | null = 500): RoleMetrics {
	return {
		role,
		model,
		cases,
		accepted,
		rejected: cases - accepted,
		hard_failures: 0,
		acceptance_rate: wilson(accepted, cases),
		severity_weighted_pass: { value: accepted, max: cases, share: accepted / cases },
		review_pain: 1 - accepted / cases,
		hard_failure_rate: wilson(0, cases),
		hard_failures_by_class: {},
		latency_ms: { p50, p95: p50 },
		ttft_ms_p50: null,
		tokens_per_s: 42,
		load_ms: null,
		pass_k: null,
		well_formed_edits: null,
	};
}

/** A run whose report holds `metrics`, `verdicts` and `proposals`; the manifest lists the models with `digests`. */
export function run(
	id: string,
	date: string,
	parts: Partial<Pick<Report, 'metrics' | 'verdicts' | 'proposals'>> & { digests?: Record<string, string | null> } = {},
): RunEntry {
	const metrics = parts.metrics ?? [];
	const models = [...new Set(metrics.map((row) => row.model))].sort();
	return {
		id,
		report: {
			title: `Local model benchmark ${date}`,
			date,
			manifest: {
				started_at: `${date}T10:00:00.000Z`,
				finished_at: `${date}T10:05:00.000Z`,
				harness: { commit: null, dirty: false },
				ollama: [{ host: 'http://127.0.0.1:11434', version: '0.12.6' }],
				models: models.map((model) => ({
					id: model,
					digest: parts.digests?.[model] ?? 'a'.repeat(64),
					family: null,
					parameter_size: '8B',
					quantization: 'Q4_K_M',
					host: 'http://127.0.0.1:11434',
					options: {},
				})),
				policy_hash: 'p',
				cases_hash: 'c',
				runtime: { name: 'node', version: '24' },
				graders: {},
				repeats: 1,
				model_calls: 0,
				evidence_hash: id,
				results_file: `reports/${id}.results.json`,
			},
			metrics,
			verdicts: parts.verdicts ?? [],
			proposals: parts.proposals ?? [],
			grader_validity: [],
			held_proposals: [],
		},
	};
}

/** A hold verdict of `challenger` against `incumbent`. */
export const verdict = (
	role: string,
	challenger: string,
	incumbent: string,
	outcome: Report['verdicts'][number]['outcome'] = 'hold',
): Report['verdicts'][number] => ({
	role,
	challenger,
	incumbent,
	outcome,
	reason: `${outcome} because`,
	gates: [],
});

export const role = (name: string, incumbent: string, challengers: string[] = []): Role => ({
	role: name,
	description: `The ${name} role.`,
	incumbent,
	challengers,
	retired: [],
});
