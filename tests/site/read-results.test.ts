import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readRunResults, resultsFileOf } from '../../src/lib/report/read-results.ts';
import { run } from './fixtures.ts';

let root: string;
beforeEach(async () => {
	root = await mkdtemp(path.join(os.tmpdir(), 'lmb-results-'));
	await mkdir(path.join(root, 'reports'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

const entry = run('local-model-benchmark-2026-01-01', '2026-01-01');

describe('the results sidecar of a report', () => {
	it('is found where the manifest says, and only inside reports/', () => {
		expect(resultsFileOf(entry.id, entry.report)).toBe('reports/local-model-benchmark-2026-01-01.results.json');
		for (const named of ['../../etc/passwd', 'reports/../../secret.results.json', '/etc/x.results.json', '']) {
			const report = { manifest: { ...entry.report.manifest, results_file: named } };
			expect(resultsFileOf(entry.id, report), named).toBe('reports/local-model-benchmark-2026-01-01.results.json');
		}
	});

	it('reads valid results, says when the file is missing, and names the file when it is broken', async () => {
		expect(await readRunResults(root, entry.id, entry.report)).toEqual({ status: 'missing', file: 'reports/local-model-benchmark-2026-01-01.results.json' });
		await writeFile(path.join(root, 'reports', `${entry.id}.results.json`), JSON.stringify({ report: entry.id, results: [] }));
		expect(await readRunResults(root, entry.id, entry.report)).toEqual({ status: 'ok', file: `reports/${entry.id}.results.json`, results: [] });
		await writeFile(path.join(root, 'reports', `${entry.id}.results.json`), JSON.stringify({ report: entry.id, results: [{ role: 'draft' }] }));
		await expect(readRunResults(root, entry.id, entry.report)).rejects.toThrow(`reports/${entry.id}.results.json: the results do not match the results schema`);
		await writeFile(path.join(root, 'reports', `${entry.id}.results.json`), '{');
		await expect(readRunResults(root, entry.id, entry.report)).rejects.toThrow('is not valid JSON');
	});
});
