import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readRunResults, resultsFileOf } from '../../src/lib/report/read-results.ts';
import { caseResult } from '../../testing/case-result.ts';
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
		expect(await readRunResults(root, entry.id, entry.report)).toEqual({
			status: 'missing',
			file: 'reports/local-model-benchmark-2026-01-01.results.json',
		});
		await writeFile(path.join(root, 'reports', `${entry.id}.results.json`), JSON.stringify({ report: entry.id, results: [] }));
		expect(await readRunResults(root, entry.id, entry.report)).toMatchObject({
			status: 'ok',
			file: `reports/${entry.id}.results.json`,
			results: [],
		});
		await writeFile(
			path.join(root, 'reports', `${entry.id}.results.json`),
			JSON.stringify({ report: entry.id, results: [{ role: 'draft' }] }),
		);
		await expect(readRunResults(root, entry.id, entry.report)).rejects.toThrow(
			`reports/${entry.id}.results.json: the results do not match the results schema`,
		);
		await writeFile(path.join(root, 'reports', `${entry.id}.results.json`), '{');
		await expect(readRunResults(root, entry.id, entry.report)).rejects.toThrow('is not valid JSON');
	});

	it('trusts a file it validated before only while the file is unchanged', async () => {
		const file = path.join(root, 'reports', `${entry.id}.results.json`);
		// Without `tags`: the schema gives it a default, which a trusted read must apply as well.
		const { tags: _tags, ...valid } = caseResult({
			model: 'a:1b',
			case_id: 'c',
			latency_ms: 1,
			ttft_ms: 1,
			eval_count: 1,
			eval_duration_ns: 1,
			prompt_eval_count: 1,
		});
		await writeFile(file, JSON.stringify({ report: entry.id, results: [valid] }));
		const first = await readRunResults(root, entry.id, entry.report);
		if (first.status !== 'ok') throw new Error('expected the results to be read');
		// The schema's default is applied on the trusted read too, so both reads give the same results.
		expect(first.results[0]!.tags).toEqual([]);
		expect(await readRunResults(root, entry.id, entry.report, first.stamp)).toEqual(first);
		// Same size, another time: read as a new file, so the schema runs and refuses it.
		const broken = JSON.stringify({ report: entry.id, results: [{ ...valid, outcome: 'acceptex' }] });
		await writeFile(file, broken);
		await utimes(file, new Date(), new Date(first.stamp.mtimeMs + 5_000));
		await expect(readRunResults(root, entry.id, entry.report, first.stamp)).rejects.toThrow('the results do not match the results schema');
	});
});
