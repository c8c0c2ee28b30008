import { describe, expect, it } from 'vitest';
import { costSummary } from '../../src/lib/metrics/cost.ts';
import { casesPerMonth, routeRole, type RouteInput, withEscalation } from '../../src/lib/policy/route-role.ts';
import type { CaseResult } from '../../src/lib/schema/report.ts';
import { caseResult } from '../../testing/case-result.ts';
import { referenceBounds, referenceDecision } from '../metrics/paired-reference.ts';

const LOCAL = 'llama3.1:8b';
const FRONTIER = 'claude-sonnet-4-5';

/** Paired results: `both` accepted by both, then only the frontier, only local, neither. */
function pairs(both: number, onlyFrontier: number, onlyLocal: number, neither: number): { local: CaseResult[]; frontier: CaseResult[] } {
	const rows: [boolean, boolean][] = [
		...Array.from({ length: both }, (): [boolean, boolean] => [true, true]),
		...Array.from({ length: onlyFrontier }, (): [boolean, boolean] => [true, false]),
		...Array.from({ length: onlyLocal }, (): [boolean, boolean] => [false, true]),
		...Array.from({ length: neither }, (): [boolean, boolean] => [false, false]),
	];
	const outcome = (accepted: boolean) => (accepted ? 'accepted' : 'rejected');
	return {
		frontier: rows.map(([f], index) =>
			caseResult({
				model: FRONTIER,
				case_id: `c${index}`,
				outcome: outcome(f),
				eval_count: 100,
				prompt_eval_count: 1000,
				latency_ms: 2000,
			}),
		),
		local: rows.map(([, l], index) =>
			caseResult({ model: LOCAL, case_id: `c${index}`, outcome: outcome(l), eval_duration_ns: 3.6e9, load_ms: 0, latency_ms: 4000 }),
		),
	};
}

/** A route input with the frontier priced at $0.01 a case and the local model free, 40 cases a month. */
function input(table: ReturnType<typeof pairs>, overrides: Partial<RouteInput> = {}): RouteInput {
	return {
		role: 'draft',
		incumbent: LOCAL,
		baseline: FRONTIER,
		answeredBy: `${FRONTIER}-20250929`,
		skipped: null,
		local: table.local,
		frontier: table.frontier,
		roleCases: table.local.length,
		sampled: table.frontier.length,
		notScored: 0,
		cost: {
			local: costSummary(
				table.local,
				() => 0,
				() => 0.001,
			),
			frontier: costSummary(table.frontier, () => 0.01),
		},
		casesPerMonth: 40,
		margin: 0.05,
		alpha: 0.05,
		...overrides,
	};
}

