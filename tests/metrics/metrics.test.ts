import { describe, expect, it } from 'vitest';
import { computeMetrics } from '../../src/lib/metrics/compute-metrics.ts';
import { percentile, wilson } from '../../src/lib/metrics/wilson.ts';
import type { CaseResult } from '../../src/lib/schema/report.ts';
import { caseResult } from '../../testing/case-result.ts';

describe('wilson', () => {
	// Reference values from the closed form, z = 1.96, rounded to 4 places.
	it.each([
		{ successes: 0, trials: 0, expected: { value: 0, low: 0, high: 1 } },
		{ successes: 0, trials: 3, expected: { value: 0, low: 0, high: 0.5615 } },
		{ successes: 3, trials: 3, expected: { value: 1, low: 0.4385, high: 1 } },
		{ successes: 1, trials: 2, expected: { value: 0.5, low: 0.0945, high: 0.9055 } },
		{ successes: 8, trials: 10, expected: { value: 0.8, low: 0.4902, high: 0.9433 } },
		{ successes: 50, trials: 100, expected: { value: 0.5, low: 0.4038, high: 0.5962 } },
	])('gives $expected for $successes of $trials', ({ successes, trials, expected }) => {
		expect(wilson(successes, trials)).toEqual(expected);
	});
});

describe('percentile', () => {
	it.each([
		{ values: [], p: 50, expected: null },
		{ values: [5], p: 95, expected: 5 },
		{ values: [4, 1, 3, 2], p: 50, expected: 2 },
		{ values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], p: 95, expected: 10 },
		{ values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], p: 50, expected: 5 },
	])('p$p of $values is $expected', ({ values, p, expected }) => {
		expect(percentile(values, p)).toBe(expected);
	});
});

const base: CaseResult = caseResult({
	latency_ms: 100,
	ttft_ms: 10,
	eval_count: 50,
	eval_duration_ns: 1e9,
	prompt_eval_count: 10,
	load_ms: 2000,
});
const weights = { low: 1, medium: 2, high: 3, critical: 5 };

describe('computeMetrics', () => {
	const cases = new Map([
		[
			'draft',
			[
				{ id: 'a', severity: 'low' as const },
				{ id: 'b', severity: 'high' as const },
				{ id: 'c', severity: 'critical' as const },
			],
		],
	]);

	it('measures acceptance, severity-weighted pass, review pain and hard failures on the same cases', () => {
		const results: CaseResult[] = [
			{ ...base, case_id: 'a', severity: 'low', quality: 0.9, latency_ms: 100 },
			{ ...base, case_id: 'b', severity: 'high', outcome: 'rejected', quality: 0.4, latency_ms: 300 },
			{
				...base,
				case_id: 'c',
				severity: 'critical',
				outcome: 'hard-failure',
				failure_class: 'stall',
				quality: 0,
				latency_ms: null,
				ttft_ms: null,
				eval_count: 0,
				eval_duration_ns: 0,
			},
		];
		const [row] = computeMetrics(results, cases, weights, 1);
		expect(row).toEqual({
			role: 'draft',
			model: 'm:1',
			cases: 3,
			accepted: 1,
			rejected: 1,
			hard_failures: 1,
			acceptance_rate: wilson(1, 3),
			severity_weighted_pass: { value: 1, max: 9, share: 0.1111 },
			// (0.1 + 0.6 + 1) / 3
			review_pain: 0.5667,
			hard_failure_rate: wilson(1, 3),
			hard_failures_by_class: { stall: 1 },
			latency_ms: { p50: 100, p95: 300 },
			ttft_ms_p50: 10,
			// 100 tokens over 2 s of evaluation
			tokens_per_s: 50,
			load_ms: 2000,
			pass_k: null,
			well_formed_edits: null,
		});
	});

	it('gives coder results a well-formed edit rate over the answers that reached the parser', () => {
		const coderCases = new Map([['coder', ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, severity: 'medium' as const }))]]);
		const coder = { ...base, role: 'coder', task: 'implement-change' };
		const results: CaseResult[] = [
			{ ...coder, case_id: 'a' },
			{ ...coder, case_id: 'b', outcome: 'rejected', quality: 0 },
			{ ...coder, case_id: 'c', outcome: 'hard-failure', failure_class: 'malformed-edit', quality: 0 },
			{ ...coder, case_id: 'd', outcome: 'hard-failure', failure_class: 'unparseable', quality: 0 },
			// Cut off or never answered: the answer did not reach the parser, so it counts for neither side.
			{ ...coder, case_id: 'e', outcome: 'hard-failure', failure_class: 'length', quality: 0 },
		];
		const [row] = computeMetrics(results, coderCases, weights, 1);
		expect(row!.well_formed_edits).toEqual({ well_formed: 2, answered: 4, rate: wilson(2, 4) });
		expect(row!.hard_failures_by_class).toEqual({ 'malformed-edit': 1, unparseable: 1, length: 1 });
		const [none] = computeMetrics(
			[{ ...coder, case_id: 'e', outcome: 'hard-failure', failure_class: 'timeout', quality: 0 }],
			coderCases,
			weights,
			1,
		);
		expect(none!.well_formed_edits).toBeNull();
	});

	it('reports pass^k beside the mean with repeats', () => {
		const results: CaseResult[] = [
			{ ...base, case_id: 'a', repeat: 0 },
			{ ...base, case_id: 'a', repeat: 1 },
			{ ...base, case_id: 'b', severity: 'high', repeat: 0 },
			{ ...base, case_id: 'b', severity: 'high', repeat: 1, outcome: 'rejected', quality: 0 },
			{ ...base, case_id: 'c', severity: 'critical', repeat: 0, outcome: 'rejected', quality: 0 },
			{ ...base, case_id: 'c', severity: 'critical', repeat: 1, outcome: 'rejected', quality: 0 },
		];
		const [row] = computeMetrics(results, cases, weights, 2);
		expect(row!.acceptance_rate.value).toBe(0.5);
		expect(row!.pass_k).toBe(0.3333);
		// a: 1 × 1, b: 3 × ½, c: 0
		expect(row!.severity_weighted_pass).toEqual({ value: 2.5, max: 9, share: 0.2778 });
	});

	it('sorts rows by role, then model', () => {
		const results = [
			{ ...base, role: 'review', model: 'z:1' },
			{ ...base, role: 'draft', model: 'b:1' },
			{ ...base, role: 'draft', model: 'a:1' },
		];
		expect(computeMetrics(results, cases, weights, 1).map((row) => `${row.role} ${row.model}`)).toEqual([
			'draft a:1',
			'draft b:1',
			'review z:1',
		]);
	});
});
