import type { TestRunner } from './test-runners.ts';

/** What a test run reported: test cases run, passed and failed (a file that failed to load counts as one failure). */
export type TestCounts = { total: number; passed: number; failed: number };

function count(value: unknown): number {
	return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0;
}

/**
 * Vitest's and Jest's `--json` report (the same shape). A test file that failed before any test ran (a
 * syntax error, a missing export) has no assertion results: it counts as one failed test, so an answer
 * that breaks the build can never look like a clean run.
 */
export function parseJestJson(text: string): TestCounts | undefined {
	let report: Record<string, unknown>;
	try {
		report = JSON.parse(text) as Record<string, unknown>;
	} catch {
		return undefined;
	}
	if (report === null || typeof report !== 'object' || !('numTotalTests' in report)) return undefined;
	const files = Array.isArray(report.testResults) ? (report.testResults as Array<Record<string, unknown>>) : [];
	// A file that failed with no failed test (a syntax error, a missing export, a failing beforeAll that
	// skipped its tests) counts as one failure.
	const brokenFiles = files.filter((file) => {
		if (file?.status !== 'failed') return false;
		const assertions = Array.isArray(file.assertionResults) ? (file.assertionResults as Array<{ status?: unknown }>) : [];
		return !assertions.some((assertion) => assertion?.status === 'failed');
	}).length;
	const passed = count(report.numPassedTests);
	const failed = count(report.numFailedTests) + brokenFiles;
	return { total: passed + failed, passed, failed };
}

/** Mocha's `json` reporter: `stats.passes` and `stats.failures` (pending tests are neither). */
export function parseMochaJson(text: string): TestCounts | undefined {
	let report: { stats?: Record<string, unknown> };
	try {
		report = JSON.parse(text) as { stats?: Record<string, unknown> };
	} catch {
		return undefined;
	}
	if (!report?.stats || typeof report.stats !== 'object') return undefined;
	const passed = count(report.stats.passes);
	const failed = count(report.stats.failures);
	return { total: passed + failed, passed, failed };
}

/**
 * TAP from `node --test` and `ava --tap`: the `# pass` and `# fail` summary lines (node's `# cancelled`, a
 * test cut off by a failing file or a timeout, counts as failed). Without a summary, the top-level
 * `ok` / `not ok` lines. Undefined when the text holds no TAP at all.
 */
export function parseTap(text: string): TestCounts | undefined {
	const summary = (name: string): number | undefined => {
		const match = new RegExp(`^# ${name}\\s+(\\d+)\\s*$`, 'm').exec(text);
		return match ? Number(match[1]) : undefined;
	};
	const pass = summary('pass');
	// tape prints no `# fail` line when nothing failed, but `# ok`.
	const fail = summary('fail') ?? (pass !== undefined && /^# ok\s*$/m.test(text) ? 0 : undefined);
	if (pass !== undefined && fail !== undefined) {
		const failed = fail + (summary('cancelled') ?? 0);
		return { total: pass + failed, passed: pass, failed };
	}
	const lines = text.split('\n');
	const passed = lines.filter((line) => /^ok \d+/.test(line)).length;
	const failed = lines.filter((line) => /^not ok \d+/.test(line)).length;
	if (passed + failed === 0) return undefined;
	return { total: passed + failed, passed, failed };
}

/** uvu's summary (`Total: 3`, `Passed: 2`, `Skipped: 1`): a test neither passed nor skipped failed. */
export function parseUvu(text: string): TestCounts | undefined {
	const field = (name: string): number | undefined => {
		const match = new RegExp(`^\\s*${name}:\\s+(\\d+)\\s*$`, 'm').exec(text);
		return match ? Number(match[1]) : undefined;
	};
	const total = field('Total');
	const passed = field('Passed');
	if (total === undefined || passed === undefined) return undefined;
	const skipped = field('Skipped') ?? 0;
	const failed = Math.max(0, total - passed - skipped);
	return { total: passed + failed, passed, failed };
}

/**
 * The JSON document mocha's `json` reporter printed on standard output (mocha before 9.2 cannot write it to
 * a file): from the first line that is only `{` to the end, or undefined.
 */
export function mochaJsonFromStdout(stdout: string): string | undefined {
	const start = /^\{\s*$/m.exec(stdout);
	return start ? stdout.slice(start.index) : undefined;
}

/** The counts in a runner's report, or undefined when the report is missing or unreadable (the run did not get that far). */
export function parseTestOutput(runner: TestRunner, report: string | undefined): TestCounts | undefined {
	if (report === undefined || report.trim() === '') return undefined;
	switch (runner) {
		case 'vitest':
		case 'jest':
			return parseJestJson(report);
		case 'mocha':
			return parseMochaJson(report);
		case 'ava':
		case 'node':
		case 'tap':
		case 'tape':
			return parseTap(report);
		case 'uvu':
			return parseUvu(report);
		case 'exit-code':
			return undefined;
	}
}
