import { describe, expect, it } from 'vitest';
import {
	IMPLEMENT_CHANGE_FORMAT,
	type ImplementChangeAnswer,
	type ImplementChangeCase,
	implementChangeTask,
} from '../../src/lib/tasks/implement-change.ts';
import { loadCase } from './fixture-cases.ts';

/**
 * The fix of two off-by-one errors: src/paginate.ts changes 2 lines (the page start, floor → ceil) and
 * tests/paginate.test.ts is created with 10 lines. The whole change is 12 line edits.
 */
const fixture = loadCase('coder/coder-implement-change-8c0a68756b41.json', 'implement-change');
const [paginateBefore, testBefore] = fixture.input.files.map((file) => file.content) as [string, string];
const [paginateAfter, testAfter] = fixture.reference.files.map((file) => file.content) as [string, string];

function answer(files: Record<string, string>): ImplementChangeAnswer {
	return { files: Object.entries(files).map(([path, content]) => ({ path, content })) };
}

function grade(files: Record<string, string>, testCase: ImplementChangeCase = fixture) {
	return implementChangeTask.grade(testCase, answer(files), { cases: [testCase] });
}

describe('implement-change prompt', () => {
	const prompt = implementChangeTask.buildPrompt(fixture);
	const user = prompt.messages[1]!.content;

	it('holds the intent and every file verbatim, and marks the file to create', () => {
		expect(prompt.messages.map((message) => message.role)).toEqual(['system', 'user']);
		expect(user).toContain(fixture.input.intent);
		expect(user).toContain(`### src/paginate.ts\n\`\`\`\n${paginateBefore}\`\`\``);
		expect(user).toContain('### tests/paginate.test.ts (empty: to be created)');
		expect(testBefore).toBe('');
	});

	it('asks for whole files as JSON and sends the answer schema as format', () => {
		expect(user).toContain('{"files": [{"path": "src/file.ts", "content": "…the whole new file…"}]}');
		expect(prompt.format).toBe(IMPLEMENT_CHANGE_FORMAT);
		expect(IMPLEMENT_CHANGE_FORMAT.required).toEqual(['files']);
		expect(IMPLEMENT_CHANGE_FORMAT.properties.files.items.required).toEqual(['path', 'content']);
	});

	it('does not leak the reference', () => {
		expect(user).not.toContain('Math.ceil');
	});
});

describe('implement-change parser', () => {
	const json = JSON.stringify(answer({ 'src/paginate.ts': paginateAfter }));

	it.each([
		['plain', json],
		['fenced', `\`\`\`json\n${json}\n\`\`\``],
		['fenced, with prose around', `Here is the change:\n\n\`\`\`json\n${json}\n\`\`\`\n\nThe tests should pass now.`],
		['with inline thinking', `<think>ceil, not floor</think>\n${json}`],
	])('reads a %s answer', (_kind, text) => {
		expect(implementChangeTask.parse(text, fixture)).toEqual({ ok: true, value: answer({ 'src/paginate.ts': paginateAfter }) });
	});

	it('reads content that holds fences of its own', () => {
		const readme = '# notes\n\n```sh\nnotes list --json\n```\n';
		const text = `\`\`\`json\n${JSON.stringify(answer({ 'README.md': readme }))}\n\`\`\``;
		expect(implementChangeTask.parse(text, fixture)).toEqual({ ok: true, value: answer({ 'README.md': readme }) });
	});

	it.each([
		[
			'a diff instead of JSON',
			'--- a/src/paginate.ts\n+++ b/src/paginate.ts\n@@ -10 +10 @@\n-floor\n+ceil',
			/^no JSON object in the answer/,
		],
		[
			'a file without content',
			'{"files": [{"path": "src/paginate.ts"}]}',
			/^the answer does not have the expected shape: files\[0\]\.content: /,
		],
		['files as an object', '{"files": {"src/paginate.ts": "x"}}', /^the answer does not have the expected shape: files: /],
		[
			'one file given twice',
			'{"files": [{"path": "src/paginate.ts", "content": "a"}, {"path": "./src/paginate.ts", "content": "b"}]}',
			/^the answer does not have the expected shape: files\[1\]\.path: 'src\/paginate\.ts' is given twice$/,
		],
	])('refuses %s', (_kind, text, reason) => {
		const result = implementChangeTask.parse(text, fixture);
		expect(result.ok).toBe(false);
		expect(!result.ok && result.reason).toMatch(reason);
	});
});

