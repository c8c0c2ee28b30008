import type { Case } from '../schema/case.ts';
import { type CheckSpec, runChecks, thresholdOf } from './check-results.ts';
import { firstFencedBlock, stripThinking, unwrapFence } from './answer-text.ts';
import { fenced } from './prompt-text.ts';
import { formatRatio, normalizeText, round4, textSimilarity } from './similarity.ts';
import { diffFileLines, otherCase } from './sentinel-text.ts';
import type { Grade, GradeContext, ParseResult, Prompt, Sentinel, TaskDefinition } from './task-definition.ts';

/** A case of the commit-message task. */
export type CommitMessageCase = Extract<Case, { task: 'commit-message' }>;

/** The commit message the model wrote, cleaned of wrapping. */
export type CommitMessageAnswer = { message: string };

/** The longest subject line a well-formed message may have (what `git log --oneline` and forges show). */
export const MAX_SUBJECT_LENGTH = 72;

/** `message-similarity` passes at this subject similarity when the case sets no threshold. */
export const DEFAULT_MESSAGE_SIMILARITY = 0.5;

/**
 * Share of the quality that comes from the subject; the rest comes from the body. The subject is what
 * every log view shows and what a person rewrites first, so it weighs most.
 */
export const SUBJECT_WEIGHT = 0.7;

/**
 * Words that say nothing about a change. A subject made only of these ("update", "fix bug", "minor
 * changes", "chore: cleanup") is not well-formed: it could head any commit.
 */
const GENERIC_WORDS = new Set([
	'a', 'an', 'the', 'some', 'various', 'misc', 'minor', 'small', 'more', 'stuff', 'things', 'wip', 'commit',
	'update', 'updates', 'updated', 'updating', 'fix', 'fixes', 'fixed', 'fixing', 'change', 'changes', 'changed',
	'tweak', 'tweaks', 'cleanup', 'clean', 'up', 'refactor', 'refactoring', 'improve', 'improvements', 'code',
	'bug', 'bugs', 'file', 'files', 'chore', 'feat', 'work', 'edit', 'edits',
]);

/** First line of a message; the rest after it. */
export function splitMessage(message: string): { subject: string; rest: string[] } {
	const lines = message.replace(/\r\n?/g, '\n').split('\n');
	return { subject: (lines[0] ?? '').trim(), rest: lines.slice(1) };
}

/** The body of a message: everything after the subject, blank lines around it dropped. */
export function bodyOf(message: string): string {
	return splitMessage(message).rest.join('\n').trim();
}

/** Why a message's subject is not well-formed, or undefined when it is. */
export function subjectProblem(message: string): string | undefined {
	const { subject, rest } = splitMessage(message);
	if (subject === '') return 'the subject line is empty';
	if (subject.length > MAX_SUBJECT_LENGTH) {
		return `subject is ${subject.length} characters, over ${MAX_SUBJECT_LENGTH}`;
	}
	if (subject.endsWith('.') && !subject.endsWith('...')) return 'subject ends with a period';
	const words = subject.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((word) => word !== '');
	if (words.every((word) => GENERIC_WORDS.has(word))) return `subject '${subject}' is generic: it names no change`;
	if (rest.some((line) => line.trim() !== '') && (rest[0] ?? '').trim() !== '') {
		return 'the body is not separated from the subject by a blank line';
	}
	return undefined;
}

/** Similarity of two subjects, case and spacing ignored. */
export function subjectSimilarity(produced: string, reference: string): number {
	return textSimilarity(normalizeText(splitMessage(produced).subject), normalizeText(splitMessage(reference).subject));
}

/**
 * How close the message is to the one the author wrote, as the edits a person would make:
 * `0.7 × similarity(subjects) + 0.3 × similarity(bodies)`, each `1 − levenshtein / longer length` after
 * lowercasing and collapsing whitespace. Two empty bodies are equal (1); a body where the author wrote none,
 * or none where the author wrote one, scores 0 for the body part. Well-formedness is not folded in: it is
 * the required check that accepts or rejects, while quality measures how much text must be rewritten.
 */
export function commitMessageQuality(produced: string, reference: string): number {
	const subject = subjectSimilarity(produced, reference);
	const body = textSimilarity(normalizeText(bodyOf(produced)), normalizeText(bodyOf(reference)));
	return round4(SUBJECT_WEIGHT * subject + (1 - SUBJECT_WEIGHT) * body);
}

