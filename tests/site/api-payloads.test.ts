import { beforeAll, describe, expect, it } from 'vitest';
import { stableStringify } from '../../src/lib/files/stable-json.ts';
import type { Case } from '../../src/lib/schema/case.ts';
import type { CaseResult } from '../../src/lib/schema/report.ts';
import {
	API_CASES_PAGE_BYTES,
	API_CASES_PAGE_CASES,
	API_RESULTS_PAGE_BYTES,
	API_RESULTS_PAGE_CASES,
	casePayload,
	casePages,
	casesPagePayload,
	casesPayload,
	runPayload,
	runResultPages,
	runResultsPagePayload,
	runsPayload,
} from '../../src/lib/site/api-payloads.ts';
import { fixtureCases } from '../../testing/workspace.ts';
import { metricsRow, run } from './fixtures.ts';
import { caseResult } from '../../testing/case-result.ts';

let cases: Case[];
beforeAll(async () => {
	cases = await fixtureCases();
});

const context = { slugOf: (id: string) => id.replace(/[^a-z0-9]+/g, '-'), demo: false };
const result = (caseId: string, model: string, repeat = 0): CaseResult =>
	caseResult({
		model,
		case_id: caseId,
		repeat,
		output: 'ok',
		latency_ms: 10,
		ttft_ms: 5,
		eval_count: 1,
		eval_duration_ns: 1,
		prompt_eval_count: 1,
	});

