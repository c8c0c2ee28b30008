import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecutor, type Executor } from '../../src/lib/execute/executor.ts';
import { mineCases, type MineResult } from '../../src/lib/mine/mine.ts';
import { CoderSchema } from '../../src/lib/schema/policy.ts';
import type { Case } from '../../src/lib/schema/case.ts';
import { implementChangeTask, type ImplementChangeCase } from '../../src/lib/tasks/implement-change.ts';
import { CALC_BEFORE_SUBTRACT, CALC_WITH_SUBTRACT, createCalcStory, type CalcStory } from './calc-repo.ts';

let story: CalcStory;
let scratch: string;
let executor: Executor;
let mined: MineResult;
const logged: string[] = [];

const short = (sha: string) => sha.slice(0, 12);

async function newExecutor(overrides: Partial<ReturnType<typeof CoderSchema.parse>> = {}): Promise<Executor> {
	return createExecutor({
		projectRoot: story.repo.dir,
		settings: { ...CoderSchema.parse({}), test_timeout_s: 30, ...overrides },
		log: (line) => logged.push(line),
		cacheDir: path.join(scratch, 'cache'),
		worktreesDir: path.join(scratch, 'worktrees'),
	});
}

beforeAll(async () => {
	story = createCalcStory();
	scratch = await mkdtemp(path.join(tmpdir(), 'execute-test-'));
	executor = await newExecutor();
	mined = await mineCases({
		repo: story.repo.dir,
		roles: ['coder'],
		budget: { numCtx: 16384, numPredict: 2048 },
		cleanAge: 10,
		cleanRatio: 1,
		minChangedLines: 2,
		coder: { executor },
	});
}, 120_000);

afterAll(async () => {
	story?.repo.cleanup();
	if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('mining coder cases that carry their tests', () => {
	it('keeps only the commits whose own tests fail at the parent and pass at the commit', () => {
		expect(mined.cases.map((value) => value.id)).toEqual([`coder-implement-change-${short(story.subtract)}`, `coder-implement-change-${short(story.fixAdd)}`].sort());
		expect(mined.tallies).toEqual([{ task: 'implement-change', found: 2, skipped: { 'no-tests': 1, 'passes-before': 1, 'fails-after': 1, 'tests-only': 1 } }]);
	});

	it('shows the model the code before and never the tests; records the tests and their command', () => {
		const value = mined.cases.find((entry) => entry.source.commit === story.subtract) as ImplementChangeCase;
		expect(value.input.files).toEqual([{ path: 'src/calc.js', content: CALC_BEFORE_SUBTRACT }]);
		expect(value.reference.files).toEqual([{ path: 'src/calc.js', content: CALC_WITH_SUBTRACT }]);
		expect(value.tests).toMatchObject({ runner: 'node', command: ['node', '--test', '{files}'], run: ['test/calc.test.js'], count: 3 });
		expect(value.tests?.failed_before).toBeGreaterThan(0);
		expect(value.checks).toEqual([
			{ name: 'tests-pass', required: true },
			{ name: 'files-changed', required: false },
			{ name: 'change-similarity', required: false, threshold: 0.5 },
		]);
		expect(JSON.stringify(value.input)).not.toContain('subtracts below zero');
	});

	it('says once which isolation the tests get', () => {
		expect(logged.filter((line) => line.startsWith('coder tests run in bubblewrap'))).toHaveLength(1);
		expect(executor.isolation).toBe('bubblewrap');
	});
});
