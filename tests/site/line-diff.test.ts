import { describe, expect, it } from 'vitest';
import { type DiffLine, foldUnchanged, isUnchanged, lineDiff } from '../../src/lib/diff/line-diff.ts';

const render = (lines: DiffLine[] | undefined) =>
	lines?.map((line) => `${line.kind === 'same' ? ' ' : line.kind === 'add' ? '+' : '-'}${line.text}`);

describe('line diff', () => {
	it('shows what the answer changed, removals before additions', () => {
		expect(render(lineDiff('a\nb\nc', 'a\nx\nc'))).toEqual([' a', '-b', '+x', ' c']);
		expect(render(lineDiff('', 'x\ny'))).toEqual(['+x', '+y']);
		expect(render(lineDiff('a\nb\n', ''))).toEqual(['-a', '-b']);
		expect(render(lineDiff('a\r\nb', 'a\nb'))).toEqual([' a', ' b']);
	});

	it('finds a shortest edit script (Myers)', () => {
		const lines = lineDiff('a\nb\nc\na\nb\nb\na', 'c\nb\na\nb\na\nc')!;
		expect(lines.filter((line) => line.kind !== 'same')).toHaveLength(5);
	});

	it('reproduces both texts from any diff it gives', () => {
		let seed = 7;
		const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
		const text = () => Array.from({ length: Math.floor(random() * 14) }, () => 'abcd'[Math.floor(random() * 4)]).join('\n');
		for (let round = 0; round < 500; round++) {
			const [a, b] = [text(), text()];
			const lines = lineDiff(a, b)!;
			expect(
				lines
					.filter((line) => line.kind !== 'add')
					.map((line) => line.text)
					.join('\n'),
			).toBe(a);
			expect(
				lines
					.filter((line) => line.kind !== 'del')
					.map((line) => line.text)
					.join('\n'),
			).toBe(b);
		}
	});

	it('gives up on texts over the limits instead of stalling the build', () => {
		const big = Array.from({ length: 4000 }, (_, i) => `line ${i}`).join('\n');
		expect(lineDiff(big, `${big}\nmore`, { maxLines: 6000 })).toBeUndefined();
		const a = Array.from({ length: 300 }, (_, i) => `a${i}`).join('\n');
		const b = Array.from({ length: 300 }, (_, i) => `b${i}`).join('\n');
		expect(lineDiff(a, b, { maxEdits: 100 })).toBeUndefined();
		expect(lineDiff(a, b)).toHaveLength(600);
	});

	it('folds long unchanged runs, keeping context around each change', () => {
		const lines = lineDiff('1\n2\n3\n4\n5\n6\n7\n8\n9\n10', '1\n2\n3\n4\nX\n6\n7\n8\n9\n10')!;
		expect(foldUnchanged(lines, 1)).toEqual([
			{ kind: 'skip', count: 3 },
			{ kind: 'same', text: '4' },
			{ kind: 'del', text: '5' },
			{ kind: 'add', text: 'X' },
			{ kind: 'same', text: '6' },
			{ kind: 'skip', count: 4 },
		]);
		expect(isUnchanged(lineDiff('a', 'a')!)).toBe(true);
		expect(isUnchanged(lines)).toBe(false);
	});
});
