import { describe, expect, it } from 'vitest';
import { gateValue, hardFailureRate, metricCells, pct, rateWithInterval, severityWeightedPass } from '../../src/lib/format/format.ts';
import { metricsRow } from '../site/fixtures.ts';

describe('numbers read one way everywhere', () => {
	it.each([
		[0, '0 %'],
		[1, '100 %'],
		[0.9, '90 %'],
		[0.6667, '66.7 %'],
		// A grader at 89.7 % must not read as the 90 % it missed.
		[0.8966, '89.7 %'],
		[0.00049, '0 %'],
	])('%s → %s', (value, text) => expect(pct(value)).toBe(text));

	it('gives a rate its Wilson interval, the severity-weighted share and the hard-failure rate with its count', () => {
		expect(rateWithInterval({ value: 0.6667, low: 0.2077, high: 0.9385 })).toBe('66.7 % (20.8–93.9 %)');
		expect(severityWeightedPass({ value: 7, max: 10, share: 0.7 })).toBe('7 / 10 (70 %)');
		expect(
			hardFailureRate({
				...metricsRow('draft', 'm', 2, 3),
				hard_failures: 1,
				rejected: 0,
				hard_failure_rate: { value: 0.3333, low: 0.06, high: 0.79 },
			}),
		).toBe('33.3 % (1 of 3)');
		expect(metricCells(metricsRow('draft', 'm', 3, 4))).toEqual(['75 % (30.1–95.4 %)', '3 / 4 (75 %)', '0.25', '0 % (0 of 4)']);
		const coder = {
			...metricsRow('coder', 'm', 3, 4),
			well_formed_edits: { well_formed: 14, answered: 15, rate: { value: 0.9333, low: 0.7, high: 0.99 } },
		};
		expect(metricCells(coder)[0]).toBe('75 % (30.1–95.4 %); well-formed edits 93.3 % (14 of 15)');
	});

	it.each([
		['acceptance_rate', 0.9146, '91.5 %', undefined],
		['acceptance_rate', 0.75, '75 % (30.1–95.4 %)', metricsRow('draft', 'm', 3, 4)],
		['hard_failure_rate', 0, '0 %', undefined],
		['review_pain', 0.3333, '0.33', undefined],
		['min_cases_per_role', 12, '12', undefined],
		['cost_tier', 'free', 'free', undefined],
		['strictly_better', null, '—', undefined],
	] as const)('a %s gate value %s reads %s', (gate, value, text, row) => expect(gateValue({ gate }, value, row)).toBe(text));
});
