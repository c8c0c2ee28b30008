import { describe, expect, it } from 'vitest';
import { computeMetrics } from '../../src/lib/metrics/compute-metrics.ts';
import { decideRun } from '../../src/lib/policy/decide-run.ts';
import { retirementProposals } from '../../src/lib/policy/propose-changes.ts';
import { notMeasured, notMeasuredLine, notRunLine, summarizeNotRun } from '../../src/lib/report/not-run.ts';
import { renderReport } from '../../src/lib/report/render-report.ts';
import type { CaseResult, HardFailureClass, NotRunCase, Report } from '../../src/lib/schema/report.ts';
import { caseResult } from '../../testing/case-result.ts';
import { answers, letters, metricsOf, model, policy, role } from './support.ts';

const catalog = [model('inc:1b', 'fam-a'), model('c1:1b', 'fam-b'), model('c2:1b', 'fam-c')];
const ids = (n: number) => Array.from({ length: n }, (_, index) => `c${String(index).padStart(3, '0')}`);

/** Not-run entries for `model` on the given case ids. */
const notRunOf = (modelId: string, caseIds: string[], why: Partial<NotRunCase> = {}): NotRunCase[] =>
	caseIds.map((case_id) => ({
		role: 'r',
		model: modelId,
		case_id,
		task: 'commit-message',
		severity: 'low',
		repeat: 0,
		reason: 'busy',
		stage: 'chat',
		message: 'HTTP 503: server busy, please try again.  maximum pending requests exceeded',
		attempts: 6,
		...why,
	}));

const manifest = { repeats: 1, models: [] } as unknown as Report['manifest'];

/** The pipeline's decision on role `r` from this run's results and cases not run. */
function decide(
	results: CaseResult[],
	notRun: NotRunCase[],
	extra: { cases?: number; history?: Parameters<typeof decideRun>[0]['history'] } = {},
) {
	const metrics = metricsOf(results);
	const summaries = summarizeNotRun(notRun);
	const notMeasuredHere = new Map<string, Map<string, string>>();
	for (const summary of notMeasured({ metrics, not_run: summaries }))
		notMeasuredHere.set(summary.role, (notMeasuredHere.get(summary.role) ?? new Map()).set(summary.model, notMeasuredLine(summary)));
	return decideRun({
		roles: [role('inc:1b', ['c1:1b', 'c2:1b'])],
		models: catalog,
		casesPerRole: new Map([['r', extra.cases ?? 10]]),
		metrics,
		results,
		policy: { ...policy, retirement: { all_hard_failures_runs: 1, missing_model_runs: 1 } },
		history: extra.history ?? [],
		manifest,
		notRun,
		notMeasured: notMeasuredHere,
	});
}

describe('metrics over the cases a model ran', () => {
	it('counts only the cases with a result: not in `cases`, not in the severity maximum', () => {
		const results = answers('c1:1b', 'AAARRRH'); // seven of ten cases ran
		const casesPerRole = new Map([['r', ids(10).map((id) => ({ id, severity: 'high' as const }))]]);
		const [row] = computeMetrics(results, casesPerRole, { low: 1, medium: 2, high: 3, critical: 5 }, 1);
		expect(row).toMatchObject({ cases: 7, accepted: 3, rejected: 3, hard_failures: 1 });
		expect(row!.acceptance_rate.value).toBeCloseTo(3 / 7, 4);
		expect(row!.hard_failure_rate.value).toBeCloseTo(1 / 7, 4);
		expect(row!.severity_weighted_pass).toEqual({ value: 9, max: 21, share: 0.4286 });
	});

	it('gives pass^k over the cases whose every repeat ran', () => {
		// Case c000 ran in both repeats and passed both; c001 ran only in the first repeat.
		const results = [...answers('c1:1b', 'AA|A')];
		const [row] = computeMetrics(
			results,
			new Map([['r', ids(2).map((id) => ({ id, severity: 'low' as const }))]]),
			{ low: 1, medium: 2, high: 3, critical: 5 },
			2,
		);
		expect(row!.pass_k).toBe(1);
		expect(row!.cases).toBe(2);
	});

	it('has no row for a model that ran nothing', () => {
		expect(computeMetrics([], new Map([['r', [{ id: 'c000', severity: 'low' }]]]), { low: 1, medium: 2, high: 3, critical: 5 }, 1)).toEqual(
			[],
		);
	});
});