/** "Commit message:", "**Commit message:**", "**Suggested commit message**:" or a "## Commit message" heading line. */
const LABEL =
	/^(?:(?:\*\*|__)?(?:suggested |proposed |final )?commit message\s*(?::\s*(?:\*\*|__)?|(?:\*\*|__)\s*:)|#+\s*(?:suggested |proposed |final )?commit message\s*:?(?=\s*\n))\s*/i;
const QUOTES: Array<[string, string]> = [
	['"', '"'],
	["'", "'"],
	['`', '`'],
	['“', '”'],
];

/**
 * The message out of a chatty answer: inline thinking, a code fence (around the whole answer or inside
 * prose), a leading "Commit message:" label, and quotes around the whole message are removed.
 */
export function cleanCommitMessage(text: string): string {
	let message = stripThinking(text);
	message = unwrapFence(message);
	message = message.replace(LABEL, '').trim();
	// A fence after a one-line preamble ("Here is the message:") holds the message; a fence further down
	// is part of the message's own body (a usage example) and stays.
	const preamble = message.match(/^[^\n]*:[ \t]*\n+(?=`{3,}|~{3,})/);
	const block = preamble ? firstFencedBlock(message.slice(preamble[0].length)) : undefined;
	if (block !== undefined) message = block.trim();
	message = unwrapFence(message);
	for (const [open, close] of QUOTES) {
		if (message.length >= 2 && message.startsWith(open) && message.endsWith(close) && !message.startsWith('```')) {
			message = message.slice(open.length, -close.length).trim();
			break;
		}
	}
	return message
		.split('\n')
		.map((line) => line.replace(/\s+$/, ''))
		.join('\n');
}

function buildPrompt(testCase: CommitMessageCase): Prompt {
	return {
		messages: [
			{
				role: 'system',
				content:
					'You are an experienced software engineer. You write git commit messages that tell a reviewer what a change does and why, in the style of a well-kept repository.',
			},
			{
				role: 'user',
				content: [
					'Write the commit message for the change in the diff below.',
					'',
					'Rules:',
					`- The first line is the subject: at most ${MAX_SUBJECT_LENGTH} characters, imperative mood ("Add …", "Fix …", "Remove …"), no trailing period. It must name what changed, not just say "update" or "fix".`,
					'- Add a body only when the change needs explaining: one blank line after the subject, then why the change was made, wrapped at 72 columns.',
					'- Reply with the commit message only: no preamble, no label, no code fence, no quotes.',
					'',
					'The diff:',
					fenced(testCase.input.diff, 'diff'),
				].join('\n'),
			},
		],
	};
}

function parse(text: string): ParseResult<CommitMessageAnswer> {
	if (stripThinking(text) === '') return { ok: false, reason: 'the answer is empty' };
	const message = cleanCommitMessage(text);
	if (message === '') return { ok: false, reason: 'the answer holds no commit message once its wrapping is removed' };
	return { ok: true, value: { message } };
}

function grade(testCase: CommitMessageCase, answer: CommitMessageAnswer): Grade {
	const reference = testCase.reference.message;
	const checks = runChecks(testCase.checks, {
		'subject-well-formed': () => {
			const problem = subjectProblem(answer.message);
			const length = splitMessage(answer.message).subject.length;
			return problem === undefined
				? { pass: true, detail: `subject is ${length} characters, well-formed` }
				: { pass: false, detail: problem };
		},
		'message-similarity': (spec: CheckSpec) => {
			const threshold = thresholdOf(spec, DEFAULT_MESSAGE_SIMILARITY);
			const similarity = subjectSimilarity(answer.message, reference);
			const pass = similarity >= threshold;
			return {
				pass,
				detail: `subject similarity ${formatRatio(similarity)} ${pass ? '≥' : '<'} ${threshold}`,
			};
		},
	});
	return { checks, quality: commitMessageQuality(answer.message, reference) };
}

/**
 * The reference (the message the author wrote) and junk a lazy model writes without understanding the
 * change: a subject that only names a changed file, a fluent subject about something else, `fix bug`, the
 * diff's first line, its first added line echoed back, the changed files listed, and another case's real
 * subject (only in a set of two or more).
 */
function sentinels(testCase: CommitMessageCase, context: GradeContext<CommitMessageCase>): Sentinel[] {
	const files = diffFileLines(testCase.input.diff);
	const first = files[0]?.path ?? 'README.md';
	const base = first.split('/').at(-1) ?? first;
	const junk = (name: string, text: string): Sentinel => ({ name, kind: 'junk', text });
	const list = [
		{ name: 'reference', kind: 'reference', text: testCase.reference.message } satisfies Sentinel,
		junk('names-a-file', `Update ${first}`),
		junk('fluent-elsewhere', 'Add support for caching HTTP responses'),
		junk('fix-bug', 'fix bug'),
		junk('diff-first-line', testCase.input.diff.split('\n')[0] ?? ''),
		junk('first-added-line', files.find((file) => file.firstAdded !== undefined)?.firstAdded ?? `Change ${base}`),
		junk('lists-files', `Change ${files.map((file) => file.path).slice(0, 3).join(', ')}`),
		junk('conventional-file', `chore: update ${base}`),
	];
	const other = otherCase(context.cases, testCase.id);
	if (other) list.push(junk('other-case-subject', splitMessage(other.reference.message).subject));
	return list;
}

/** draft → commit-message: the diff in, a commit message out, graded against the message the author wrote. */
export const commitMessageTask: TaskDefinition<CommitMessageCase, CommitMessageAnswer, Grade> = {
	task: 'commit-message',
	graderVersion: 1,
	buildPrompt,
	parse,
	grade,
	sentinels,
};
