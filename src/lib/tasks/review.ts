import { z } from 'astro/zod';
import type { Case } from '../schema/case.ts';
import { SEVERITIES } from '../schema/common.ts';
import { parseJsonAnswer } from './answer-text.ts';
import { type CheckSpec, runChecks, thresholdOf, withRequiredChecks } from './check-results.ts';
import { normalizePath } from './paths.ts';
import { fenced } from './prompt-text.ts';
import { round4 } from '../metrics/wilson.ts';
import { formatRatio } from './similarity.ts';
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

function samePath(findingPath: string, spanPath: string): boolean {
	const span = normalizePath(spanPath);
	const path = normalizePath(findingPath);
	return path === span || path === `a/${span}` || path === `b/${span}`;
}

/**
 * True when the finding names the span's file and its lines overlap the span widened by `LINE_TOLERANCE`.
 * A finding path written the diff's way (`b/src/a.ts`) matches `src/a.ts`.
 */
export function findingHits(finding: Finding, span: Span): boolean {
	if (!samePath(finding.path, span.path)) return false;
	const end = finding.end_line ?? finding.line;
	return finding.line <= span.end + LINE_TOLERANCE && end >= span.start - LINE_TOLERANCE;
}

/**
 * True when the finding is *on* the faulty lines: it overlaps one of the spans and at least half of the
 * lines it covers lie within the spans (each widened by `LINE_TOLERANCE`). A finding spanning a whole
 * file overlaps the bug too, but it points at nothing: a person still has to hunt for it.
 */
export function findingOnSpans(finding: Finding, spans: readonly Span[]): boolean {
	const mine = spans.filter((span) => samePath(finding.path, span.path));
	if (!mine.some((span) => findingHits(finding, span))) return false;
	const end = finding.end_line ?? finding.line;
	let inside = 0;
	for (let line = finding.line; line <= end; line++) {
		if (mine.some((span) => line >= span.start - LINE_TOLERANCE && line <= span.end + LINE_TOLERANCE)) inside += 1;
	}
	return inside * 2 >= end - finding.line + 1;
}

/** `finding-precision` passes at this share of findings on the faulty lines when the case sets no threshold. */
export const DEFAULT_FINDING_PRECISION = 0.5;

/** Lines between a finding and a span of the same file: 0 when they overlap. */
function distance(finding: Finding, span: Span): number {
	const end = finding.end_line ?? finding.line;
	if (end < span.start) return span.start - end;
	if (finding.line > span.end) return finding.line - span.end;
	return 0;
}

/**
 * The share of the answer's findings that are on the faulty lines; 0 without findings. A finding counts
 * when it is on them (`findingOnSpans`) and its span still has room: a span vouches for at most one
 * finding per line it has, plus one. Without that cap, a finding on every line of a short diff would all
 * sit "within three lines" of a bug and count as pointing at it. Closest findings are counted first.
 * With no referenced lines every finding counts: there is nothing to hold it to.
 */