describe('verdicts without the cases not run', () => {
	it('gives a challenger none of whose cases ran no verdict at all', () => {
		const results = [...answers('inc:1b', letters(10, 5)), ...answers('c2:1b', letters(10, 6))];
		const decision = decide(
			results,
			notRunOf('c1:1b', ids(10), {
				stage: 'load',
				reason: 'out-of-memory',
				message: 'loading c1:1b failed: HTTP 500: model requires more system memory (40.0 GiB) than is available (15.2 GiB)',
			}),
		);
		expect(decision.verdicts.map((verdict) => verdict.challenger)).toEqual(['c2:1b']);
		expect(decision.proposals.filter((proposal) => proposal.model === 'c1:1b')).toEqual([]);
	});

	it('says the incumbent was not measured when it never loaded, and judges no challenger against nothing', () => {
		const results = [...answers('c1:1b', letters(10, 9)), ...answers('c2:1b', letters(10, 6))];
		const decision = decide(results, notRunOf('inc:1b', ids(10), { stage: 'load' }));
		expect(decision.verdicts.map((verdict) => [verdict.challenger, verdict.outcome, verdict.reason])).toEqual([
			[
				'c1:1b',
				'insufficient evidence',
				'c1:1b cannot be judged: the incumbent inc:1b was not measured: load failed — server busy, please try again.  maximum pending requests exceeded',
			],
			[
				'c2:1b',
				'insufficient evidence',
				'c2:1b cannot be judged: the incumbent inc:1b was not measured: load failed — server busy, please try again.  maximum pending requests exceeded',
			],
		]);
		expect(decision.proposals).toEqual([]);
	});

	it('counts in the case gate only the cases both models ran', () => {
		// The role needs 8 cases; c1 ran 7 of 10 (three not run), the incumbent all 10.
		const results = [...answers('inc:1b', letters(10, 2)), ...answers('c1:1b', letters(7, 7)), ...answers('c2:1b', letters(10, 0))];
		const decision = decide(results, notRunOf('c1:1b', ids(10).slice(7)), {});
		const strict = { ...policy, evidence: { ...policy.evidence, min_cases_per_role: 8 } };
		const judged = decideRun({
			roles: [role('inc:1b', ['c1:1b', 'c2:1b'])],
			models: catalog,
			casesPerRole: new Map([['r', 10]]),
			metrics: metricsOf(results),
			results,
			policy: strict,
			history: [],
			manifest,
			notRun: notRunOf('c1:1b', ids(10).slice(7)),
		});
		const [c1, c2] = judged.verdicts;
		expect(c1).toMatchObject({
			outcome: 'insufficient evidence',
			reason: "c1:1b cannot be judged: 7 of the role's 10 case(s) ran for both it and inc:1b, the policy needs 8",
			more_evidence: { cases: 1 },
		});
		expect(c1!.gates[0]).toMatchObject({ gate: 'min_cases_per_role', challenger: 7, pass: false });
		expect(c2!.gates[0]).toMatchObject({ gate: 'min_cases_per_role', challenger: 10, pass: true });
		// With the policy's 3, it is judged, its gates on the 7 cases both ran.
		const acceptance = decision.verdicts[0]!.gates.find((gate) => gate.gate === 'acceptance_rate')!;
		expect(acceptance.detail).toBe('challenger better on 5 cases, incumbent on 0, 2 tied');
	});

	it('never lets a case the challenger did not run count in its favour', () => {
		// The incumbent failed hard on c000–c002; the challenger's were not run: no pair, no evidence.
		const results = [
			...answers('inc:1b', 'HHHAAAAAAA'),
			...answers('c1:1b', 'AAAAAAAAAA').filter((r) => !['c000', 'c001', 'c002'].includes(r.case_id)),
		];
		const decision = decide(results, notRunOf('c1:1b', ['c000', 'c001', 'c002']));
		const c1 = decision.verdicts.find((verdict) => verdict.challenger === 'c1:1b')!;
		expect(c1.gates.find((gate) => gate.gate === 'hard_failure_rate')!.detail).toBe('challenger better on 0 cases, incumbent on 0, 7 tied');
		expect(c1.gates.find((gate) => gate.gate === 'acceptance_rate')!.detail).toBe('challenger better on 0 cases, incumbent on 0, 7 tied');
	});
});

