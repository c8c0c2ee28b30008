import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { hashOf } from '../files/stable-json.ts';
import { writeFileAtomic } from '../files/write-atomic.ts';
import { type ExecutionRecord, ExecutionRecordSchema, type Isolation, notRunRecord } from '../schema/execution.ts';
import type { CoderSettings } from '../schema/policy.ts';
import { type InstallStats, prepareDependencies } from './dependencies.ts';
import { dependencyPlan, lockHashOf, MANIFEST_FILES, type ManifestFiles } from './package-managers.ts';
import { mochaJsonFromStdout, parseTestOutput, type TestCounts } from './parse-test-output.ts';
import { probeBubblewrap, runSandboxed } from './sandbox.ts';
import { expandCommand, type TestRunner } from './test-runners.ts';
import { createWorktree, removeStaleWorktrees, removeTree, WORKTREES_DIR, type WorktreeFile, writeWorktreeFiles } from './worktree.ts';

/** Bump when what a run means changes: every cached execution is then run again. */
export const EXECUTOR_VERSION = 1;

/** Where executions and dependency installs are cached, relative to the project root (ignored by git). */
export const EXECUTE_CACHE_DIR = '.cache/execute';

/** One test run to make: a tree, files over it, and the command on some test files. */
export type ExecutionRequest = {
	/** The commit whose tree the worktree holds. */
	rev: string;
	/** Written over the tree in order (later wins): the answer's files, then the commit's test files. */
	files: WorktreeFile[];
	runner: TestRunner;
	/** Command template with `{files}`. */
	command: string[];
	/** The test files the command runs. */
	run: string[];
};

/** A run's record plus what only the caller needs: whether it came from the cache, whether a report was read, the output's tail. */
export type Execution = ExecutionRecord & {
	/** True when the result came from the execution cache rather than a run now. */
	cached: boolean;
	/** The runner wrote a report the executor could read. */
	reported: boolean;
	/** Last lines of the output, for error messages. */
	outputTail: string;
};

/** Runs tests of model-written or historical code in throwaway worktrees, isolated, cached. */
export type Executor = {
	/** The isolation every run gets, or null when tests will not run at all. */
	isolation: Isolation | null;
	/** One line for the log: which isolation, limits, and why not when nothing runs. */
	description: string;
	/** Why results of this executor may not back a promotion, or undefined when they may. */
	promotionBlock: string | undefined;
	execute(request: ExecutionRequest): Promise<Execution>;
	/**
	 * Since the executor was made: test runs made (and their time, in ms), cached results used, and what
	 * installing dependencies cost.
	 */
	stats: { executed: number; cached: number; runMs: number; installs: InstallStats };
};

/** What an executor needs: the project, the repository of the cases, the settings and a logger. */
export type ExecutorOptions = {
	projectRoot: string;
	settings: CoderSettings;
	log: (message: string) => void;
	/** False to run everything again. @default true */
	useCache?: boolean;
	/** Test runs at once. @default 1 */
	parallel?: number;
	/** Where results and installs are cached. @default `<projectRoot>/.cache/execute` */
	cacheDir?: string;
	/** Where worktrees go. @default `WORKTREES_DIR` */
	worktreesDir?: string;
};

function tail(text: string, lines = 5): string {
	return text.trim().split('\n').slice(-lines).join('\n');
}

