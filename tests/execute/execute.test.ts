import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecutor, type Executor } from '../../src/lib/execute/executor.ts';
import type { MineResult } from '../../src/lib/mine/mine.ts';
import { CoderSchema } from '../../src/lib/schema/policy.ts';
import { implementChangeTask, type ImplementChangeCase } from '../../src/lib/tasks/implement-change.ts';
import { editsBetween, renderEditBlocks } from '../../src/lib/tasks/search-replace.ts';
import { PROJECT_ROOT } from '../../testing/project-copy.ts';
import { CALC_BEFORE_SUBTRACT, CALC_WITH_SUBTRACT, createCalcStory, type CalcStory, mineCalcCoderCases } from './calc-repo.ts';

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
	mined = await mineCalcCoderCases(story, executor);
}, 120_000);

afterAll(async () => {
	story?.repo.cleanup();
	if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('mining coder cases that carry their tests', { timeout: 120_000 }, () => {
	it('keeps only the commits whose own tests fail at the parent and pass at the commit', () => {
		expect(mined.cases.map((value) => value.id)).toEqual(
			[`coder-implement-change-${short(story.subtract)}`, `coder-implement-change-${short(story.fixAdd)}`].sort(),
		);
		expect(mined.tallies).toEqual([
			{ task: 'implement-change', found: 2, skipped: { 'no-tests': 1, 'passes-before': 1, 'fails-after': 1, 'tests-only': 1 } },
		]);
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

/** The mined subtract case, graded through the real parse → grade path. */
function subtractCase(): ImplementChangeCase {
	return mined.cases.find((entry) => entry.source.commit === story.subtract) as ImplementChangeCase;
}

async function gradeText(
	text: string,
	testCase: ImplementChangeCase = subtractCase(),
	using: Executor = executor,
	format: 'edit' | 'whole' = 'edit',
) {
	const parsed = implementChangeTask.parse(text, testCase, { coderAnswerFormat: format });
	if (!parsed.ok) throw new Error(parsed.reason);
	const grade = await implementChangeTask.grade(testCase, parsed.value, { cases: [testCase], executor: using });
	const accepted = grade.checks.every((check) => !check.required || check.pass);
	return { ...grade, accepted };
}

/** An edit answer that turns the subtract case's src/calc.js into `content`. */
const answerWith = (content: string) => {
	const before = subtractCase().input.files.find((file) => file.path === 'src/calc.js')!.content;
	return renderEditBlocks(editsBetween('src/calc.js', before, content));
};

/** Worktrees left in the executor's folder: none may survive a run, whatever it did. */
const leftoverWorktrees = async () => (await readdir(path.join(scratch, 'worktrees')).catch(() => [])).length;

describe("grading implement-change by the commit's own tests", { timeout: 120_000 }, () => {
	it.each(['edit', 'whole'] as const)(
		'accepts the reference on every mined case and no junk sentinel on any (%s answers)',
		async (format) => {
			for (const testCase of mined.cases as ImplementChangeCase[]) {
				const context = { cases: mined.cases as ImplementChangeCase[], executor, coderAnswerFormat: format };
				for (const sentinel of implementChangeTask.sentinels(testCase, context)) {
					const graded = await gradeText(sentinel.text, testCase, executor, format);
					expect(graded.accepted, `${testCase.id} · ${sentinel.name}: ${graded.execution?.detail}`).toBe(sentinel.kind === 'reference');
					if (sentinel.kind === 'reference') expect(graded.quality).toBe(1);
				}
			}
			expect(await leftoverWorktrees()).toBe(0);
		},
	);

	it('accepts a different but working answer, and records tests run, passed, failed, time and isolation', async () => {
		const graded = await gradeText(answerWith(`${CALC_BEFORE_SUBTRACT}\nexport const subtract = (a, b) => a + -b;\n`));
		expect(graded.accepted).toBe(true);
		expect(graded.execution).toMatchObject({
			status: 'passed',
			isolation: 'bubblewrap',
			runner: 'node',
			tests: 3,
			passed: 3,
			failed: 0,
			exit_code: 0,
		});
		expect(graded.execution?.duration_ms).toBeGreaterThan(0);
		expect(graded.checks[0]).toMatchObject({ name: 'tests-pass', pass: true });
		expect(graded.checks[0]?.detail).toMatch(/^3 of 3 tests passed \(bubblewrap, \d+\.\d s\)$/);
	});

	it('rejects an answer that breaks the build, with quality 0', async () => {
		const graded = await gradeText(answerWith(`${CALC_WITH_SUBTRACT}\nexport function broken( {\n`));
		expect(graded.accepted).toBe(false);
		expect(graded.execution?.status).toBe('failed');
		expect(graded.quality).toBe(0);
	});

	it('gives a half-right answer the share of tests it passes', async () => {
		const graded = await gradeText(answerWith(`${CALC_BEFORE_SUBTRACT}\nexport function subtract(a, b) {\n\treturn Math.abs(a - b);\n}\n`));
		expect(graded.accepted).toBe(false);
		expect(graded.execution).toMatchObject({ status: 'failed', tests: 3, passed: 2, failed: 1 });
		expect(graded.quality).toBeCloseTo(2 / 3, 3);
	});

	it('refuses answer paths that leave the worktree, without running anything', async () => {
		// A whole-file answer reaches the executor, which refuses the path.
		const graded = await gradeText(
			JSON.stringify({
				files: [
					{ path: '../../escape.js', content: 'x' },
					{ path: 'src/calc.js', content: CALC_WITH_SUBTRACT },
				],
			}),
			subtractCase(),
			executor,
			'whole',
		);
		expect(graded.accepted).toBe(false);
		expect(graded.execution?.detail).toMatch(/'\.\.\/\.\.\/escape\.js' leaves the worktree/);
		// An edit answer never gets that far: the block is a malformed edit.
		const parsed = implementChangeTask.parse(
			`${answerWith(CALC_WITH_SUBTRACT)}\n../../escape.js\n\`\`\`\n<<<<<<< SEARCH\n=======\nx\n>>>>>>> REPLACE\n\`\`\`\n`,
			subtractCase(),
		);
		expect(parsed).toMatchObject({ ok: false, failureClass: 'malformed-edit' });
		expect(!parsed.ok && parsed.reason).toMatch(
			/block 2 \(\.\.\/\.\.\/escape\.js, empty SEARCH\): the path "\.\.\/\.\.\/escape\.js" leaves the repository/,
		);
	});
});

/** Processes on this machine whose command line is exactly `argv` (a model's forked children would show here). */
async function processesRunning(argv: string[]): Promise<number> {
	const wanted = `${argv.join('\0')}\0`;
	let found = 0;
	for (const pid of await readdir('/proc')) {
		if (!/^\d+$/.test(pid)) continue;
		const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
		if (cmdline === wanted) found += 1;
	}
	return found;
}

describe('hostile answers are contained', { timeout: 120_000 }, () => {
	let hostile: Executor;
	beforeAll(async () => {
		hostile = await newExecutor({ test_timeout_s: 5, memory_mb: 1024 });
	});

	it('cuts off an endless loop at the time limit, and removes its worktree', async () => {
		const started = Date.now();
		const graded = await gradeText(answerWith(`${CALC_WITH_SUBTRACT}\nwhile (true) {}\n`), subtractCase(), hostile);
		expect(graded.accepted).toBe(false);
		expect(graded.execution).toMatchObject({ status: 'timeout' });
		expect(graded.execution?.detail).toMatch(/^cut off after 5 s/);
		// Five seconds of loop, plus making and removing the worktree: far from the run's own length.
		expect(Date.now() - started).toBeLessThan(40_000);
		expect(await leftoverWorktrees()).toBe(0);
	});

	it('keeps every write outside the worktree out of the real file system', async () => {
		// A folder in the project (test-results is ignored by git), one in the case's repository, the cache, home.
		await mkdir(path.join(PROJECT_ROOT, 'test-results'), { recursive: true });
		const outside = await mkdtemp(path.join(PROJECT_ROOT, 'test-results', 'execute-outside-'));
		const targets = [
			path.join(outside, 'escaped'),
			path.join(story.repo.dir, 'escaped'),
			path.join(scratch, 'cache', 'escaped'),
			path.join(homedir(), `.lmb-escaped-${process.pid}`),
		];
		try {
			// The answer works, unless one of its writes outside lands: then subtract lies and the tests fail.
			const code = [
				`import { writeFileSync } from 'node:fs';`,
				`let escaped = false;`,
				`for (const target of ${JSON.stringify(targets)}) { try { writeFileSync(target, 'escaped'); escaped = true; } catch {} }`,
				// The worktree's parent is writable only inside the sandbox's private /tmp: tried, but not counted.
				`try { writeFileSync(new URL('../../escaped', import.meta.url), 'escaped'); } catch {}`,
				CALC_BEFORE_SUBTRACT,
				`export function subtract(a, b) { return escaped ? 0 : a - b; }`,
			].join('\n');
			const graded = await gradeText(answerWith(code), subtractCase(), hostile);
			expect(graded.execution?.detail).toBe('3 of 3 tests passed');
			for (const target of targets) expect(existsSync(target), target).toBe(false);
			expect(existsSync(path.join(scratch, 'worktrees', 'escaped'))).toBe(false);
			expect(story.repo.git(['status', '--porcelain'])).toBe('');
		} finally {
			await rm(outside, { recursive: true, force: true });
			for (const target of targets) await rm(target, { force: true });
		}
	});

	it('gives the tests no network', async () => {
		const server = createServer((_request, response) => response.end('reached'));
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const { port } = server.address() as AddressInfo;
		let requests = 0;
		server.on('request', () => (requests += 1));
		try {
			const code = [
				`let reached = false;`,
				`try { await fetch('http://127.0.0.1:${port}/', { signal: AbortSignal.timeout(2000) }); reached = true; } catch {}`,
				CALC_BEFORE_SUBTRACT,
				`export function subtract(a, b) { return reached ? 0 : a - b; }`,
			].join('\n');
			const graded = await gradeText(answerWith(code), subtractCase(), hostile);
			expect(graded.execution?.detail).toBe('3 of 3 tests passed');
			expect(requests).toBe(0);
		} finally {
			server.close();
		}
	});

	it('kills every process the tests fork, detached or not, when the run ends', async () => {
		const code = [
			`import { spawn } from 'node:child_process';`,
			`spawn('sleep', ['4242'], { detached: true, stdio: 'ignore' }).unref();`,
			`spawn('sh', ['-c', 'sleep 4243 & sleep 4243 &'], { stdio: 'ignore' });`,
			CALC_WITH_SUBTRACT,
		].join('\n');
		const graded = await gradeText(answerWith(code), subtractCase(), hostile);
		expect(graded.execution?.status).toBe('passed');
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(await processesRunning(['sleep', '4242'])).toBe(0);
		expect(await processesRunning(['sleep', '4243'])).toBe(0);
		expect(await leftoverWorktrees()).toBe(0);
	});

	it('stops a process that takes more memory than the limit', async () => {
		const code = `${CALC_WITH_SUBTRACT}\nconst hog = [];\nfor (;;) hog.push(Buffer.alloc(64 * 1024 * 1024, 1));\n`;
		// A longer time limit than the others: the allocation must fail on its own, not be cut off.
		const graded = await gradeText(answerWith(code), subtractCase(), await newExecutor({ test_timeout_s: 60, memory_mb: 1024 }));
		expect(graded.accepted).toBe(false);
		// Failed, not cut off: the allocation itself was refused.
		expect(graded.execution?.status).toBe('failed');
	});
});

describe('the execution cache', { timeout: 120_000 }, () => {
	it('runs no test when the same answer is graded again by a new executor (a warm rebuild)', async () => {
		const text = answerWith(CALC_WITH_SUBTRACT.replace('return a - b;', 'return -(b - a);'));
		const cold = await newExecutor();
		const first = await gradeText(text, subtractCase(), cold);
		expect(cold.stats).toMatchObject({ executed: 1, cached: 0 });
		const warm = await newExecutor();
		const second = await gradeText(text, subtractCase(), warm);
		expect(warm.stats).toMatchObject({ executed: 0, cached: 1, runMs: 0 });
		expect(second.execution).toEqual(first.execution);
		expect(second.checks).toEqual(first.checks);
	});

	it('removes the worktrees a killed run left behind when the next executor starts', async () => {
		const stale = path.join(scratch, 'worktrees', '999999999-1-dead');
		await mkdir(path.join(stale, 'src'), { recursive: true });
		await newExecutor();
		expect(existsSync(stale)).toBe(false);
		expect(logged).toContain('removed 1 stale worktree of an interrupted run');
	});
});
