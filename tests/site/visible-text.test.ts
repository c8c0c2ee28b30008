import { describe, expect, it } from 'vitest';
import { clip, visibleText } from '../../src/lib/format/format.ts';

describe('text as a page shows it', () => {
	it.each([
		['a NUL byte in a diff', '+const end = "\u0000";', '+const end = "␀";'],
		['an escape sequence', '\u001b[31mred\u001b[0m', '␛[31mred␛[0m'],
		['a bell, a backspace and a delete', 'a\u0007b\u0008c\u007f', 'a␇b␈c␡'],
		['tabs and line breaks, kept as they are', 'a\tb\nc\r\nd', 'a\tb\nc\r\nd'],
		['text without control characters, unchanged', 'Strip diacritics — “é” → e', 'Strip diacritics — “é” → e'],
	])('draws %s visibly', (_label, text, shown) => {
		expect(visibleText(text)).toBe(shown);
	});

	it('makes control characters visible in clipped text too, counting what was left out in the original', () => {
		expect(clip('ab\u0000cd', 3)).toEqual({ text: 'ab␀', omitted: 2 });
		expect(clip('a\u0000', 10)).toEqual({ text: 'a␀', omitted: 0 });
	});
});
