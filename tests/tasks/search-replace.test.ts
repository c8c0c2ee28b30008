import { describe, expect, it } from 'vitest';
import {
	applyEditAnswer,
	applyEditBlocks,
	editsBetween,
	parseEditBlocks,
	renderEditBlocks,
	sameLines,
	unchangedBlock,
} from '../../src/lib/tasks/search-replace.ts';

const block = (path: string, search: string, replace: string, fence = '```ts') =>
	`${path}\n${fence}\n<<<<<<< SEARCH\n${search}=======\n${replace}>>>>>>> REPLACE\n${fence.replace(/[a-z]+$/, '')}\n`;

const SOURCE = 'export function add(a, b) {\n\treturn a + b;\n}\n\nexport function sub(a, b) {\n\treturn a - b;\n}\n';
const shown = [{ path: 'src/math.ts', content: SOURCE }];

describe('parsing search/replace blocks', () => {
	it.each([
		['the path before the fence', block('src/math.ts', 'a\n', 'b\n'), [{ path: 'src/math.ts', search: 'a\n', replace: 'b\n' }]],
		[
			'the path inside the fence (diff-fenced)',
			'```\nsrc/math.ts\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n```\n',
			[{ path: 'src/math.ts', search: 'a\n', replace: 'b\n' }],
		],
		[
			'a path in Markdown dress, and prose around the blocks',
			'Here is the change.\n\n### `src/math.ts`:\n```ts\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n```\nDone.',
			[{ path: 'src/math.ts', search: 'a\n', replace: 'b\n' }],
		],
		[
			'a second block without a path, for the same file',
			`${block('src/math.ts', 'a\n', 'b\n')}\n\`\`\`\n<<<<<<< SEARCH\nc\n=======\nd\n>>>>>>> REPLACE\n\`\`\`\n`,
			[
				{ path: 'src/math.ts', search: 'a\n', replace: 'b\n' },
				{ path: 'src/math.ts', search: 'c\n', replace: 'd\n' },
			],
		],
		[
			'two blocks in one fence, the second without its own path',
			'src/math.ts\n```\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n<<<<<<< SEARCH\nc\n=======\nd\n>>>>>>> REPLACE\n```\n',
			[
				{ path: 'src/math.ts', search: 'a\n', replace: 'b\n' },
				{ path: 'src/math.ts', search: 'c\n', replace: 'd\n' },
			],
		],
		[
			"a sentence before the fence as no path: the previous block's file",
			`${block('src/math.ts', 'a\n', 'b\n')}\nAnd then:\n\`\`\`\n<<<<<<< SEARCH\nc\n=======\nd\n>>>>>>> REPLACE\n\`\`\`\n`,
			[
				{ path: 'src/math.ts', search: 'a\n', replace: 'b\n' },
				{ path: 'src/math.ts', search: 'c\n', replace: 'd\n' },
			],
		],
		[
			'an empty SEARCH (a new file)',
			block('src/new.ts', '', 'export const x = 1;\n'),
			[{ path: 'src/new.ts', search: '', replace: 'export const x = 1;\n' }],
		],
		['an empty REPLACE (a deletion)', block('src/math.ts', 'a\n', ''), [{ path: 'src/math.ts', search: 'a\n', replace: '' }]],
		[
			'CRLF line ends in the answer',
			block('src/math.ts', 'a\n', 'b\n').replace(/\n/g, '\r\n'),
			[{ path: 'src/math.ts', search: 'a\n', replace: 'b\n' }],
		],
		[
			'a fence inside the code',
			block('README.md', 'Run:\n```sh\nnpm test\n```\n', 'Run:\n```sh\nnpm run check\n```\n', '````md'),
			[{ path: 'README.md', search: 'Run:\n```sh\nnpm test\n```\n', replace: 'Run:\n```sh\nnpm run check\n```\n' }],
		],
	])('reads %s', (_name, text, blocks) => {
		expect(parseEditBlocks(text)).toEqual({ ok: true, blocks });
	});

	it.each([
		['no block', 'I would change the add function to multiply.', /holds no SEARCH\/REPLACE block/],
		['a JSON whole-file answer', '{"files": [{"path": "src/math.ts", "content": "x"}]}', /holds no SEARCH\/REPLACE block/],
		['a block without a path', '<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n', /block 1 has no file path/],
		[
			'a block after prose only',
			'Here is the change:\n```\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n```\n',
			/block 1 has no file path/,
		],
		['a block without its divider', 'src/a.ts\n<<<<<<< SEARCH\na\n', /block 1 \(src\/a\.ts\) has no ======= line/],
		['a block not closed', 'src/a.ts\n<<<<<<< SEARCH\na\n=======\nb\n', /block 1 \(src\/a\.ts\) is not closed by >>>>>>> REPLACE/],
	])('refuses %s', (_name, text, reason) => {
		const parsed = parseEditBlocks(text);
		expect(parsed.ok).toBe(false);
		if (!parsed.ok) expect(parsed.reason).toMatch(reason);
	});
});

