import type { Executor } from '../../src/lib/execute/executor.ts';
import { type MineResult, mineCases } from '../../src/lib/mine/mine.ts';
import { createTempRepo, type TempRepo } from '../mine/git-fixture.ts';

/**
 * A small JavaScript project whose tests run with `node --test` (no dependencies to install), and a
 * history with one commit of each kind the coder miner must tell apart.
 */
export type CalcStory = {
	repo: TempRepo;
	/** Adds `subtract` and its test: fails at the parent (no such export), passes at the commit. */
	subtract: string;
	/** Fixes `add` for numeric strings, with a test that shows the bug. */
	fixAdd: string;
	/** Code without tests. */
	noTests: string;
	/** Renames a local variable and adds a test that passed already. */
	refactor: string;
	/** Adds `divide` with a test that is wrong: fails at the commit too. */
	brokenDivide: string;
	/** Only a test file. */
	testsOnly: string;
};

export const CALC_BEFORE_SUBTRACT = `export function add(a, b) {
	return a + b;
}
`;

export const CALC_WITH_SUBTRACT = `export function add(a, b) {
	return a + b;
}

export function subtract(a, b) {
	return a - b;
}
`;

export const SUBTRACT_TEST = `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { add, subtract } from '../src/calc.js';

test('adds', () => {
	assert.equal(add(2, 3), 5);
});

test('subtracts', () => {
	assert.equal(subtract(5, 3), 2);
});

test('subtracts below zero', () => {
	assert.equal(subtract(3, 5), -2);
});
`;

/** Builds the story in a fresh temporary repository; call `repo.cleanup()` when done. */
export function createCalcStory(): CalcStory {
	const repo = createTempRepo('execute-calc-');
	repo.commit(
		{
			'package.json': `${JSON.stringify({ name: 'calc', private: true, type: 'module', scripts: { test: 'node --test' } }, null, 2)}\n`,
			'src/calc.js': CALC_BEFORE_SUBTRACT,
			'test/calc.test.js': `import assert from 'node:assert/strict';\nimport { test } from 'node:test';\nimport { add } from '../src/calc.js';\n\ntest('adds', () => {\n\tassert.equal(add(2, 3), 5);\n});\n`,
		},
		'Start the calculator with add',
	);
	const subtract = repo.commit(
		{ 'src/calc.js': CALC_WITH_SUBTRACT, 'test/calc.test.js': SUBTRACT_TEST },
		'Add subtract to the calculator\n\nsubtract(a, b) returns a minus b.',
	);
	const fixAdd = repo.commit(
		{
			'src/calc.js': CALC_WITH_SUBTRACT.replace('return a + b;', 'return Number(a) + Number(b);'),
			'test/add-strings.test.js': `import assert from 'node:assert/strict';\nimport { test } from 'node:test';\nimport { add } from '../src/calc.js';\n\ntest('adds numeric strings as numbers', () => {\n\tassert.equal(add('2', '3'), 5);\n});\n`,
		},
		'Fix add concatenating numeric strings',
	);
	const noTests = repo.commit(
		{ 'src/version.js': "export const VERSION = '1.1.0';\nexport const NAME = 'calc';\n" },
		"Export the calculator's name and version",
	);
	const afterFix = CALC_WITH_SUBTRACT.replace('return a + b;', 'return Number(a) + Number(b);');
	const refactor = repo.commit(
		{
			'src/calc.js': afterFix.replace('return a - b;', 'const difference = a - b;\n\treturn difference;'),
			'test/zero.test.js': `import assert from 'node:assert/strict';\nimport { test } from 'node:test';\nimport { subtract } from '../src/calc.js';\n\ntest('subtracts zero', () => {\n\tassert.equal(subtract(4, 0), 4);\n});\n`,
		},
		'Name the difference in subtract and test subtracting zero',
	);
	const brokenDivide = repo.commit(
		{
			'src/divide.js': 'export function divide(a, b) {\n\treturn a / b;\n}\n',
			'test/divide.test.js': `import assert from 'node:assert/strict';\nimport { test } from 'node:test';\nimport { divide } from '../src/divide.js';\n\ntest('divides', () => {\n\tassert.equal(divide(6, 3), 3);\n\tassert.equal(divide(1, 0), 0);\n});\n`,
		},
		'Add divide to the calculator',
	);
	const testsOnly = repo.commit(
		{
			'test/more.test.js': `import assert from 'node:assert/strict';\nimport { test } from 'node:test';\nimport { add } from '../src/calc.js';\n\ntest('adds negatives', () => {\n\tassert.equal(add(-1, -2), -3);\n});\n`,
		},
		'Test adding negative numbers',
	);
	return { repo, subtract, fixAdd, noTests, refactor, brokenDivide, testsOnly };
}

/** Mines the calc story's coder cases as `npm run mine` would, the tests of each validated by `executor`. */
export function mineCalcCoderCases(story: CalcStory, executor: Executor): Promise<MineResult> {
	return mineCases({
		repo: story.repo.dir,
		name: 'example/calc',
		roles: ['coder'],
		budget: { numCtx: 16384, numPredict: 2048 },
		cleanAge: 10,
		cleanRatio: 1,
		minChangedLines: 2,
		coder: { executor },
	});
}
