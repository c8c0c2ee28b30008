import { describe, expect, it } from 'vitest';
import { codeReviewTask } from '../../src/lib/tasks/code-review.ts';
import { type Finding, REVIEW_FORMAT, type ReviewAnswer, type ReviewCase } from '../../src/lib/tasks/review.ts';
import { securityReviewTask } from '../../src/lib/tasks/security-review.ts';
import { loadCase } from './fixture-cases.ts';

/** Reject: a later fix touched src/paginate.ts lines 4 and 10. */
const rejectCase = loadCase('review/review-code-review-6abd12283709.json', 'code-review');
/** Approve: nothing later fixed this change; only the verdict is checked. */
const approveCase = loadCase('review/review-code-review-6436e71d6d67.json', 'code-review');
/** Reject: the fix parameterized the query on src/routes/notes.ts line 18. */
const securityCase = loadCase('review/review-security-review-e9577da0d61b.json', 'security-review');

function finding(path: string, line: number, severity: Finding['severity'] = 'high', end_line?: number): Finding {
	return { path, line, severity, message: 'a problem', ...(end_line === undefined ? {} : { end_line }) };
}

type CodeReviewCase = Extract<ReviewCase, { task: 'code-review' }>;

function grade(testCase: CodeReviewCase, verdict: ReviewAnswer['verdict'], findings: Finding[] = []) {
	return codeReviewTask.grade(testCase, { verdict, findings }, { cases: [testCase] });
}

describe('review prompts', () => {
	it.each([
		['code-review', codeReviewTask.buildPrompt(rejectCase), rejectCase.input.diff],
		['security-review', securityReviewTask.buildPrompt(securityCase), securityCase.input.diff],
	])('%s holds the diff verbatim and sends the answer schema as format', (_task, prompt, diff) => {
		expect(prompt.messages.map((message) => message.role)).toEqual(['system', 'user']);
		expect(prompt.messages[1]!.content).toContain(diff);
		expect(prompt.messages[1]!.content).toContain('{"verdict": "approve" | "reject", "findings": [');
		expect(prompt.format).toBe(REVIEW_FORMAT);
	});

	it('sends a format that requires the verdict and findings, with the schema enums', () => {
		expect(REVIEW_FORMAT.required).toEqual(['verdict', 'findings']);
		expect(REVIEW_FORMAT.properties.verdict.enum).toEqual(['approve', 'reject']);
		expect(REVIEW_FORMAT.properties.findings.items.properties.severity.enum).toEqual(['low', 'medium', 'high', 'critical']);
		expect(REVIEW_FORMAT.properties.findings.items.required).toEqual(['path', 'line', 'severity', 'message']);
	});

	it('asks the security reviewer for security issues specifically', () => {
		const user = securityReviewTask.buildPrompt(securityCase).messages[1]!.content;
		for (const topic of ['authorization', 'injection', 'escaping', 'secrets', 'cryptography']) expect(user).toContain(topic);
		expect(codeReviewTask.buildPrompt(rejectCase).messages[1]!.content).not.toContain('injection');
	});

	it('does not leak the reference or the fix', () => {
		const text = codeReviewTask
			.buildPrompt(rejectCase)
			.messages.map((message) => message.content)
			.join('\n');
		expect(text).not.toContain('off-by-one');
		expect(text).not.toContain(rejectCase.source.fix_commit!);
	});
});

describe('review parser', () => {
	it('reads a plain answer', () => {
		const text =
			'{"verdict": "reject", "findings": [{"path": "src/paginate.ts", "line": 4, "severity": "high", "message": "skips page 1"}]}';
		expect(codeReviewTask.parse(text, rejectCase)).toEqual({
			ok: true,
			value: { verdict: 'reject', findings: [{ path: 'src/paginate.ts', line: 4, severity: 'high', message: 'skips page 1' }] },
		});
	});

	it('reads a fenced answer with prose around it, capitalized enums and a reversed range', () => {
		const text =
			'Review:\n```json\n{"verdict": "Reject", "findings": [{"path": "src/paginate.ts", "line": 12, "end_line": 9, "severity": "HIGH", "message": "m", "confidence": 0.9}]}\n```';
		expect(codeReviewTask.parse(text, rejectCase)).toEqual({
			ok: true,
			value: { verdict: 'reject', findings: [{ path: 'src/paginate.ts', line: 9, end_line: 12, severity: 'high', message: 'm' }] },
		});
	});

	it('reads an approval without findings as no findings', () => {
		expect(codeReviewTask.parse('{"verdict": "approve"}', approveCase)).toEqual({
			ok: true,
			value: { verdict: 'approve', findings: [] },
		});
	});

	it.each([
		['LGTM', /^no JSON object in the answer/],
		['{"verdict": "maybe", "findings": []}', /^the answer does not have the expected shape: verdict: /],
		['{"findings": []}', /^the answer does not have the expected shape: verdict: /],
		['{"verdict": "reject", "findings": [{"path": "a.ts", "line": "4", "severity": "high", "message": "m"}]}', /findings\[0\]\.line: /],
		['{"verdict": "reject", "findings": [{"path": "a.ts", "line": 0, "severity": "high", "message": "m"}]}', /findings\[0\]\.line: /],
		[
			'{"verdict": "reject", "findings": [{"path": "a.ts", "line": 4, "severity": "blocker", "message": "m"}]}',
			/findings\[0\]\.severity: /,
		],
		['{"verdict": "reject", "findings": [{"line": 4, "severity": "high", "message": "m"}]}', /findings\[0\]\.path: /],
	])('refuses %j', (text, reason) => {
		const result = codeReviewTask.parse(text, rejectCase);
		expect(result.ok).toBe(false);
		expect(!result.ok && result.reason).toMatch(reason);
	});
});