function gitShow(repo: string, rev: string, file: string): string | undefined {
	const shown = spawnSync('git', ['show', `${rev}:${file}`], { cwd: repo, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
	return shown.status === 0 ? shown.stdout : undefined;
}

/**
 * The runner's report file: absent when the runner died before writing it (the run's own output then
 * tells why); any other failure to read it is the harness's problem and surfaces with the path.
 */
async function readReportFile(file: string): Promise<string | undefined> {
	try {
		return await readFile(file, 'utf8');
	} catch (cause) {
		if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		throw new Error(`Failed to read the test runner's report ${file}.`, { cause });
	}
}

function plural(count: number, word: string): string {
	return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** The status and one-line detail of a finished run. Pure. */
export function judgeRun(
	runner: TestRunner,
	run: { exitCode: number | null; timedOut: boolean; timeoutMs: number; spawnError?: string },
	counts: TestCounts | undefined,
	outputTail: string,
): { status: ExecutionRecord['status']; detail: string } {
	if (run.spawnError) return { status: 'error', detail: `the test command did not start: ${run.spawnError}` };
	if (run.timedOut)
		return {
			status: 'timeout',
			detail: `cut off after ${run.timeoutMs / 1000} s${counts ? ` (${counts.passed} of ${counts.total} tests passed by then)` : ''}`,
		};
	if (counts === undefined) {
		if (runner === 'exit-code')
			return run.exitCode === 0
				? { status: 'passed', detail: 'the test command exited 0' }
				: { status: 'failed', detail: `the test command exited ${run.exitCode}` };
		const last = outputTail.split('\n').at(-1) ?? '';
		return { status: 'failed', detail: `no ${runner} report (exit ${run.exitCode})${last ? `: ${last.slice(0, 200)}` : ''}` };
	}
	if (counts.total === 0) return { status: 'failed', detail: `no test ran (exit ${run.exitCode})` };
	if (counts.failed === 0 && run.exitCode === 0)
		return { status: 'passed', detail: `${counts.passed} of ${plural(counts.total, 'test')} passed` };
	return {
		status: 'failed',
		detail: `${counts.passed} of ${plural(counts.total, 'test')} passed, ${counts.failed} failed (exit ${run.exitCode})`,
	};
}

/** A small semaphore: test runs are heavy, so only `limit` run at once whatever the caller's concurrency. */
function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
	let active = 0;
	const waiting: Array<() => void> = [];
	return async (task) => {
		if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
		active += 1;
		try {
			return await task();
		} finally {
			active -= 1;
			waiting.shift()?.();
		}
	};
}

/**
 * Makes the executor: checks which isolation the settings allow here (and says so once), removes worktrees a
 * killed run left behind, and returns the service that runs tests. A run never touches the project tree:
 * the worktree is a fresh `git archive` of the commit in a temporary folder, removed after every run —
 * after a timeout or a failure too.
 */
export async function createExecutor(options: ExecutorOptions): Promise<Executor> {
	const { settings, projectRoot } = options;
	const repository = path.resolve(projectRoot, settings.repository);
	const cacheDir = options.cacheDir ?? path.join(projectRoot, EXECUTE_CACHE_DIR);
	const worktreesDir = options.worktreesDir ?? WORKTREES_DIR;
	const stale = await removeStaleWorktrees(worktreesDir);
	if (stale > 0) options.log(`removed ${plural(stale, 'stale worktree')} of an interrupted run`);

	let isolation: Isolation | null;
	let description: string;
	let promotionBlock: string | undefined;
	const limits = `time limit ${settings.test_timeout_s} s, memory limit ${settings.memory_mb} MB`;
	if (settings.sandbox === 'none') {
		isolation = 'none';
		description = `coder tests run WITHOUT isolation (coder.sandbox: none): model-written code runs with this user's rights and network; ${limits}`;
		promotionBlock = 'coder tests ran without a sandbox (coder.sandbox: none): results cannot back a promotion';
	} else {
		const probe = probeBubblewrap();
		if (probe.usable) {
			isolation = 'bubblewrap';
			description = `coder tests run in bubblewrap: no network, read-only outside the worktree, own pid namespace; ${limits}`;
			promotionBlock = undefined;
		} else {
			isolation = null;
			description = `coder tests are NOT run: no usable sandbox (${probe.reason}); set coder.sandbox: none in policy.yaml to run them unisolated (no promotion then)`;
			promotionBlock = `coder tests were not run: no usable sandbox (${probe.reason})`;
		}
	}
	options.log(description);

	const stats = { executed: 0, cached: 0, runMs: 0, installs: { made: 0, ms: 0, linked: 0, refused: 0 } };
	const limit = limiter(options.parallel ?? 1);
	const resultsDir = path.join(cacheDir, 'results');

	async function readCached(key: string): Promise<Execution | undefined> {
		try {
			const parsed = ExecutionRecordSchema.safeParse(JSON.parse(await readFile(path.join(resultsDir, `${key}.json`), 'utf8')));
			return parsed.success ? { ...parsed.data, cached: true, reported: parsed.data.tests !== null, outputTail: '' } : undefined;
		} catch {
			return undefined;
		}
	}

	function notRun(request: ExecutionRequest, status: ExecutionRecord['status'], detail: string): Execution {
		return { ...notRunRecord(status, request.runner, detail), cached: false, reported: false, outputTail: '' };
	}

	async function runOnce(request: ExecutionRequest, activeIsolation: Isolation): Promise<Execution> {
		let worktree: string;
		try {
			worktree = await createWorktree(repository, request.rev, worktreesDir);
		} catch (error) {
			return notRun(request, 'error', `no worktree at ${request.rev.slice(0, 12)}: ${(error as Error).message}`);
		}
		try {
			const refused = await writeWorktreeFiles(worktree, request.files);
			if (refused.length > 0) {
				const first = refused[0] as { path: string; reason: string };
				return notRun(
					request,
					'failed',
					`not run: the answer's path '${first.path}' ${first.reason}${refused.length > 1 ? ` (and ${refused.length - 1} more)` : ''}`,
				);
			}
			const dependencies = await prepareDependencies(worktree, {
				projectRoot,
				cacheDir: path.join(cacheDir, 'deps'),
				install: settings.install,
				installTimeoutMs: settings.install_timeout_s * 1000,
				isolation: activeIsolation,
				log: options.log,
				date: commitDate(request.rev),
				stats: stats.installs,
			});
			if (!dependencies.ok) return notRun(request, 'error', `dependencies: ${dependencies.reason}`);
			const reportPath = path.join(worktree, '.lmb-test-report');
			const { argv, target } = expandCommand(request.command, request.runner, request.run, reportPath);
			const home = activeIsolation === 'bubblewrap' ? '/tmp' : path.join(worktree, '.lmb-home');
			const timeoutMs = settings.test_timeout_s * 1000;
			const ran = await runSandboxed({
				cwd: worktree,
				argv,
				// A project (or cache) under /tmp would be hidden by the sandbox's private /tmp: the worktree's
				// packages link into them. The install cache may itself be a link to one shared with other
				// checkouts (the demo's scratch clone uses the project's): its target is bound too.
				readable: [projectRoot, cacheDir, path.join(cacheDir, 'deps'), ...dependencies.roots],
				// Nothing of the harness's environment (API keys, tokens) reaches model-written code.
				env: {
					PATH: `${path.join(worktree, 'node_modules', '.bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
					HOME: home,
					TMPDIR: activeIsolation === 'bubblewrap' ? '/tmp' : path.join(worktree, '.lmb-tmp'),
					CI: '1',
					NO_COLOR: '1',
					FORCE_COLOR: '0',
					TZ: 'UTC',
					LANG: 'C.UTF-8',
					npm_config_cache: path.join(home, '.npm'),
					npm_config_update_notifier: 'false',
				},
				timeoutMs,
				memoryMb: settings.memory_mb,
				isolation: activeIsolation,
			});
			stats.executed += 1;
			stats.runMs += ran.durationMs;
			let report: string | undefined;
			if (target?.kind === 'file') report = await readReportFile(target.path);
			else if (target?.kind === 'stdout') report = ran.stdout;
			// Mocha before 9.2 prints its JSON report instead of writing it.
			if (report === undefined && request.runner === 'mocha') report = mochaJsonFromStdout(ran.stdout);
			const counts = parseTestOutput(request.runner, report);
			const outputTail = tail(`${ran.stdout}\n${ran.stderr}`);
			const judged = judgeRun(request.runner, { ...ran, timeoutMs }, counts, tail(ran.stderr || ran.stdout, 1));
			return {
				status: judged.status,
				isolation: activeIsolation,
				runner: request.runner,
				tests: counts?.total ?? null,
				passed: counts?.passed ?? null,
				failed: counts?.failed ?? null,
				duration_ms: ran.durationMs,
				exit_code: ran.exitCode,
				detail: judged.detail,
				cached: false,
				reported: counts !== undefined,
				outputTail,
			};
		} finally {
			await removeTree(worktree);
		}
	}

	// A commit's lockfile never changes: read once per commit, not for every answer (a cached one too) —
	// `git show` blocks the event loop while it runs. An npm lockfile is named by its hash alone (as it
	// always was, so results cached before other managers were supported stay valid); any other install by
	// its manager, version and lockfile.
	const lockHashes = new Map<string, string | null>();
	const lockHashAt = (rev: string): string | null => {
		let hash = lockHashes.get(rev);
		if (hash === undefined) {
			const files: ManifestFiles = {};
			for (const name of MANIFEST_FILES) files[name] = gitShow(repository, rev, name);
			const plan = files['package.json'] === undefined ? undefined : dependencyPlan(files);
			const npmLock = files['package-lock.json'];
			if (
				npmLock !== undefined &&
				(plan === undefined || ('manager' in plan && plan.lockfileName === 'package-lock.json' && plan.version === 'system'))
			)
				hash = lockHashOf(npmLock);
			else hash = plan === undefined ? null : 'key' in plan ? plan.key : `refused: ${plan.reason}`;
			lockHashes.set(rev, hash);
		}
		return hash;
	};
	const commitDates = new Map<string, string | undefined>();
	const commitDate = (rev: string): string | undefined => {
		if (!commitDates.has(rev)) {
			const shown = spawnSync('git', ['log', '-1', '--format=%cI', rev], { cwd: repository, encoding: 'utf8' });
			commitDates.set(rev, shown.status === 0 ? shown.stdout.trim() || undefined : undefined);
		}
		return commitDates.get(rev);
	};

	return {
		isolation,
		description,
		promotionBlock,
		stats,
		async execute(request) {
			if (isolation === null) return notRun(request, 'error', `not run: ${promotionBlock ?? 'no sandbox'}`);
			const activeIsolation = isolation;
			const lock = lockHashAt(request.rev);
			// What a run's result depends on: the code, the tests, the command, and the environment it ran in.
			const key = hashOf({
				version: EXECUTOR_VERSION,
				rev: request.rev,
				files: request.files,
				runner: request.runner,
				command: request.command,
				run: request.run,
				environment: {
					isolation: activeIsolation,
					memory_mb: settings.memory_mb,
					test_timeout_s: settings.test_timeout_s,
					lock,
				},
			});
			if (options.useCache ?? true) {
				const cached = await readCached(key);
				if (cached) {
					stats.cached += 1;
					return cached;
				}
			}
			const execution = await limit(() => runOnce(request, activeIsolation));
			// Environment errors are not cached: the next build tries again, as with failed model calls.
			if (execution.status !== 'error') {
				const { reported: _reported, outputTail: _tail, cached: _cached, ...record } = execution;
				await writeFileAtomic(path.join(resultsDir, `${key}.json`), `${JSON.stringify(record, null, 2)}\n`);
			}
			return execution;
		},
	};
}
