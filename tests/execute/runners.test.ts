import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgeRun } from '../../src/lib/execute/executor.ts';
import {
	mochaJsonFromStdout,
	parseJestJson,
	parseMochaJson,
	parseTap,
	parseTestOutput,
	parseUvu,
} from '../../src/lib/execute/parse-test-output.ts';
import { executionPromotionBlocks } from '../../src/lib/execute/promotion-evidence.ts';
import {
	commandFromPolicy,
	detectTestCommand,
	expandCommand,
	harnessImportReason,
	isHarnessPath,
	isTestEntry,
	splitCommandLine,
} from '../../src/lib/execute/test-runners.ts';
import { isTestPath } from '../../src/lib/mine/coder-tests.ts';
import { unsafePathReason } from '../../src/lib/execute/worktree.ts';
import { createExecutor } from '../../src/lib/execute/executor.ts';
import { CoderSchema } from '../../src/lib/schema/policy.ts';
import type { Case } from '../../src/lib/schema/case.ts';
import { createTempRepo } from '../mine/git-fixture.ts';
import { PROJECT_ROOT } from '../../testing/project-copy.ts';

describe('test paths', () => {
	it.each([
		['tests/unit/registry.test.ts', true, true],
		['test/calc.test.js', true, true],
		['src/__tests__/a.spec.tsx', true, true],
		['src/calc.test.mjs', true, true],
		['tests/support/workspace.ts', true, false],
		['tests/fixtures/cases/x.json', true, false],
		['src/lib/tasks/test-runners.ts', false, false],
		['src/contest/main.ts', false, false],
	])('%s: test %s, run %s', (file, test, entry) => {
		expect(isTestPath(file)).toBe(test);
		expect(isTestEntry(file)).toBe(entry);
	});
});