const precisionCheck = (on: number, total: number, pass = true) => ({
	name: 'finding-precision',
	required: true,
	pass,
	detail: `${on} of ${total} finding${total === 1 ? '' : 's'} on the faulty lines: ${(on / total).toFixed(2)} ${pass ? '≥' : '<'} 0.5`,
});

describe('review grader on a change a later fix had to correct', () => {
	it('scores a right verdict hitting one of two spans 0.4 + 0.6 × F1(1/2, 1)', () => {
		expect(grade(rejectCase, 'reject', [finding('src/paginate.ts', 4)])).toEqual({
			checks: [
				{ name: 'verdict', required: true, pass: true, detail: 'reject, as expected' },
				{
					name: 'finding-on-lines',
					required: true,
					pass: true,
					detail: 'finding at src/paginate.ts:4 is on src/paginate.ts:4 (±3)',
				},
				precisionCheck(1, 1),
			],
			quality: 0.8,
		});
	});

	it('scores findings on both spans 1, a diff-style b/ path included', () => {
		const result = grade(rejectCase, 'reject', [finding('src/paginate.ts', 4), finding('b/src/paginate.ts', 9, 'medium', 11)]);
		expect(result.quality).toBe(1);
		expect(result.checks.every((check) => check.pass)).toBe(true);
	});

	it.each([
		[1, 0.8],
		[7, 1],
		[13, 0.8],
		[14, 0.4],
	])('counts a finding at line %i within ±3 lines of the spans (quality %d)', (line, quality) => {
		expect(grade(rejectCase, 'reject', [finding('src/paginate.ts', line)]).quality).toBe(quality);
	});

	it('scores a right verdict with findings elsewhere 0.4 and fails finding-on-lines and finding-precision', () => {
		expect(grade(rejectCase, 'reject', [finding('src/other.ts', 4), finding('src/paginate.ts', 20, 'low')])).toEqual({
			checks: [
				{ name: 'verdict', required: true, pass: true, detail: 'reject, as expected' },
				{
					name: 'finding-on-lines',
					required: true,
					pass: false,
					detail: 'no finding within ±3 lines of src/paginate.ts:4, src/paginate.ts:10 (2 findings elsewhere)',
				},
				precisionCheck(0, 2, false),
			],
			quality: 0.4,
		});
	});

	// Blanket answers made without reading the change: each fails the check that says why.
	it.each([
		['no findings', [], 'finding-on-lines', 'no finding within ±3 lines of src/paginate.ts:4, src/paginate.ts:10 (no findings)'],
		[
			'one finding over the whole file',
			[finding('src/paginate.ts', 1, 'high', 40)],
			'finding-on-lines',
			'no finding within ±3 lines of src/paginate.ts:4, src/paginate.ts:10 (1 finding cover them only as part of a wider range, first src/paginate.ts:1-40)',
		],
		[
			'a finding on every line',
			Array.from({ length: 11 }, (_, at) => finding('src/paginate.ts', at + 1)),
			'finding-precision',
			'4 of 11 findings on the faulty lines: 0.36 < 0.5',
		],
		[
			'one right finding among many elsewhere',
			[finding('src/paginate.ts', 4), finding('src/paginate.ts', 30), finding('src/paginate.ts', 40)],
			'finding-precision',
			'1 of 3 findings on the faulty lines: 0.33 < 0.5',
		],
	])('rejects %s', (_name, findings, failing, detail) => {
		const result = grade(rejectCase, 'reject', findings);
		const check = result.checks.find((candidate) => candidate.name === failing)!;
		expect(check.pass).toBe(false);
		expect(check.detail).toBe(detail);
		// Below a single finding on one of the two spans (0.8).
		expect(result.quality).toBeLessThan(0.8);
	});

	it('scores an approval 0, whatever it found', () => {
		expect(grade(rejectCase, 'approve', [finding('src/paginate.ts', 4, 'low')])).toEqual({
			checks: [
				{ name: 'verdict', required: true, pass: false, detail: 'approve, expected reject' },
				{ name: 'finding-on-lines', required: true, pass: true, detail: 'finding at src/paginate.ts:4 is on src/paginate.ts:4 (±3)' },
				precisionCheck(1, 1),
			],
			quality: 0,
		});
	});

	it('grades the security task the same way', () => {
		const result = securityReviewTask.grade(
			securityCase,
			{
				verdict: 'reject',
				findings: [finding('src/routes/notes.ts', 17, 'critical', 18)],
			},
			{ cases: [securityCase] },
		);
		expect(result).toEqual({
			checks: [
				{ name: 'verdict', required: true, pass: true, detail: 'reject, as expected' },
				{
					name: 'finding-on-lines',
					required: true,
					pass: true,
					detail: 'finding at src/routes/notes.ts:17-18 is on src/routes/notes.ts:18 (±3)',
				},
				precisionCheck(1, 1),
			],
			quality: 1,
		});
	});

	it('counts any finding when the case names no lines', () => {
		const noLines: CodeReviewCase = { ...rejectCase, reference: { verdict: 'reject', lines: [] } };
		expect(grade(noLines, 'reject', [finding('src/paginate.ts', 1)])).toEqual({
			checks: [
				{ name: 'verdict', required: true, pass: true, detail: 'reject, as expected' },
				{ name: 'finding-on-lines', required: true, pass: true, detail: 'no referenced lines; 1 finding' },
				precisionCheck(1, 1),
			],
			quality: 1,
		});
		expect(grade(noLines, 'reject').quality).toBe(0.4);
	});

	it('requires finding-precision on a reject case mined before it existed', () => {
		const old: CodeReviewCase = {
			...rejectCase,
			checks: [
				{ name: 'verdict', required: true },
				{ name: 'finding-on-lines', required: true },
			],
		};
		expect(
			grade(old, 'reject', [finding('src/paginate.ts', 4)]).checks.map((check) => `${check.name}${check.required ? '!' : ''}`),
		).toEqual(['verdict!', 'finding-on-lines!', 'finding-precision!']);
	});
});

