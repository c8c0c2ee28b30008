import { describe, expect, it } from 'vitest';
import { type RetryClock, type RetryPolicy, nextWait, parseRetryAfter, retryPolicy, retryTransient } from '../../src/lib/run/retry.ts';

const policy: RetryPolicy = { retries: 5, initialMs: 1000, totalMs: 120_000 };
const busy = { reason: 'busy' as const };

/** A clock that never waits: sleeping moves its time forward, and every wait is written down. */
function fakeClock(random = () => 0.5, attemptMs = 0): RetryClock & { waits: number[]; time: () => number; tick(): void } {
	let time = 0;
	const waits: number[] = [];
	return {
		waits,
		time: () => time,
		tick: () => {
			time += attemptMs;
		},
		now: () => time,
		sleep: async (ms) => {
			waits.push(ms);
			time += ms;
		},
		random,
	};
}

describe('the back-off between retries', () => {
	it('doubles from the first wait, each scaled by a jitter factor in [0.5, 1)', () => {
		for (const [retry, base] of [
			[1, 1000],
			[2, 2000],
			[3, 4000],
			[4, 8000],
			[5, 16_000],
		] as const) {
			expect(nextWait(policy, retry, 0, busy, 0)).toBe(base * 0.5);
			expect(nextWait(policy, retry, 0, busy, 0.999_999)).toBeCloseTo(base, -1);
			expect(nextWait(policy, retry, 0, busy, 0.5)).toBe(base * 0.75);
		}
	});

	it('waits what the server asked with Retry-After instead, jitter or not', () => {
		expect(nextWait(policy, 1, 0, { reason: 'rate-limited', retryAfterMs: 7000 }, 0)).toBe(7000);
		expect(nextWait(policy, 4, 0, { reason: 'busy', retryAfterMs: 0 }, 0.9)).toBe(0);
	});

	it('gives up once the retries are used up', () => {
		expect(nextWait(policy, 5, 0, busy, 0)).toBeDefined();
		expect(nextWait(policy, 6, 0, busy, 0)).toBeUndefined();
		expect(nextWait({ ...policy, retries: 0 }, 1, 0, busy, 0)).toBeUndefined();
	});

	it('gives up when the wait would end past the total time, a Retry-After included', () => {
		expect(nextWait({ ...policy, totalMs: 10_000 }, 1, 9000, busy, 0)).toBe(500);
		expect(nextWait({ ...policy, totalMs: 10_000 }, 1, 9600, busy, 0)).toBeUndefined();
		expect(nextWait(policy, 1, 0, { reason: 'rate-limited', retryAfterMs: 121_000 }, 0)).toBeUndefined();
	});

	it('reads the policy in seconds', () => {
		expect(retryPolicy({ retries: 3, retry_initial_s: 0.5, retry_total_s: 30 })).toEqual({ retries: 3, initialMs: 500, totalMs: 30_000 });
	});

	it('reads Retry-After as seconds or as an HTTP date, and ignores anything else', () => {
		const now = Date.parse('2026-12-07T06:00:00Z');
		expect(parseRetryAfter('3', now)).toBe(3000);
		expect(parseRetryAfter(' 0 ', now)).toBe(0);
		expect(parseRetryAfter('Mon, 07 Dec 2026 06:00:05 GMT', now)).toBe(5000);
		expect(parseRetryAfter('Mon, 07 Dec 2026 05:59:00 GMT', now)).toBe(0);
		expect(parseRetryAfter('soon', now)).toBeUndefined();
		expect(parseRetryAfter('-1', now)).toBeUndefined();
		expect(parseRetryAfter(null, now)).toBeUndefined();
	});
});

describe('retrying an attempt', () => {
	it('retries a transient fault until the attempt succeeds, and returns only that attempt', async () => {
		const clock = fakeClock();
		const outcomes = ['busy', 'busy', 'answer'];
		const retried = await retryTransient(
			async () => outcomes.shift()!,
			(outcome) => (outcome === 'busy' ? busy : undefined),
			policy,
			clock,
		);
		expect(retried).toEqual({ outcome: 'answer', attempts: 3 });
		expect(clock.waits).toEqual([750, 1500]);
	});

	it('does not retry what is not transient', async () => {
		const clock = fakeClock();
		let attempts = 0;
		const retried = await retryTransient(
			async () => ++attempts,
			() => undefined,
			policy,
			clock,
		);
		expect(retried).toEqual({ outcome: 1, attempts: 1 });
		expect(clock.waits).toEqual([]);
	});

	it('stops after `retries` retries and says the fault it stopped on', async () => {
		const clock = fakeClock(() => 0);
		const seen: number[] = [];
		const retried = await retryTransient(
			async () => 'busy',
			() => busy,
			{ ...policy, retries: 3 },
			clock,
			{ onRetry: (_fault, waitMs, retry) => seen.push(retry, waitMs) },
		);
		expect(retried).toEqual({ outcome: 'busy', attempts: 4, exhausted: busy });
		expect(clock.waits).toEqual([500, 1000, 2000]);
		expect(seen).toEqual([1, 500, 2, 1000, 3, 2000]);
	});

	it('starts no retry whose wait would end past the total time, the attempts counted as well as the waits', async () => {
		// Each attempt takes 3 s: attempts end at 3, 6.5, 10.5 and 15.5 s after waits of 0.5, 1 and 2 s; a
		// fourth wait (4 s) would end past 15 s, so the fourth attempt is the last, started at 12.5 s.
		const clock = fakeClock(() => 0, 3000);
		const starts: number[] = [];
		const retried = await retryTransient(
			async () => {
				starts.push(clock.time());
				clock.tick();
				return 'busy';
			},
			() => busy,
			{ retries: 50, initialMs: 1000, totalMs: 15_000 },
			clock,
		);
		expect(retried.attempts).toBe(4);
		expect(retried.exhausted).toEqual(busy);
		expect(clock.waits).toEqual([500, 1000, 2000]);
		expect(starts).toEqual([0, 3500, 7500, 12_500]);
	});

	it('honours each Retry-After the server sends', async () => {
		const clock = fakeClock();
		const outcomes = [
			{ reason: 'rate-limited' as const, retryAfterMs: 4000 },
			{ reason: 'rate-limited' as const, retryAfterMs: 2000 },
			undefined,
		];
		const retried = await retryTransient(
			async () => outcomes.shift(),
			(outcome) => outcome,
			policy,
			clock,
		);
		expect(retried.attempts).toBe(3);
		expect(clock.waits).toEqual([4000, 2000]);
	});

	it('stops retrying when told to (the run is stopping)', async () => {
		const clock = fakeClock();
		let stop = false;
		const retried = await retryTransient(
			async () => {
				stop = true;
				return 'busy';
			},
			() => busy,
			policy,
			clock,
			{ stop: () => stop },
		);
		expect(retried).toEqual({ outcome: 'busy', attempts: 1, exhausted: busy });
		expect(clock.waits).toEqual([]);
	});
});
