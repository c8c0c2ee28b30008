import { describe, expect, it } from 'vitest';
import { billedCost, costSummary, gpuHours } from '../../src/lib/metrics/cost.ts';
import { caseResult } from '../../testing/case-result.ts';

const usage = { input_tokens: 2_000_000, output_tokens: 100_000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

describe('billedCost', () => {
	it('prices every billed token at its own price', () => {
		// 2 M in at $3, 0.1 M out at $15.
		expect(billedCost(usage, { in: 3, out: 15 })).toBeCloseTo(7.5, 9);
		expect(billedCost({ ...usage, cache_read_input_tokens: 1_000_000 }, { in: 3, out: 15, cacheRead: 0.3 })).toBeCloseTo(7.8, 9);
	});

	it('is null, never 0, when a price the usage needs is not set', () => {
		expect(billedCost(usage, { in: 3 })).toBeNull();
		expect(billedCost({ ...usage, cache_creation_input_tokens: 10 }, { in: 3, out: 15 })).toBeNull();
		// A price of 0 the owner wrote is a price.
		expect(billedCost(usage, { in: 0, out: 0 })).toBe(0);
	});
});

describe('gpuHours', () => {
	it('adds load, prompt evaluation and generation, not wall time', () => {
		expect(gpuHours({ load_ms: 1800_000, prompt_eval_duration_ns: 900e9, eval_duration_ns: 900e9 })).toBeCloseTo(1, 12);
		expect(gpuHours({ load_ms: null, eval_duration_ns: 3600e9 })).toBeCloseTo(1, 12);
	});
});

describe('costSummary', () => {
	it('gives cost per case and per accepted answer, and price not set as null throughout', () => {
		const results = [caseResult({ case_id: 'a' }), caseResult({ case_id: 'b', outcome: 'rejected' }), caseResult({ case_id: 'c' })];
		expect(costSummary(results, () => 0.02)).toMatchObject({
			cases: 3,
			accepted: 2,
			usd: 0.06,
			usd_per_case: 0.02,
			usd_per_accepted: 0.03,
		});
		expect(costSummary(results, (result) => (result.case_id === 'b' ? null : 0.02))).toMatchObject({
			usd: null,
			usd_per_case: null,
			usd_per_accepted: null,
		});
		expect(costSummary([caseResult({ outcome: 'rejected' })], () => 1).usd_per_accepted).toBeNull();
	});
});
