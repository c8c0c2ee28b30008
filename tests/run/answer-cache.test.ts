import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CachedAnswer, createFileCache } from '../../src/lib/run/answer-cache.ts';

const answer: CachedAnswer = {
	answer: {
		content: 'Fix the parser',
		thinking: '',
		doneReason: 'stop',
		latencyMs: 812.5,
		ttftMs: 90.1,
		evalCount: 12,
		evalDurationNs: 200e6,
		promptEvalCount: 300,
		loadDurationNs: 0,
	},
	loadMs: null,
};
const other: CachedAnswer = { ...answer, answer: { ...answer.answer, content: 'Add a flag' } };
const KEY = 'ab'.padEnd(64, '0');
const KEY2 = 'cd'.padEnd(64, '0');
const DIGEST = 'sha256:1234abcd';

let dir: string;
beforeEach(async () => {
	dir = await mkdtemp(path.join(os.tmpdir(), 'lmb-cache-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const line = (key: string, value: unknown, scope = DIGEST) => `${JSON.stringify({ s: scope, k: key, v: value })}\n`;
const storeOf = (scope = DIGEST) => path.join(dir, `${scope.replace(/[^A-Za-z0-9._-]/g, '_')}.jsonl`);
const filesUnder = async () => (await readdir(dir, { recursive: true })).sort();

/** Puts raw text where an earlier version of the cache kept the entry for KEY (one file per answer). */
async function plantLegacy(text: string): Promise<string> {
	const file = path.join(dir, KEY.slice(0, 2), `${KEY}.json`);
	await mkdir(path.dirname(file), { recursive: true });
	await writeFile(file, text);
	return file;
}

const BAD_ENTRIES = [
	['an empty object', '{}'],
	['a null answer', '{"answer":null,"loadMs":null}'],
	['a list', '[1,2,3]'],
	['an answer without content', JSON.stringify({ answer: { ...answer.answer, content: undefined }, loadMs: null })],
	['a number where text belongs', JSON.stringify({ answer: { ...answer.answer, content: 42 }, loadMs: null })],
	['half an entry', JSON.stringify(answer).slice(0, 40)],
] as const;

describe('the answer cache', () => {
	it('gives back what it stored, in this run and in the next', async () => {
		const cache = createFileCache(dir);
		await cache.set(KEY, answer, DIGEST);
		expect(await cache.get(KEY, DIGEST)).toEqual(answer);
		expect(await cache.get(KEY2, DIGEST)).toBeUndefined();
		await cache.close?.();
		expect(await createFileCache(dir).get(KEY, DIGEST)).toEqual(answer);
	});

	it('makes no file per answer: one log while the run lasts, one store per digest after it', async () => {
		const cache = createFileCache(dir);
		for (let index = 0; index < 50; index++) await cache.set(index.toString(16).padStart(64, '0'), answer, DIGEST);
		await cache.set(KEY, other, 'sha256:ffff');
		expect((await filesUnder()).filter((name) => name.endsWith('.jsonl'))).toHaveLength(1);
		await cache.close?.();
		expect(await filesUnder()).toEqual(['log', 'sha256_1234abcd.jsonl', 'sha256_ffff.jsonl']);
		expect((await readFile(storeOf(), 'utf8')).trim().split('\n')).toHaveLength(50);
		expect(await createFileCache(dir).get(KEY, 'sha256:ffff')).toEqual(other);
	});

	it('resumes a killed run from its log, ignoring the line the kill tore, and folds the log into the store', async () => {
		// A real process killed with SIGKILL after two whole lines and half of a third.
		const script = `
			const { createFileCache } = await import(${JSON.stringify(path.resolve('src/lib/run/answer-cache.ts'))});
			const cache = createFileCache(${JSON.stringify(dir)});
			await cache.set(${JSON.stringify(KEY)}, ${JSON.stringify(answer)}, ${JSON.stringify(DIGEST)});
			await cache.set(${JSON.stringify(KEY2)}, ${JSON.stringify(other)}, ${JSON.stringify(DIGEST)});
			const fs = await import('node:fs');
			const log = fs.readdirSync(${JSON.stringify(path.join(dir, 'log'))})[0];
			fs.appendFileSync(${JSON.stringify(path.join(dir, 'log'))} + '/' + log, ${JSON.stringify(line('ef'.padEnd(64, '0'), answer).slice(0, 30))});
			process.kill(process.pid, 'SIGKILL');`;
		const child = spawnSync(process.execPath, ['--input-type=module', '-e', script]);
		expect(child.signal).toBe('SIGKILL');
		const warnings: string[] = [];
		const cache = createFileCache(dir, { warn: (message) => warnings.push(message) });
		expect(await cache.get(KEY, DIGEST)).toEqual(answer);
		expect(await cache.get(KEY2, DIGEST)).toEqual(other);
		expect(await cache.get('ef'.padEnd(64, '0'), DIGEST)).toBeUndefined();
		expect(warnings).toEqual([]);
		// The next run's close folds the dead run's log in, so the log does not pile up.
		await cache.set('01'.padEnd(64, '0'), answer, DIGEST);
		await cache.close?.();
		expect((await readdir(path.join(dir, 'log'))).filter((name) => name.endsWith('.jsonl'))).toEqual([]);
		const reread = createFileCache(dir);
		expect(await reread.get(KEY2, DIGEST)).toEqual(other);
		expect(await reread.get('01'.padEnd(64, '0'), DIGEST)).toEqual(answer);
	});

	it('leaves the log of a run still going alone', async () => {
		const running = createFileCache(dir);
		await running.set(KEY, answer, DIGEST);
		const finishing = createFileCache(dir);
		await finishing.set(KEY2, other, DIGEST);
		await finishing.close?.();
		// The first run's log is still there (it appends to it), and its answer is not lost.
		await running.set('01'.padEnd(64, '0'), answer, DIGEST);
		await running.close?.();
		const reread = createFileCache(dir);
		for (const key of [KEY, KEY2, '01'.padEnd(64, '0')]) expect(await reread.get(key, DIGEST)).toBeDefined();
	});

	it.each(BAD_ENTRIES)('treats %s in a store as a miss, not an answer, and names the line', async (_label, text) => {
		// A JSON value that is not a cached answer, under the key; or a line that is not JSON at all.
		const bad = isJson(text) ? `{"s":${JSON.stringify(DIGEST)},"k":${JSON.stringify(KEY)},"v":${text}}` : text;
		await writeFile(storeOf(), `${line(KEY2, other)}${bad}\n`);
		const warnings: string[] = [];
		const cache = createFileCache(dir, { warn: (message) => warnings.push(message) });
		expect(await cache.get(KEY, DIGEST)).toBeUndefined();
		expect(await cache.get(KEY2, DIGEST)).toEqual(other);
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).toContain(`${storeOf()}:2`);
	});

	it.each(BAD_ENTRIES)('treats %s in a file of the earlier layout as a miss, not an answer', async (_label, text) => {
		await plantLegacy(text);
		const warnings: string[] = [];
		expect(await createFileCache(dir, { warn: (message) => warnings.push(message) }).get(KEY, DIGEST)).toBeUndefined();
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).toContain(`${KEY}.json`);
	});

	it('still serves the answers of the earlier one-file-per-answer layout', async () => {
		await plantLegacy(JSON.stringify(answer));
		expect(await createFileCache(dir).get(KEY, DIGEST)).toEqual(answer);
	});

	it('says once, however many entries are unusable, and replaces a bad entry with the next answer', async () => {
		await writeFile(storeOf(), `${line(KEY, {})}not json\n${line(KEY2, [])}`);
		const warnings: string[] = [];
		const cache = createFileCache(dir, { warn: (message) => warnings.push(message) });
		for (let i = 0; i < 3; i++) expect(await cache.get(KEY, DIGEST)).toBeUndefined();
		expect(await cache.get(KEY2, DIGEST)).toBeUndefined();
		expect(warnings).toHaveLength(1);
		await cache.set(KEY, answer, DIGEST);
		expect(await cache.get(KEY, DIGEST)).toEqual(answer);
		await cache.close?.();
		const lines = (await readFile(storeOf(), 'utf8')).trim().split('\n');
		expect(lines).toEqual([line(KEY, answer).trim()]);
	});

	it('fails a write loudly when the cache folder cannot be made, so the caller can warn', async () => {
		const blocked = path.join(dir, 'blocked');
		await writeFile(blocked, 'not a folder\n');
		await expect(createFileCache(blocked).set(KEY, answer, DIGEST)).rejects.toThrow(/ENOTDIR/);
	});
});

function isJson(text: string): boolean {
	try {
		JSON.parse(text);
		return true;
	} catch {
		return false;
	}
}
