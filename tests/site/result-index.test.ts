import { describe, expect, it } from 'vitest';
import type { CaseResult } from '../../src/lib/schema/report.ts';
import {
	createInterner,
	historyByCase,
	historyWithNewest,
	newestResultsByCase,
	newestRuns,
	summarizeResult,
} from '../../src/lib/site/result-index.ts';
import { run } from './fixtures.ts';
import { caseResult } from '../../testing/case-result.ts';

const result = (caseId: string, model: string, outcome: CaseResult['outcome'] = 'accepted', repeat = 0): CaseResult =>
	caseResult({
		model,
		case_id: caseId,
		repeat,
		outcome,
		failure_class: outcome === 'hard-failure' ? 'timeout' : null,
		failure_message: outcome === 'hard-failure' ? 'too slow' : null,
		checks: [{ name: 'subject-well-formed', required: true, pass: outcome === 'accepted', detail: 'a long explanation' }],
		quality: outcome === 'accepted' ? 0.9 : 0.2,
		output: `the answer of ${model} to ${caseId}`,
		latency_ms: 1200,
		ttft_ms: 100,
		eval_count: 40,
		eval_duration_ns: 1e9,
		prompt_eval_count: 600,
		cache_key: 'k',
	});

const r1 = run('local-model-benchmark-2026-01-05', '2026-01-05');
const r2 = run('local-model-benchmark-2026-01-12', '2026-01-12');
const r3 = run('local-model-benchmark-2026-01-19', '2026-01-19');

describe('the result index of the site', () => {
	it('summarizes a result without its answer, checks or timings', () => {
		const summary = summarizeResult(result('a', 'x:1b', 'hard-failure'));
		expect(summary).toEqual({
			role: 'draft',
			model: 'x:1b',
			case_id: 'a',
			task: 'commit-message',
			severity: 'low',
			repeat: 0,
			outcome: 'hard-failure',
			failure_class: 'timeout',
			quality: 0.2,
			latency_ms: 1200,
		});
		expect(summary).not.toHaveProperty('output');
		const execution = {
			status: 'passed',
			tests: 3,
			passed: 3,
			failed: 0,
			duration_ms: 400,
			isolation: 'bubblewrap',
			detail: 'ok',
		} as unknown as NonNullable<CaseResult['execution']>;
		expect(summarizeResult({ ...result('a', 'x:1b'), execution }).execution).toBe(execution);
	});

	it('shares one copy of each repeated string', () => {
		const intern = createInterner();
		const first = summarizeResult(JSON.parse(JSON.stringify(result('case-a', 'x:1b'))), intern);
		const second = summarizeResult(JSON.parse(JSON.stringify(result('case-a', 'x:1b'))), intern);
		expect(intern('case-a')).toBe(first.case_id);
		expect(second.model).toBe(first.model);
	});

	it('keeps the whole results of the newest run that has each case', () => {
		const newest = newestResultsByCase([
			{ run: r3, results: [result('a', 'x:1b'), result('a', 'y:1b', 'rejected')] },
			{ run: r2, results: undefined },
			{ run: r1, results: [result('a', 'x:1b', 'rejected'), result('b', 'x:1b')] },
		]);
		expect([...newest.keys()].sort()).toEqual(['a', 'b']);
		expect(newest.get('a')!.run.id).toBe(r3.id);
		expect(newest.get('a')!.results.map((entry) => `${entry.model} ${entry.outcome}`)).toEqual(['x:1b accepted', 'y:1b rejected']);
		expect(newest.get('b')!.run.id).toBe(r1.id);
		expect(newest.get('b')!.results[0]!.output).toBe('the answer of x:1b to b');
	});

	it('lists every case’s summaries oldest run first, skipping runs without results', () => {
		const history = historyByCase([
			{ run: r1, results: [summarizeResult(result('a', 'x:1b', 'rejected'))] },
			{ run: r2, results: undefined },
			{ run: r3, results: [summarizeResult(result('a', 'x:1b')), summarizeResult(result('b', 'x:1b'))] },
		]);
		expect(history.get('a')!.map((entry) => `${entry.run.id} ${entry.result.outcome}`)).toEqual([`${r1.id} rejected`, `${r3.id} accepted`]);
		expect(history.get('b')).toHaveLength(1);
		expect(history.get('c')).toBeUndefined();
	});

	it('puts the newest run’s whole results in place of its summaries', () => {
		const history = [
			{ run: r1, result: summarizeResult(result('a', 'x:1b', 'rejected')) },
			{ run: r2, result: summarizeResult(result('a', 'x:1b')) },
		];
		const merged = historyWithNewest(history, { run: r2, results: [result('a', 'x:1b')] });
		expect(merged.map((entry) => entry.run.id)).toEqual([r1.id, r2.id]);
		expect(merged[0]!.result).not.toHaveProperty('output');
		expect(merged[1]!.result).toHaveProperty('output', 'the answer of x:1b to a');
		expect(historyWithNewest(history, undefined)).toEqual(history);
	});

	it('shows the newest runs of a long history and counts the rest', () => {
		const history = [r1, r2, r3].flatMap((entry) => [
			{ run: entry, result: summarizeResult(result('a', 'x:1b')) },
			{ run: entry, result: summarizeResult(result('a', 'y:1b')) },
		]);
		expect(newestRuns(history, 2)).toEqual({ shown: [r2, r3], omitted: 1 });
		expect(newestRuns(history, 20)).toEqual({ shown: [r1, r2, r3], omitted: 0 });
		expect(newestRuns([], 20)).toEqual({ shown: [], omitted: 0 });
	});
});
