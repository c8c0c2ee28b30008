import { describe, expect, it } from 'vitest';
import { sortKeys, stableStringify } from '../../src/lib/files/stable-json.ts';

describe('stable JSON', () => {
	it.each([
		['sorts keys at every level', { b: 1, a: { d: [{ z: 1, y: 2 }], c: null } }, '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}'],
		['drops undefined values as JSON.stringify does', { b: undefined, a: 1 }, '{"a":1}'],
		['keeps a "__proto__" key of parsed JSON as a key', JSON.parse('{"b":1,"__proto__":{"x":2}}'), '{"__proto__":{"x":2},"b":1}'],
		['leaves arrays in their order and scalars as they are', [3, 'a', true, null], '[3,"a",true,null]'],
	])('%s', (_title, value, expected) => {
		expect(stableStringify(value)).toBe(expected);
	});

	it('returns plain objects that equal the input', () => {
		const value = { b: [1, { d: 2, c: 3 }], a: 'x' };
		expect(sortKeys(value)).toEqual(value);
		expect(Object.getPrototypeOf(sortKeys(value))).toBe(Object.prototype);
	});
});
