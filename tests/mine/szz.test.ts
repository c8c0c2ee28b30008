import { describe, expect, it } from 'vitest';
import { parseDiff } from '../../src/lib/diff/parse-diff.ts';
import {
	addedLinesByPath,
	blameRangeArgs,
	groupByIntroducer,
	linesToBlame,
	parseBlamePorcelain,
	toLineSpans,
	toRanges,
} from '../../src/lib/mine/szz.ts';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

const DETAILS = ['author Ada', 'author-mail <ada@example.com>', 'author-time 1704067200', 'author-tz +0000', 'summary x'];

describe('toRanges', () => {
	it.each([
		[[], []],
		[[3], [[3, 3]]],
		[
			[5, 3, 4, 9],
			[
				[3, 5],
				[9, 9],
			],
		],
		[
			[1, 1, 2, 7, 8, 10],
			[
				[1, 2],
				[7, 8],
				[10, 10],
			],
		],
	])('%j → %j', (lines, ranges) => {
		expect(toRanges(lines)).toEqual(ranges);
	});
});

describe('toLineSpans and blameRangeArgs', () => {
	it('turns line numbers into spans and -L arguments', () => {
		expect(toLineSpans('src/a.ts', [12, 10, 11, 20])).toEqual([
			{ path: 'src/a.ts', start: 10, end: 12 },
			{ path: 'src/a.ts', start: 20, end: 20 },
		]);
		expect(blameRangeArgs([12, 10, 11, 20])).toEqual(['-L', '10,12', '-L', '20,20']);
	});
});

describe('linesToBlame', () => {
	it('blames deleted lines at their old numbers, skipping blank and comment-only lines', () => {
		const raw = `diff --git a/a.ts b/a.ts
--- a/a.ts
+++ b/a.ts
@@ -10,6 +10,4 @@
 keep
-bad();
-
-// a comment
-worse();
+good();
 end
`;
		expect(linesToBlame(parseDiff(raw)[0]!)).toEqual([11, 14]);
	});

	it('has nothing to blame for a fix that only adds', () => {
		const raw = 'diff --git a/a.ts b/a.ts\n--- a/a.ts\n+++ b/a.ts\n@@ -1 +1,2 @@\n keep\n+guard();\n';
		expect(linesToBlame(parseDiff(raw)[0]!)).toEqual([]);
	});
});

describe('parseBlamePorcelain', () => {
	it('maps each blamed line to its commit, path and original line', () => {
		const raw = [
			`${A} 3 11 2`,
			...DETAILS,
			'filename src/old.ts',
			'\tbad();',
			`${A} 4 12`,
			'\tworse();',
			`${B} 7 14 1`,
			...DETAILS,
			'previous cccccccccccccccccccccccccccccccccccccccc src/a.ts',
			'filename src/a.ts',
			'\tthird();',
			`${A} 9 15 1`,
			'\tagain();',
			'',
		].join('\n');
		expect(parseBlamePorcelain(raw)).toEqual([
			{ sha: A, path: 'src/old.ts', originalLine: 3, finalLine: 11 },
			{ sha: A, path: 'src/old.ts', originalLine: 4, finalLine: 12 },
			{ sha: B, path: 'src/a.ts', originalLine: 7, finalLine: 14 },
			{ sha: A, path: 'src/old.ts', originalLine: 9, finalLine: 15 },
		]);
	});

	it('follows a commit seen under a second path (git repeats filename then)', () => {
		const raw = [`${A} 1 1 1`, ...DETAILS, 'filename one.ts', '\tx', `${A} 5 2 1`, 'filename two.ts', '\ty', ''].join('\n');
		expect(parseBlamePorcelain(raw).map((line) => [line.path, line.originalLine])).toEqual([
			['one.ts', 1],
			['two.ts', 5],
		]);
	});

	it('does not mistake a content line that looks like a header for one', () => {
		const raw = [`${A} 1 1 1`, ...DETAILS, 'filename f.ts', `\t${B} 2 2 1`, ''].join('\n');
		expect(parseBlamePorcelain(raw)).toEqual([{ sha: A, path: 'f.ts', originalLine: 1, finalLine: 1 }]);
	});
});

describe('groupByIntroducer', () => {
	it('groups original line numbers by commit and path', () => {
		const groups = groupByIntroducer([
			{ sha: A, path: 'x.ts', originalLine: 3, finalLine: 10 },
			{ sha: B, path: 'y.ts', originalLine: 1, finalLine: 11 },
			{ sha: A, path: 'x.ts', originalLine: 4, finalLine: 12 },
		]);
		expect([...groups.keys()]).toEqual([A, B]);
		expect([...(groups.get(A)?.get('x.ts') ?? [])]).toEqual([3, 4]);
		expect([...(groups.get(B)?.get('y.ts') ?? [])]).toEqual([1]);
	});
});

describe('addedLinesByPath', () => {
	it('lists the new-file numbers of added lines per path', () => {
		const raw = 'diff --git a/a.ts b/a.ts\n--- a/a.ts\n+++ b/a.ts\n@@ -4,2 +4,3 @@\n keep\n-old\n+new\n+more\n';
		expect([...(addedLinesByPath(parseDiff(raw)).get('a.ts') ?? [])]).toEqual([5, 6]);
	});
});