describe('review grader on a clean change', () => {
	it('scores an approval without findings 1', () => {
		expect(grade(approveCase, 'approve')).toEqual({
			checks: [
				{ name: 'verdict', required: true, pass: true, detail: 'approve, as expected' },
				{ name: 'no-serious-finding', required: true, pass: true, detail: 'no high or critical finding on a clean change (0 findings)' },
			],
			quality: 1,
		});
	});

	it.each([
		[['low'], 0.9],
		[['low', 'medium'], 0.8],
		[['critical'], 0.8],
		[['high', 'low', 'low'], 0.6],
		[['high', 'high', 'high'], 0.5],
		[['medium', 'medium', 'medium', 'medium', 'medium', 'medium'], 0.5],
	] as const)('takes 0.1 per low/medium and 0.2 per high/critical false finding, down to 0.5: %j → %d', (severities, quality) => {
		const findings = severities.map((severity, index) => finding('src/cli.ts', index + 1, severity));
		expect(grade(approveCase, 'approve', findings).quality).toBe(quality);
	});

	it('rejects an approval that raises a high or critical finding', () => {
		const check = grade(approveCase, 'approve', [finding('src/cli.ts', 9, 'low'), finding('./src/cli.ts', 8, 'critical', 10)]).checks[1];
		expect(check).toEqual({
			name: 'no-serious-finding',
			required: true,
			pass: false,
			detail: '1 high or critical finding on a clean change, first at src/cli.ts:8-10',
		});
	});

	it('scores a rejection 0', () => {
		expect(grade(approveCase, 'reject', [finding('src/cli.ts', 10, 'high')])).toEqual({
			checks: [
				{ name: 'verdict', required: true, pass: false, detail: 'reject, expected approve' },
				{
					name: 'no-serious-finding',
					required: true,
					pass: false,
					detail: '1 high or critical finding on a clean change, first at src/cli.ts:10',
				},
			],
			quality: 0,
		});
	});

	it('reads finding-on-lines on an approve case as no high or critical finding, for cases mined before no-serious-finding', () => {
		const checked: CodeReviewCase = {
			...approveCase,
			checks: [
				{ name: 'verdict', required: true },
				{ name: 'finding-on-lines', required: false },
				{ name: 'no-nits', required: true },
			],
		};
		expect(grade(checked, 'approve', [finding('src/cli.ts', 9, 'low')]).checks).toEqual([
			{ name: 'verdict', required: true, pass: true, detail: 'approve, as expected' },
			{ name: 'finding-on-lines', required: false, pass: true, detail: 'no high or critical finding on a clean change (1 finding)' },
			{ name: 'no-nits', required: true, pass: false, detail: 'unknown check' },
			{ name: 'no-serious-finding', required: true, pass: true, detail: 'no high or critical finding on a clean change (1 finding)' },
		]);
		expect(grade(checked, 'approve', [finding('src/cli.ts', 9, 'low'), finding('./src/cli.ts', 8, 'critical', 10)]).checks[1]).toEqual({
			name: 'finding-on-lines',
			required: false,
			pass: false,
			detail: '1 high or critical finding on a clean change, first at src/cli.ts:8-10',
		});
	});
});