describe('detecting the test command from package.json', () => {
	it.each([
		[{ scripts: { test: 'vitest run' }, devDependencies: { jest: '1' } }, 'vitest', ['vitest', 'run', '{files}']],
		[{ scripts: { test: 'node --test' } }, 'node', ['node', '--test', '{files}']],
		[{ scripts: { test: 'npm run build && jest --ci' } }, 'jest', ['jest', '--ci', '{files}']],
		[{ devDependencies: { mocha: '10' } }, 'mocha', ['mocha', '{files}']],
		[{ scripts: { test: 'ava' } }, 'ava', ['ava', '{files}']],
	])('%j → %s', (manifest, runner, command) => {
		expect(detectTestCommand(JSON.stringify(manifest))).toEqual({ runner, command });
	});

	it.each([
		[undefined, 'no package.json'],
		['{not json', 'package.json is not valid JSON'],
		[JSON.stringify({ scripts: { test: 'echo "Error: no test specified" && exit 1' } }), 'no test script'],
		[JSON.stringify({ scripts: { test: 'xo && tsd' } }), 'the test script only lints'],
		[JSON.stringify({ scripts: { test: 'karma start --single-run' } }), 'browser tests (karma)'],
		[
			JSON.stringify({ scripts: { test: 'npm run lint && npm run test:browser', lint: 'eslint .', 'test:browser': 'playwright test' } }),
			'browser tests (playwright)',
		],
	])('finds none in %j: %s', (text, reason) => {
		expect(detectTestCommand(text)).toEqual({ reason });
	});

	// Test scripts as real histories wrote them: the runner found through scripts, wrappers and loaders,
	// linters left out, steps before the runner kept, the runner's own file arguments replaced by {files}.
	it.each([
		[
			{ test: 'xo && npm run build && ava', build: 'del-cli distribution && tsc --project tsconfig.dist.json' },
			'ava',
			['sh', '-c', 'del-cli distribution && tsc --project tsconfig.dist.json && ava "$@"', 'sh', '{files}'],
		],
		[{ test: 'xo && nyc ava && tsd' }, 'ava', ['ava', '{files}']],
		[
			{ test: 'xo && npm run build && ava --timeout=10m --serial', build: 'tsc' },
			'ava',
			['sh', '-c', 'tsc && ava --timeout=10m --serial "$@"', 'sh', '{files}'],
		],
		[{ test: 'pnpm lint && vitest run --typecheck', lint: 'eslint . && prettier -c src test' }, 'vitest', ['vitest', 'run', '{files}']],
		[
			{
				test: 'pnpm run "/^test:.*/"',
				'test:format': 'prettier . --list-different',
				'test:types': 'tsc --noEmit',
				'test:spec': 'vitest run',
			},
			'vitest',
			['vitest', 'run', '{files}'],
		],
		[
			{ test: 'node --expose-gc ./node_modules/vitest/dist/cli-wrapper.js --run && vitest --run --typecheck.only' },
			'vitest',
			['node', '--expose-gc', './node_modules/vitest/dist/cli-wrapper.js', 'run', '--run', '{files}'],
		],
		[{ test: 'c8 --100 --reporter=lcov node --test' }, 'node', ['node', '--test', '{files}']],
		[{ test: 'tsx --test test/*.ts' }, 'node', ['tsx', '--test', '{files}']],
		[{ test: 'node --import tsx --test "test/**/*.test.ts"' }, 'node', ['node', '--import', 'tsx', '--test', '{files}']],
		[
			{ test: 'run-s lint test:*', lint: 'standard', 'test:unit': "mocha -r ts-node/register --reporter spec 'test/**/*.ts'" },
			'mocha',
			['mocha', '-r', 'ts-node/register', '{files}'],
		],
		[{ test: 'npm-run-all -s lint unit', lint: 'xo', unit: 'jest --coverage src' }, 'jest', ['jest', '{files}']],
		[{ test: 'NODE_OPTIONS=--experimental-vm-modules jest' }, 'jest', ['env', 'NODE_OPTIONS=--experimental-vm-modules', 'jest', '{files}']],
		[{ test: 'cross-env NODE_ENV=test yarn jest --ci' }, 'jest', ['env', 'NODE_ENV=test', 'jest', '--ci', '{files}']],
		[{ test: 'uvu -r tsm test -i fixtures' }, 'uvu', ['uvu', '-r', 'tsm', '-i', 'fixtures', '{files}']],
		[{ test: 'tape test/*.js | tap-spec' }, 'tape', ['tape', '{files}']],
		[{ test: 'vitest run --ui --coverage' }, 'vitest', ['vitest', 'run', '{files}']],
		[{ test: 'mocha --ui tdd --recursive' }, 'mocha', ['mocha', '--ui', 'tdd', '--recursive', '{files}']],
		[
			{ test: 'yarn node --experimental-vm-modules $(yarn bin jest)' },
			'jest',
			['node', '--experimental-vm-modules', 'node_modules/.bin/jest', '{files}'],
		],
		[
			{ test: 'NODE_ENV=test mocha --compilers js:babel/register --recursive' },
			'mocha',
			['env', 'NODE_ENV=test', 'mocha', '--compilers', 'js:babel/register', '--recursive', '{files}'],
		],
		[{ test: 'tap --100 test/*.js' }, 'tap', ['tap', '{files}']],
		[{ test: 'npm run build && node test.js', build: 'tsc' }, 'exit-code', ['sh', '-c', 'tsc && node test.js']],
		[{ test: 'make check' }, 'exit-code', ['sh', '-c', 'make check']],
	])('%j → %s %j', (scripts, runner, command) => {
		expect(detectTestCommand(JSON.stringify({ scripts }))).toEqual({ runner, command });
	});

	it("runs npm's pretest first", () => {
		expect(detectTestCommand(JSON.stringify({ scripts: { pretest: 'npm run build', build: 'tsc', test: 'mocha' } }))).toEqual({
			runner: 'mocha',
			command: ['sh', '-c', 'tsc && mocha "$@"', 'sh', '{files}'],
		});
	});

	it('points uvu at the files by a pattern of their paths, and reads TAP from tape and node-tap', () => {
		expect(expandCommand(['uvu', '-r', 'tsm', '{files}'], 'uvu', ['test/a.ts', 'test/b.c.ts'], '/w/r')).toEqual({
			argv: ['uvu', '-r', 'tsm', '.', '^(test/a\\.ts|test/b\\.c\\.ts)$'],
			target: { kind: 'stdout' },
		});
		expect(expandCommand(['tap', '{files}'], 'tap', ['t/a.js'], '/w/r').argv).toEqual(['tap', '--reporter=tap', 't/a.js']);
		expect(expandCommand(['sh', '-c', 'tsc && ava "$@"', 'sh', '{files}'], 'ava', ['test/a.ts'], '/w/r').argv).toEqual([
			'sh',
			'-c',
			'tsc && ava "$@"',
			'sh',
			'--tap',
			'test/a.ts',
		]);
	});

	it('runs the test files a runner finds by folder, never their helpers', () => {
		expect(isTestEntry('test/main.ts', "import test from 'ava';\ntest('works', t => t.pass());\n")).toBe(true);
		expect(isTestEntry('test/helpers/create-server.ts', 'export const createServer = () => {};\n')).toBe(false);
		expect(isTestEntry('test/_utils.ts')).toBe(false);
		expect(isTestEntry('test/fixtures/app.js')).toBe(false);
		expect(isTestEntry('test/index.d.ts')).toBe(false);
		expect(isTestEntry('test/server.ts', 'export function server() {}\n')).toBe(false);
		expect(isTestEntry('src/main.ts', "test('x', () => {});")).toBe(false);
		// Vitest runs only what its include pattern names (*.test.*, *.spec.*); jest also __tests__ folders.
		const declares = "test('x', () => {});";
		expect(isTestEntry('tests/execute/calc-repo.ts', declares, 'vitest')).toBe(false);
		expect(isTestEntry('test/main.ts', declares, 'jest')).toBe(false);
		expect(isTestEntry('src/__tests__/main.ts', declares, 'jest')).toBe(true);
		expect(isTestEntry('test/main.ts', declares, 'ava')).toBe(true);
	});

	it("takes the policy's command, runner read from its words, files appended when it names no place", () => {
		expect(commandFromPolicy('npx vitest run {files}')).toEqual({ runner: 'vitest', command: ['npx', 'vitest', 'run', '{files}'] });
		expect(commandFromPolicy('./run-tests.sh --quick')).toEqual({ runner: 'exit-code', command: ['./run-tests.sh', '--quick', '{files}'] });
		expect(splitCommandLine(`node --test "a b.js" 'c d'`)).toEqual(['node', '--test', 'a b.js', 'c d']);
	});

	it("puts the reporter's options before the files, which node --test requires", () => {
		expect(expandCommand(['node', '--test', '{files}'], 'node', ['t/a.test.js'], '/w/r').argv).toEqual([
			'node',
			'--test',
			'--test-reporter=tap',
			'--test-reporter-destination=/w/r',
			't/a.test.js',
		]);
		expect(expandCommand(['npx', 'vitest', 'run', '{files}'], 'vitest', ['a.test.ts', 'b.test.ts'], '/w/r')).toEqual({
			argv: ['npx', 'vitest', 'run', '--reporter=json', '--outputFile=/w/r', '--coverage.enabled=false', 'a.test.ts', 'b.test.ts'],
			target: { kind: 'file', path: '/w/r' },
		});
		expect(expandCommand(['ava', '{files}'], 'ava', ['a.test.js'], '/w/r').target).toEqual({ kind: 'stdout' });
	});
});