describe('the JSON for tools', () => {
	it('lists cases by id, without their input and reference', () => {
		const payload = casesPayload([...cases].reverse(), context);
		expect(payload.cases!.map((entry) => entry.id)).toEqual(cases.map((c) => c.id).sort());
		expect(payload.cases![0]).not.toHaveProperty('input');
		expect(payload.cases![0]).toMatchObject({ page: `/cases/${payload.cases![0]!.id}/`, json: `/api/cases/${payload.cases![0]!.id}.json` });
	});

	it('pages the case list when it is longer than a page, by count and by size', () => {
		const many = Array.from({ length: API_CASES_PAGE_CASES * 2 + 3 }, (_, index) => ({
			...cases[index % cases.length]!,
			id: `draft-commit-message-${String(index).padStart(12, '0')}`,
		}));
		const payload = casesPayload(many, context);
		expect(payload.cases).toBeNull();
		expect(payload.count).toBe(many.length);
		expect(payload.cases_pages.map((page) => page.cases)).toEqual([API_CASES_PAGE_CASES, API_CASES_PAGE_CASES, 3]);
		expect(payload.cases_pages[1]).toMatchObject({ page: 2, first: many[API_CASES_PAGE_CASES]!.id, json: '/api/cases/pages/2.json' });
		const second = casesPagePayload(many, 2, context);
		expect(second).toMatchObject({ page: 2, pages: 3 });
		expect(second.cases.map((entry) => entry.id)).toEqual(
			many.slice(API_CASES_PAGE_CASES, API_CASES_PAGE_CASES * 2).map((entry) => entry.id),
		);
		expect(
			casePages(many)
				.flat()
				.map((entry) => entry.id),
		).toEqual(many.map((entry) => entry.id));
		// A case touching thousands of files weighs enough to close its page early.
		const heavy = many.slice(0, 10).map((entry) => ({
			...entry,
			source: {
				...entry.source,
				files: Array.from({ length: 3000 }, (_, index) => `src/generated/a-rather-long-path-name/file-${index}.ts`),
			},
		}));
		const pages = casePages(heavy);
		expect(pages.length).toBeGreaterThan(1);
		for (const page of pages) expect(page.length === 1 || JSON.stringify(page).length <= API_CASES_PAGE_BYTES + 2 * page.length).toBe(true);
		expect(casesPayload(cases, context).cases_pages).toEqual([]);
	});

	it('sorts a case’s results by run (oldest first, as given), then model, then repeat', () => {
		const a = run('local-model-benchmark-2026-01-01', '2026-01-01');
		const b = run('local-model-benchmark-2026-01-02', '2026-01-02');
		const given = [
			{ run: a, result: result('x', 'z:1b', 1) },
			{ run: b, result: result('x', 'b:1b') },
			{ run: a, result: result('x', 'z:1b', 0) },
			{ run: a, result: result('x', 'a:1b') },
		];
		const payload = casePayload(cases[0]!, given, context);
		expect(payload.results.map((entry) => `${entry.date} ${entry.model} ${entry.repeat}`)).toEqual([
			'2026-01-01 a:1b 0',
			'2026-01-01 z:1b 0',
			'2026-01-01 z:1b 1',
			'2026-01-02 b:1b 0',
		]);
		expect(payload.case).toMatchObject({ id: cases[0]!.id, page: `/cases/${cases[0]!.id}/` });
	});

	it('lists runs newest first and sorts a run’s results by role, case, model and repeat', () => {
		const runs = [
			run('local-model-benchmark-2026-01-01', '2026-01-01', { metrics: [metricsRow('draft', 'a:1b', 1)] }),
			run('local-model-benchmark-2026-01-02', '2026-01-02'),
		];
		expect(runsPayload(runs, context).runs.map((entry) => entry.id)).toEqual([
			'local-model-benchmark-2026-01-02',
			'local-model-benchmark-2026-01-01',
		]);
		expect(runsPayload(runs, context).runs[1]).toMatchObject({ roles: { draft: { cases: 4 } }, models: ['a:1b'] });
		const payload = runPayload(
			runs[0]!,
			[result('b', 'z:1b'), result('a', 'z:1b', 1), result('a', 'z:1b', 0), result('a', 'b:1b')],
			context,
		);
		expect(payload.results!.map((entry) => `${entry.case_id} ${entry.model} ${entry.repeat}`)).toEqual([
			'a b:1b 0',
			'a z:1b 0',
			'a z:1b 1',
			'b z:1b 0',
		]);
		expect(runPayload(runs[0]!, null, context).results).toBeNull();
	});

	it('pages a run’s results when a role has more cases than one JSON page holds', () => {
		const [entry] = [run('local-model-benchmark-2026-01-01', '2026-01-01')];
		const ids = Array.from({ length: API_RESULTS_PAGE_CASES + 1 }, (_, i) => `c${String(i).padStart(3, '0')}`);
		const many = ids.flatMap((id) => [result(id, 'a:1b'), result(id, 'b:1b')]);
		const payload = runPayload(entry!, many, context);
		expect(payload.results).toBeNull();
		expect(payload.results_pages).toEqual([
			{ role: 'draft', page: 1, cases: API_RESULTS_PAGE_CASES, json: '/api/runs/local-model-benchmark-2026-01-01/results/draft/1.json' },
			{ role: 'draft', page: 2, cases: 1, json: '/api/runs/local-model-benchmark-2026-01-01/results/draft/2.json' },
		]);
		const second = runResultsPagePayload(entry!, 'draft', 2, many, context);
		expect(second).toMatchObject({ run: 'local-model-benchmark-2026-01-01', role: 'draft', page: 2, pages: 2 });
		expect(second.results.map((r) => `${r.case_id} ${r.model}`)).toEqual([`${ids.at(-1)} a:1b`, `${ids.at(-1)} b:1b`]);
		// Pages computed once and handed in give the same payloads, and a paged run needs no results then.
		expect(runResultsPagePayload(entry!, 'draft', 2, many, context, runResultPages(many))).toEqual(second);
		expect(runPayload(entry!, [], context, runResultPages(many))).toEqual(payload);
		// Every result is on exactly one page.
		const first = runResultsPagePayload(entry!, 'draft', 1, many, context);
		expect(first.results.length + second.results.length).toBe(many.length);
		// A run that fits keeps its results inline and lists no pages.
		expect(runPayload(entry!, many.slice(0, 10), context).results_pages).toEqual([]);
		// Long answers close a page early, so no page passes its byte budget.
		const long = ids.slice(0, 5).flatMap((id) => [{ ...result(id, 'a:1b'), output: 'x'.repeat(API_RESULTS_PAGE_BYTES / 2) }]);
		expect(runPayload(entry!, long, context).results_pages.map((page) => page.cases)).toEqual([1, 1, 1, 1, 1]);
	});

	it('marks every payload of a demo build, and only those', () => {
		expect(runsPayload([], { ...context, demo: true })).toEqual({ demo: true, runs: [] });
		expect(runsPayload([], context)).toEqual({ runs: [] });
	});

	it('serializes equal data to equal text whatever the key order', () => {
		expect(stableStringify({ b: 1, a: { d: 1, c: 2 } }, 1)).toBe(stableStringify({ a: { c: 2, d: 1 }, b: 1 }, 1));
	});
});
