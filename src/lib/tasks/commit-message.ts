import type { Case } from '../schema/case.ts';
import { type CheckSpec, runChecks, thresholdOf, withRequiredChecks } from './check-results.ts';
import { firstFencedBlock, stripThinking, unwrapFence } from './answer-text.ts';
import { fenced } from './prompt-text.ts';
import {
	descriptionProblem,
	GENERIC_WORDS,
	indexReferences,
	ownReferenceRank,
	rankAllowance,
	type ReferenceIndex,
	sharedWords,
	withoutPrefix,
} from './message-specificity.ts';
import { round4 } from '../metrics/wilson.ts';
import { formatRatio } from './similarity.ts';
import { diffFileLines, otherCase } from './sentinel-text.ts';
import { contentWords, stem, wordF1 } from './words.ts';
import { wordSalad } from './word-salad.ts';
import type { Grade, GradeContext, ParseResult, Prompt, Sentinel, TaskDefinition } from './task-definition.ts';

/** A case of the commit-message task. */
export type CommitMessageCase = Extract<Case, { task: 'commit-message' }>;

/** The commit message the model wrote, cleaned of wrapping. */
export type CommitMessageAnswer = { message: string };

/**
 * The longest subject the prompt asks for (what `git log --oneline` and forges show whole). A repository
 * whose own subjects run longer gets its own limit (`subjectLimit`), never a shorter one: the model is
 * told 72, so holding it to less would reject what it was asked to write.
 */
export const MAX_SUBJECT_LENGTH = 72;

/** `message-similarity` passes at this word-level subject similarity when the case sets no threshold. */
export const DEFAULT_MESSAGE_SIMILARITY = 0.5;

/**
 * Share of the quality that comes from the subject; the rest comes from the body. The subject is what
 * every log view shows and what a person rewrites first, so it weighs most.
 */
export const SUBJECT_WEIGHT = 0.7;

/**
 * Share of a subject's similarity that comes from its action (the leading verb: add, remove, fix, …);
 * the rest is the content words. A subject that says "Remove" where the change adds is rewritten however
 * many of its other words are right.
 */
export const ACTION_WEIGHT = 0.3;

/**
 * A subject's length as its author wrote it: the ` (#123)` a forge appends when it squash-merges a pull
 * request is not counted, since no one typed it and every subject of such a repository carries one.
 */
