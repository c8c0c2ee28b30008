import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/lib/registry/load-registry.ts';
import type { Case } from '../../src/lib/schema/case.ts';
import { type Report, ReportSchema } from '../../src/lib/schema/report.ts';
import { gradeContexts, taskFor } from '../../src/lib/tasks/index.ts';
import { type FakeOllama, type FakeReply, type FakeRequest, startFakeOllama } from '../../testing/fake-ollama/server.ts';
import { type ProjectCopy, astroBuild, copyProject } from '../../testing/project-copy.ts';
import { pageText } from '../../testing/page-text.ts';

// A copy of the project with its committed draft, reason and review cases (real history); the coder cases
// are left out, since their grading runs tests and is covered on its own.
let workspace: ProjectCopy;
let cases: Case[];
let fake: FakeOllama;
let contextOf: ReturnType<typeof gradeContexts>;

/** The case a request asks about: the one whose prompt is exactly the request's messages (a draft and a review case may share a diff). */
function caseAsked(request: FakeRequest): Case {
	const asked = JSON.stringify(request.messages.map((message) => message.content));
	const found = cases.find(
		(testCase) =>
			JSON.stringify(
				taskFor(testCase.task)
					.buildPrompt(testCase)
					.messages.map((message) => message.content),
			) === asked,
	);
	if (!found) throw new Error('no case of the workspace has this prompt');
	return found;
}

/** A scripted model that answers every case with the named sentinel of its task (the reference, or one junk answer). */
function answersWith(sentinelByTask: Record<string, string>) {
	return (request: FakeRequest): FakeReply => {
		const testCase = caseAsked(request);
		const name = sentinelByTask[testCase.task] ?? 'reference';
		const sentinel = taskFor(testCase.task)
			.sentinels(testCase, contextOf(testCase.task))
			.find((candidate) => candidate.name === name);
		if (!sentinel) throw new Error(`${testCase.task} has no sentinel '${name}'`);
		return { content: sentinel.text, evalCount: 40, evalDurationMs: 400 };
	};
}

// The draft incumbent writes junk, one challenger the real messages, another junk of another kind; the
// reason and review incumbents answer right, and every other model answers junk.
const script: Record<string, Record<string, string>> = {
	'gemma4:latest': { 'commit-message': 'names-a-file' },
	'llama3.1:8b': { 'commit-message': 'reference' },
	'granite3.3:8b': { 'commit-message': 'fluent-elsewhere' },
	'deepseek-r1:14b': {},
	'gemma4:26b': {},
	'qwen2.5-coder:14b': {},
};

const reportsIn = async () =>
	(await readdir(path.join(workspace.root, 'reports'))).filter((name) => /^local-model-benchmark-.*\.md$/.test(name)).sort();
const frontmatter = async (name: string): Promise<Report> =>
	ReportSchema.parse(parse(/^---\n([\s\S]*?)\n---\n/.exec(await readFile(path.join(workspace.root, 'reports', name), 'utf8'))![1]!));
const caseCalls = () => fake.requests.filter((request) => request.endpoint === 'chat' && (request.body?.messages?.length ?? 0) > 0).length;
const textOf = pageText;

beforeAll(async () => {
	workspace = await copyProject('lmb-validity-');
	await rm(path.join(workspace.root, 'benchmarks', 'cases', 'coder'), { recursive: true, force: true });
	for (const name of await readdir(path.join(workspace.root, 'reports'))) {
		if (name.startsWith('local-model-benchmark-')) await rm(path.join(workspace.root, 'reports', name));
	}
	cases = (await loadRegistry(workspace.root)).cases.map((entry) => entry.case);
	contextOf = gradeContexts(cases);
	fake = await startFakeOllama({ models: Object.entries(script).map(([name, sentinels]) => ({ name, respond: answersWith(sentinels) })) });
});
afterAll(async () => {
	await fake?.close();
	await workspace?.dispose();
});

