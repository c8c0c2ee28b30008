import { z } from 'astro/zod';
import type { Case } from '../schema/case.ts';
import { SEVERITIES } from '../schema/common.ts';
import { parseJsonAnswer } from './answer-text.ts';
import { runChecks } from './check-results.ts';
import { normalizePath } from './paths.ts';
import { fenced } from './prompt-text.ts';
import { round4 } from './similarity.ts';
import { addedLineCount, diffFileLines, median } from './sentinel-text.ts';
import type { Grade, GradeContext, ParseResult, Prompt, Sentinel, TaskDefinition } from './task-definition.ts';

/** A case of either review task: they share the input, the reference and the grading. */
export type ReviewCase = Extract<Case, { task: 'code-review' | 'security-review' }>;

/** A reviewer's two possible verdicts. */
export const VERDICTS = ['approve', 'reject'] as const;

/**
 * One problem the reviewer reports. Severity is read case-insensitively and a reversed range is put in
 * order: both are slips that leave the meaning clear.
 */
export const FindingSchema = z
	.object({
		path: z.string().min(1),
		line: z.number().int().min(1),
		end_line: z.number().int().min(1).optional(),
		severity: z.preprocess((value) => (typeof value === 'string' ? value.toLowerCase() : value), z.enum(SEVERITIES)),
		message: z.string(),
	})
	.transform((finding) =>
		finding.end_line !== undefined && finding.end_line < finding.line
			? { ...finding, line: finding.end_line, end_line: finding.line }
			: finding,
	);
/** One finding, severity lowercased and its range in order. */
export type Finding = z.infer<typeof FindingSchema>;

/** The reviewer's answer. `findings` may be left out when approving (read as none). */
export const ReviewAnswerSchema = z.object({
	verdict: z.preprocess((value) => (typeof value === 'string' ? value.toLowerCase() : value), z.enum(VERDICTS)),
	findings: z.array(FindingSchema).default([]),
});
/** The reviewer's verdict and findings, as parsed. */
export type ReviewAnswer = z.infer<typeof ReviewAnswerSchema>;

/** Ollama `format`: the shape of `ReviewAnswerSchema`, in plain JSON schema. */
export const REVIEW_FORMAT = {
	type: 'object',
	properties: {
		verdict: { type: 'string', enum: [...VERDICTS] },
		findings: {
			type: 'array',
			items: {
				type: 'object',
				properties: {
					path: { type: 'string' },
					line: { type: 'integer' },
					end_line: { type: 'integer' },
					severity: { type: 'string', enum: [...SEVERITIES] },
					message: { type: 'string' },
				},
				required: ['path', 'line', 'severity', 'message'],
			},
		},
	},
	required: ['verdict', 'findings'],
} as const satisfies Record<string, unknown>;

/** Lines of slack either side of a referenced span: a finding on the statement just above still points at the bug. */
export const LINE_TOLERANCE = 3;

/** Quality lost on an approve case for each finding a person must read and dismiss, by its severity. */
export const FALSE_FINDING_PENALTY = { low: 0.1, medium: 0.1, high: 0.2, critical: 0.2 } as const;

/** An approve case keeps at least this quality when the verdict is right: it never falls to a wrong verdict's 0. */
export const APPROVE_QUALITY_FLOOR = 0.5;

type Span = { path: string; start: number; end: number };

/**
 * True when the finding names the span's file and its lines overlap the span widened by `LINE_TOLERANCE`.
 * A finding path written the diff's way (`b/src/a.ts`) matches `src/a.ts`.
 */
export function findingHits(finding: Finding, span: Span): boolean {
	const spanPath = normalizePath(span.path);
	const path = normalizePath(finding.path);
	if (path !== spanPath && path !== `a/${spanPath}` && path !== `b/${spanPath}`) return false;
	const end = finding.end_line ?? finding.line;
	return finding.line <= span.end + LINE_TOLERANCE && end >= span.start - LINE_TOLERANCE;
}