describe("reading the runners' reports", () => {
	it('counts vitest/jest JSON, a file that failed to load as one failure', () => {
		const report = {
			numTotalTests: 3,
			numPassedTests: 2,
			numFailedTests: 1,
			testResults: [
				{ status: 'failed', assertionResults: [{ status: 'passed' }, { status: 'passed' }, { status: 'failed' }] },
				{ status: 'failed', assertionResults: [], message: 'SyntaxError' },
				{ status: 'failed', assertionResults: [{ status: 'skipped' }], message: 'beforeAll failed' },
			],
		};
		expect(parseJestJson(JSON.stringify(report))).toEqual({ total: 5, passed: 2, failed: 3 });
		expect(parseJestJson('{"stats": {}}')).toBeUndefined();
		expect(parseJestJson('not json')).toBeUndefined();
	});

	it('counts mocha JSON', () => {
		expect(parseMochaJson(JSON.stringify({ stats: { tests: 4, passes: 3, failures: 1, pending: 0 } }))).toEqual({
			total: 4,
			passed: 3,
			failed: 1,
		});
	});

	it.each([
		['# tests 3\n# suites 0\n# pass 2\n# fail 1\n# cancelled 0\n', { total: 3, passed: 2, failed: 1 }],
		['# tests 2\n# pass 0\n# fail 1\n# cancelled 1\n', { total: 2, passed: 0, failed: 2 }],
		['TAP version 13\nok 1 - a\nnot ok 2 - b\n    ok 1 - nested\n1..2\n', { total: 2, passed: 1, failed: 1 }],
	])('counts TAP %j', (text, counts) => {
		expect(parseTap(text)).toEqual(counts);
	});

	it('has no counts without a report, or for an exit-code runner', () => {
		expect(parseTestOutput('vitest', undefined)).toBeUndefined();
		expect(parseTestOutput('node', '  ')).toBeUndefined();
		expect(parseTestOutput('exit-code', 'anything')).toBeUndefined();
	});

	it('counts tape (no fail line when all passed), uvu, and mocha JSON printed on standard output', () => {
		expect(parseTestOutput('tape', 'TAP version 13\nok 1 a\nok 2 b\n\n1..2\n# tests 2\n# pass  2\n\n# ok\n')).toEqual({
			total: 2,
			passed: 2,
			failed: 0,
		});
		expect(parseTestOutput('tape', '# tests 3\n# pass  2\n# fail  1\n')).toEqual({ total: 3, passed: 2, failed: 1 });
		expect(parseTestOutput('uvu', 'calc  ✘ ✓\n\n  Total:     2\n  Passed:    1\n  Skipped:   0\n  Duration:  0.51ms\n')).toEqual({
			total: 2,
			passed: 1,
			failed: 1,
		});
		expect(parseUvu('no summary')).toBeUndefined();
		const stdout = `a log line\n${JSON.stringify({ stats: { passes: 2, failures: 0 } }, null, 2)}\n`;
		expect(parseMochaJson(mochaJsonFromStdout(stdout) ?? '')).toEqual({ total: 2, passed: 2, failed: 0 });
	});
});

