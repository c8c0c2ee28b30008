import type { TestRunner } from '../schema/execution.ts';

export type { TestRunner };

/** The placeholder a command template holds where the commit's test files go. */
export const FILES_PLACEHOLDER = '{files}';

/** A test command: its argv template (with `{files}`) and the runner that reads its output. */
export type TestCommand = { runner: TestRunner; command: string[] };

/** Where a runner writes its report: a file in the worktree, or standard output (TAP). */
export type ReportTarget = { kind: 'file'; path: string } | { kind: 'stdout' };

/**
 * A test file a runner is pointed at: `*.test.*` / `*.spec.*` with a JavaScript or TypeScript extension
 * (helpers and fixtures under `tests/` are written but not run).
 */
export function isTestEntry(path: string): boolean {
	return /\.(test|spec)\.[cm]?[jt]sx?$/.test(path);
}

type PackageJson = {
	scripts?: Record<string, unknown>;
	dependencies?: Record<string, unknown>;
	devDependencies?: Record<string, unknown>;
};

const DETECTED: Record<Exclude<TestRunner, 'exit-code'>, string[]> = {
	vitest: ['vitest', 'run', FILES_PLACEHOLDER],
	jest: ['jest', FILES_PLACEHOLDER],
	mocha: ['mocha', FILES_PLACEHOLDER],
	ava: ['ava', FILES_PLACEHOLDER],
	node: ['node', '--test', FILES_PLACEHOLDER],
};

/** The runner a command names (`npx vitest run`, `node --test`, …), or `exit-code` when it names none the executor reads. */
export function runnerOfCommand(command: readonly string[]): TestRunner {
	const words = command.map((word) => word.replace(/^.*\//, ''));
	for (const runner of ['vitest', 'jest', 'mocha', 'ava'] as const) if (words.includes(runner)) return runner;
	if (words.includes('node') && command.includes('--test')) return 'node';
	return 'exit-code';
}

/**
 * The test command of a repository, from its package.json: the runner its `test` script calls, else the
 * first runner among its dependencies (vitest, jest, mocha, ava), else `node --test` when the script uses
 * it. Undefined when nothing says how the tests run: such a commit gives no runnable case.
 */
export function detectTestCommand(packageJsonText: string | undefined): TestCommand | undefined {
	if (packageJsonText === undefined) return undefined;
	let manifest: PackageJson;
	try {
		manifest = JSON.parse(packageJsonText) as PackageJson;
	} catch {
		return undefined;
	}
	const script = typeof manifest.scripts?.test === 'string' ? manifest.scripts.test : '';
	const fromScript = runnerOfCommand(script.split(/\s+/));
	if (fromScript !== 'exit-code') return { runner: fromScript, command: [...DETECTED[fromScript]] };
	const dependencies = { ...manifest.dependencies, ...manifest.devDependencies };
	for (const runner of ['vitest', 'jest', 'mocha', 'ava'] as const) {
		if (Object.hasOwn(dependencies, runner)) return { runner, command: [...DETECTED[runner]] };
	}
	return undefined;
}

/**
 * Splits a command line written in policy.yaml into words: whitespace separates, single or double quotes
 * keep spaces. No shell runs it, so no other shell syntax means anything.
 */
export function splitCommandLine(line: string): string[] {
	const words: string[] = [];
	for (const match of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) words.push(match[1] ?? match[2] ?? match[3] ?? '');
	return words;
}

/** The test command the policy sets (`coder.test_command`), with its runner read from the words. */
export function commandFromPolicy(line: string): TestCommand {
	const command = splitCommandLine(line);
	return { runner: runnerOfCommand(command), command: command.includes(FILES_PLACEHOLDER) ? command : [...command, FILES_PLACEHOLDER] };
}

/** The arguments that make a runner write its machine-readable report, and where it goes. */
export function reporterArgs(runner: TestRunner, reportPath: string): { args: string[]; target: ReportTarget | undefined } {
	switch (runner) {
		case 'vitest':
			return { args: ['--reporter=json', `--outputFile=${reportPath}`], target: { kind: 'file', path: reportPath } };
		case 'jest':
			return { args: ['--ci', '--json', `--outputFile=${reportPath}`], target: { kind: 'file', path: reportPath } };
		case 'mocha':
			return { args: ['--reporter', 'json', '--reporter-option', `output=${reportPath}`], target: { kind: 'file', path: reportPath } };
		case 'ava':
			return { args: ['--tap'], target: { kind: 'stdout' } };
		case 'node':
			return { args: ['--test-reporter=tap', `--test-reporter-destination=${reportPath}`], target: { kind: 'file', path: reportPath } };
		case 'exit-code':
			return { args: [], target: undefined };
	}
}

/**
 * The argv to run: the template with the reporter's arguments and then the test files in place of
 * `{files}` (options before files, which every runner accepts and `node --test` requires).
 */
export function expandCommand(
	command: readonly string[],
	runner: TestRunner,
	files: readonly string[],
	reportPath: string,
): { argv: string[]; target: ReportTarget | undefined } {
	const { args, target } = reporterArgs(runner, reportPath);
	const argv = command.flatMap((word) => (word === FILES_PLACEHOLDER ? [...args, ...files] : [word]));
	return { argv, target };
}

/**
 * Paths the test run reads as its own set-up: tests and their helpers, setup files, the runner's and the
 * build's configuration. An answer's files there are not written into the worktree: the commit's set-up
 * judges every answer, so an answer can neither weaken its tests nor swap the runner's configuration.
 */
const HARNESS_PATH = [
	/(^|\/)(vitest|vite|jest|ava|playwright|karma|babel)\.(config|workspace|setup)\.[cm]?[jt]sx?$/,
	/(^|\/)vitest\.workspace\.json$/,
	/(^|\/)jest\.config\.json$/,
	/(^|\/)\.(mocharc|babelrc)(\.\w+)?$/,
	/(^|\/)(test|tests|__tests__|spec|specs|__mocks__|__snapshots__)\//,
	/\.(test|spec|test-d)\.[cm]?[jt]sx?$/,
	/(^|\/)(setup-tests|test-setup|global-setup)\.[cm]?[jt]sx?$/,
];

/** True when an answer's file sits where the test run reads its own set-up (see `HARNESS_PATH`). */
export function isHarnessPath(path: string): boolean {
	const normalized = path.replaceAll('\\', '/').replace(/^(\.\/)+/, '');
	return HARNESS_PATH.some((pattern) => pattern.test(normalized));
}

/** An import or require of a test framework or assertion library: source code has no business loading one. */
const HARNESS_IMPORT =
	/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](?:vitest|@vitest\/[^'"]*|jest|@jest\/[^'"]*|chai|mocha|ava|tap|node:test|sinon)['"]/;

/**
 * Why an answer's source file would change how its tests judge it rather than what they test, or
 * undefined when it would not: it loads the test framework (and so could neuter its assertions). Such an
 * answer is not run: tests that pass on a rigged harness prove nothing.
 */
export function harnessImportReason(file: { path: string; content: string }): string | undefined {
	return HARNESS_IMPORT.test(file.content) ? `${file.path} loads a test framework` : undefined;
}
