import { beforeAll, describe, expect, it } from 'vitest';
import type { Case } from '../../src/lib/schema/case.ts';
import { compareAnswer, referenceText } from '../../src/lib/site/compare-answer.ts';
import { fixtureCases, rightAnswer, wrongAnswer } from '../../testing/workspace.ts';

let cases: Case[];
beforeAll(async () => {
	cases = await fixtureCases();
});
const byTask = (task: Case['task']) => cases.find((testCase) => testCase.task === task)!;

describe('an answer beside its reference', () => {
	it('pairs a right answer with a reference it equals, for every task', () => {
		for (const testCase of cases) {
			const comparison = compareAnswer(testCase, rightAnswer(testCase));
			expect(comparison.parsed, testCase.id).toBe(true);
			for (const pair of comparison.comparisons) expect(pair.produced, `${testCase.id} ${pair.label}`).toBe(pair.reference);
		}
	});

	it('shows a wrong answer as different', () => {
		for (const testCase of cases) {
			const comparison = compareAnswer(testCase, wrongAnswer(testCase));
			expect(
				comparison.comparisons.some((pair) => pair.produced !== pair.reference),
				testCase.id,
			).toBe(true);
		}
	});

	it('compares review verdicts and the lines findings point at', () => {
		const testCase = cases.find((c) => c.task === 'code-review' && c.reference.verdict === 'reject')!;
		const answer = JSON.stringify({
			verdict: 'reject',
			findings: [{ path: 'src/paginate.ts', line: 4, severity: 'high', message: 'off by one' }],
		});
		expect(compareAnswer(testCase, answer).comparisons[0]).toEqual({
			label: 'verdict and findings',
			reference: 'verdict: reject\nfinding at src/paginate.ts:4\nfinding at src/paginate.ts:10',
			produced: 'verdict: reject\nfinding at src/paginate.ts:4',
		});
	});

	it('matches implemented files the way the grader does and lists files the commit did not change', () => {
		const testCase = byTask('implement-change') as Extract<Case, { task: 'implement-change' }>;
		const files = testCase.reference.files.map((file) => ({ path: `./${file.path}`, content: file.content }));
		const comparison = compareAnswer(testCase, JSON.stringify({ files: [...files, { path: 'extra.ts', content: 'x' }] }));
		expect(comparison.comparisons.map((pair) => pair.label)).toEqual([
			...testCase.reference.files.map((file) => file.path),
			'extra.ts (not changed by the commit)',
		]);
		expect(comparison.comparisons.at(-1)).toMatchObject({ reference: '', produced: 'x' });
	});

	it('compares an answer the parser refuses as raw text, with the reason', () => {
		const testCase = byTask('change-localization');
		const comparison = compareAnswer(testCase, 'I think you should edit the list command.');
		expect(comparison.parsed).toBe(false);
		expect(comparison.reason).toMatch(/JSON/);
		expect(comparison.comparisons).toEqual([
			{ label: 'answer (as written)', reference: referenceText(testCase), produced: 'I think you should edit the list command.' },
		]);
	});
});
