import { readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { CaseSchema, type Case } from '../src/lib/schema/case.ts';
import { referenceAnswer } from '../src/lib/tasks/implement-change.ts';
import type { FakeReply, FakeRequest } from './fake-ollama/server.ts';
import { PROJECT_ROOT, type ProjectCopy, copyProject } from './project-copy.ts';

/** The hand-checked cases the engine tests run on (one or more per task). */
export const FIXTURE_CASES_DIR = path.join(PROJECT_ROOT, 'testing', 'fixtures', 'cases');

/** Reads every fixture case, validated. */
export function fixtureCases(): Promise<Case[]> {
	return readCaseTree(FIXTURE_CASES_DIR);
}

/** Reads every case of a `<role>/<id>.json` tree such as benchmarks/cases/, validated, in a stable order. */
export async function readCaseTree(dir: string): Promise<Case[]> {
	const cases: Case[] = [];
	for (const role of (await readdir(dir)).sort()) {
		for (const name of (await readdir(path.join(dir, role))).sort()) {
			cases.push(CaseSchema.parse(JSON.parse(await readFile(path.join(dir, role, name), 'utf8'))));
		}
	}
	return cases;
}

/** A scratch copy of the project whose cases are the fixtures, and whose reports folder starts empty. */
export async function fixtureWorkspace(prefix = 'lmb-workspace-'): Promise<ProjectCopy> {
	const project = await copyProject(prefix, { cases: FIXTURE_CASES_DIR });
	await removeReports(project.root);
	return project;
}

/** Deletes every report and results sidecar in `root`'s reports/ (its README stays). */
export async function removeReports(root: string): Promise<void> {
	for (const name of await readdir(path.join(root, 'reports'))) {
		if (name.startsWith('local-model-benchmark-')) await rm(path.join(root, 'reports', name));
	}
}

/** Which fixture case a chat request is about: its diff or intent is in the prompt verbatim. */
export function caseOf(request: FakeRequest, cases: readonly Case[]): Case {
	const text = request.messages.map((message) => message.content).join('\n');
	const found = cases.find((testCase) => text.includes('diff' in testCase.input ? testCase.input.diff : testCase.input.intent));
	if (!found) throw new Error(`no fixture case matches the prompt: ${text.slice(0, 120)}`);
	return found;
}

/** The answer a perfect model gives: what the real history did. */
export function rightAnswer(testCase: Case): string {
	switch (testCase.task) {
		case 'commit-message':
			return testCase.reference.message;
		case 'change-localization':
			return JSON.stringify({ files: testCase.reference.files });
		case 'code-review':
		case 'security-review':
			return JSON.stringify({
				verdict: testCase.reference.verdict,
				findings: testCase.reference.lines.map((span) => ({
					path: span.path,
					line: span.start,
					end_line: span.end,
					severity: 'high',
					message: 'This line is wrong.',
				})),
			});
		case 'implement-change':
			return referenceAnswer(testCase);
	}
}

/** A well-formed answer that fails a required check. */
export function wrongAnswer(testCase: Case): string {
	switch (testCase.task) {
		case 'commit-message':
			return 'update';
		case 'change-localization':
			return JSON.stringify({ files: ['docs/unrelated.md'] });
		case 'code-review':
		case 'security-review':
			return JSON.stringify({ verdict: testCase.reference.verdict === 'approve' ? 'reject' : 'approve', findings: [] });
		case 'implement-change':
			return 'unrelated.txt\n```\n<<<<<<< SEARCH\n=======\nnothing\n>>>>>>> REPLACE\n```\n';
	}
}

/** How a scripted model treats one case. */
export type Behaviour = 'right' | 'wrong' | FakeReply;

/** A fake model script: per case id a behaviour, `right` by default. */
export function scriptedResponder(cases: readonly Case[], behaviours: Record<string, Behaviour> = {}) {
	return (request: FakeRequest): FakeReply => {
		const testCase = caseOf(request, cases);
		const behaviour = behaviours[testCase.id] ?? 'right';
		if (behaviour === 'right') return { content: rightAnswer(testCase), evalCount: 40, evalDurationMs: 400 };
		if (behaviour === 'wrong') return { content: wrongAnswer(testCase), evalCount: 40, evalDurationMs: 400 };
		return behaviour;
	};
}