describe('judging a run', () => {
	const ran = { exitCode: 0, timedOut: false, timeoutMs: 60_000 };
	it.each([
		[ran, { total: 3, passed: 3, failed: 0 }, 'passed', '3 of 3 tests passed'],
		[{ ...ran, exitCode: 1 }, { total: 3, passed: 2, failed: 1 }, 'failed', '2 of 3 tests passed, 1 failed (exit 1)'],
		[ran, { total: 0, passed: 0, failed: 0 }, 'failed', 'no test ran (exit 0)'],
		[{ ...ran, exitCode: 1 }, { total: 3, passed: 3, failed: 0 }, 'failed', '3 of 3 tests passed, 0 failed (exit 1)'],
		[{ ...ran, exitCode: null, timedOut: true }, undefined, 'timeout', 'cut off after 60 s'],
		[{ ...ran, exitCode: 1 }, undefined, 'failed', 'no vitest report (exit 1): boom'],
		[
			{ ...ran, exitCode: null, spawnError: 'spawn vitest ENOENT' },
			undefined,
			'error',
			'the test command did not start: spawn vitest ENOENT',
		],
	] as const)('%j with %j is %s', (run, counts, status, detail) => {
		expect(judgeRun('vitest', run, counts, 'boom')).toEqual({ status, detail });
	});
});

describe('answer paths', () => {
	it.each([
		['src/a.ts', undefined],
		['./src/a.ts', undefined],
		['/etc/passwd', 'is absolute'],
		['../x', 'leaves the worktree'],
		['src/../../x', 'leaves the worktree'],
		['.git/hooks/pre-commit', 'is inside .git'],
		['node_modules/vitest/index.js', 'is inside node_modules'],
		['.', 'names no file'],
	])('%s: %s', (file, reason) => {
		expect(unsafePathReason(file)).toBe(reason);
	});
});

