import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Case } from '../../src/lib/schema/case.ts';
import { type Report, ReportSchema } from '../../src/lib/schema/report.ts';
import { gradeContexts, taskFor } from '../../src/lib/tasks/index.ts';
import { type FakeOllama, startFakeOllama } from '../../testing/fake-ollama/server.ts';
import { PROJECT_ROOT, type ProjectCopy, astroBuild, runCommand } from '../../testing/project-copy.ts';
import { type Behaviour, fixtureCases, fixtureWorkspace, scriptedResponder, wrongAnswer } from '../../testing/workspace.ts';
import { pageText } from '../../testing/page-text.ts';

let cases: Case[];
let fake: FakeOllama;
let workspace: ProjectCopy;

const APPROVE_CASE = 'review-code-review-6436e71d6d67';
const DRAFT_CASE = 'draft-commit-message-4479e1f0e5a2';

// What each of the six models of the seed registry is scripted to do.
const script: Record<string, Record<string, Behaviour>> = {
	'gemma4:latest': {},
	'llama3.1:8b': { [DRAFT_CASE]: 'wrong' },
	'granite3.3:8b': { [DRAFT_CASE]: { content: '' } },
	'deepseek-r1:14b': {},
	'gemma4:26b': { [APPROVE_CASE]: 'wrong' },
	'qwen2.5-coder:14b': {},
};

beforeAll(async () => {
	cases = await fixtureCases();
	workspace = await fixtureWorkspace('lmb-build-ollama-');
	fake = await startFakeOllama({
		models: Object.entries(script).map(([name, behaviours]) => ({ name, respond: scriptedResponder(cases, behaviours) })),
	});
});
afterAll(async () => {
	await fake.close();
	await workspace.dispose();
});

const reportsIn = async (root: string) =>
	(await readdir(path.join(root, 'reports'))).filter((name) => /^local-model-benchmark-.*\.md$/.test(name)).sort();
const frontmatter = async (file: string): Promise<Report> =>
	ReportSchema.parse(parse(/^---\n([\s\S]*?)\n---\n/.exec(await readFile(file, 'utf8'))![1]!));
const caseCalls = () => fake.requests.filter((request) => request.endpoint === 'chat' && (request.body?.messages?.length ?? 0) > 0).length;

/** Wilson score interval, written out independently of the project's implementation. */
function expectedWilson(k: number, n: number) {
	const z = 1.96;
	const p = k / n;
	const centre = p + (z * z) / (2 * n);
	const spread = z * Math.sqrt((p * (1 - p) + (z * z) / (4 * n)) / n);
	const denominator = 1 + (z * z) / n;
	return { low: Math.max(0, (centre - spread) / denominator), high: Math.min(1, (centre + spread) / denominator) };
}

/** The quality the grader gives a wrong answer to a case. */
async function wrongQuality(caseId: string): Promise<number> {
	const testCase = cases.find((c) => c.id === caseId)!;
	const task = taskFor(testCase.task);
	const parsed = task.parse(wrongAnswer(testCase), testCase);
	if (!parsed.ok) throw new Error(parsed.reason);
	return (await task.grade(testCase, parsed.value, gradeContexts(cases)(testCase.task))).quality;
}

