import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createExecutor, type Executor } from '../../src/lib/execute/executor.ts';
import { CoderSchema } from '../../src/lib/schema/policy.ts';
import { type Case, CaseSchema } from '../../src/lib/schema/case.ts';
import type { GraderValidity } from '../../src/lib/schema/validity.ts';
import { gradeContexts } from '../../src/lib/tasks/index.ts';
import { invalidRoles, measureGraderValidity } from '../../src/lib/validity/measure-validity.ts';
import { PROJECT_ROOT } from '../../testing/project-copy.ts';
import { CASES_DIR } from './fixture-cases.ts';

const RUN = { num_ctx: 16384, num_predict: 2048, temperature: 0, seed: 42, think: false as const };

/** Every case under `dir` (any depth), validated. */
function casesUnder(dir: string): Case[] {
	return readdirSync(dir, { recursive: true, encoding: 'utf8' })
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => CaseSchema.parse(JSON.parse(readFileSync(path.join(dir, file), 'utf8'))));
}

// Coder cases are graded by running their tests, at their commits in this repository, as a build of the
// project does: through the project's execute cache, so an old lockfile is installed and each answer's
// tests run once per machine (the demo runs the same ones).
let executor: Executor;
beforeAll(async () => {
	executor = await createExecutor({ projectRoot: PROJECT_ROOT, settings: CoderSchema.parse({}), log: () => {} });
});

async function measure(cases: Case[]): Promise<GraderValidity[]> {
	return measureGraderValidity(cases, gradeContexts(cases, { executor }), RUN);
}

/**
 * An implement-change case mined before cases carried their tests: nothing but the file set can grade it,
 * and junk passes that (measured below). Such cases are left out of the sets held to validity.
 */
const untestedCoder = (testCase: Case) => testCase.task === 'implement-change' && !testCase.tests;

/** One line per task, so a failure says at once which grader let which sentinel through. */
function summary(validity: GraderValidity[]): string[] {
	return validity.map((entry) => (entry.valid ? `${entry.task}: valid` : (entry.reason as string)));
}

const CASE_SETS = [
	['the committed cases', path.join(PROJECT_ROOT, 'benchmarks', 'cases')],
	['the test fixtures', CASES_DIR],
	['cases mined from sindresorhus/ky', path.join(PROJECT_ROOT, 'testing', 'fixtures', 'mined', 'sindresorhus-ky')],
] as const;

describe.each(CASE_SETS)('every grader is valid on %s', (_name, dir) => {
	it("accepts the reference on ≥ 90 % of each task's cases and no junk above its limit", { timeout: 1_800_000 }, async () => {
		const cases = casesUnder(dir).filter((testCase) => !untestedCoder(testCase));
		const validity = await measure(cases);
		expect(validity.map((entry) => entry.task)).toEqual([...new Set(cases.map((testCase) => testCase.task))].sort());
		expect(summary(validity)).toEqual(validity.map((entry) => `${entry.task}: valid`));
		for (const entry of validity) {
			expect(entry.reference.rate).toBeGreaterThanOrEqual(0.9);
			for (const junk of entry.junk) expect(junk.rate, `${entry.task} · ${junk.name}`).toBeLessThanOrEqual(entry.junk_limit);
		}
		// The commit-message grader is held to word salad too: the diff's own words lined up as a subject.
		const draft = validity.find((entry) => entry.task === 'commit-message');
		if (draft && draft.cases >= 10) {
			const salad = draft.junk.find((junk) => junk.name === 'word-salad');
			expect(salad?.cases).toBe(draft.cases);
			expect(salad!.rate).toBeLessThanOrEqual(0.1);
		}
	});
});

describe('measuring grader validity', () => {
	it('finds file-set checks alone invalid for coder cases without tests: junk edits pass them', async () => {
		const untested = casesUnder(CASES_DIR).filter(untestedCoder);
		expect(untested.length).toBeGreaterThan(0);
		const [validity] = await measure(untested);
		expect(validity?.valid).toBe(false);
		expect(validity?.junk.find((junk) => junk.name === 'comment-line')?.rate).toBe(1);
	});

	it('grades each sentinel through parse and grade, and names the best junk', async () => {
		const cases = casesUnder(CASES_DIR);
		const validity = await measure(cases);
		for (const entry of validity) {
			expect(entry.reference.cases).toBe(entry.cases);
			expect(entry.junk.length).toBeGreaterThanOrEqual(3);
			const best = Math.max(...entry.junk.map((junk) => junk.rate));
			expect(entry.best_junk?.rate).toBe(best);
		}
	});

	it('finds a grader that accepts everything invalid, and withholds its role', async () => {
		const draft = casesUnder(CASES_DIR).filter((testCase) => testCase.task === 'commit-message');
		// A case whose one required check is unknown to the grader rejects every answer, the reference included.
		const broken = draft.map((testCase) => ({ ...testCase, checks: [{ name: 'no-such-check', required: true }] }) as Case);
		const validity = await measure(broken);
		expect(validity).toHaveLength(1);
		expect(validity[0]!.valid).toBe(false);
		expect(validity[0]!.reference.rate).toBe(0);
		expect(validity[0]!.reason).toMatch(/reference answer is accepted on 0 %/);
		expect(invalidRoles(broken, validity)).toEqual(new Map([['draft', validity[0]!.reason]]));
	});

	it("allows a two-verdict task junk up to the majority verdict's share plus five points", async () => {
		const review = casesUnder(CASES_DIR).filter((testCase) => testCase.task === 'code-review');
		const validity = await measure(review);
		const rejects = review.filter((testCase) => testCase.task === 'code-review' && testCase.reference.verdict === 'reject').length;
		const majority = Math.max(rejects, review.length - rejects) / review.length;
		expect(validity[0]!.chance).toEqual({
			answer: rejects >= review.length - rejects ? 'reject' : 'approve',
			rate: Math.round(majority * 10_000) / 10_000,
		});
		expect(validity[0]!.junk_limit).toBeCloseTo(majority + 0.05, 4);
		// Other tasks have no chance level: junk is held to 10 %.
		const draft = await measure(casesUnder(CASES_DIR).filter((testCase) => testCase.task === 'commit-message'));
		expect(draft[0]!.chance).toBeNull();
		expect(draft[0]!.junk_limit).toBe(0.1);
	});
});
