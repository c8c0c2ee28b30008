import type { CaseResult } from '../src/lib/schema/report.ts';

/**
 * One model's graded answer to one case, as a run's results sidecar holds it: an accepted draft answer
 * with nothing measured, unless `overrides` says otherwise. For tests that need results, not a run.
 */
export function caseResult(overrides: Partial<CaseResult> = {}): CaseResult {
	return {
		role: 'draft',
		model: 'm:1',
		case_id: 'a',
		task: 'commit-message',
		severity: 'low',
		repeat: 0,
		outcome: 'accepted',
		failure_class: null,
		failure_message: null,
		checks: [],
		quality: 1,
		output: 'x',
		thinking_chars: 0,
		latency_ms: null,
		ttft_ms: null,
		eval_count: 0,
		eval_duration_ns: 0,
		prompt_eval_count: 0,
		load_ms: null,
		cached: false,
		cache_key: null,
		tags: [],
		...overrides,
	};
}