export function findingPrecision(testCase: ReviewCase, answer: ReviewAnswer): { on: number; total: number; share: number } {
	const total = answer.findings.length;
	if (total === 0) return { on: 0, total, share: 0 };
	const spans = testCase.reference.lines;
	if (spans.length === 0) return { on: total, total, share: 1 };
	const room = spans.map((span) => span.end - span.start + 2);
	const candidates = answer.findings
		.filter((finding) => findingOnSpans(finding, spans))
		.map((finding) => ({
			finding,
			near: spans
				.map((span, at) => ({ at, gap: distance(finding, span) }))
				.filter(({ at }) => findingHits(finding, spans[at] as Span))
				.sort((a, b) => a.gap - b.gap || a.at - b.at),
		}))
		.sort((a, b) => (a.near[0]?.gap ?? 0) - (b.near[0]?.gap ?? 0) || a.finding.line - b.finding.line);
	let on = 0;
	for (const { near } of candidates) {
		const free = near.find(({ at }) => (room[at] as number) > 0);
		if (!free) continue;
		room[free.at] = (room[free.at] as number) - 1;
		on += 1;
	}
	return { on, total, share: on / total };
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

/** Referenced spans some finding on the faulty lines hits; with no referenced spans, any finding counts as all of them. */
export function spansHit(testCase: ReviewCase, answer: ReviewAnswer): { hit: number; total: number; share: number } {
	const spans = testCase.reference.lines;
	if (spans.length === 0) {
		const share = answer.findings.length > 0 ? 1 : 0;
		return { hit: share, total: 0, share };
	}
	const hit = spans.filter((span) =>
		answer.findings.some((finding) => findingHits(finding, span) && findingOnSpans(finding, spans)),
	).length;
	return { hit, total: spans.length, share: hit / spans.length };
}

/** The quality of a right `reject` that points at nothing: the verdict alone saves a person some of the review. */
export const BARE_REJECT_QUALITY = 0.4;

/**
 * Quality of a review, as the work it saves or causes: 0 when the verdict is wrong. A right `reject` is
 * worth 0.4, plus 0.6 × the F1 of span recall (share of referenced spans some finding is on) and finding
 * precision (share of findings on them): pointing at the bug saves the hunt, and every blanket finding
 * is one more a person reads and dismisses. A right `approve` is 1 minus 0.1 per low/medium and 0.2 per
 * high/critical finding (each one is read and dismissed), never below 0.5.
 */
export function reviewQuality(testCase: ReviewCase, answer: ReviewAnswer): number {
	if (answer.verdict !== testCase.reference.verdict) return 0;
	if (testCase.reference.verdict === 'reject') {
		const recall = spansHit(testCase, answer).share;
		const precision = findingPrecision(testCase, answer).share;
		const f1 = recall + precision === 0 ? 0 : (2 * recall * precision) / (recall + precision);
		return round4(BARE_REJECT_QUALITY + (1 - BARE_REJECT_QUALITY) * f1);
	}
	const penalty = answer.findings.reduce((sum, finding) => sum + FALSE_FINDING_PENALTY[finding.severity], 0);
	return round4(Math.max(APPROVE_QUALITY_FLOOR, 1 - penalty));
}

/**
 * The checks this grader requires, whatever the case was mined with: the right verdict; on a reject
 * case a finding on the faulty lines and most findings on them; on an approve case no high or critical
 * finding (a person would not merge over one, so an approval that raises one is not usable as it stands).
 */
export function requiredReviewChecks(verdict: 'approve' | 'reject'): CheckSpec[] {
	return verdict === 'reject'
		? [
				{ name: 'verdict', required: true },
				{ name: 'finding-on-lines', required: true },
				{ name: 'finding-precision', required: true, threshold: DEFAULT_FINDING_PRECISION },
			]
		: [
				{ name: 'verdict', required: true },
				{ name: 'no-serious-finding', required: true },
			];
}

function seriousFindings(answer: ReviewAnswer): { pass: boolean; detail: string } {
	const serious = answer.findings.filter((finding) => finding.severity === 'high' || finding.severity === 'critical');
	return serious.length === 0
		? { pass: true, detail: `no high or critical finding on a clean change (${count(answer.findings.length, 'finding')})` }
		: {
				pass: false,
				detail: `${count(serious.length, 'high or critical finding')} on a clean change, first at ${where(serious[0] as Finding)}`,
			};
}

function gradeReview(testCase: ReviewCase, answer: ReviewAnswer): Grade {
	const expected = testCase.reference.verdict;
	const spans = testCase.reference.lines;
	const checks = runChecks(withRequiredChecks(testCase.checks, requiredReviewChecks(expected)), {
		verdict: () => ({
			pass: answer.verdict === expected,
			detail: answer.verdict === expected ? `${answer.verdict}, as expected` : `${answer.verdict}, expected ${expected}`,
		}),
		'no-serious-finding': () => seriousFindings(answer),
		'finding-on-lines': () => {
			// Cases mined before `no-serious-finding` existed carry this check on approve cases too, with that meaning.
			if (expected === 'approve') return seriousFindings(answer);
			if (spans.length === 0) {
				return answer.findings.length > 0
					? { pass: true, detail: `no referenced lines; ${count(answer.findings.length, 'finding')}` }
					: { pass: false, detail: 'no findings' };
			}
			for (const finding of answer.findings) {
				const span = spans.find((candidate) => findingHits(finding, candidate));
				if (span && findingOnSpans(finding, spans))
					return { pass: true, detail: `finding at ${where(finding)} is on ${spanText(span)} (±${LINE_TOLERANCE})` };
			}
			const wide = answer.findings.filter((finding) => spans.some((span) => findingHits(finding, span)));
			const elsewhere =
				answer.findings.length === 0
					? 'no findings'
					: wide.length > 0
						? `${count(wide.length, 'finding')} cover them only as part of a wider range, first ${where(wide[0] as Finding)}`
						: `${count(answer.findings.length, 'finding')} elsewhere`;
			return {
				pass: false,
				detail: `no finding within ±${LINE_TOLERANCE} lines of ${spans.map(spanText).join(', ')} (${elsewhere})`,
			};
		},
		'finding-precision': (spec: CheckSpec) => {
			const threshold = thresholdOf(spec, DEFAULT_FINDING_PRECISION);
			const { on, total, share } = findingPrecision(testCase, answer);
			const pass = total > 0 && share >= threshold;
			return {
				pass,
				detail:
					total === 0
						? 'no findings'
						: `${on} of ${count(total, 'finding')} on the faulty lines: ${formatRatio(share)} ${pass ? '≥' : '<'} ${threshold}`,
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

/**
 * The median added-line count of a case set, once per set: measured per case it parsed every diff of the
 * set again for each case, the larger part of a run's validity measurement on a few hundred review cases.
 */
const typicalSizes = new WeakMap<readonly ReviewCase[], number>();
function typicalSizeOf(cases: readonly ReviewCase[]): number {
	let size = typicalSizes.get(cases);
	if (size === undefined) {
		size = median(cases.map((other) => addedLineCount(other.input.diff)));
		typicalSizes.set(cases, size);
	}
	return size;
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
	const wholeFiles: SentinelFinding[] = files.map((file) => ({
		path: file.path,
		line: 1,
		end_line: file.lastLine,
		severity: 'high',
		message: 'This file may introduce a bug.',
	}));
	const firstAdded = everyAdded.slice(0, 1);
	const reference = testCase.reference.lines.map((span) => ({
		path: span.path,
		line: span.start,
		end_line: span.end,
		severity: 'high' as const,
		message: 'The later fix changed these lines.',
	}));
	const small = addedLineCount(testCase.input.diff) <= typicalSizeOf(context.cases);
	return [
		{
			name: 'reference',
			kind: 'reference',
			text: answer(testCase.reference.verdict, testCase.reference.verdict === 'reject' ? reference : []),
		},
		junk('always-approve', answer('approve', [])),
		junk('reject-without-findings', answer('reject', [])),
		junk('reject-every-added-line', answer('reject', everyAdded)),
		junk('reject-whole-files', answer('reject', wholeFiles)),
		junk('reject-first-added-line', answer('reject', firstAdded)),
		junk('size-heuristic', small ? answer('approve', []) : answer('reject', everyAdded)),
	];
}

/**
 * Chance level: the majority verdict and its share of the cases. Answering that verdict every time is
 * right that often by construction, so a review acceptance means something only above it (and junk may
 * be accepted on up to this share + 5 points before the grader counts as not valid). Ties name `reject`.
 */
export function reviewChance(cases: readonly ReviewCase[]): { answer: string; rate: number } {
	if (cases.length === 0) return { answer: 'approve', rate: 0 };
	const rejects = cases.filter((testCase) => testCase.reference.verdict === 'reject').length;
	const approves = cases.length - rejects;
	return rejects >= approves ? { answer: 'reject', rate: rejects / cases.length } : { answer: 'approve', rate: approves / cases.length };
}

/** A review task with its own brief; the answer, parser and grader are shared. */
export function reviewTask<T extends ReviewCase['task']>(
	task: T,
	focus: ReviewFocus,
): TaskDefinition<Extract<ReviewCase, { task: T }>, ReviewAnswer, Grade> {
	return {
		task,
		graderVersion: 2,
		buildPrompt: (testCase) => buildReviewPrompt(focus, testCase),
		parse: parseReview,
		grade: gradeReview,
		sentinels: reviewSentinels,
		chance: reviewChance,
	};
}