export function subjectLength(subject: string): number {
	return subject.replace(/\s*\(#\d+\)$/, '').length;
}

/** First line of a message; the rest after it. */
export function splitMessage(message: string): { subject: string; rest: string[] } {
	const lines = message.replace(/\r\n?/g, '\n').split('\n');
	return { subject: (lines[0] ?? '').trim(), rest: lines.slice(1) };
}

/** The body of a message: everything after the subject, blank lines around it dropped. */
export function bodyOf(message: string): string {
	return splitMessage(message).rest.join('\n').trim();
}

/**
 * The subject length limit of a case set: Tukey's upper fence of its references' subject lengths
 * (third quartile + 1.5 × interquartile range), never below `MAX_SUBJECT_LENGTH`. The repository's own
 * subjects set the convention, so its references pass; only outliers beyond the fence (a 140-character
 * subject in a history of 50-character ones) would not, and a model is held to the same convention.
 */
export function subjectLimit(cases: readonly CommitMessageCase[]): number {
	const lengths = cases.map((testCase) => subjectLength(splitMessage(testCase.reference.message).subject)).sort((a, b) => a - b);
	if (lengths.length === 0) return MAX_SUBJECT_LENGTH;
	const quartile = (q: number) => lengths[Math.min(lengths.length - 1, Math.max(0, Math.ceil(q * lengths.length) - 1))] as number;
	const fence = quartile(0.75) + 1.5 * (quartile(0.75) - quartile(0.25));
	return Math.max(MAX_SUBJECT_LENGTH, Math.floor(fence));
}

/**
 * True when the case set's references end their subjects with a period often enough (over 10 %) that a
 * period is the repository's convention rather than a slip.
 */
export function periodsAreConvention(cases: readonly CommitMessageCase[]): boolean {
	if (cases.length === 0) return false;
	const withPeriod = cases.filter((testCase) => /[^.]\.$/.test(splitMessage(testCase.reference.message).subject)).length;
	return withPeriod / cases.length > 0.1;
}

/** The repository's subject conventions, read off a case set's references. */
export type SubjectConvention = { limit: number; periods: boolean };

/** The convention of a case set: its subject length limit and whether its subjects end with periods. */
export function subjectConvention(cases: readonly CommitMessageCase[]): SubjectConvention {
	return { limit: subjectLimit(cases), periods: periodsAreConvention(cases) };
}

/** Why a message's subject is not well-formed by the convention, or undefined when it is. */
export function subjectProblem(
	message: string,
	convention: SubjectConvention = { limit: MAX_SUBJECT_LENGTH, periods: false },
): string | undefined {
	const { subject, rest } = splitMessage(message);
	if (subject === '') return 'the subject line is empty';
	if (subjectLength(subject) > convention.limit) {
		return `subject is ${subjectLength(subject)} characters, over the repository's ${convention.limit}`;
	}
	if (!convention.periods && subject.endsWith('.') && !subject.endsWith('...')) return 'subject ends with a period';
	const words = subject
		.toLowerCase()
		.split(/[^\p{L}\p{N}]+/u)
		.filter((word) => word !== '');
	if (words.every((word) => GENERIC_WORDS.has(word))) return `subject '${subject}' is generic: it names no change`;
	if (rest.some((line) => line.trim() !== '') && (rest[0] ?? '').trim() !== '') {
		return 'the body is not separated from the subject by a blank line';
	}
	return undefined;
}

/**
 * Verbs that name the same action: a subject saying "Drop" where the author wrote "Remove" needs no edit,
 * one saying "Add" where the author wrote "Remove" needs its point rewritten.
 */
const ACTIONS: Record<string, readonly string[]> = {
	add: ['add', 'introduce', 'support', 'create', 'implement', 'allow', 'enable', 'provide', 'expose', 'new'],
	remove: ['remove', 'delete', 'drop', 'strip', 'disable', 'deprecate', 'eliminate', 'omit', 'exclude'],
	fix: ['fix', 'correct', 'repair', 'resolve', 'handle', 'prevent', 'avoid', 'guard'],
	update: ['update', 'bump', 'upgrade', 'change', 'adjust', 'tweak', 'modify', 'set', 'replace', 'switch', 'use'],
	refactor: ['refactor', 'simplify', 'clean', 'cleanup', 'restructure', 'extract', 'inline', 'reorganize', 'split', 'merge'],
	rename: ['rename', 'move'],
	document: ['document', 'doc', 'docs', 'readme', 'describe', 'explain', 'clarify', 'mention', 'note'],
	test: ['test', 'tests', 'cover', 'check', 'verify'],
	revert: ['revert', 'undo', 'restore', 'rollback'],
	release: ['release', 'publish', 'version'],
};
const ACTION_OF = new Map(Object.entries(ACTIONS).flatMap(([action, verbs]) => verbs.map((verb) => [stem(verb), action] as const)));

/** The action a subject leads with: the class of its first word (after a conventional label), or that word's stem. */
export function actionOf(subject: string): string {
	const first = contentWords(withoutPrefix(subject))[0] ?? '';
	return ACTION_OF.get(first) ?? first;
}

/** The subject's content words after its leading verb, with the conventional label dropped. */
function subjectWords(subject: string): string[] {
	return contentWords(withoutPrefix(subject)).slice(1);
}

/**
 * Word-level similarity of two subjects: `0.3 × (same action) + 0.7 × token F1 of the remaining content
 * words`. Words, not characters: "Add X" against "Remove X" loses the whole action (0.7 at most), while a
 * paraphrase that keeps the action and the things named keeps most of its score.
 */
export function subjectSimilarity(produced: string, reference: string): number {
	const a = withoutPrefix(splitMessage(produced).subject);
	const b = withoutPrefix(splitMessage(reference).subject);
	const action = actionOf(a) === actionOf(b) ? 1 : 0;
	return round4(ACTION_WEIGHT * action + (1 - ACTION_WEIGHT) * wordF1(subjectWords(a), subjectWords(b)));
}

/**
 * How close the message is to the one the author wrote, as the edits a person would make, in words:
 * `0.7 × subjectSimilarity + 0.3 × token F1 of the bodies' content words`. Two empty bodies are equal
 * (1); a body where the author wrote none, or none where the author wrote one, scores 0 for the body part.
 * Well-formedness and specificity are not folded in: they are the required checks that accept or reject.
 */
export function commitMessageQuality(produced: string, reference: string): number {
	const subject = subjectSimilarity(produced, reference);
	const body = wordF1(contentWords(bodyOf(produced)), contentWords(bodyOf(reference)));
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

/** What grading needs of the case set, computed once per set: the convention and the references' index. */
type SetFacts = { convention: SubjectConvention; index: ReferenceIndex };
const setFacts = new WeakMap<readonly CommitMessageCase[], SetFacts>();

function factsOf(cases: readonly CommitMessageCase[]): SetFacts {
	let facts = setFacts.get(cases);
	if (!facts) {
		facts = { convention: subjectConvention(cases), index: indexReferences(cases) };
		setFacts.set(cases, facts);
	}
	return facts;
}

/**
 * Why the message is not about this change, or undefined when it is: its subject must describe something
 * (not only name files or code, not repeat a line of the diff), it must share a content word with the
 * change (the diff or the author's message), and among the case set's references its own must be among
 * the closest (`rankAllowance`): a message that fits other changes as well as this one is not about it.
 */
export function specificityProblem(
	message: string,
	testCase: CommitMessageCase,
	index: ReferenceIndex,
): { problem: string | undefined; detail: string } {
	const description = descriptionProblem(splitMessage(message).subject, testCase.input.diff);
	if (description) return { problem: description, detail: description };
	const shared = sharedWords(message, testCase.input.diff, testCase.reference.message);
	if (shared.length === 0) {
		const problem = 'no word of the message occurs in the diff or in what the author wrote: it is about something else';
		return { problem, detail: problem };
	}
	const { rank, of } = ownReferenceRank(index, message, testCase.id);
	const allowance = rankAllowance(of);
	if (rank > allowance) {
		const problem = `closer to ${rank - 1} other change(s) of the ${of} than to its own (at most ${allowance - 1} allowed): it is not specific to this change`;
		return { problem, detail: problem };
	}
	return {
		problem: undefined,
		detail: `shares ${shared.slice(0, 4).join(', ')}${shared.length > 4 ? ', …' : ''} with the change; its own change ranks ${rank} of ${of}`,
	};
}

function grade(testCase: CommitMessageCase, answer: CommitMessageAnswer, context: GradeContext<CommitMessageCase>): Grade {
	const reference = testCase.reference.message;
	// A case graded outside any set (a unit test, a lone answer) is its own set.
	const facts = factsOf(context.cases.some((other) => other.id === testCase.id) ? context.cases : [testCase]);
	const checks = runChecks(withRequiredChecks(testCase.checks, REQUIRED_CHECKS), {
		'subject-well-formed': () => {
			const problem = subjectProblem(answer.message, facts.convention);
			const length = subjectLength(splitMessage(answer.message).subject);
			return problem === undefined
				? { pass: true, detail: `subject is ${length} characters (at most ${facts.convention.limit}), well-formed` }
				: { pass: false, detail: problem };
		},
		'message-specific': () => {
			const { problem, detail } = specificityProblem(answer.message, testCase, facts.index);
			return { pass: problem === undefined, detail };
		},
		'message-similarity': (spec: CheckSpec) => {
			const threshold = thresholdOf(spec, DEFAULT_MESSAGE_SIMILARITY);
			const similarity = subjectSimilarity(answer.message, reference);
			const pass = similarity >= threshold;
			return {
				pass,
				detail: `subject similarity ${formatRatio(similarity)} ${pass ? '≥' : '<'} ${threshold} (words and action)`,
			};
		},
	});
	return { checks, quality: commitMessageQuality(answer.message, reference) };
}

/**
 * The checks this grader requires of every case, whatever the case was mined with: a usable message is
 * well-formed by the repository's convention and about this change.
 */
const REQUIRED_CHECKS: readonly CheckSpec[] = [
	{ name: 'subject-well-formed', required: true },
	{ name: 'message-specific', required: true },
];

/** The diff's code identifiers most used in its added lines (camelCase, snake_case, dotted), most frequent first. */
function topIdentifiers(diff: string, count: number): string[] {
	const frequency = new Map<string, number>();
	for (const line of diff.split('\n')) {
		if (!line.startsWith('+') || line.startsWith('+++')) continue;
		for (const token of line.match(/[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*/g) ?? []) {
			if (!/[a-z][A-Z]|_|\./.test(token) || token.length < 4) continue;
			frequency.set(token, (frequency.get(token) ?? 0) + 1);
		}
	}
	return [...frequency]
		.sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
		.slice(0, count)
		.map(([token]) => token);
}

/**
 * The reference (the message the author wrote) and junk a lazy model writes without understanding the
 * change: a subject that only names a changed file, a fluent subject about something else, `fix bug`, the
 * diff's first line, its first added line echoed back, the changed files listed, the diff's identifiers
 * without a verb, a word salad of the diff's most used words (`wordSalad`), and another case's real
 * subject (only in a set of two or more).
 */
function sentinels(testCase: CommitMessageCase, context: GradeContext<CommitMessageCase>): Sentinel[] {
	const files = diffFileLines(testCase.input.diff);
	const first = files[0]?.path ?? 'README.md';
	const base = first.split('/').at(-1) ?? first;
	const junk = (name: string, text: string): Sentinel => ({ name, kind: 'junk', text });
	const identifiers = topIdentifiers(testCase.input.diff, 3);
	const list = [
		{ name: 'reference', kind: 'reference', text: testCase.reference.message } satisfies Sentinel,
		junk('names-a-file', `Update ${first}`),
		junk('fluent-elsewhere', 'Add support for caching HTTP responses'),
		junk('fix-bug', 'fix bug'),
		junk('diff-first-line', testCase.input.diff.split('\n')[0] ?? ''),
		junk('first-added-line', files.find((file) => file.firstAdded !== undefined)?.firstAdded ?? `Change ${base}`),
		junk(
			'lists-files',
			`Change ${files
				.map((file) => file.path)
				.slice(0, 3)
				.join(', ')}`,
		),
		junk('conventional-file', `chore: update ${base}`),
		junk('identifiers-without-verb', identifiers.length > 0 ? identifiers.join(' ') : base),
		junk('verb-and-identifier', `Add ${identifiers[0] ?? base} to ${base}`),
		junk('improve-file-handling', `Improve ${base.replace(/\.[^.]+$/, '')} handling`),
		junk('word-salad', wordSalad(testCase.input.diff, testCase.id)),
	];
	const other = otherCase(context.cases, testCase.id);
	if (other) list.push(junk('other-case-subject', splitMessage(other.reference.message).subject));
	return list;
}

/** draft → commit-message: the diff in, a commit message out, graded against the message the author wrote. */
export const commitMessageTask: TaskDefinition<CommitMessageCase, CommitMessageAnswer, Grade> = {
	task: 'commit-message',
	graderVersion: 5,
	buildPrompt,
	parse,
	grade,
	sentinels,
};
