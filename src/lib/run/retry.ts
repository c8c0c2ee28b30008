import type { RunOptions } from '../schema/policy.ts';
import type { NotRunReason } from '../schema/report.ts';

/** How transient server faults are retried: policy.yaml's `run.retries`, `run.retry_initial_s`, `run.retry_total_s`. */
export interface RetryPolicy {
	/** Most retries after the first attempt. */
	retries: number;
	/** The first wait, ms; each later one doubles. */
	initialMs: number;
	/** Longest one request may spend retrying, ms, from its first attempt, attempts and waits together: no retry starts later. */
	totalMs: number;
}

/** The clock retries run on; tests pass their own, so no test waits for real. */
export interface RetryClock {
	/** Milliseconds, monotonic. */
	now(): number;
	sleep(ms: number): Promise<void>;
	/** Uniform in [0, 1): the jitter. */
	random(): number;
}

/** A failure that is the server's state, not the model's answer: worth asking again. */
export interface TransientFault {
	reason: NotRunReason;
	/** The server's `Retry-After`, ms, when it sent one. */
	retryAfterMs?: number;
}

/** The retry policy of a run. */
export function retryPolicy(run: Pick<RunOptions, 'retries' | 'retry_initial_s' | 'retry_total_s'>): RetryPolicy {
	return { retries: run.retries, initialMs: run.retry_initial_s * 1000, totalMs: run.retry_total_s * 1000 };
}

/** Real time: `performance.now`, timers and `Math.random`. */
export const realClock: RetryClock = {
	now: () => performance.now(),
	sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
	random: () => Math.random(),
};

/**
 * How long to wait before retry number `retry` (1-based), or undefined when the request must give up:
 * the retries are used up, or the wait would end past the total time. The wait is the server's
 * `Retry-After` when it sent one, else exponential back-off with jitter — `initial × 2^(retry−1)`, scaled
 * by a random factor in [0.5, 1) so parallel slots refused together do not come back together. Pure.
 */
export function nextWait(policy: RetryPolicy, retry: number, elapsedMs: number, fault: TransientFault, random: number): number | undefined {
	if (retry > policy.retries) return undefined;
	const backoff = policy.initialMs * 2 ** (retry - 1) * (0.5 + random / 2);
	const wait = fault.retryAfterMs ?? backoff;
	return elapsedMs + wait > policy.totalMs ? undefined : wait;
}

/** Reads a `Retry-After` header: seconds, or an HTTP date (relative to `nowMs`, wall clock). Undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs = Date.now()): number | undefined {
	if (!value) return undefined;
	const text = value.trim();
	if (/^\d+$/.test(text)) return Number(text) * 1000;
	// An HTTP date names its weekday and month; a bare "-1" would otherwise parse as a year.
	if (!/[A-Za-z]/.test(text)) return undefined;
	const date = Date.parse(text);
	return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** What `retryTransient` ended with. */
export interface Retried<T> {
	/** The last attempt's outcome. */
	outcome: T;
	/** Attempts made, the first included. */
	attempts: number;
	/** Set when the last outcome was still a transient fault: the retries ran out (or `stop` said to stop). */
	exhausted?: TransientFault;
}

/**
 * Runs `attempt` until its outcome is not a transient fault, retrying with `nextWait`'s back-off while the
 * policy allows. `transientOf` says whether an outcome is worth retrying (it may probe the server first);
 * `stop` ends the retries early (the run is stopping). Only the attempts' own outcomes are returned: the
 * waits are never part of what an attempt measured.
 */
export async function retryTransient<T>(
	attempt: () => Promise<T>,
	transientOf: (outcome: T) => TransientFault | undefined | Promise<TransientFault | undefined>,
	policy: RetryPolicy,
	clock: RetryClock,
	hooks: { onRetry?: (fault: TransientFault, waitMs: number, retry: number) => void; stop?: () => boolean } = {},
): Promise<Retried<T>> {
	const started = clock.now();
	for (let attempts = 1; ; attempts++) {
		const outcome = await attempt();
		const fault = await transientOf(outcome);
		if (!fault) return { outcome, attempts };
		const wait = hooks.stop?.() ? undefined : nextWait(policy, attempts, clock.now() - started, fault, clock.random());
		if (wait === undefined) return { outcome, attempts, exhausted: fault };
		hooks.onRetry?.(fault, wait, attempts);
		await clock.sleep(wait);
	}
}
