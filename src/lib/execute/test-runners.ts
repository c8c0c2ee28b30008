import type { TestRunner } from '../schema/execution.ts';

export type { TestRunner };

/** The placeholder a command template holds where the commit's test files go. */
export const FILES_PLACEHOLDER = '{files}';

/** A test command: its argv template (with `{files}`) and the runner that reads its output. */
export type TestCommand = { runner: TestRunner; command: string[] };

/** Where a runner writes its report: a file in the worktree, or standard output (TAP). */
export type ReportTarget = { kind: 'file'; path: string } | { kind: 'stdout' };

/** A test file a runner is pointed at by name: `*.test.*` / `*.spec.*` with a JavaScript or TypeScript extension. */
const NAMED_TEST = /\.(test|spec)\.[cm]?[jt]sx?$/;
/** Folders beside tests that hold what they use, never tests themselves. */
const HELPER_SEGMENT = /(^|\/)(helpers?|fixtures?|support|utils?|mocks?|__mocks__|__snapshots__|snapshots|_[^/]*)\//;
/** A call that declares a test: `test(`, `it(`, `describe(`, `suite(`, `test.serial(`, `t.test(`. */
const DECLARES_TEST = /(^|[^\w.])(test|it|describe|suite|context)(\.\w+)*\s*\(|\bt\.test\s*\(/m;

/**
 * A test file a runner is pointed at: `*.test.*` / `*.spec.*` with a JavaScript or TypeScript extension;
 * or, as ava, mocha, tap and `node --test` find them, a script under a `test` / `tests` / `__tests__`
 * folder (jest: `__tests__` only; vitest: none) — not a helper or fixture (a `_` name, a `helpers/` or
 * `fixtures/` folder, a declaration file) and, when its content is known, one that declares a test.
 * Helpers and fixtures are written but not run.
 */
export function isTestEntry(path: string, content?: string, runner?: TestRunner): boolean {
	if (NAMED_TEST.test(path)) return true;
	if (runner === 'vitest') return false;
	const folders = runner === 'jest' ? '__tests__' : 'test|tests|__tests__';
	if (!new RegExp(`(^|/)(${folders})/(.+/)?[^/]+\\.[cm]?[jt]sx?$`).test(path) || /\.d\.[cm]?ts$/.test(path)) return false;
	const name = path.slice(path.lastIndexOf('/') + 1);
	if (name.startsWith('_') || HELPER_SEGMENT.test(path.replace(/^.*?(^|\/)(test|tests|__tests__)\//, ''))) return false;
	return content === undefined || DECLARES_TEST.test(content);
}

/** A test that drives a browser (Playwright, Puppeteer, WebDriver): it cannot run in the sandbox. */
export function isBrowserTest(content: string): boolean {
	return /(?:from\s*|import\s*\(?\s*|require\s*\(\s*)['"](?:playwright(?:-[\w-]+)?|@playwright\/test|puppeteer(?:-core)?|selenium-webdriver|webdriverio)['"]/.test(
		content,
	);
}

type PackageJson = {
	scripts?: Record<string, unknown>;
	dependencies?: Record<string, unknown>;
	devDependencies?: Record<string, unknown>;
};

/** Why no test command could be made from a package.json: counted by reason in the mining summary. */
export type CommandRefusal = { reason: string };

const DETECTED: Record<Exclude<TestRunner, 'exit-code'>, string[]> = {
	vitest: ['vitest', 'run', FILES_PLACEHOLDER],
	jest: ['jest', FILES_PLACEHOLDER],
	mocha: ['mocha', FILES_PLACEHOLDER],
	ava: ['ava', FILES_PLACEHOLDER],
	node: ['node', '--test', FILES_PLACEHOLDER],
	tap: ['tap', FILES_PLACEHOLDER],
	tape: ['tape', FILES_PLACEHOLDER],
	uvu: ['uvu', FILES_PLACEHOLDER],
};

/** Commands named after a runner, by the name of their binary (or of the script a `node` call starts). */
const RUNNER_BINARIES: Record<string, Exclude<TestRunner, 'exit-code' | 'node'>> = {
	vitest: 'vitest',
	jest: 'jest',
	mocha: 'mocha',
	_mocha: 'mocha',
	ava: 'ava',
	tap: 'tap',
	tape: 'tape',
	uvu: 'uvu',
};

/** The runner a binary's path names: `vitest`, `./node_modules/.bin/jest`, `node_modules/vitest/dist/cli-wrapper.js`. */
function runnerOfPath(word: string): Exclude<TestRunner, 'exit-code' | 'node'> | undefined {
	const base = word.replace(/^.*\//, '');
	if (RUNNER_BINARIES[base]) return RUNNER_BINARIES[base];
	const inPackage = /node_modules\/(?:\.bin\/)?(vitest|jest|jest-cli|mocha|ava|tap|tape|uvu)(\/|$)/.exec(word);
	return inPackage ? (RUNNER_BINARIES[(inPackage[1] as string).replace('-cli', '')] ?? undefined) : undefined;
}

/** The runner a command names (`npx vitest run`, `node --test`, …), or `exit-code` when it names none the executor reads. */
export function runnerOfCommand(command: readonly string[]): TestRunner {
	for (const word of command) {
		const runner = runnerOfPath(word);
		if (runner) return runner;
	}
	const words = command.map((word) => word.replace(/^.*\//, ''));
	if ((words.includes('node') || words.includes('tsx')) && command.includes('--test')) return 'node';
	return 'exit-code';
}

/** Tools a test script runs that check style or types but test no behaviour: left out of the command. */
const LINTERS = new Set([
	'xo',
	'eslint',
	'tslint',
	'standard',
	'semistandard',
	'prettier',
	'tsd',
	'tsd-check',
	'biome',
	'dtslint',
	'attw',
	'publint',
	'size-limit',
	'knip',
	'stylelint',
	'markdownlint',
	'markdownlint-cli2',
	'remark',
	'depcheck',
	'vue-tsc',
	'svelte-check',
	'lint-staged',
	'jshint',
	'jscs',
	'oxlint',
	'type-coverage',
	'madge',
	'are-the-types-wrong',
	'codecov',
	'coveralls',
	'echo',
]);
/** Runners that need a browser: their tests cannot run in the sandbox. */
const BROWSER_RUNNERS = new Set([
	'karma',
	'cypress',
	'playwright',
	'wtr',
	'web-test-runner',
	'testem',
	'zuul',
	'airtap',
	'testcafe',
	'wdio',
]);
/** Wrappers that run the command after them: coverage (its thresholds would fail a run narrowed to a few files), env setters, npx. */
const WRAPPERS = new Set(['c8', 'nyc', 'cross-env', 'env', 'npx', 'pnpx', 'dotenv', 'time', 'nodemon']);
/** Options (of runners and wrappers) whose value is the next word. */
const VALUE_OPTIONS = new Set([
	'-r',
	'--require',
	'--compilers',
	'--opts',
	'--globals',
	'--slow',
	'--retries',
	'--grep',
	'-g',
	'--fgrep',
	'--loader',
	'--experimental-loader',
	'--import',
	'--reporter',
	'-R',
	'--timeout',
	'-t',
	'--ui',
	'-u',
	'--extension',
	'--config',
	'-c',
	'--file',
	'--dir',
	'--project',
	'--environment',
	'--env',
	'--pool',
	'--node-arguments',
	'--root',
	'--rootDir',
	'--testTimeout',
	'--setupFiles',
	'--test-reporter',
	'--test-reporter-destination',
	'-i',
	'--ignore',
	'--spec',
	'--exclude',
	'--include',
	'--reporter-option',
	'--reporter-options',
	'-O',
	'--conditions',
	'-C',
	'--mode',
	'--maxWorkers',
	'-w',
	'--concurrency',
	'--jobs',
	'-j',
	'--temp-directory',
	'--report-dir',
	'--check-coverage',
	'--lines',
	'--functions',
	'--branches',
	'--statements',
	'-x',
	'--testPathIgnorePatterns',
]);
/** Options dropped from a runner's words: reporters (the executor sets its own), watching, coverage, type checking. */
const DROPPED_OPTION =
	/^(--reporter|-R|--tap|--test-reporter|--test-reporter-destination|--watch|-w|--watchAll|--coverage|--typecheck|--verbose|--silent|--100|--check-coverage|--reporter-option|--reporter-options|-O)(=.*|\..*)?$/;
/** The runners whose files can be named on the command line (uvu takes a folder and a pattern instead). */
const NAMES_FILES = new Set<TestRunner>(['vitest', 'jest', 'mocha', 'ava', 'node', 'tap', 'tape', 'uvu']);

type Segment = { kind: 'step'; text: string } | { kind: 'runner'; runner: TestRunner; words: string[]; env: string[] };

/** Splits a script at `&&` and `;` outside quotes; what follows `||` is a fallback and is dropped. */
function splitScript(script: string): string[] {
	const parts: string[] = [];
	let current = '';
	let quote: string | undefined;
	for (let index = 0; index < script.length; index += 1) {
		const char = script[index] as string;
		if (quote) {
			if (char === quote) quote = undefined;
			current += char;
		} else if (char === '"' || char === "'") {
			quote = char;
			current += char;
		} else if (script.startsWith('&&', index) || char === ';') {
			parts.push(current);
			current = '';
			if (char === '&') index += 1;
		} else if (script.startsWith('||', index)) {
			parts.push(current);
			current = '';
			// Skip the fallback up to the next && or ;.
			const rest = script.slice(index + 2);
			const next = /&&|;/.exec(rest);
			index = next ? index + 2 + next.index - 1 : script.length;
		} else current += char;
	}
	parts.push(current);
	return parts.map((part) => part.trim()).filter((part) => part !== '');
}

/** Script names a `run-s` / `npm-run-all` pattern (`test:*`, `lint:**`) or a pnpm regex (`/^test:.*\/`) stands for, in the scripts' order. */
function expandScriptNames(pattern: string, scripts: Record<string, unknown>): string[] {
	const names = Object.keys(scripts);
	if (pattern.startsWith('/') && pattern.endsWith('/') && pattern.length > 2) {
		try {
			const regex = new RegExp(pattern.slice(1, -1));
			return names.filter((name) => regex.test(name));
		} catch {
			return [];
		}
	}
	if (!pattern.includes('*')) return names.includes(pattern) ? [pattern] : [];
	const regex = new RegExp(
		`^${pattern
			.replace(/[.+?^${}()|[\]\\]/g, '\\$&')
			.replace(/\*\*/g, '.+')
			.replace(/\*/g, '[^:]+')}$`,
	);
	return names.filter((name) => regex.test(name));
}

/** `npm run x`, `npm test`, `pnpm x`, `yarn run x`, `run-s a b`, `npm-run-all -s a b`: the scripts a command runs, or undefined when it runs none. */
function scriptsRun(words: readonly string[], scripts: Record<string, unknown>): string[] | undefined {
	const [head, ...rest] = words;
	const args = rest.filter((word) => !word.startsWith('-'));
	if (head === 'npm' || head === 'pnpm' || head === 'yarn') {
		const [verb, name] = args;
		if (verb === 'test' || verb === 't') return ['test'];
		if (verb === 'run' || verb === 'run-script') return name === undefined ? [] : expandScriptNames(name, scripts);
		// `pnpm build` / `yarn build` run a script of that name; otherwise they run a binary (`yarn jest`).
		if (head !== 'npm' && verb !== undefined && typeof scripts[verb] === 'string') return [verb];
		return undefined;
	}
	if (head === 'run-s' || head === 'run-p' || head === 'npm-run-all') return args.flatMap((name) => expandScriptNames(name, scripts));
	return undefined;
}

function shellQuote(word: string): string {
	return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * Reads one command of a script: the runner it calls through any wrapper (`c8`, `nyc`, `cross-env`,
 * `npx`, `tsx --test`, `node --import tsx --test`, `node ./node_modules/vitest/…`), with the words the
 * executor replaces (the runner's own file arguments, reporters, coverage) left out; or a step to run as it is.
 */
function readCommand(text: string): Segment | { kind: 'lint' | 'browser'; name: string } {
	// `$(yarn bin jest)`, `$(npm bin)/jest`: the package's own binary, where the shell would find it.
	const words = splitCommandLine(
		text
			.replace(/\$\((?:yarn|pnpm) bin ([\w@/.-]+)\)/g, 'node_modules/.bin/$1')
			.replace(/\$\((?:npm|yarn|pnpm) bin\)\//g, 'node_modules/.bin/'),
	);
	const env: string[] = [];
	let index = 0;
	const skipOptions = () => {
		while (index < words.length && (words[index] as string).startsWith('-')) {
			const option = words[index] as string;
			index += VALUE_OPTIONS.has(option) ? 2 : 1;
		}
	};
	for (;;) {
		while (index < words.length && /^[A-Za-z_]\w*=/.test(words[index] as string)) env.push(words[index++] as string);
		const word = words[index];
		if (word === undefined) return { kind: 'step', text };
		const base = word.replace(/^.*\//, '');
		if (base === 'pnpm' && words[index + 1] === 'exec') index += 2;
		else if (
			(base === 'yarn' || base === 'pnpm') &&
			words[index + 1] !== undefined &&
			(words[index + 1] === 'node' || runnerOfPath(words[index + 1] as string))
		)
			index += 1;
		else if (WRAPPERS.has(base)) {
			index += 1;
			skipOptions();
			if (words[index] === '--') index += 1;
		} else break;
	}
	const head = words[index] as string;
	const base = head.replace(/^.*\//, '');
	if (LINTERS.has(base) || (base === 'tsc' && words.includes('--noEmit'))) return { kind: 'lint', name: base };
	if (BROWSER_RUNNERS.has(base)) return { kind: 'browser', name: base };
	const runner = runnerOfPath(head);
	if (runner) return { kind: 'runner', runner, words: [head, ...runnerArguments(runner, words.slice(index + 1))], env };
	if ((base === 'node' || base === 'tsx' || base === 'ts-node' || base === 'ts-node-esm') && words.includes('--test')) {
		return { kind: 'runner', runner: 'node', words: [head, ...runnerArguments('node', words.slice(index + 1))], env };
	}
	if (base === 'node' || base === 'tsx' || base === 'ts-node') {
		// `node ./node_modules/vitest/dist/cli.js --run`: the runner is the script node starts.
		const script = words.slice(index + 1).findIndex((word) => !word.startsWith('-') && runnerOfPath(word));
		if (script >= 0) {
			const at = index + 1 + script;
			const inner = runnerOfPath(words[at] as string) as TestRunner;
			return { kind: 'runner', runner: inner, words: [...words.slice(index, at + 1), ...runnerArguments(inner, words.slice(at + 1))], env };
		}
	}
	return { kind: 'step', text };
}

/** A runner's own arguments without its file arguments and without the options the executor sets. */
function runnerArguments(runner: TestRunner, args: readonly string[]): string[] {
	const kept: string[] = [];
	for (let index = 0; index < args.length; index += 1) {
		const word = args[index] as string;
		if (word.startsWith('-')) {
			// A value never starts with a dash; `--ui` takes one only in mocha (vitest's opens its web UI: dropped).
			const next = args[index + 1];
			const takesValue =
				VALUE_OPTIONS.has(word) &&
				next !== undefined &&
				!next.startsWith('-') &&
				!(runner !== 'mocha' && (word === '--ui' || word === '-u'));
			if (DROPPED_OPTION.test(word) || (runner === 'vitest' && word === '--ui')) {
				if (takesValue) index += 1;
				continue;
			}
			kept.push(word);
			if (takesValue && args[index + 1] !== undefined) kept.push(args[(index += 1)] as string);
		} else if (runner === 'vitest' && (word === 'run' || word === 'watch' || word === 'dev')) continue;
		// Any other word is a file, folder or glob: the commit's test files take its place.
	}
	if (runner === 'vitest') kept.unshift('run');
	if (runner === 'node' && !kept.includes('--test')) kept.unshift('--test');
	return kept;
}

/** The commands a script runs, in order, every `npm run` / `run-s` expanded (npm's `pre` script first). */
function flatten(
	name: string,
	scripts: Record<string, unknown>,
	seen: Set<string>,
): Array<Segment | { kind: 'lint' | 'browser'; name: string }> {
	const script = scripts[name];
	if (typeof script !== 'string' || seen.has(name)) return [];
	const inner = new Set([...seen, name]);
	const pre = typeof scripts[`pre${name}`] === 'string' ? flatten(`pre${name}`, scripts, inner) : [];
	return [
		...pre,
		...splitScript(script).flatMap((text) => {
			const called = scriptsRun(splitCommandLine(text), scripts);
			return called === undefined ? [readCommand(text)] : called.flatMap((next) => flatten(next, scripts, inner));
		}),
	];
}

/**
 * The test command of a repository, read from its package.json the way its history ran the tests: the
 * `test` script with every script it runs expanded (`npm run`, `pnpm run`, `yarn`, `run-s`, `run-p`,
 * `npm-run-all`), linters and type checks left out (`xo && ava` runs ava), the first runner called
 * (through `c8`, `nyc`, `cross-env`, `npx`, `tsx` or a `node` loader) narrowed to the commit's test files,
 * and the steps before it (a build) kept. A script that calls no runner the executor reads runs whole,
 * judged by its exit code. Without a test script, the first runner among the dependencies. Otherwise why not.
 */
export function detectTestCommand(packageJsonText: string | undefined): TestCommand | CommandRefusal {
	if (packageJsonText === undefined) return { reason: 'no package.json' };
	let manifest: PackageJson;
	try {
		manifest = JSON.parse(packageJsonText) as PackageJson;
	} catch {
		return { reason: 'package.json is not valid JSON' };
	}
	const scripts = manifest.scripts !== null && typeof manifest.scripts === 'object' ? manifest.scripts : {};
	const script = scripts.test;
	if (typeof script !== 'string' || /no test specified/.test(script)) {
		const dependencies = { ...manifest.dependencies, ...manifest.devDependencies };
		for (const runner of ['vitest', 'jest', 'mocha', 'ava'] as const) {
			if (Object.hasOwn(dependencies, runner)) return { runner, command: [...DETECTED[runner]] };
		}
		return { reason: 'no test script' };
	}
	const segments = flatten('test', scripts, new Set());
	const at = segments.findIndex((segment) => segment.kind === 'runner' || segment.kind === 'browser');
	const found = segments[at];
	if (found?.kind === 'browser') return { reason: `browser tests (${found.name})` };
	const steps = segments.slice(0, at < 0 ? segments.length : at).filter((segment) => segment.kind === 'step') as Array<{ text: string }>;
	if (found === undefined || found.kind !== 'runner') {
		if (steps.length === 0) return { reason: segments.length === 0 ? 'empty test script' : 'the test script only lints' };
		// No runner the executor reads: the script's own commands, whole, judged by their exit code.
		return { runner: 'exit-code', command: ['sh', '-c', steps.map((step) => step.text).join(' && ')] };
	}
	const runnerWords = [...found.env, ...found.words];
	if (steps.length === 0 && found.env.length === 0) return { runner: found.runner, command: [...found.words, FILES_PLACEHOLDER] };
	if (steps.length === 0) return { runner: found.runner, command: ['env', ...runnerWords, FILES_PLACEHOLDER] };
	// Steps before the runner (a build the tests import from) run first, in a shell: no other way to chain.
	const line = [...steps.map((step) => step.text), `${runnerWords.map(shellQuote).join(' ')} "$@"`].join(' && ');
	return { runner: found.runner, command: ['sh', '-c', line, 'sh', FILES_PLACEHOLDER] };
}

/** True when a runner can be pointed at single test files (the others run their whole script). */
export function narrowsToFiles(command: TestCommand): boolean {
	return NAMES_FILES.has(command.runner) && command.command.includes(FILES_PLACEHOLDER);
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
		// Coverage off: a configuration that collects it (with thresholds, or a provider not installed) would
		// fail a run narrowed to a few files for reasons that have nothing to do with the code.
		case 'vitest':
			return {
				args: ['--reporter=json', `--outputFile=${reportPath}`, '--coverage.enabled=false'],
				target: { kind: 'file', path: reportPath },
			};
		case 'jest':
			return { args: ['--ci', '--json', `--outputFile=${reportPath}`, '--coverage=false'], target: { kind: 'file', path: reportPath } };
		case 'mocha':
			return { args: ['--reporter', 'json', '--reporter-option', `output=${reportPath}`], target: { kind: 'file', path: reportPath } };
		case 'ava':
			return { args: ['--tap'], target: { kind: 'stdout' } };
		case 'node':
			return { args: ['--test-reporter=tap', `--test-reporter-destination=${reportPath}`], target: { kind: 'file', path: reportPath } };
		case 'tap':
			return { args: ['--reporter=tap'], target: { kind: 'stdout' } };
		case 'tape':
		case 'uvu':
			return { args: [], target: { kind: 'stdout' } };
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
	// uvu takes a folder and a pattern of paths under it, not files: the pattern names exactly these.
	const named = runner === 'uvu' ? ['.', `^(${files.map((file) => file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`] : files;
	const argv = command.flatMap((word) => (word === FILES_PLACEHOLDER ? [...args, ...named] : [word]));
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
	/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](?:vitest|@vitest\/[^'"]*|jest|@jest\/[^'"]*|chai|mocha|ava|tap|tape|uvu|uvu\/assert|node:test|sinon)['"]/;

/**
 * Why an answer's source file would change how its tests judge it rather than what they test, or
 * undefined when it would not: it loads the test framework (and so could neuter its assertions). Such an
 * answer is not run: tests that pass on a rigged harness prove nothing.
 */
export function harnessImportReason(file: { path: string; content: string }): string | undefined {
	return HARNESS_IMPORT.test(file.content) ? `${file.path} loads a test framework` : undefined;
}
