import { describe, expect, it } from 'vitest';
import { wilson } from '../../src/lib/metrics/wilson.ts';
import { releaseSplits } from '../../src/lib/site/release-split.ts';
import { answers } from '../policy/support.ts';

// Cases c000…c003 dated around a release on 2026-03-01: two before, one on the day, one after.
const dates = ['2026-01-10T12:00:00+02:00', '2026-02-28T23:30:00-05:00', '2026-03-01T00:00:00Z', '2026-05-01T08:00:00Z'];
const cases = new Map(dates.map((date, index) => [`c00${index}`, { source: { author_date: date } }] as const));

describe('the release split', () => {
	it('splits each role at the release day, in UTC, with the day itself after', () => {
		// c001 is 2026-03-01T04:30Z in UTC: after the release, though its local date is the day before.
		const results = [...answers('m:1b', 'ARAA', 'draft'), ...answers('other:1b', 'AAAA', 'draft'), ...answers('m:1b', 'RR', 'reason')];
		const splits = releaseSplits(results, cases as never, 'm:1b', '2026-03-01');
		expect(splits).toEqual([
			{
				role: 'draft',
				released: '2026-03-01',
				before: { cases: 1, results: 1, accepted: 1, rate: wilson(1, 1) },
				after: { cases: 3, results: 3, accepted: 2, rate: wilson(2, 3) },
			},
			{
				role: 'reason',
				released: '2026-03-01',
				before: { cases: 1, results: 1, accepted: 0, rate: wilson(0, 1) },
				after: { cases: 1, results: 1, accepted: 0, rate: wilson(0, 1) },
			},
		]);
	});

	it('counts every repeat, and leaves out results whose case is unknown', () => {
		const results = [...answers('m:1b', 'AR|RR', 'draft'), ...answers('m:1b', 'AAAAA', 'coder').slice(4)];
		const [split] = releaseSplits(results, cases as never, 'm:1b', '2026-03-01');
		expect(split).toMatchObject({
			role: 'draft',
			before: { cases: 1, results: 2, accepted: 1 },
			after: { cases: 1, results: 2, accepted: 0 },
		});
		expect(releaseSplits(results, cases as never, 'm:1b', '2026-03-01').map((s) => s.role)).toEqual(['draft']);
	});
});
