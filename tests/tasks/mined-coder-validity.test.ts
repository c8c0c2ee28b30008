import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecutor, type Executor } from '../../src/lib/execute/executor.ts';
import { type Case, CaseSchema } from '../../src/lib/schema/case.ts';
import { CoderSchema } from '../../src/lib/schema/policy.ts';
import { gradeContexts } from '../../src/lib/tasks/index.ts';
import { measureGraderValidity } from '../../src/lib/validity/measure-validity.ts';
import { PROJECT_ROOT } from '../../testing/project-copy.ts';

const RUN = { num_ctx: 16384, num_predict: 2048, temperature: 0, seed: 42, think: false as const };
const FIXTURE = path.join(PROJECT_ROOT, 'testing', 'fixtures', 'mined', 'unjs-ufo');

// The implement-change cases mined from unjs/ufo, graded by running their tests at their commits in a clone
// of the history's committed bundle. Installs and results go to the project's execute cache, as in the
// grader-validity test of the committed cases, so each lockfile is installed once per machine.
let repository: string;
let executor: Executor;
let cases: Case[];

beforeAll(async () => {
	repository = await mkdtemp(path.join(tmpdir(), 'lmb-ufo-'));
	const cloned = spawnSync('git', ['clone', '--quiet', '--bare', path.join(FIXTURE, 'ufo.bundle'), repository], { encoding: 'utf8' });
	expect(cloned.status, cloned.stderr).toBe(0);
	executor = await createExecutor({ projectRoot: PROJECT_ROOT, settings: CoderSchema.parse({ repository }), log: () => {} });
	// The tests run in bubblewrap, as in a benchmark run: a grader measured without its tests would say nothing.
	expect(executor.isolation).toBe('bubblewrap');
	const dir = path.join(FIXTURE, 'coder');
	const files = (await readdir(dir)).filter((file) => file.endsWith('.json')).sort();
	cases = await Promise.all(files.map(async (file) => CaseSchema.parse(JSON.parse(await readFile(path.join(dir, file), 'utf8')))));
});
afterAll(async () => {
	if (repository) await rm(repository, { recursive: true, force: true });
});

describe('the coder grader on cases mined from unjs/ufo', () => {
	it('accepts the reference on ≥ 90 % of the cases and every junk answer on ≤ 10 %', { timeout: 1_200_000 }, async () => {
		expect(cases.length).toBeGreaterThanOrEqual(8);
		for (const testCase of cases) expect(testCase.task === 'implement-change' && testCase.tests !== undefined, testCase.id).toBe(true);
		const [validity, ...others] = await measureGraderValidity(cases, gradeContexts(cases, { executor }), RUN);
		expect(others).toEqual([]);
		expect(validity!.task).toBe('implement-change');
		expect(validity!.cases).toBe(cases.length);
		expect(validity!.reference.rate).toBeGreaterThanOrEqual(0.9);
		// Every junk sentinel: the untouched files, the files emptied, a comment line, a cosmetic edit, and the
		// rigs that try to make the tests pass without the change (a test config, a rigged source file).
		expect(validity!.junk.map((junk) => junk.name).sort()).toEqual(
			['comment-line', 'cosmetic-edit', 'emptied', 'rigged-config', 'rigged-source', 'unchanged'].sort(),
		);
		for (const junk of validity!.junk) {
			expect(junk.cases, junk.name).toBe(cases.length);
			expect(junk.rate, junk.name).toBeLessThanOrEqual(0.1);
		}
		expect(validity!.valid, validity!.reason ?? '').toBe(true);
	});
});
