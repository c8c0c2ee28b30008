import { z } from 'astro/zod';

/** How a test run was isolated: `bubblewrap` (no network, read-only outside its worktree, own pid namespace) or `none`. */
export const IsolationSchema = z.enum(['bubblewrap', 'none']);
export type Isolation = z.infer<typeof IsolationSchema>;

/**
 * The test runners whose machine-readable output the executor reads (`tap`: node-tap, `tape`: tape and its
 * TAP-printing kin, `uvu`: its summary); `exit-code` knows only pass or fail.
 */
export const TEST_RUNNERS = ['vitest', 'jest', 'mocha', 'ava', 'node', 'tap', 'tape', 'uvu', 'exit-code'] as const;
export const TestRunnerSchema = z.enum(TEST_RUNNERS);
/** A test runner the executor can read. */
export type TestRunner = z.infer<typeof TestRunnerSchema>;

/**
 * One run of a case's tests (implement-change): what ran, how it ended, and under which isolation.
 * `passed`: the command exited 0 and every test passed; `failed`: it ran and something failed (or the
 * answer could not be applied); `timeout`: cut off at `coder.test_timeout_s`; `error`: the environment
 * could not run it (no sandbox, dependencies, a runner that never started) — the harness's failure.
 */
export const ExecutionRecordSchema = z.strictObject({
	status: z.enum(['passed', 'failed', 'timeout', 'error']),
	/** Null when nothing ran. */
	isolation: IsolationSchema.nullable(),
	/** The runner whose report was read (`exit-code`: only the exit status). */
	runner: TestRunnerSchema,
	/** Test cases the runner reported, or null without a report. */
	tests: z.number().int().min(0).nullable(),
	passed: z.number().int().min(0).nullable(),
	failed: z.number().int().min(0).nullable(),
	/** Wall time of the test command (worktree and dependencies excluded), in ms; null when nothing ran. */
	duration_ms: z.number().min(0).nullable(),
	exit_code: z.number().int().nullable(),
	/** One line a person can act on ("7 of 7 tests passed", "cut off after 60 s", "refused ../x: leaves the worktree"). */
	detail: z.string(),
});
export type ExecutionRecord = z.infer<typeof ExecutionRecordSchema>;

/** The record of a run that never started: why, in `detail`, and nothing measured. */
export function notRunRecord(status: ExecutionRecord['status'], runner: TestRunner, detail: string): ExecutionRecord {
	return { status, isolation: null, runner, tests: null, passed: null, failed: null, duration_ms: null, exit_code: null, detail };
}
