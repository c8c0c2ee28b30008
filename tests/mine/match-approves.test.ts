import { describe, expect, it } from 'vitest';
import {
	balanceStats,
	fileType,
	matchApproves,
	matchDistance,
	nearestFirst,
	type ReviewFeatures,
} from '../../src/lib/mine/match-approves.ts';
import { severityOf } from '../../src/lib/mine/severity.ts';

const DAY = 24 * 3600 * 1000;
const JAN = Date.parse('2024-01-01T00:00:00Z');
const features = (changedLines: number, types: string[], days = 0): ReviewFeatures => ({ changedLines, types, time: JAN + days * DAY });

describe('fileType', () => {
	it.each([
		['src/a.ts', '.ts'],
		['types/index.d.ts', '.ts'],
		['Makefile', 'Makefile'],
		['.github/workflows/ci.yml', '.yml'],
		['web/.eslintrc', '.eslintrc'],
		['README.MD', '.md'],
	])('%s → %s', (path, type) => expect(fileType(path)).toBe(type));
});

describe('matchDistance', () => {
	it.each([
		['the same change', features(15, ['.ts']), features(15, ['.ts']), 0],
		['twice the size (one doubling of 1 + lines)', features(15, ['.ts']), features(31, ['.ts']), 1],
		['no file type in common', features(15, ['.ts']), features(15, ['.md']), 1],
		['half the file types in common', features(15, ['.json', '.ts']), features(15, ['.ts']), 0.5],
		['a year apart', features(15, ['.ts']), features(15, ['.ts'], 365), 1],
		['all three at once', features(15, ['.ts']), features(63, ['.css'], -730), 5],
	])('%s', (_name, reject, candidate, distance) => {
		expect(matchDistance(reject, candidate)).toBeCloseTo(distance, 10);
		expect(matchDistance(candidate, reject)).toBeCloseTo(distance, 10);
	});
});

describe('nearestFirst', () => {
	const reject = features(40, ['.ts'], 1000);
	const candidates = [
		{ sha: 'a', features: features(2, ['.ts'], 1000) }, // same day, far smaller: 4.4
		{ sha: 'b', features: features(40, ['.ts'], 0) }, // same size, years older: 2.7
		{ sha: 'c', features: features(35, ['.ts'], 990) }, // close on all three: about 0.2
		{ sha: 'd', features: features(40, ['.md'], 1000) }, // docs of the same size: 1
		{ sha: 'e', features: features(35, ['.ts'], 1010) }, // as close as c: the sha decides
	];

	it('orders candidates by distance, the sha breaking ties, and leaves used ones out', () => {
		expect(nearestFirst(reject, candidates, new Set()).map((candidate) => candidate.sha)).toEqual(['c', 'e', 'd', 'b', 'a']);
		expect(nearestFirst(reject, candidates, new Set(['c', 'd'])).map((candidate) => candidate.sha)).toEqual(['e', 'b', 'a']);
	});
});

describe('matchApproves', () => {
	const rejects = [
		{ id: 'big', features: features(300, ['.ts'], 0) },
		{ id: 'small', features: features(3, ['.ts'], 0) },
	];
	const candidates = [
		{ sha: 'tiny', features: features(2, ['.ts'], 0) },
		{ sha: 'huge', features: features(280, ['.ts'], 0) },
		{ sha: 'large', features: features(250, ['.ts'], 0) },
		{ sha: 'little', features: features(4, ['.ts'], 0) },
	];

	it('gives each reject case the nearest unused candidate, so size no longer tells the verdict', async () => {
		const matched = await matchApproves(rejects, candidates, 2, async (candidate) => candidate.sha);
		expect(matched).toEqual([
			{ rejectId: 'big', approve: 'huge' },
			{ rejectId: 'small', approve: 'little' },
		]);
	});

	it('passes over a candidate that cannot become a case and never tries it again', async () => {
		const tried: string[] = [];
		const matched = await matchApproves(rejects, candidates, 2, async (candidate) => {
			tried.push(candidate.sha);
			return candidate.sha === 'huge' ? undefined : candidate.sha;
		});
		expect(matched.map((entry) => entry.approve)).toEqual(['large', 'little']);
		expect(tried).toEqual(['huge', 'large', 'little']);
	});

	it('takes further rounds for a ratio above one, and stops when candidates run out', async () => {
		const matched = await matchApproves(rejects, candidates, 10, async (candidate) => candidate.sha);
		expect(matched).toEqual([
			{ rejectId: 'big', approve: 'huge' },
			{ rejectId: 'small', approve: 'little' },
			{ rejectId: 'big', approve: 'large' },
			{ rejectId: 'small', approve: 'tiny' },
		]);
	});
});

describe('approve severity', () => {
	it.each([
		['code-review', 'high', 'high'],
		['code-review', 'low', 'low'],
		['security-review', 'critical', 'critical'],
		['security-review', undefined, 'critical'],
		['code-review', undefined, 'high'],
	] as const)('a %s approve matched to a %s reject is %s', (task, matchedSeverity, expected) => {
		expect(severityOf({ task, changedLines: 500, isFix: false, verdict: 'approve', matchedSeverity })).toBe(expected);
	});

	it('keeps the reject severity of a reject case whatever it is matched to', () => {
		expect(severityOf({ task: 'code-review', changedLines: 2, isFix: false, verdict: 'reject', matchedSeverity: 'low' })).toBe('high');
	});
});

describe('balanceStats', () => {
	it('gives the count, median size and date range', () => {
		expect(balanceStats([features(10, ['.ts'], 30), features(2, ['.ts'], 0), features(50, ['.ts'], 400)])).toEqual({
			count: 3,
			medianLines: 10,
			firstDate: '2024-01-01',
			medianDate: '2024-01-31',
			lastDate: '2025-02-04',
		});
		expect(balanceStats([]).count).toBe(0);
	});
});
