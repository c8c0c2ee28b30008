import { describe, expect, it } from 'vitest';
import { z } from 'astro/zod';
import { extractJson, parseJsonAnswer, stripThinking, unwrapFence } from '../../src/lib/tasks/answer-text.ts';
import { runChecks } from '../../src/lib/tasks/check-results.ts';
import { normalizePath, normalizePaths } from '../../src/lib/tasks/paths.ts';
import { fenced } from '../../src/lib/tasks/prompt-text.ts';
import { comparableLines, lineEditDistance, normalizeText, textSimilarity } from '../../src/lib/tasks/similarity.ts';
import { estimateTokens, promptTokens } from '../../src/lib/tasks/tokens.ts';

describe('estimateTokens', () => {
	it.each([
		['', 0],
		['abcdefg', 2],
		['abcdefgh', 3],
		['x'.repeat(350), 100],
		['x'.repeat(351), 101],
	])('counts %j as %i tokens (characters / 3.5, rounded up)', (text, tokens) => {
		expect(estimateTokens(text)).toBe(tokens);
	});

	it('over-counts compared with the usual four characters per token', () => {
		const text = 'const answer = 42;\n'.repeat(100);
		expect(estimateTokens(text)).toBeGreaterThan(Math.ceil(text.length / 4));
	});
});

describe('promptTokens', () => {
	it('adds eight tokens of chat template per message to the contents', () => {
		const prompt = {
			messages: [
				{ role: 'system' as const, content: 'x'.repeat(7) },
				{ role: 'user' as const, content: 'y'.repeat(35) },
			],
			format: { type: 'object' },
		};
		expect(promptTokens(prompt)).toBe(2 + 8 + 10 + 8);
	});
});

describe('similarity', () => {
	it.each([
		['kitten', 'sitting', 1 - 3 / 7],
		['', '', 1],
		['abc', '', 0],
		['same', 'same', 1],
	])('similarity of %j and %j is %d', (a, b, expected) => {
		expect(textSimilarity(a, b)).toBeCloseTo(expected, 10);
	});

	it('normalizes case and whitespace runs', () => {
		expect(normalizeText('  Fix  the\tParser\n\nnow ')).toBe('fix the parser now');
	});

	it('reads lines without CRLF, trailing spaces and trailing blank lines', () => {
		expect(comparableLines('a  \r\nb\n\n\n')).toEqual(['a', 'b']);
		expect(comparableLines('')).toEqual([]);
		expect(comparableLines('\n\n')).toEqual([]);
	});

	it.each([
		['a\nb\nc\n', 'a\nB\nc', 1],
		['a\nb\nc\n', 'a\r\nb   \r\nc', 0],
		['', 'a\nb\n', 2],
		['a\nb\nc\nd\n', 'a\nc\nd\ne\n', 2],
		['x\nx\nx\n', 'x\n', 2],
	])('line edit distance of %j and %j is %i', (a, b, expected) => {
		expect(lineEditDistance(a, b)).toBe(expected);
	});
});

describe('answer text', () => {
	it('drops inline thinking and CRLF', () => {
		expect(stripThinking('<think>\nmaybe {"a": 1}\n</think>\r\n\r\nAdd x\r\n')).toBe('Add x');
	});

	it.each([
		['```json\n{"a": 1}\n```', '{"a": 1}'],
		['~~~\nplain\n~~~\n', 'plain'],
		['```\n{"md": "```js\\nx\\n```"}\n```', '{"md": "```js\\nx\\n```"}'],
		['no fence', 'no fence'],
		['```\nunclosed', '```\nunclosed'],
	])('unwraps %j to %j', (text, inner) => {
		expect(unwrapFence(text)).toBe(inner);
	});

	it.each([
		['{"a": 1}', { a: 1 }],
		['```json\n{"a": 1}\n```', { a: 1 }],
		['Here you go:\n\n{"a": {"b": [1, 2]}}\n\nAnything else?', { a: { b: [1, 2] } }],
		['<think>{"draft": true}</think>{"a": 1}', { a: 1 }],
		['```json\n{"a": 1}\n```\n\nNote: {braces} in prose do not matter.', { a: 1 }],
	])('finds the JSON in %j', (text, value) => {
		expect(extractJson(text)).toEqual({ ok: true, value });
	});

	it.each([
		['', 'the answer is empty'],
		['  \n ', 'the answer is empty'],
		['I would change src/a.ts.', "no JSON object in the answer (starts with 'I would change src/a.ts.')"],
	])('refuses %j', (text, reason) => {
		expect(extractJson(text)).toEqual({ ok: false, reason });
	});

	it('says why broken JSON is refused', () => {
		const result = extractJson('{"files": ["a.ts",');
		expect(result.ok).toBe(false);
		expect(!result.ok && result.reason).toMatch(/^the answer is not valid JSON: /);
	});

	it('names the field that has the wrong shape', () => {
		const schema = z.object({ files: z.array(z.object({ path: z.string() })) });
		const result = parseJsonAnswer('{"files": [{"path": "a"}, {"path": 3}]}', schema);
		expect(result.ok).toBe(false);
		expect(!result.ok && result.reason).toMatch(/^the answer does not have the expected shape: files\[1\]\.path: /);
	});
});

describe('paths', () => {
	it.each([
		['src/a.ts', 'src/a.ts'],
		['./src/a.ts', 'src/a.ts'],
		['/src/a.ts', 'src/a.ts'],
		['././src/a.ts', 'src/a.ts'],
		[' `src/a.ts` ', 'src/a.ts'],
		['src\\lib\\a.ts', 'src/lib/a.ts'],
		['.github/workflows/ci.yml', '.github/workflows/ci.yml'],
	])('normalizes %j to %j', (raw, normalized) => {
		expect(normalizePath(raw)).toBe(normalized);
	});

	it('de-duplicates after normalizing and drops empty paths', () => {
		expect(normalizePaths(['./a.ts', 'a.ts', '', '  ', 'b.ts'])).toEqual(['a.ts', 'b.ts']);
	});
});

describe('fenced', () => {
	it('uses three backticks for text without any', () => {
		expect(fenced('a\nb', 'diff')).toBe('```diff\na\nb\n```');
	});

	it('uses a longer fence than any backtick run inside, so the text stays one block', () => {
		expect(fenced('see ```js\nx\n```\n')).toBe('````\nsee ```js\nx\n```\n````');
	});
});

describe('runChecks', () => {
	it('keeps the case order and required flags, and fails unknown checks without throwing', () => {
		const results = runChecks(
			[
				{ name: 'second', required: false, threshold: 0.25 },
				{ name: 'mystery', required: true },
				{ name: 'first', required: true },
			],
			{
				first: () => ({ pass: true, detail: 'ok' }),
				second: (spec) => ({ pass: false, detail: `threshold ${spec.threshold}` }),
			},
		);
		expect(results).toEqual([
			{ name: 'second', required: false, pass: false, detail: 'threshold 0.25' },
			{ name: 'mystery', required: true, pass: false, detail: 'unknown check' },
			{ name: 'first', required: true, pass: true, detail: 'ok' },
		]);
	});

	it('does not mistake an inherited property for a check', () => {
		expect(runChecks([{ name: 'constructor', required: true }], {})).toEqual([
			{ name: 'constructor', required: true, pass: false, detail: 'unknown check' },
		]);
	});
});