describe('implement-change grader', () => {
	it('accepts the real change with quality 1', async () => {
		expect(await grade({ 'src/paginate.ts': paginateAfter, 'tests/paginate.test.ts': testAfter })).toEqual({
			checks: [
				{ name: 'files-changed', required: true, pass: true, detail: 'changed the 2 expected files' },
				{
					name: 'change-similarity',
					required: false,
					pass: true,
					detail: 'every changed file ≥ 0.5 (lowest 1.00, src/paginate.ts)',
				},
			],
			quality: 1,
		});
	});

	it('ignores CRLF, trailing spaces, a missing final newline and a ./ prefix', async () => {
		const sloppy = paginateAfter.replace(/\n/g, '  \r\n').trimEnd();
		expect((await grade({ './src/paginate.ts': sloppy, 'tests/paginate.test.ts': testAfter })).quality).toBe(1);
	});

	it('counts a file left out as unchanged: 10 of 12 line edits still to do', async () => {
		expect(await grade({ 'src/paginate.ts': paginateAfter })).toEqual({
			checks: [
				{ name: 'files-changed', required: true, pass: false, detail: 'left unchanged tests/paginate.test.ts' },
				{ name: 'change-similarity', required: false, pass: false, detail: 'tests/paginate.test.ts 0.00 < 0.5' },
			],
			quality: 0.1667,
		});
	});

	it('scores half a file change 0.5 for the file and 1 − 1/12 overall', async () => {
		const halfFixed = paginateBefore.replace('Math.floor', 'Math.ceil');
		expect(await grade({ 'src/paginate.ts': halfFixed, 'tests/paginate.test.ts': testAfter })).toEqual({
			checks: [
				{ name: 'files-changed', required: true, pass: true, detail: 'changed the 2 expected files' },
				{
					name: 'change-similarity',
					required: false,
					pass: true,
					detail: 'every changed file ≥ 0.5 (lowest 0.50, src/paginate.ts)',
				},
			],
			quality: 0.9167,
		});
	});

	it('scores echoing the files unchanged 0, however similar they are to the result', async () => {
		expect(await grade({ 'src/paginate.ts': paginateBefore, 'tests/paginate.test.ts': testBefore })).toEqual({
			checks: [
				{
					name: 'files-changed',
					required: true,
					pass: false,
					detail: 'left unchanged src/paginate.ts, tests/paginate.test.ts',
				},
				{ name: 'change-similarity', required: false, pass: false, detail: 'src/paginate.ts 0.00 < 0.5' },
			],
			quality: 0,
		});
	});

	it('counts a file changed that the commit did not touch as extra work', async () => {
		// The README did not exist: creating it is one line edit to undo, on top of 12 needed.
		expect(await grade({ 'src/paginate.ts': paginateAfter, 'tests/paginate.test.ts': testAfter, 'README.md': '# notes\n' })).toEqual({
			checks: [
				{ name: 'files-changed', required: true, pass: false, detail: 'also changed README.md' },
				{
					name: 'change-similarity',
					required: false,
					pass: true,
					detail: 'every changed file ≥ 0.5 (lowest 1.00, src/paginate.ts)',
				},
			],
			quality: 0.9167,
		});
	});

	it('scores a file rewritten beyond recognition 0, pooled with the rest by line edits', async () => {
		// src/paginate.ts: 11 edits from "export {};" to the reference, against 2 needed (file score 0);
		// overall 11 remaining of 12 needed.
		const result = await grade({ 'src/paginate.ts': 'export {};\n', 'tests/paginate.test.ts': testAfter });
		expect(result.quality).toBe(0.0833);
		expect(result.checks[1]).toEqual({
			name: 'change-similarity',
			required: false,
			pass: false,
			detail: 'src/paginate.ts 0.00 < 0.5',
		});
	});

	it('uses the case threshold, 0.5 by default, fails tests-pass on a case without tests, and fails unknown checks', async () => {
		const testCase: ImplementChangeCase = {
			...fixture,
			checks: [
				{ name: 'change-similarity', required: true, threshold: 0.75 },
				{ name: 'tests-pass', required: true },
				{ name: 'no-such-check', required: false },
				{ name: 'change-similarity', required: false },
			],
		};
		const halfFixed = paginateBefore.replace('Math.floor', 'Math.ceil');
		expect((await grade({ 'src/paginate.ts': halfFixed, 'tests/paginate.test.ts': testAfter }, testCase)).checks).toEqual([
			{ name: 'change-similarity', required: true, pass: false, detail: 'src/paginate.ts 0.50 < 0.75' },
			{ name: 'tests-pass', required: true, pass: false, detail: 'the case has no tests' },
			{ name: 'no-such-check', required: false, pass: false, detail: 'unknown check' },
			{
				name: 'change-similarity',
				required: false,
				pass: true,
				detail: 'every changed file ≥ 0.5 (lowest 0.50, src/paginate.ts)',
			},
		]);
	});
});