describe('npm run build with Ollama answering (six models)', () => {
	let report: Report;
	let html: string;

	beforeAll(async () => {
		const result = await astroBuild(workspace.root, { OLLAMA_HOST: fake.url });
		expect(result.code, result.output).toBe(0);
		expect(result.output).toMatch(/\[\d+\/8\] review · gemma4:26b · review-security-review-e9577da0d61b → accepted/);
		const reports = await reportsIn(workspace.root);
		expect(reports).toEqual(['local-model-benchmark-2026-11-26.md'.replace('2026-11-26', new Date().toISOString().slice(0, 10))]);
		report = await frontmatter(path.join(workspace.root, 'reports', reports[0]!));
		html = await readFile(path.join(workspace.root, 'dist', 'index.html'), 'utf8');
	}, 300_000);

	it('writes one report whose numbers are what the fake was scripted to produce', async () => {
		const row = (role: string, model: string) => report.metrics.find((m) => m.role === role && m.model === model)!;
		const counts = Object.fromEntries(report.metrics.map((m) => [`${m.role} ${m.model}`, [m.accepted, m.rejected, m.hard_failures]]));
		expect(counts).toEqual({
			'coder qwen2.5-coder:14b': [1, 0, 0],
			'draft gemma4:latest': [1, 0, 0],
			'draft granite3.3:8b': [0, 0, 1],
			'draft llama3.1:8b': [0, 1, 0],
			'reason deepseek-r1:14b': [1, 0, 0],
			'review gemma4:26b': [2, 1, 0],
		});

		const review = row('review', 'gemma4:26b');
		const interval = expectedWilson(2, 3);
		expect(review.acceptance_rate.value).toBeCloseTo(2 / 3, 4);
		expect(review.acceptance_rate.low).toBeCloseTo(interval.low, 4);
		expect(review.acceptance_rate.high).toBeCloseTo(interval.high, 4);
		// medium (wrong) + high + critical (right), weights 2, 3, 5
		expect(review.severity_weighted_pass).toEqual({ value: 8, max: 10, share: 0.8 });
		// right answers are perfect (quality 1); the wrong verdict scores what the grader gives it
		expect(review.review_pain).toBeCloseTo((1 - (await wrongQuality(APPROVE_CASE))) / 3, 4);

		expect(row('draft', 'llama3.1:8b').review_pain).toBeCloseTo(1 - (await wrongQuality(DRAFT_CASE)), 4);
		expect(row('draft', 'granite3.3:8b')).toMatchObject({ review_pain: 1, hard_failures_by_class: { empty: 1 } });
		expect(row('draft', 'granite3.3:8b').hard_failure_rate.value).toBe(1);
		// 40 tokens in 400 ms, as scripted
		expect(row('coder', 'qwen2.5-coder:14b').tokens_per_s).toBe(100);

		expect(report.manifest.models.map((m) => m.id)).toEqual(Object.keys(script).sort());
		expect(report.manifest.models.every((m) => /^[0-9a-f]{64}$/.test(m.digest ?? ''))).toBe(true);
		expect(report.manifest.ollama).toEqual([{ host: fake.url, version: '0.32.15' }]);
		expect(report.manifest.models[0]!.options).toEqual({ num_ctx: 16384, num_predict: 2048, temperature: 0, seed: 42, think: false });
		expect(report.manifest.model_calls).toBe(8);
	});

	it('shows the run on the page', () => {
		const text = pageText(html);
		expect(text).not.toContain('No archived runs yet');
		expect(text).toContain(`Last updated ${report.date}`);
		expect(text).toMatch(/gemma4:26b 66\.7 % \([\d.]+–[\d.]+ %\) 8 \/ 10 \(80 %\) 0\.\d\d 0 % \(0 of 3\)/);
		expect(text).toMatch(/granite3\.3:8b 0 % \(0–[\d.]+ %\) 0 \/ 1 \(0 %\) 1\.00 100 % \(1 of 1\)/);
	});

	it('makes no model call and writes no report on a second build with nothing changed', async () => {
		fake.clearLog();
		const again = await astroBuild(workspace.root, { OLLAMA_HOST: fake.url });
		expect(again.code, again.output).toBe(0);
		expect(again.output).toContain('nothing changed since');
		expect(caseCalls()).toBe(0);
		expect(await reportsIn(workspace.root)).toHaveLength(1);
	}, 300_000);

	it('writes the report under Deno too', async () => {
		fake.clearLog();
		const deno = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'deno');
		// A policy edit is new evidence for the verdicts; every answer still comes from the cache.
		const policy = path.join(workspace.root, 'benchmarks', 'policy.yaml');
		await writeFile(policy, (await readFile(policy, 'utf8')).replace('min_families: 2', 'min_families: 3'));
		const result = await runCommand(deno, ['task', 'build'], workspace.root, { OLLAMA_HOST: fake.url });
		expect(result.code, result.output).toBe(0);
		const reports = await reportsIn(workspace.root);
		expect(reports).toHaveLength(2);
		const second = await frontmatter(
			path.join(
				workspace.root,
				'reports',
				reports.find((name) => name.endsWith('-2.md'))!,
			),
		);
		expect(second.manifest.runtime.name).toBe('deno');
		expect(caseCalls()).toBe(0);
	}, 300_000);
});