describe('applying search/replace blocks', () => {
	const applied = (text: string, files = shown) => {
		const result = applyEditAnswer(text, files);
		if (!result.ok) throw new Error(result.reason);
		return Object.fromEntries(result.files.map((file) => [file.path, file.content]));
	};
	const refused = (text: string, files = shown) => {
		const result = applyEditAnswer(text, files);
		if (result.ok) throw new Error('applied');
		return result.reason;
	};

	it('replaces an exact match', () => {
		expect(applied(block('src/math.ts', '\treturn a + b;\n', '\treturn b + a;\n'))['src/math.ts']).toBe(SOURCE.replace('a + b', 'b + a'));
	});

	it('matches with the indentation missing and re-indents the replacement', () => {
		const text = block(
			'src/math.ts',
			'export function add(a, b) {\nreturn a + b;\n}\n',
			'export function add(a, b) {\nreturn a + b + 0;\n}\n',
		);
		// The file's lines are not uniformly offset (only the body is indented): the replacement is kept as written.
		expect(applied(text)['src/math.ts']).toBe(SOURCE.replace('\treturn a + b;', 'return a + b + 0;'));
		const indented = { path: 'src/class.ts', content: 'class A {\n\tm() {\n\t\treturn 1;\n\t}\n}\n' };
		const shifted = block('src/class.ts', 'm() {\n\treturn 1;\n}\n', 'm() {\n\treturn 2;\n}\n');
		expect(applied(shifted, [indented])['src/class.ts']).toBe('class A {\n\tm() {\n\t\treturn 2;\n\t}\n}\n');
	});

	it('matches with trailing spaces that differ', () => {
		expect(applied(block('src/math.ts', '\treturn a - b;   \n', '\treturn b - a;\n'))['src/math.ts']).toBe(
			SOURCE.replace('a - b', 'b - a'),
		);
	});

	it('refuses a SEARCH text that is not in the file, naming the block and its first lines', () => {
		const reason = refused(
			`${block('src/math.ts', '\treturn a + b;\n', '\treturn b + a;\n')}\n${block('src/math.ts', 'export function mul(a, b) {\n\treturn a * b;\n', '')}`,
		);
		expect(reason).toBe(
			'block 2 (src/math.ts, SEARCH "export function mul(a, b) {" / "return a * b;"): the SEARCH text is not in src/math.ts',
		);
	});

	it('refuses a SEARCH text found twice', () => {
		expect(refused(block('src/math.ts', '}\n', '};\n'))).toMatch(
			/^block 1 \(src\/math\.ts, SEARCH "}"\): the SEARCH text is in src\/math\.ts 2 times/,
		);
		// A whitespace-tolerant match counts too: two places that differ only in indentation.
		const twice = [{ path: 'a.ts', content: 'if (x) {\n  go();\n}\nif (y) {\n\tgo();\n}\n' }];
		expect(refused(block('a.ts', 'go();\n', 'stop();\n'), twice)).toMatch(/2 times/);
	});

	it('creates a file from an empty SEARCH, and appends to a shown file as Aider does', () => {
		expect(applied(block('src/new.ts', '', 'export const x = 1;\n'))).toEqual({ 'src/new.ts': 'export const x = 1;\n' });
		const empty = [{ path: 'src/empty.ts', content: '' }];
		expect(applied(block('src/empty.ts', '', 'a\n'), empty)).toEqual({ 'src/empty.ts': 'a\n' });
		expect(applied(block('src/math.ts', '', 'export const z = 0;\n'))['src/math.ts']).toBe(`${SOURCE}export const z = 0;\n`);
	});

	it('deletes lines with an empty REPLACE', () => {
		const text = block('src/math.ts', '\nexport function sub(a, b) {\n\treturn a - b;\n}\n', '');
		expect(applied(text)['src/math.ts']).toBe('export function add(a, b) {\n\treturn a + b;\n}\n');
	});

	it('keeps CRLF line ends and a missing final newline', () => {
		const crlf = [{ path: 'win.ts', content: 'a\r\nb\r\nc' }];
		expect(applied(block('win.ts', 'b\n', 'B\nB2\n'), crlf)).toEqual({ 'win.ts': 'a\r\nB\r\nB2\r\nc' });
	});

	it('applies blocks in order, each to the file the earlier ones left', () => {
		const text = `${block('src/math.ts', '\treturn a + b;\n', '\treturn a + b + c;\n')}\n${block('src/math.ts', '\treturn a + b + c;\n', '\treturn c;\n')}`;
		expect(applied(text)['src/math.ts']).toBe(SOURCE.replace('a + b;', 'c;'));
	});

	it.each([
		['a file not shown, with a SEARCH text', block('src/other.ts', 'x\n', 'y\n'), /src\/other\.ts is not among the files shown/],
		['a path that leaves the worktree', block('../outside.ts', '', 'x\n'), /leaves the repository/],
		['a Windows drive path', block('C:/x.ts', '', 'x\n'), /is not a path inside the repository/],
	])('refuses %s', (_name, text, reason) => {
		expect(refused(text)).toMatch(reason);
	});

	it('reads `./src/math.ts` and `/src/math.ts` as the shown file', () => {
		expect(Object.keys(applied(block('./src/math.ts', '\treturn a + b;\n', '\treturn 0;\n')))).toEqual(['src/math.ts']);
	});
});

