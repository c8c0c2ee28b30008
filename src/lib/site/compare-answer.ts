import type { Case } from '../schema/case.ts';
import { taskFor } from '../tasks/index.ts';
import type { ChangeLocalizationAnswer } from '../tasks/change-localization.ts';
import type { CommitMessageAnswer } from '../tasks/commit-message.ts';
import { answerFormatOfText, type ImplementChangeAnswer } from '../tasks/implement-change.ts';
import { normalizePath } from '../tasks/paths.ts';
import type { ReviewAnswer } from '../tasks/review.ts';

/** One pair of texts to diff: what the history did, and what the model answered, for one part of the answer. */
export interface Comparison {
	/** What is compared, e.g. `commit message` or a file path. */
	label: string;
	reference: string;
	produced: string;
}

/** A model's answer set beside the case's reference, ready to diff. */
export interface AnswerComparison {
	/** False when the answer could not be read as the task's answer; the raw text is then compared. */
	parsed: boolean;
	/** Why it could not be read, in the grader's words. */
	reason?: string;
	comparisons: Comparison[];
}

const sortedLines = (items: readonly string[]) => [...items].sort().join('\n');
const spanText = (span: { path: string; start: number; end: number }) =>
	`${span.path}:${span.start}${span.end === span.start ? '' : `-${span.end}`}`;

/**
 * The case's reference as plain text, in the same shape `compareAnswer` gives an answer, so the two diff
 * line by line. Pure.
 */
export function referenceText(testCase: Case): string {
	switch (testCase.task) {
		case 'commit-message':
			return testCase.reference.message;
		case 'change-localization':
			return sortedLines(testCase.reference.files);
		case 'code-review':
		case 'security-review':
			return [`verdict: ${testCase.reference.verdict}`, ...testCase.reference.lines.map((span) => `finding at ${spanText(span)}`)].join(
				'\n',
			);
		case 'implement-change':
			return testCase.reference.files.map((file) => `--- ${file.path}\n${file.content}`).join('\n');
	}
}

/**
 * Reads `output` with the task's own parser (the one the grader used) and pairs each part of the answer
 * with the matching part of the reference: the message, the sorted file list, the verdict and the lines
 * the findings point at, or each file's content. An answer the parser refuses is compared as raw text.
 * Pure: the texts are returned as they are, for the page to render as escaped text.
 */
export function compareAnswer(testCase: Case, output: string): AnswerComparison {
	// A page does not know the policy an old answer was asked under: an implement-change answer is read in
	// the format it is written in.
	const parsed = taskFor(testCase.task).parse(output, testCase, { coderAnswerFormat: answerFormatOfText(output) });
	if (!parsed.ok) {
		return {
			parsed: false,
			reason: parsed.reason,
			comparisons: [{ label: 'answer (as written)', reference: referenceText(testCase), produced: output }],
		};
	}
	switch (testCase.task) {
		case 'commit-message':
			return {
				parsed: true,
				comparisons: [
					{ label: 'commit message', reference: testCase.reference.message, produced: (parsed.value as CommitMessageAnswer).message },
				],
			};
		case 'change-localization':
			return {
				parsed: true,
				comparisons: [
					{
						label: 'files to change',
						reference: referenceText(testCase),
						produced: sortedLines((parsed.value as ChangeLocalizationAnswer).files),
					},
				],
			};
		case 'code-review':
		case 'security-review': {
			const answer = parsed.value as ReviewAnswer;
			const produced = [
				`verdict: ${answer.verdict}`,
				...answer.findings.map(
					(finding) => `finding at ${spanText({ path: finding.path, start: finding.line, end: finding.end_line ?? finding.line })}`,
				),
			].join('\n');
			return { parsed: true, comparisons: [{ label: 'verdict and findings', reference: referenceText(testCase), produced }] };
		}
		case 'implement-change': {
			const answer = parsed.value as ImplementChangeAnswer;
			// Matched the way the grader matches them: `./src/a.ts` and `src/a.ts` are one file.
			const produced = new Map(answer.files.map((file) => [normalizePath(file.path), file.content]));
			const comparisons: Comparison[] = testCase.reference.files.map((file) => ({
				label: file.path,
				reference: file.content,
				produced: produced.get(normalizePath(file.path)) ?? '',
			}));
			const referencePaths = new Set(testCase.reference.files.map((file) => normalizePath(file.path)));
			for (const file of answer.files) {
				if (!referencePaths.has(normalizePath(file.path)))
					comparisons.push({ label: `${file.path} (not changed by the commit)`, reference: '', produced: file.content });
			}
			return { parsed: true, comparisons };
		}
	}
}
