import type { ExecutionRecord } from '../schema/execution.ts';

/**
 * One coder result's test run in a line: tests run, passed, failed, time and isolation
 * (`3 tests: 3 passed, 0 failed · 0.4 s · bubblewrap`). A run without a report says what happened instead.
 * Pure.
 */
export function executionText(execution: ExecutionRecord): string {
	const counts =
		execution.tests === null
			? execution.status === 'timeout'
				? 'timed out'
				: execution.status === 'error'
					? 'not run'
					: 'no test report'
			: `${execution.tests} test${execution.tests === 1 ? '' : 's'}: ${execution.passed ?? 0} passed, ${execution.failed ?? 0} failed`;
	const time = execution.duration_ms === null ? [] : [`${(execution.duration_ms / 1000).toFixed(1)} s`];
	const isolation = execution.isolation === null ? [] : [execution.isolation === 'none' ? 'no isolation' : execution.isolation];
	return [counts, ...time, ...isolation].join(' · ');
}