describe('whether coder results may back a promotion', () => {
	const base = { role: 'coder', task: 'implement-change' } as const;
	const withTests = { ...base, id: 'a', tests: {} } as unknown as Case;
	const without = { ...base, id: 'b' } as unknown as Case;
	it.each([
		[[withTests], { promotionBlock: undefined }, []],
		[
			[withTests],
			{ promotionBlock: 'coder tests ran without a sandbox (coder.sandbox: none): results cannot back a promotion' },
			[['coder', 'coder tests ran without a sandbox (coder.sandbox: none): results cannot back a promotion']],
		],
		[[withTests], undefined, [['coder', 'coder tests were not run: no test executor']]],
		[
			[withTests, without],
			{ promotionBlock: undefined },
			[['coder', '1 of 2 implement-change case(s) carry no tests: file-set checks alone cannot back a promotion']],
		],
	] as const)('%#', (cases, executor, expected) => {
		expect([...executionPromotionBlocks(cases as unknown as Case[], executor)]).toEqual(expected);
	});
});

describe("a vitest project that shares this project's lockfile", () => {
	it("runs on this project's installed packages and reads vitest's JSON report", async () => {
		const repo = createTempRepo('execute-vitest-');
		const scratch = await mkdtemp(path.join(tmpdir(), 'execute-vitest-cache-'));
		try {
			// The same package.json and lockfile as this project: the executor links its node_modules.
			const files = {
				'package.json': await readFile(path.join(PROJECT_ROOT, 'package.json'), 'utf8'),
				'package-lock.json': await readFile(path.join(PROJECT_ROOT, 'package-lock.json'), 'utf8'),
				'vitest.config.ts': `import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { include: ['tests/**/*.test.ts'] } });\n`,
				'src/half.ts': 'export const half = (n: number) => n / 2;\n',
				'tests/half.test.ts': `import { expect, it } from 'vitest';\nimport { half } from '../src/half.ts';\nit('halves', () => expect(half(4)).toBe(2));\nit('halves odd numbers', () => expect(half(3)).toBe(1.5));\nit('fails', () => expect(half(2)).toBe(3));\n`,
			};
			const sha = repo.commit(files, 'Add half');
			const executor = await createExecutor({
				projectRoot: PROJECT_ROOT,
				settings: { ...CoderSchema.parse({}), repository: repo.dir },
				log: () => {},
				cacheDir: scratch,
				useCache: false,
			});
			const run = await executor.execute({
				rev: sha,
				files: [],
				runner: 'vitest',
				command: ['vitest', 'run', '{files}'],
				run: ['tests/half.test.ts'],
			});
			expect(run).toMatchObject({
				status: 'failed',
				isolation: 'bubblewrap',
				runner: 'vitest',
				tests: 3,
				passed: 2,
				failed: 1,
				exit_code: 1,
			});
			const fixed = await executor.execute({
				rev: sha,
				files: [{ path: 'tests/half.test.ts', content: files['tests/half.test.ts'].replace('toBe(3)', 'toBe(1)') }],
				runner: 'vitest',
				command: ['vitest', 'run', '{files}'],
				run: ['tests/half.test.ts'],
			});
			expect(fixed).toMatchObject({ status: 'passed', tests: 3, passed: 3, failed: 0 });
		} finally {
			repo.cleanup();
			await rm(scratch, { recursive: true, force: true });
		}
	}, 120_000);
});

describe('an answer that would rig its own judge', () => {
	it.each([
		['vitest.config.ts', true],
		['vite.config.mjs', true],
		['jest.config.json', true],
		['.mocharc.yml', true],
		['tests/support/setup.ts', true],
		['src/slugify.test.ts', true],
		['test-setup.ts', true],
		['src/slugify.ts', false],
		['src/testing-utils.ts', false],
		['package.json', false],
	])('treats %s as test set-up: %s', (file, expected) => {
		expect(isHarnessPath(file)).toBe(expected);
	});

	it.each([
		["import { chai } from 'vitest';", true],
		["const { expect } = require('@jest/globals');", true],
		["await import('chai')", true],
		["import test from 'node:test';", true],
		["import assert from 'node:assert';", false],
		['// mentions vitest in a comment', false],
		["import { parse } from './vitest-like.ts';", false],
	])('refuses source that loads a test framework: %s → %s', (content, refused) => {
		expect(harnessImportReason({ path: 'src/a.ts', content }) !== undefined).toBe(refused);
	});
});