describe('writing a change as edits', () => {
	const roundTrip = (before: string, after: string, context = 0) => {
		const blocks = editsBetween('f.ts', before, after, context);
		const result = applyEditBlocks(blocks, [{ path: 'f.ts', content: before }]);
		if (!result.ok) throw new Error(result.reason);
		return { blocks, after: result.files[0]?.content ?? before };
	};
	const functions = Array.from({ length: 10 }, (_, i) => `function f${i}() {\n\treturn 0;\n}\n`).join('\n');

	it.each([
		['a one-line change', SOURCE, SOURCE.replace('a - b', 'b - a')],
		[
			'an insertion',
			SOURCE,
			SOURCE.replace('\nexport function sub', '\nexport function mul(a, b) {\n\treturn a * b;\n}\n\nexport function sub'),
		],
		['a deletion', SOURCE, SOURCE.replace('export function add(a, b) {\n\treturn a + b;\n}\n\n', '')],
		[
			'two changes in repeated lines',
			functions,
			functions.replace('f3() {\n\treturn 0;', 'f3() {\n\treturn 3;').replace('f8() {\n\treturn 0;', 'f8() {\n\treturn 8;'),
		],
		['a new file', '', 'export const x = 1;\n'],
		['emptying a file', SOURCE, ''],
		['CRLF text', SOURCE.replace(/\n/g, '\r\n'), SOURCE.replace(/\n/g, '\r\n').replace('a + b', 'a + b + 1')],
		['a whitespace-only line emptied', 'a\n\t\nb\n\nc\n', 'a\n\nb\n\nc\n'],
	])('writes %s as blocks that apply back to the same lines', (_name, before, after) => {
		const result = roundTrip(before, after);
		expect(sameLines(result.after, after)).toBe(true);
		// Minimal: with repeated lines, each block grows only until it matches one place.
		for (const edit of result.blocks) expect(edit.search.split('\n').length).toBeLessThan(12);
		if (_name === 'two changes in repeated lines')
			expect(result.blocks.map((edit) => edit.search)).toEqual(['function f3() {\n\treturn 0;\n}\n', 'function f8() {\n\treturn 0;\n}\n']);
	});

	it('adds context when asked, merging changes closer than twice the context', () => {
		const before = 'a\nb\nc\nd\ne\nf\ng\nh\n';
		const after = 'a\nB\nc\nd\nE\nf\ng\nh\n';
		expect(editsBetween('f', before, after)).toHaveLength(2);
		const merged = editsBetween('f', before, after, 2);
		expect(merged).toEqual([{ path: 'f', search: 'a\nb\nc\nd\ne\nf\ng\n', replace: 'a\nB\nc\nd\nE\nf\ng\n' }]);
		expect(sameLines(roundTrip(before, after, 2).after, after)).toBe(true);
	});

	it('renders blocks the parser reads back, a fence in the code included', () => {
		const blocks = editsBetween('README.md', 'Run:\n```sh\nnpm test\n```\n', 'Run:\n```sh\nnpm run check\n```\n');
		const parsed = parseEditBlocks(renderEditBlocks(blocks));
		expect(parsed).toEqual({ ok: true, blocks });
	});

	it('makes an unchanged block from the fewest first lines that occur once', () => {
		const content = 'x\nx\ny\nx\n';
		expect(unchangedBlock('f', content)).toEqual({ path: 'f', search: 'x\nx\n', replace: 'x\nx\n' });
		expect(unchangedBlock('f', '')).toBeUndefined();
		expect(applyEditBlocks([unchangedBlock('f', content)!], [{ path: 'f', content }])).toEqual({
			ok: true,
			files: [{ path: 'f', content }],
		});
	});
});