describe('routeRole', () => {
	it('keeps a near-tie over many cases local, and says what that saves', () => {
		const table = pairs(150, 6, 5, 39);
		expect(referenceDecision({ both: 150, onlyFirst: 6, onlySecond: 5, neither: 39 }, 0.05)).toBe('non-inferior');
		const verdict = routeRole(input(table));
		expect(verdict.route).toBe('local');
		expect(verdict.outcome).toBe('stay local');
		expect(verdict.cases).toBe(200);
		const upper = referenceBounds({ both: 150, onlyFirst: 6, onlySecond: 5, neither: 39 }).high;
		expect(verdict.difference!.high).toBeCloseTo(upper, 3);
		expect(verdict.reason).toBe(
			`stays local: ${LOCAL} is within 5 points of ${FRONTIER}-20250929 on 200 cases (upper bound ${(verdict.difference!.high * 100).toFixed(1)} points), saves $1.00 per 100 draft cases`,
		);
	});

	it('sends a large gap to the frontier, with its cost per accepted answer and per month', () => {
		const table = pairs(20, 30, 1, 9);
		expect(referenceDecision({ both: 20, onlyFirst: 30, onlySecond: 1, neither: 9 }, 0.05)).toBe('superior');
		const verdict = routeRole(input(table));
		expect(verdict.route).toBe('frontier');
		expect(verdict.outcome).toBe('frontier is better');
		// 60 cases at $0.01, 50 accepted: $0.012 per accepted answer; 40 cases a month at $0.01 more each.
		expect(verdict.cost.frontier!.usd_per_accepted).toBeCloseTo(0.012, 9);
		expect(verdict.frontier_extra_usd_per_month).toBe(0.4);
		expect(verdict.reason).toContain('$0.0120 per accepted answer, about $0.40 more per month');
	});

	it('holds on three cases and says how many more would settle it', () => {
		const table = pairs(2, 1, 0, 0);
		expect(referenceDecision({ both: 2, onlyFirst: 1, onlySecond: 0, neither: 0 }, 0.05)).toBe('undecided');
		const verdict = routeRole(input(table));
		expect(verdict.route).toBe('hold');
		expect(verdict.outcome).toBe('hold: not enough evidence');
		expect(verdict.more_cases).toBeGreaterThan(3);
		expect(verdict.reason).toContain(`about ${verdict.more_cases} cases in all would settle it`);
	});

	it('says no baseline when the role names none, or the baseline answered nothing, and why', () => {
		const table = pairs(5, 0, 0, 0);
		const none = routeRole(
			input(
				{ local: table.local, frontier: [] },
				{ baseline: undefined, cost: { local: costSummary(table.local, () => 0), frontier: null } },
			),
		);
		expect(none).toMatchObject({ route: 'none', outcome: 'no baseline', baseline: null });
		const skipped = routeRole(input({ local: table.local, frontier: [] }, { skipped: 'baseline skipped: no ANTHROPIC_API_KEY' }));
		expect(skipped).toMatchObject({ route: 'none', outcome: 'no baseline', reason: 'no baseline: baseline skipped: no ANTHROPIC_API_KEY' });
	});

	it('pairs only the cases both answered: a case only one side has does not count', () => {
		const table = pairs(150, 6, 5, 39);
		const verdict = routeRole(input({ local: table.local, frontier: table.frontier.slice(0, 100) }));
		expect(verdict.cases).toBe(100);
	});

	it('shows "price not set" rather than a cost of 0 when the frontier has no price', () => {
		const table = pairs(20, 30, 1, 9);
		const verdict = routeRole(
			input(table, { cost: { local: costSummary(table.local, () => 0), frontier: costSummary(table.frontier, () => null) } }),
		);
		expect(verdict.cost.frontier!.usd).toBeNull();
		expect(verdict.cost.frontier!.usd_per_accepted).toBeNull();
		expect(verdict.frontier_extra_usd_per_month).toBeNull();
		expect(verdict.reason).toContain('cost: price not set');
	});
});

describe('withEscalation', () => {
	// Alone, the local model trails by far; with its rejections escalated it accepts what the frontier does.
	const alone = () => routeRole(input(pairs(20, 30, 1, 9), { role: 'review' }));
	const escalated = () => routeRole(input(pairs(150, 6, 5, 39), { role: 'review' }));

	it('answers "local, escalate rejections" when escalating closes the gap and costs less than sending every case out', () => {
		const verdict = withEscalation(alone(), escalated(), 0.002);
		expect(verdict).toMatchObject({ route: 'local', outcome: 'local, escalate rejections', more_cases: null });
		expect(verdict.reason).toMatch(/^stays local, escalating rejections: llama3\.1:8b with the escalation chain is within 5 points/);
		expect(verdict.reason).toContain('$0.0020 per case against $0.0100 for sending every case out');
		expect(verdict.with_escalation!.pairs).toEqual({ both: 150, only_frontier: 6, only_local: 5, neither: 39 });
	});

	it('keeps the frontier when escalating costs more per case than the frontier itself', () => {
		expect(withEscalation(alone(), escalated(), 0.02)).toMatchObject({ route: 'frontier', outcome: 'frontier is better' });
	});

	it('keeps the verdict when escalation does not close the gap, or the local model stays local alone', () => {
		expect(withEscalation(alone(), alone(), 0.001).route).toBe('frontier');
		expect(withEscalation(escalated(), escalated(), 0.001).outcome).toBe('stay local');
	});
});

describe('casesPerMonth', () => {
	it('counts cases per 30 days over the span of their author dates', () => {
		expect(casesPerMonth(['2026-01-01T00:00:00Z', '2026-01-31T00:00:00Z', '2026-01-16T00:00:00Z'])).toBe(3);
		expect(casesPerMonth(['2026-01-01T00:00:00Z'])).toBeNull();
	});
});
