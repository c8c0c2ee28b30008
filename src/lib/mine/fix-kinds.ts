import { subjectOf } from './parse-log.ts';
import { fileKind, kindsOf } from './path-kinds.ts';
import type { FileDiff, RawCommit } from './types.ts';

/**
 * What a fixing commit repaired. Only a `behavioural` fix repaired a bug a user could meet; the others
 * repaired the build around the code (CI, lint, formatting), its words (typos, docs) or its tests, and the
 * commit that wrote the lines they touched shipped no bug.
 */
export type FixKind = 'behavioural' | 'ci' | 'lint' | 'format' | 'typo' | 'docs' | 'test-only' | 'flaky-test';

/** The kinds of fix SZZ does not trace, in the order the summary lists them. */
export const NON_BEHAVIOURAL_FIX_KINDS = ['ci', 'lint', 'format', 'typo', 'docs', 'test-only', 'flaky-test'] as const;

/**
 * Subject words that name what was fixed, checked in this order (a "flaky CI test" is flaky). Only the
 * subject is read: a body often mentions CI or docs in passing.
 */
const SUBJECT_KINDS: Array<[Exclude<FixKind, 'behavioural'>, RegExp]> = [
	['flaky-test', /\bflak(y|ey|iness)\b|\bintermittent(ly)? fail/i],
	['typo', /\b(typos?|spelling|misspell\w*)\b/i],
	['lint', /\b(lint(s|ing|er)?|eslint|xo|tslint|stylelint|biome|clippy)\b/i],
	['format', /\b(formatting|prettier|dprint|indentation|code style)\b/i],
	['ci', /\b(ci|travis|appveyor|circleci|github actions|workflows?|codecov|coverage)\b/i],
	['docs', /\b(docs?|document(s|ed|ing)?|documentation|readme|jsdoc|docstrings?|changelog)\b/i],
];

/** Conventional-commit types that say the change is not behaviour: `ci:`, `docs(readme):`, `style:`, `test:`. */
const CONVENTIONAL_KINDS: Record<string, Exclude<FixKind, 'behavioural'>> = {
	ci: 'ci',
	docs: 'docs',
	doc: 'docs',
	style: 'format',
	test: 'test-only',
	tests: 'test-only',
	lint: 'lint',
};

/** A line that holds only a comment (or nothing): changing it changes no behaviour. */
function isCommentLine(text: string): boolean {
	const trimmed = text.trim();
	// `///` is a TypeScript directive, not a comment.
	return trimmed === '' || /^(\/\/(?!\/)|\/\*|\*|#(?!!)|<!--|-->|--\s)/.test(trimmed);
}

/** True when the file's changed lines are all comments or blank. */
function onlyComments(file: FileDiff): boolean {
	return file.hunks.every((hunk) => hunk.lines.every((line) => line.kind === 'context' || isCommentLine(line.text)));
}

/**
 * Classifies a fixing commit by one documented rule, first match wins:
 * 1. its subject's conventional type or scope (`ci:`, `docs:`, `style:`, `test:`, `lint:`, `fix(ci):`);
 * 2. its subject's words: flaky → `flaky-test`, typo/spelling → `typo`, lint/eslint/xo → `lint`,
 *    formatting/prettier → `format`, CI/travis/workflow/coverage → `ci`, docs/readme/jsdoc → `docs`;
 * 3. the files it changed (authored files only): no code file → `test-only` when a test changed, else `ci`,
 *    `lint` (lint and editor configuration) or `docs`; code files whose changed lines are all comments → `docs`;
 * 4. otherwise `behavioural`.
 */
export function classifyFix(commit: Pick<RawCommit, 'message'>, authored: FileDiff[]): FixKind {
	const subject = subjectOf(commit.message);
	// `docs: …` or `fix(ci): …`: the type, else the scope, names what was fixed.
	const header = subject.match(/^(\w+)(?:\(([^)]*)\))?!?:/);
	const conventional = header
		? (CONVENTIONAL_KINDS[(header[1] as string).toLowerCase()] ?? CONVENTIONAL_KINDS[(header[2] ?? '').toLowerCase()])
		: undefined;
	if (conventional) return conventional;
	for (const [kind, pattern] of SUBJECT_KINDS) if (pattern.test(subject)) return kind;
	const kinds = kindsOf(authored);
	if (!kinds.includes('code')) {
		if (kinds.includes('test')) return 'test-only';
		if (kinds.includes('ci')) return 'ci';
		if (kinds.includes('tooling')) return 'lint';
		if (kinds.includes('docs')) return 'docs';
		return 'behavioural';
	}
	const code = authored.filter((file) => fileKind(file) === 'code');
	if (code.every(onlyComments)) return 'docs';
	return 'behavioural';
}
