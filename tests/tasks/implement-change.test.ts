import { describe, expect, it } from 'vitest';
import {
	IMPLEMENT_CHANGE_FORMAT,
	type ImplementChangeAnswer,
	type ImplementChangeCase,
	answerFormatOfText,
	implementChangeTask,
	referenceAnswer,
} from '../../src/lib/tasks/implement-change.ts';
import { parseEditBlocks, sameLines } from '../../src/lib/tasks/search-replace.ts';
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

const WHOLE = { coderAnswerFormat: 'whole' } as const;

describe('implement-change prompt', () => {
	const prompt = implementChangeTask.buildPrompt(fixture, WHOLE);
	const user = prompt.messages[1]!.content;
	const edit = implementChangeTask.buildPrompt(fixture);
	const editUser = edit.messages[1]!.content;

	it('asks for search/replace blocks by default, in free text, with the same files', () => {
		expect(editUser).toContain('Answer with SEARCH/REPLACE blocks only');
		expect(editUser).toContain(
			'<<<<<<< SEARCH\nthe lines of the file as they are now\n=======\nthe lines that replace them\n>>>>>>> REPLACE',
		);
		expect(editUser).toContain('must occur only once in the file');
		expect(editUser).toContain('give its new path with an empty SEARCH part');
		expect(editUser).toContain(`### src/paginate.ts\n\`\`\`\n${paginateBefore}\`\`\``);
		expect(edit.format).toBeUndefined();
		expect(editUser).not.toContain('Math.ceil');
		// Another format is another prompt: the answer cache, keyed by the prompt as sent, asks again.
		expect(JSON.stringify(edit)).not.toBe(JSON.stringify(prompt));
	});

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

describe('implement-change parser, edit answers', () => {
	it('applies the blocks to the files shown and returns the files they changed', () => {
		const text = referenceAnswer(fixture);
		const parsed = implementChangeTask.parse(text, fixture);
		expect(parsed.ok).toBe(true);
		if (!parsed.ok) return;
		expect(parsed.value.files.map((file) => file.path)).toEqual(['src/paginate.ts', 'tests/paginate.test.ts']);
		expect(sameLines(parsed.value.files[0]!.content, paginateAfter)).toBe(true);
		expect(parsed.value.files[1]!.content).toBe(testAfter);
		// The reference edits are small: only the changed lines of src/paginate.ts, and the new test file.
		const blocks = parseEditBlocks(text);
		expect(blocks.ok && blocks.blocks.map((block) => [block.path, block.search.split('\n').length - 1])).toEqual([
			['src/paginate.ts', 1],
			['src/paginate.ts', 1],
			['tests/paginate.test.ts', 0],
		]);
	});

	it.each([
		[
			'a whole-file JSON answer',
			JSON.stringify(answer({ 'src/paginate.ts': paginateAfter })),
			/^malformed edit: the answer holds no SEARCH\/REPLACE block$/,
		],
		[
			'a SEARCH text not in the file',
			'src/paginate.ts\n```\n<<<<<<< SEARCH\nconst begin = page * size;\n=======\nconst begin = (page - 1) * size;\n>>>>>>> REPLACE\n```',
			/^malformed edit: block 1 \(src\/paginate\.ts, SEARCH "const begin = page \* size;"\): the SEARCH text is not in src\/paginate\.ts$/,
		],
		[
			'an edit to a file not shown',
			'src/index.ts\n```\n<<<<<<< SEARCH\nexport {};\n=======\nexport * from "./paginate";\n>>>>>>> REPLACE\n```',
			/src\/index\.ts is not among the files shown/,
		],
	])('refuses %s as a malformed edit', (_kind, text, reason) => {
		const result = implementChangeTask.parse(text, fixture);
		expect(result).toMatchObject({ ok: false, failureClass: 'malformed-edit' });
		expect(!result.ok && result.reason).toMatch(reason);
	});

	it('tells the format an old answer was written in', () => {
		expect(answerFormatOfText(referenceAnswer(fixture))).toBe('edit');
		expect(answerFormatOfText(referenceAnswer(fixture, 'whole'))).toBe('whole');
	});
});

describe('implement-change parser, whole answers', () => {
	const json = JSON.stringify(answer({ 'src/paginate.ts': paginateAfter }));

	it.each([
		['plain', json],
		['fenced', `\`\`\`json\n${json}\n\`\`\``],
		['fenced, with prose around', `Here is the change:\n\n\`\`\`json\n${json}\n\`\`\`\n\nThe tests should pass now.`],
		['with inline thinking', `<think>ceil, not floor</think>\n${json}`],
	])('reads a %s answer', (_kind, text) => {
		expect(implementChangeTask.parse(text, fixture, WHOLE)).toEqual({ ok: true, value: answer({ 'src/paginate.ts': paginateAfter }) });
	});

	it('reads content that holds fences of its own', () => {
		const readme = '# notes\n\n```sh\nnotes list --json\n```\n';
		const text = `\`\`\`json\n${JSON.stringify(answer({ 'README.md': readme }))}\n\`\`\``;
		expect(implementChangeTask.parse(text, fixture, WHOLE)).toEqual({ ok: true, value: answer({ 'README.md': readme }) });
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
		const result = implementChangeTask.parse(text, fixture, WHOLE);
		expect(result.ok).toBe(false);
		expect(!result.ok && result.failureClass).toBeUndefined();
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

describe('implement-change sentinels', () => {
	const parsedSentinels = (format: 'edit' | 'whole') =>
		implementChangeTask.sentinels(fixture, { cases: [fixture], coderAnswerFormat: format }).map((sentinel) => ({
			name: sentinel.name,
			parsed: implementChangeTask.parse(sentinel.text, fixture, { coderAnswerFormat: format }),
		}));
	const changed = (value: ImplementChangeAnswer) => Object.fromEntries(value.files.map((file) => [file.path, file.content]));

	it.each(['edit', 'whole'] as const)('writes the reference and every junk answer in the %s format, each one readable', (format) => {
		const sentinels = parsedSentinels(format);
		expect(sentinels.map((sentinel) => sentinel.name)).toEqual([
			'reference',
			'unchanged',
			'emptied',
			'comment-line',
			'cosmetic-edit',
			'rigged-config',
			'rigged-source',
		]);
		for (const sentinel of sentinels) expect(sentinel.parsed.ok, sentinel.name).toBe(true);
	});

	it('writes the edit sentinels as edits that apply to what each junk means', () => {
		const byName = new Map(
			parsedSentinels('edit').map((sentinel) => [sentinel.name, sentinel.parsed.ok ? changed(sentinel.parsed.value) : {}]),
		);
		expect(sameLines(byName.get('reference')!['src/paginate.ts']!, paginateAfter)).toBe(true);
		expect(byName.get('unchanged')).toEqual({ 'src/paginate.ts': paginateBefore });
		expect(byName.get('emptied')).toEqual({ 'src/paginate.ts': '' });
		expect(byName.get('comment-line')!['src/paginate.ts']).toBe(`// TODO: implement this change\n${paginateBefore}`);
		// A blank line where the change starts, and a blank new test file: applies, changes nothing a test sees.
		const cosmetic = byName.get('cosmetic-edit')!;
		expect(cosmetic['src/paginate.ts']!.replace(/\n\n/g, '\n')).toBe(paginateBefore.replace(/\n\n/g, '\n'));
		expect(cosmetic['src/paginate.ts']).not.toBe(paginateBefore);
		expect(cosmetic['tests/paginate.test.ts']).toBe('\n');
		expect(Object.keys(byName.get('rigged-config')!)).toEqual([
			'src/paginate.ts',
			'vitest.config.ts',
			'jest.config.js',
			'no-assertions.ts',
		]);
		expect(byName.get('rigged-source')!['src/paginate.ts']).toMatch(/^import \{ chai \} from 'vitest';/);
	});

	it('accepts the reference and rejects the unchanged edit on the file checks', async () => {
		const sentinels = parsedSentinels('edit');
		const gradeOf = async (name: string) => {
			const parsed = sentinels.find((sentinel) => sentinel.name === name)!.parsed;
			if (!parsed.ok) throw new Error(parsed.reason);
			return implementChangeTask.grade(fixture, parsed.value, { cases: [fixture] });
		};
		expect((await gradeOf('reference')).quality).toBe(1);
		expect((await gradeOf('unchanged')).checks[0]).toMatchObject({ name: 'files-changed', pass: false });
	});
});