describe('a run whose models answer the reference or junk', () => {
	let report: Report;
	let firstReport: string;

	beforeAll(async () => {
		const build = await astroBuild(workspace.root, { OLLAMA_HOST: fake.url });
		expect(build.code, build.output).toBe(0);
		const reports = await reportsIn();
		expect(reports).toHaveLength(1);
		firstReport = reports[0]!;
		report = await frontmatter(firstReport);
	}, 300_000);

	it("measures every task's grader on the run's cases and finds each valid", () => {
		const tasks = [...new Set(cases.map((testCase) => testCase.task))].sort();
		expect(report.grader_validity.map((entry) => entry.task)).toEqual(tasks);
		for (const entry of report.grader_validity) {
			expect(entry.cases).toBe(cases.filter((testCase) => testCase.task === entry.task).length);
			expect(entry.reference.rate, entry.task).toBeGreaterThanOrEqual(0.9);
			expect(entry.best_junk!.rate, entry.task).toBeLessThanOrEqual(entry.junk_limit);
			expect(entry.valid, entry.reason ?? '').toBe(true);
		}
		expect(Object.keys(report.manifest.graders).sort()).toEqual(tasks);
		// Word salad (the diff's own words lined up as a subject) is among the junk the draft grader refuses.
		const salad = report.grader_validity.find((entry) => entry.task === 'commit-message')!.junk.find((junk) => junk.name === 'word-salad');
		expect(salad?.cases).toBe(cases.filter((testCase) => testCase.task === 'commit-message').length);
		expect(salad!.rate).toBeLessThanOrEqual(0.1);
	});

	it('proposes no junk model and promotes the model that wrote the real messages', () => {
		const junkModels = ['gemma4:latest', 'granite3.3:8b'];
		expect(report.proposals.filter((proposal) => proposal.kind === 'promote' && junkModels.includes(proposal.model))).toEqual([]);
		const draft = report.metrics.filter((row) => row.role === 'draft');
		expect(draft.find((row) => row.model === 'llama3.1:8b')!.acceptance_rate.value).toBeGreaterThanOrEqual(0.9);
		for (const model of junkModels) expect(draft.find((row) => row.model === model)!.acceptance_rate.value, model).toBeLessThanOrEqual(0.1);
		expect(report.verdicts.find((verdict) => verdict.role === 'draft' && verdict.challenger === 'llama3.1:8b')!.outcome).toBe('promote');
	});

	it('shows the validity table in the report body, on the run page and in the methodology', async () => {
		const [name] = await reportsIn();
		const body = await readFile(path.join(workspace.root, 'reports', name!), 'utf8');
		expect(body).toContain('## Grader validity');
		expect(body).toMatch(/\| commit-message \| v\d+ \| \d+ \| (9\d|100)(\.\d)? % \| [a-z-]+ \| [\d.]+ % \|/);
		const id = name!.replace(/\.md$/, '');
		const runPage = textOf(await readFile(path.join(workspace.root, 'dist', 'runs', id, 'index.html'), 'utf8'));
		const index = textOf(await readFile(path.join(workspace.root, 'dist', 'index.html'), 'utf8'));
		for (const page of [runPage, index]) {
			expect(page).toContain('Grader validity');
			expect(page).toContain('Best junk answer');
			expect(page).toMatch(/commit-message v\d+ \d+ (9\d|100)(\.\d)? % \(\d+ of \d+\)/);
		}
		expect(index).toContain('every grader told the reference answer from junk');
		// Review acceptance is shown beside its chance level: the majority verdict's share.
		expect(runPage).toMatch(/Chance level for code-review ?: always answering (approve|reject) is right on [\d.]+ % of its \d+ cases/);
		expect(body).toMatch(/\| code-review \| v\d+ \| \d+ \| 100 % \|.*\| [\d.]+ % \(always (approve|reject)\) \| yes \|/);
	});

	it('regrades the cached answers after a grader change: zero model calls, a new report with new numbers', async () => {
		const before = report.metrics.find((row) => row.role === 'draft' && row.model === 'llama3.1:8b')!;
		// Change only the commit-message grader in the copy: every answer it grades now scores quality 0.
		const file = path.join(workspace.root, 'src', 'lib', 'tasks', 'commit-message.ts');
		const source = await readFile(file, 'utf8');
		const changed = source.replace(
			/^(\tgrade),$/m,
			'\tgrade: (testCase, answer, context) => ({ ...grade(testCase, answer, context), quality: 0 }),',
		);
		expect(changed).not.toBe(source);
		await writeFile(file, changed);
		fake.clearLog();
		const build = await astroBuild(workspace.root, { OLLAMA_HOST: fake.url });
		expect(build.code, build.output).toBe(0);
		expect(caseCalls()).toBe(0);
		const reports = await reportsIn();
		expect(reports).toHaveLength(2);
		const after = (await frontmatter(reports.find((name) => name !== firstReport)!)).metrics.find(
			(row) => row.role === 'draft' && row.model === 'llama3.1:8b',
		)!;
		expect(before.review_pain).toBeLessThan(1);
		expect(after.review_pain).toBe(1);
		expect(after.acceptance_rate).toEqual(before.acceptance_rate);
	}, 300_000);
});