function count(n: number, noun: string): string {
	return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function where(finding: Finding): string {
	const end = finding.end_line !== undefined && finding.end_line !== finding.line ? `-${finding.end_line}` : '';
	return `${normalizePath(finding.path)}:${finding.line}${end}`;
}

function spanText(span: Span): string {
	return `${span.path}:${span.start}${span.end !== span.start ? `-${span.end}` : ''}`;
}

/** Referenced spans some finding hits; with no referenced spans, any finding counts as all of them. */
export function spansHit(testCase: ReviewCase, answer: ReviewAnswer): { hit: number; total: number; share: number } {
	const spans = testCase.reference.lines;
	if (spans.length === 0) {
		const share = answer.findings.length > 0 ? 1 : 0;
		return { hit: share, total: 0, share };
	}
	const hit = spans.filter((span) => answer.findings.some((finding) => findingHits(finding, span))).length;
	return { hit, total: spans.length, share: hit / spans.length };
}

/**
 * Quality of a review, as the work it saves or causes: 0 when the verdict is wrong. A right `reject` is
 * worth 0.5, plus 0.5 × the share of referenced spans some finding hits (pointing at the bug is what saves
 * the hunt). A right `approve` is 1 minus 0.1 per low/medium and 0.2 per high/critical finding (each one is
 * read and dismissed), never below 0.5.
 */
export function reviewQuality(testCase: ReviewCase, answer: ReviewAnswer): number {
	if (answer.verdict !== testCase.reference.verdict) return 0;
	if (testCase.reference.verdict === 'reject') return round4(0.5 + 0.5 * spansHit(testCase, answer).share);
	const penalty = answer.findings.reduce((sum, finding) => sum + FALSE_FINDING_PENALTY[finding.severity], 0);
	return round4(Math.max(APPROVE_QUALITY_FLOOR, 1 - penalty));
}

function gradeReview(testCase: ReviewCase, answer: ReviewAnswer): Grade {
	const expected = testCase.reference.verdict;
	const checks = runChecks(testCase.checks, {
		verdict: () => ({
			pass: answer.verdict === expected,
			detail:
				answer.verdict === expected
					? `${answer.verdict}, as expected`
					: `${answer.verdict}, expected ${expected}`,
		}),
		'finding-on-lines': () => {
			if (expected === 'approve') {
				const serious = answer.findings.filter((finding) => finding.severity === 'high' || finding.severity === 'critical');
				return serious.length === 0
					? { pass: true, detail: `no high or critical finding on a clean change (${count(answer.findings.length, 'finding')})` }
					: {
							pass: false,
							detail: `${count(serious.length, 'high or critical finding')} on a clean change, first at ${where(serious[0] as Finding)}`,
						};
			}
			const spans = testCase.reference.lines;
			if (spans.length === 0) {
				return answer.findings.length > 0
					? { pass: true, detail: `no referenced lines; ${count(answer.findings.length, 'finding')}` }
					: { pass: false, detail: 'no findings' };
			}
			for (const finding of answer.findings) {
				const span = spans.find((candidate) => findingHits(finding, candidate));
				if (span) return { pass: true, detail: `finding at ${where(finding)} is on ${spanText(span)} (±${LINE_TOLERANCE})` };
			}
			const elsewhere = answer.findings.length === 0 ? 'no findings' : `${count(answer.findings.length, 'finding')} elsewhere`;
			return {
				pass: false,
				detail: `no finding within ±${LINE_TOLERANCE} lines of ${spans.map(spanText).join(', ')} (${elsewhere})`,
			};
		},
	});
	return { checks, quality: reviewQuality(testCase, answer) };
}

/** What differs between the two review tasks: the reviewer's brief. */
export type ReviewFocus = {
	system: string;
	/** What to look for, and when to reject. */
	instructions: string[];
};

function buildReviewPrompt(focus: ReviewFocus, testCase: ReviewCase): Prompt {
	return {
		messages: [
			{ role: 'system', content: focus.system },
			{
				role: 'user',
				content: [
					...focus.instructions,
					'',
					'For each problem, give the file path as the diff names it after `+++ b/` (without the `b/`), the line number in the new version of the file (count from the `@@ -a,b +c,d @@` hunk headers), an optional end_line for a range, a severity (low, medium, high or critical) and a one-sentence message.',
					'Reply with JSON only, in this shape:',
					'{"verdict": "approve" | "reject", "findings": [{"path": "src/file.ts", "line": 12, "end_line": 14, "severity": "high", "message": "…"}]}',
					'When you approve, findings may be empty.',
					'',
					'The diff:',
					fenced(testCase.input.diff, 'diff'),
				].join('\n'),
			},
		],
		format: REVIEW_FORMAT,
	};
}

function parseReview(text: string): ParseResult<ReviewAnswer> {
	return parseJsonAnswer(text, ReviewAnswerSchema);
}

type SentinelFinding = { path: string; line: number; end_line?: number; severity: Finding['severity']; message: string };

/**
 * The reference (the real verdict, with a finding on every span the later fix touched) and junk made
 * without reading the change: always approve, always reject without findings, reject with a finding on
 * every added line, one finding per file spanning the whole file, one finding on the first added line,
 * and the size heuristic — approve a diff no bigger than the case set's median, blanket-reject a bigger one.
 */
function reviewSentinels(testCase: ReviewCase, context: GradeContext<ReviewCase>): Sentinel[] {
	const answer = (verdict: (typeof VERDICTS)[number], findings: SentinelFinding[]) => JSON.stringify({ verdict, findings });
	const junk = (name: string, text: string): Sentinel => ({ name, kind: 'junk', text });
	const files = diffFileLines(testCase.input.diff);
	const everyAdded: SentinelFinding[] = files.flatMap((file) =>
		file.added.map((line) => ({ path: file.path, line, severity: 'high' as const, message: 'This line may introduce a bug.' })),
	);
	const wholeFiles: SentinelFinding[] = files.map((file) => ({ path: file.path, line: 1, end_line: file.lastLine, severity: 'high', message: 'This file may introduce a bug.' }));
	const firstAdded = everyAdded.slice(0, 1);
	const reference = testCase.reference.lines.map((span) => ({ path: span.path, line: span.start, end_line: span.end, severity: 'high' as const, message: 'The later fix changed these lines.' }));
	const typicalSize = median(context.cases.map((other) => addedLineCount(other.input.diff)));
	const small = addedLineCount(testCase.input.diff) <= typicalSize;
	return [
		{ name: 'reference', kind: 'reference', text: answer(testCase.reference.verdict, testCase.reference.verdict === 'reject' ? reference : []) },
		junk('always-approve', answer('approve', [])),
		junk('reject-without-findings', answer('reject', [])),
		junk('reject-every-added-line', answer('reject', everyAdded)),
		junk('reject-whole-files', answer('reject', wholeFiles)),
		junk('reject-first-added-line', answer('reject', firstAdded)),
		junk('size-heuristic', small ? answer('approve', []) : answer('reject', everyAdded)),
	];
}

/**
 * Junk may be accepted on the majority verdict's share + 5 points: answering that verdict every time is
 * accepted that often by construction, and the test is whether anything lazy does better than it.
 */
export function reviewJunkLimit(cases: readonly ReviewCase[]): number {
	if (cases.length === 0) return 0.1;
	const rejects = cases.filter((testCase) => testCase.reference.verdict === 'reject').length;
	return Math.max(rejects, cases.length - rejects) / cases.length + 0.05;
}

/** A review task with its own brief; the answer, parser and grader are shared. */
export function reviewTask<T extends ReviewCase['task']>(
	task: T,
	focus: ReviewFocus,
): TaskDefinition<Extract<ReviewCase, { task: T }>, ReviewAnswer, Grade> {
	return {
		task,
		graderVersion: 1,
		buildPrompt: (testCase) => buildReviewPrompt(focus, testCase),
		parse: parseReview,
		grade: gradeReview,
		sentinels: reviewSentinels,
		junkLimit: reviewJunkLimit,
	};
}
