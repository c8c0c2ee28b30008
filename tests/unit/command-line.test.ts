import { describe, expect, it } from 'vitest';
import { UsageError, listOption, numberOption, textOption, wholeNumberOption } from '../../scripts/command-line.ts';

describe('the option checks every script shares', () => {
	it.each([
		{ value: undefined, min: 1, max: undefined, expected: undefined },
		{ value: '3', min: 1, max: undefined, expected: 3 },
		{ value: '0', min: 0, max: undefined, expected: 0 },
		{ value: '20', min: 1, max: 20, expected: 20 },
	])('reads $value as a whole number from $min', ({ value, min, max, expected }) => {
		expect(wholeNumberOption('n', value, min, max)).toBe(expected);
	});

	it.each([
		{ value: '0', min: 1, max: undefined, message: '--n is "0"; expected a whole number of at least 1.' },
		{ value: 'ten', min: 1, max: undefined, message: '--n is "ten"; expected a whole number of at least 1.' },
		{ value: '1.5', min: 1, max: undefined, message: '--n is "1.5"; expected a whole number of at least 1.' },
		{ value: '', min: 0, max: undefined, message: '--n is ""; expected a whole number of at least 0.' },
		{ value: '21', min: 1, max: 20, message: '--n is "21"; expected a whole number from 1 to 20.' },
	])('refuses $value as a whole number, saying what it got and what it expects', ({ value, min, max, message }) => {
		expect(() => wholeNumberOption('n', value, min, max)).toThrow(new UsageError(message));
	});

	it.each([
		{ value: '0.5', expected: 0.5 },
		{ value: '2', expected: 2 },
		{ value: undefined, expected: undefined },
	])('reads $value as a number', ({ value, expected }) => {
		expect(numberOption('ratio', value, 0)).toBe(expected);
	});

	it.each(['-1', 'half', ' ', 'Infinity'])('refuses %j as a number of at least 0', (value) => {
		expect(() => numberOption('ratio', value, 0)).toThrow(`--ratio is ${JSON.stringify(value)}; expected a number of at least 0.`);
	});

	it('refuses an empty text and keeps any other', () => {
		expect(textOption('since', '2024-01-01')).toBe('2024-01-01');
		expect(textOption('since', undefined)).toBeUndefined();
		expect(() => textOption('since', '  ')).toThrow('--since is empty; expected a value.');
	});

	it.each([
		{ value: undefined, expected: ['draft', 'reason', 'review'] },
		{ value: 'review, draft', expected: ['draft', 'review'] },
		{ value: 'reason,reason', expected: ['reason'] },
	])('reads the list $value in the allowed order', ({ value, expected }) => {
		expect(listOption('roles', value, ['draft', 'reason', 'review'] as const)).toEqual(expected);
	});

	it.each([
		{ value: 'draft,judge', message: '--roles names "judge"; expected a comma-separated list of draft, reason, review.' },
		{ value: '', message: '--roles names ""; expected a comma-separated list of draft, reason, review.' },
	])('refuses the list $value, naming what it does not know', ({ value, message }) => {
		expect(() => listOption('roles', value, ['draft', 'reason', 'review'] as const)).toThrow(message);
	});
});
