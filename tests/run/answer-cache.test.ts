import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CachedAnswer, createFileCache } from '../../src/lib/run/answer-cache.ts';

const answer: CachedAnswer = {
	answer: { content: 'Fix the parser', thinking: '', doneReason: 'stop', latencyMs: 812.5, ttftMs: 90.1, evalCount: 12, evalDurationNs: 200e6, promptEvalCount: 300, loadDurationNs: 0 },
	loadMs: null,
};
const KEY = 'ab'.padEnd(64, '0');

let dir: string;
beforeEach(async () => {
	dir = await mkdtemp(path.join(os.tmpdir(), 'lmb-cache-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Puts raw text where the cache keeps the entry for KEY, as a damaged or foreign file would be. */
async function plant(text: string): Promise<string> {
	const file = path.join(dir, KEY.slice(0, 2), `${KEY}.json`);
	await mkdir(path.dirname(file), { recursive: true });
	await writeFile(file, text);
	return file;
}

describe('the answer cache', () => {
	it('gives back what it stored', async () => {
		const cache = createFileCache(dir);
		await cache.set(KEY, answer);
		expect(await cache.get(KEY)).toEqual(answer);
		expect(await cache.get('cd'.padEnd(64, '0'))).toBeUndefined();
	});

	it.each([
		['an empty object', '{}'],
		['a null answer', '{"answer":null,"loadMs":null}'],
		['a list', '[1,2,3]'],
		['an answer without content', JSON.stringify({ answer: { ...answer.answer, content: undefined }, loadMs: null })],
		['a number where text belongs', JSON.stringify({ answer: { ...answer.answer, content: 42 }, loadMs: null })],
		['half a file', JSON.stringify(answer).slice(0, 40)],
	])('treats %s as a miss, not an answer', async (_label, text) => {
		await plant(text);
		const warnings: string[] = [];
		expect(await createFileCache(dir, { warn: (message) => warnings.push(message) }).get(KEY)).toBeUndefined();
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).toContain(`${KEY}.json`);
	});

	it('says once, however many entries are unusable, and replaces a bad entry with the next answer', async () => {
		const file = await plant('{}');
		const warnings: string[] = [];
		const cache = createFileCache(dir, { warn: (message) => warnings.push(message) });
		for (let i = 0; i < 3; i++) expect(await cache.get(KEY)).toBeUndefined();
		expect(warnings).toHaveLength(1);
		await cache.set(KEY, answer);
		expect(await cache.get(KEY)).toEqual(answer);
		expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(answer);
	});
});