describe('retirement counts only the failures a model caused', () => {
	const rowOf = (failureClass: HardFailureClass) =>
		metricsOf(
			ids(4).map((case_id) =>
				caseResult({ role: 'r', model: 'c1:1b', case_id, outcome: 'hard-failure', failure_class: failureClass, quality: 0 }),
			),
		);

	it.each(['empty', 'length', 'unparseable', 'stall', 'timeout', 'server-error'] as const)(
		'proposes retiring a challenger whose every case failed hard: %s',
		(failureClass) => {
			const runs = [{ metrics: rowOf(failureClass), manifest, verdicts: [] }];
			expect(
				retirementProposals(role('inc:1b', ['c1:1b']), runs, {
					...policy,
					retirement: { all_hard_failures_runs: 1, missing_model_runs: 1 },
				}),
			).toEqual([{ kind: 'retire', role: 'r', model: 'c1:1b', reason: 'failed hard on every case in each of the last 1 run(s)' }]);
		},
	);

	it.each(['context-overflow', 'transport'] as const)('never for %s, which is not the model’s doing', (failureClass) => {
		const runs = [{ metrics: rowOf(failureClass), manifest, verdicts: [] }];
		expect(
			retirementProposals(role('inc:1b', ['c1:1b']), runs, { ...policy, retirement: { all_hard_failures_runs: 1, missing_model_runs: 1 } }),
		).toEqual([]);
	});

	it('never for a model not measured, however many runs', () => {
		const unmeasured = { metrics: metricsOf(answers('inc:1b', 'AAAA')), manifest, verdicts: [] };
		const runs = Array.from({ length: 12 }, () => unmeasured);
		for (const hardRuns of [1, 2, 5, 12])
			expect(
				retirementProposals(role('inc:1b', ['c1:1b']), runs, {
					...policy,
					retirement: { all_hard_failures_runs: hardRuns, missing_model_runs: hardRuns },
				}),
			).toEqual([]);
	});
});

describe('how the report says it', () => {
	const loadFailed = notRunOf('c1:1b', ids(12), {
		reason: 'out-of-memory',
		stage: 'load',
		attempts: 6,
		message: 'loading c1:1b failed: HTTP 500: model requires more system memory (40.0 GiB) than is available (15.2 GiB)',
	});
	const busy = [...notRunOf('c2:1b', ids(2)), ...notRunOf('c2:1b', ['c009'], { reason: 'reset', message: 'http://h: other side closed' })];

	it('sums up per role and model, with the server’s own words', () => {
		expect(summarizeNotRun([...busy, ...loadFailed])).toEqual([
			{
				role: 'r',
				model: 'c1:1b',
				count: 12,
				reasons: { 'out-of-memory': 12 },
				load_failed: true,
				message: 'model requires more system memory (40.0 GiB) than is available (15.2 GiB)',
			},
			{ role: 'r', model: 'c2:1b', count: 3, reasons: { busy: 2, reset: 1 }, load_failed: false, message: 'http://h: other side closed' },
		]);
	});

	it('writes "12 cases not run: server busy" and "not measured: load failed — …"', () => {
		const [c1, c2] = summarizeNotRun([...busy, ...loadFailed]);
		expect(notRunLine(summarizeNotRun(notRunOf('c2:1b', ids(12)))[0]!)).toBe('12 cases not run: server busy');
		expect(notRunLine(c2!)).toBe('3 cases not run: server busy 2, connection reset before the first token 1');
		expect(notMeasuredLine(c1!)).toBe(
			'not measured: load failed — model requires more system memory (40.0 GiB) than is available (15.2 GiB)',
		);
	});

	it('shows them in the body, and leaves a report of a run that ran everything as it was', () => {
		const metrics = metricsOf([...answers('inc:1b', 'AARH'), ...answers('c2:1b', 'AR')]);
		const base = {
			title: 'Local model benchmark 2026-11-26',
			date: '2026-11-26',
			manifest: {
				started_at: '2026-11-26T12:00:00.000Z',
				finished_at: '2026-11-26T12:01:00.000Z',
				harness: { commit: null, dirty: false },
				ollama: [],
				models: [],
				policy_hash: 'p'.repeat(64),
				cases_hash: 'c'.repeat(64),
				runtime: { name: 'node', version: '24' },
				repeats: 1,
				model_calls: 6,
				evidence_hash: 'e'.repeat(64),
				results_file: 'reports/x.results.json',
				graders: {},
			},
			metrics,
			verdicts: [],
			proposals: [],
			held_proposals: [],
			grader_validity: [],
		} satisfies Report;
		const plain = renderReport(base);
		expect(plain).not.toContain('not run');
		expect(plain).not.toContain('not_run');
		const text = renderReport({ ...base, not_run: summarizeNotRun([...busy, ...loadFailed]) });
		expect(text).toContain('**15 cases not run**');
		expect(text).toContain(
			'- c1:1b: not measured: load failed — model requires more system memory (40.0 GiB) than is available (15.2 GiB) (no metrics, no verdict)',
		);
		expect(text).toContain(
			'- c2:1b: 3 cases not run: server busy 2, connection reset before the first token 1 (the metrics above are over the cases it ran)',
		);
		expect(text).toMatch(/^not_run:\n {2}- count: 12\n/m);
	});
});
