/**
 * Damaged evidence files are named, not stack-traced: a report whose frontmatter was broken by hand, a
 * results file gone, a BOM an editor added. Each case damages a copy of a real report (written by a run
 * against the fake Ollama) in a temporary folder, never a report of the project.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBenchmarkPipeline } from '../../src/lib/pipeline/benchmark-pipeline.ts';
import { formatIssues } from '../../src/lib/registry/registry-error.ts';
import { checkReports } from '../../src/lib/report/check-reports.ts';
import { readReport } from '../../src/lib/report/read-reports.ts';
import { DamagedReportsError } from '../../src/lib/report/report-text.ts';
import { type FakeOllama, startFakeOllama } from '../../testing/fake-ollama/server.ts';
import { type ProjectCopy, astroBuild, runCommand } from '../../testing/project-copy.ts';
import { fixtureCases, fixtureWorkspace, scriptedResponder } from '../../testing/workspace.ts';

const REPORT = 'local-model-benchmark-2026-11-26.md';
const RESULTS = 'local-model-benchmark-2026-11-26.results.json';

let workspace: ProjectCopy;
let fake: FakeOllama;
/** The pristine report and results, as the run wrote them. */
let written: { report: string; results: string };
const scratch: string[] = [];

beforeAll(async () => {
	workspace = await fixtureWorkspace('lmb-damaged-');
	const cases = await fixtureCases();
	fake = await startFakeOllama({
		models: ['gemma4:latest', 'llama3.1:8b', 'granite3.3:8b', 'deepseek-r1:14b', 'gemma4:26b', 'qwen2.5-coder:14b'].map((name) => ({
			name,
			respond: scriptedResponder(cases),
		})),
	});
	const run = await runBenchmarkPipeline({
		root: workspace.root,
		env: { OLLAMA_HOST: fake.url },
		logger: { info: () => {}, warn: () => {} },
		now: () => new Date('2026-11-26T12:00:00Z'),
	});
	expect(run.status).toBe('written');
	const reports = path.join(workspace.root, 'reports');
	written = { report: await readFile(path.join(reports, REPORT), 'utf8'), results: await readFile(path.join(reports, RESULTS), 'utf8') };
});
afterAll(async () => {
	await fake?.close();
	await workspace?.dispose();
	await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A folder with a copy of the run's report and results, damaged by `damage`; returns its root. */
async function damagedCopy(
	damage: (files: { report: string; results: string | undefined }) => { report: string; results: string | undefined },
) {
	const root = await mkdtemp(path.join(os.tmpdir(), 'lmb-damaged-copy-'));
	scratch.push(root);
	await mkdir(path.join(root, 'reports'));
	const files = damage({ ...written });
	await writeFile(path.join(root, 'reports', REPORT), files.report);
	if (files.results !== undefined) await writeFile(path.join(root, 'reports', RESULTS), files.results);
	return root;
}

/** The 1-based line of `text` that starts with `start`. */
const lineOf = (text: string, start: string) => text.split('\n').findIndex((line) => line.startsWith(start)) + 1;

/** The 1-based line of the report's first top-level key with a value on its own line (`date: …`). */
const firstScalarKey = (text: string) => text.split('\n').findIndex((line, index) => index > 0 && /^\w+: \S/.test(line)) + 1;

/** The report with its line `n` (1-based, of the file) changed by `change`. */
function onLine(text: string, n: number, change: (line: string) => string): string {
	const changed = text
		.split('\n')
		.map((line, index) => (index === n - 1 ? change(line) : line))
		.join('\n');
	if (changed === text) throw new Error(`the edit of line ${n} changed nothing: fix the test`);
	return changed;
}

describe('a damaged report or results file', () => {
	it('leaves an intact copy alone', async () => {
		const root = await damagedCopy((files) => files);
		expect(await checkReports(root)).toEqual([]);
	});

	const fix = (file: string) =>
		`  hint:     reports are evidence, written by a run and never edited by hand: restore it with \`git checkout -- reports/${file}\``;
	type Files = { report: string; results: string | undefined };
	it.each<[string, (files: Files) => Files, (files: Files) => string[]]>([
		[
			'an unclosed flow list on the frontmatter’s first scalar key (its line of the file, not of the frontmatter)',
			(files) => ({ ...files, report: onLine(files.report, firstScalarKey(files.report), (line) => line.replace(/^(\w+): /, '$1: [')) }),
			() => [
				`reports/${REPORT}:${firstScalarKey(written.report)} — (frontmatter)`,
				'  found:    a `[` list that is never closed by `]`',
				'  expected: the frontmatter as the run wrote it: well-formed YAML',
				fix(REPORT),
			],
		],
		[
			'a tab-indented key',
			(files) => ({ ...files, report: files.report.replace('\n  started_at:', '\n\tstarted_at:') }),
			(files) => [
				`reports/${REPORT}:${lineOf(files.report, '\tstarted_at:')} — (frontmatter)`,
				'  found:    a tab used to indent a line (YAML indents with spaces only)',
				'  expected: the frontmatter as the run wrote it: well-formed YAML',
				fix(REPORT),
			],
		],
		[
			'a missing results file',
			(files) => ({ ...files, results: undefined }),
			() => [
				`reports/${RESULTS} — (file)`,
				`  found:    no such file; reports/${REPORT} names it as its results`,
				'  expected: the per-case results the run wrote beside its report',
				fix(RESULTS),
			],
		],
		[
			'a BOM before the report',
			(files) => ({ ...files, report: `\uFEFF${files.report}` }),
			() => [
				`reports/${REPORT}:1 — (file)`,
				'  found:    a UTF-8 byte order mark (BOM, the bytes EF BB BF) before the first character',
				'  expected: UTF-8 without a BOM, as the project writes its files',
				fix(REPORT),
			],
		],
		[
			'a field of the wrong type',
			(files) => ({ ...files, report: files.report.replace(/\n {2}repeats: 1\n/, '\n  repeats: many\n') }),
			(files) => [
				`reports/${REPORT}:${lineOf(files.report, '  repeats: many')} — manifest.repeats`,
				'  found:    "many" (a string)',
				'  expected: a number',
				fix(REPORT),
			],
		],
		[
			'results cut short',
			(files) => ({ ...files, results: files.results!.slice(0, 200) }),
			(files) => [
				`reports/${RESULTS}:${files.results!.split('\n').length} — (file)`,
				expect.stringMatching(/^ {2}found: {4}JSON that does not parse \(Unterminated string in JSON at position 200/) as unknown as string,
				'  expected: the JSON the run wrote',
				fix(RESULTS),
			],
		],
		[
			'a BOM before the results',
			(files) => ({ ...files, results: `\uFEFF${files.results}` }),
			() => [
				`reports/${RESULTS}:1 — (file)`,
				'  found:    a UTF-8 byte order mark (BOM, the bytes EF BB BF) before the first character',
				'  expected: UTF-8 without a BOM, as the project writes its files',
				fix(RESULTS),
			],
		],
	])('names %s with the file, the line and the fix', async (_name, damage, expected) => {
		const files = damage({ ...written });
		const root = await damagedCopy(() => files);
		const issues = await checkReports(root);
		const message = formatIssues(issues, 'The reports in reports/ have');
		expect(message.split('\n')).toEqual(['The reports in reports/ have 1 problem:', '', ...expected(files), '']);
		// The pipeline reads its history with the same words.
		if (!expected(files)[0]!.includes(RESULTS)) {
			const thrown = await readReport(path.join(root, 'reports', REPORT)).catch((error: unknown) => error);
			expect(thrown).toBeInstanceOf(DamagedReportsError);
			expect((thrown as Error).message).toBe(message);
		}
	});
});

/** What a crash of the tool looks like, and a failure the project explains never does. */
function expectNoCrashDump(output: string): void {
	expect(output).not.toContain('An unhandled error occurred');
	expect(output).not.toContain('Stack trace');
	expect(output).not.toMatch(/^\s+at .*(node_modules|node:internal)/m);
}

describe('the commands meet a damaged report', () => {
	const reportFile = () => path.join(workspace.root, 'reports', REPORT);
	const tabbed = () => written.report.replace('\n  started_at:', '\n\tstarted_at:');
	const expectedBlock = () =>
		[
			'The reports in reports/ have 1 problem:',
			'',
			`reports/${REPORT}:${lineOf(tabbed(), '\tstarted_at:')} — (frontmatter)`,
			'  found:    a tab used to indent a line (YAML indents with spaces only)',
			'  expected: the frontmatter as the run wrote it: well-formed YAML',
			`  hint:     reports are evidence, written by a run and never edited by hand: restore it with \`git checkout -- reports/${REPORT}\``,
		].join('\n');

	it('`npm run check` lists it and exits 1', async () => {
		await writeFile(reportFile(), tabbed());
		try {
			const result = await runCommand(process.execPath, ['scripts/check-registry.ts'], workspace.root);
			expect(result.code).toBe(1);
			expect(result.stderr.trim()).toBe(expectedBlock());
			expect(result.stdout).toBe('');
		} finally {
			await writeFile(reportFile(), written.report);
		}
		const intact = await runCommand(process.execPath, ['scripts/check-registry.ts'], workspace.root);
		expect(intact.code, intact.output).toBe(0);
		expect(intact.stdout).toMatch(/^registry ok: .*; reports ok$/m);
	});

	it('the build stops with the same words, no stack trace and no unrelated hint, and leaves dist/ as it was', async () => {
		const dist = path.join(workspace.root, 'dist');
		await mkdir(dist, { recursive: true });
		await writeFile(path.join(dist, 'index.html'), 'the site as last built\n');
		await writeFile(reportFile(), tabbed());
		try {
			const result = await astroBuild(workspace.root, { BENCH: '0' });
			expect(result.code, result.output).toBe(1);
			expect(result.output).toContain(expectedBlock());
			expect(result.output).not.toContain('Browser APIs');
			expectNoCrashDump(result.output);
			expect(await readdir(dist)).toEqual(['index.html']);
			expect(await readFile(path.join(dist, 'index.html'), 'utf8')).toBe('the site as last built\n');
		} finally {
			await writeFile(reportFile(), written.report);
		}
	}, 120_000);
});
