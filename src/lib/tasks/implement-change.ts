import { z } from 'astro/zod';
import type { Case } from '../schema/case.ts';
import { parseJsonAnswer, stripThinking } from './answer-text.ts';
import { type CheckSpec, runChecks, thresholdOf } from './check-results.ts';
import { listPaths, normalizePath } from './paths.ts';
import { fenced } from './prompt-text.ts';
import { round4 } from '../metrics/wilson.ts';
import { comparableLines, formatRatio, lineEditDistance } from './similarity.ts';
import type { Executor } from '../execute/executor.ts';
import { harnessImportReason, isHarnessPath } from '../execute/test-runners.ts';
import { type ExecutionRecord, notRunRecord } from '../schema/execution.ts';
import type { CoderAnswerFormat } from '../schema/policy.ts';
import { applyEditAnswer, editsBetween, renderEditBlocks, unchangedBlock, type EditBlock } from './search-replace.ts';
import type { AnswerSettings, Grade, GradeContext, ParseResult, Prompt, Sentinel, TaskDefinition } from './task-definition.ts';

/** A case of the implement-change task. */
export type ImplementChangeCase = Extract<Case, { task: 'implement-change' }>;

/** The answer format when the policy names none: search/replace edits. */
export const DEFAULT_ANSWER_FORMAT: CoderAnswerFormat = 'edit';

/**
 * The model's answer as the grader reads it: the full new content of every file it changes or creates —
 * written so by a `whole` answer, or the shown files with an `edit` answer's blocks applied.
 */
export const ImplementChangeAnswerSchema = z
	.object({
		files: z.array(z.object({ path: z.string().min(1), content: z.string() })),
	})
	.superRefine((answer, context) => {
		// Two versions of one file leave it unknown which the model meant: the answer cannot be applied.
		const seen = new Set<string>();
		answer.files.forEach((file, index) => {
			const path = normalizePath(file.path);
			if (seen.has(path)) {
				context.addIssue({ code: 'custom', path: ['files', index, 'path'], message: `'${path}' is given twice` });
			}
			seen.add(path);
		});
	});
/** The new files the model wrote. */
export type ImplementChangeAnswer = z.infer<typeof ImplementChangeAnswerSchema>;

/** Ollama `format`: the shape of `ImplementChangeAnswerSchema`, in plain JSON schema. */
export const IMPLEMENT_CHANGE_FORMAT = {
	type: 'object',
	properties: {
		files: {
			type: 'array',
			items: {
				type: 'object',
				properties: { path: { type: 'string' }, content: { type: 'string' } },
				required: ['path', 'content'],
			},
		},
	},
	required: ['files'],
} as const satisfies Record<string, unknown>;

/**
 * `change-similarity` passes at this per-file change similarity when the case sets no threshold; the same
 * halfway mark the miner writes.
 */
export const DEFAULT_CHANGE_SIMILARITY = 0.5;

/** One file of the comparison: its text before, as the commit left it, and as the model left it. */
export type FileComparison = {
	path: string;
	before: string;
	reference: string;
	produced: string;
	/** True when the reference changed the file. */
	referenceChanged: boolean;
	/** True when the model changed the file. */
	producedChanged: boolean;
	/** Line edits from before to the reference: the work the change is. */
	referenceEdits: number;
	/** Line edits from the model's version to the reference: the work a person still has to do. */
	remainingEdits: number;
};

/**
 * Lines up before, reference and produced text for every path either the reference or the model changed.
 * A file the model leaves out keeps its content before; a path in neither the input nor the reference
 * is empty before and after (so creating it is all extra work). Text is compared as `comparableLines`.
 */
export function compareFiles(testCase: ImplementChangeCase, answer: ImplementChangeAnswer): FileComparison[] {
	const before = new Map(testCase.input.files.map((file) => [normalizePath(file.path), file.content]));
	const reference = new Map(testCase.reference.files.map((file) => [normalizePath(file.path), file.content]));
	const produced = new Map(answer.files.map((file) => [normalizePath(file.path), file.content]));
	const paths = [...new Set([...reference.keys(), ...produced.keys()])];
	return paths
		.map((path) => {
			const beforeText = before.get(path) ?? '';
			const referenceText = reference.get(path) ?? beforeText;
			const producedText = produced.get(path) ?? beforeText;
			const referenceEdits = lineEditDistance(beforeText, referenceText);
			// A path missing before counts as changed once given, even empty: the file comes into being.
			const isNew = !before.has(path);
			return {
				path,
				before: beforeText,
				reference: referenceText,
				produced: producedText,
				referenceChanged: referenceEdits > 0 || (isNew && reference.has(path)),
				producedChanged: lineEditDistance(beforeText, producedText) > 0 || (isNew && produced.has(path)),
				referenceEdits,
				remainingEdits: lineEditDistance(producedText, referenceText),
			};
		})
		.filter((file) => file.referenceChanged || file.producedChanged);
}

/**
 * How much of a file's change the model did: `1 − remaining / needed` line edits, clamped to [0, 1].
 * Leaving the file as it was scores 0 however small the change; a version further from the reference
 * than the original scores 0 too. A file nobody should have touched scores 1 untouched, 0 touched.
 */
export function changeSimilarity(file: FileComparison): number {
	if (file.referenceEdits === 0) return file.remainingEdits === 0 ? 1 : 0;
	return Math.max(0, 1 - file.remainingEdits / file.referenceEdits);
}

/**
 * Quality of the change as the share of the real change a person need not redo, pooled over files:
 * `1 − Σ remaining edits / Σ needed edits` (clamped to [0, 1]) over every file the reference or the model
 * changed. Whole-file similarity would reward echoing the input (a one-line change in a long file is 99 %
 * similar to no change at all); this measures the change itself. Line edits are whole lines: a line with
 * one wrong character counts as one edit, trailing spaces and final newlines do not count.
 */
export function implementChangeQuality(files: readonly FileComparison[]): number {
	const needed = files.reduce((sum, file) => sum + file.referenceEdits, 0);
	const remaining = files.reduce((sum, file) => sum + file.remainingEdits, 0);
	if (needed === 0) return remaining === 0 ? 1 : 0;
	return round4(Math.max(0, 1 - remaining / needed));
}

function fileSection(file: { path: string; content: string }): string {
	const note = comparableLines(file.content).length === 0 ? ' (empty: to be created)' : '';
	return `### ${file.path}${note}\n${fenced(file.content)}`;
}

const SYSTEM_WHOLE =
	'You are an experienced software engineer who makes precise, minimal changes to existing code. You answer with JSON only.';
const SYSTEM_EDIT =
	'You are an experienced software engineer who makes precise, minimal changes to existing code. You answer with SEARCH/REPLACE blocks only.';

/** How an `edit` answer is written, in the words of Aider's `diff` format rules (the markers and the path line are the same). */
const EDIT_RULES = [
	'Answer with SEARCH/REPLACE blocks only, one for each change, each in this form:',
	'',
	'src/file.ts',
	'```ts',
	'<<<<<<< SEARCH',
	'the lines of the file as they are now',
	'=======',
	'the lines that replace them',
	'>>>>>>> REPLACE',
	'```',
	'',
	"- Put the file's full path, as shown above, alone on the line before the opening fence.",
	'- The SEARCH part must match the file exactly, character for character, with its indentation and comments, and must occur only once in the file: include just enough unchanged lines around the change to make it unique.',
	'- Keep blocks small: the changed lines and a few lines around them. Make several changes to one file with several blocks; they are applied in order. Never copy a whole file when a few lines change.',
	'- To delete lines, leave the REPLACE part empty. To create a file, give its new path with an empty SEARCH part and the whole new content as the REPLACE part.',
	'- Edit only the files shown here (or create new ones).',
].join('\n');

/** The answer format the settings ask for. */
export function answerFormatOf(settings?: AnswerSettings): CoderAnswerFormat {
	return settings?.coderAnswerFormat ?? DEFAULT_ANSWER_FORMAT;
}

function buildPrompt(testCase: ImplementChangeCase, settings?: AnswerSettings): Prompt {
	const format = answerFormatOf(settings);
	const task = [
		'Make the change described here:',
		fenced(testCase.input.intent, 'text'),
		'',
		'The files as they are now (an empty file is one the change creates):',
		'',
		testCase.input.files.map(fileSection).join('\n\n'),
		'',
	];
	if (format === 'edit') {
		return {
			messages: [
				{ role: 'system', content: SYSTEM_EDIT },
				{ role: 'user', content: [...task, EDIT_RULES].join('\n') },
			],
		};
	}
	return {
		messages: [
			{ role: 'system', content: SYSTEM_WHOLE },
			{
				role: 'user',
				content: [
					...task,
					'Reply with JSON only, in this shape: {"files": [{"path": "src/file.ts", "content": "…the whole new file…"}]}',
					'Give the complete new content of every file you change or create, not a diff. Leave out files you do not change. Keep the rest of each file exactly as it is, formatting included.',
				].join('\n'),
			},
		],
		format: IMPLEMENT_CHANGE_FORMAT,
	};
}

/**
 * Reads an answer in the policy's format. `whole`: the JSON object of files (`unparseable` when it is
 * not one). `edit`: the search/replace blocks applied to the files shown; an answer without blocks, or a
 * block that cannot be applied, is a `malformed-edit` naming the block.
 */
function parse(text: string, testCase: ImplementChangeCase, settings?: AnswerSettings): ParseResult<ImplementChangeAnswer> {
	if (answerFormatOf(settings) === 'whole') return parseJsonAnswer(text, ImplementChangeAnswerSchema);
	const applied = applyEditAnswer(stripThinking(text), testCase.input.files);
	if (!applied.ok) return { ok: false, reason: `malformed edit: ${applied.reason}`, failureClass: 'malformed-edit' };
	return { ok: true, value: { files: applied.files } };
}

/**
 * The format an answer was written in, read off the answer (a page showing an old run's answer does not
 * know the policy it was asked under): `edit` when it holds a SEARCH marker, else `whole`.
 */
export function answerFormatOfText(text: string): CoderAnswerFormat {
	return /^\s*<{5,9} SEARCH/m.test(text) ? 'edit' : 'whole';
}

/**
 * Runs the case's own tests on the answer: its files written into a throwaway worktree at the parent, then
 * the commit's test files over them (an answer cannot change the tests that judge it). An answer's files
 * in the test set-up (tests, setup files, the runner's configuration) are left out, and an answer whose
 * source loads the test framework is not run at all: it could neuter the assertions. Undefined for a
 * case without tests; a record saying why when there is no executor.
 */
export async function runAnswerTests(
	testCase: ImplementChangeCase,
	answer: ImplementChangeAnswer,
	executor: Executor | undefined,
): Promise<ExecutionRecord | undefined> {
	const tests = testCase.tests;
	if (!tests) return undefined;
	if (!executor) return notRunRecord('error', tests.runner, 'not run: this build has no test executor');
	const source = answer.files.filter((file) => !isHarnessPath(file.path));
	const tampered = source.map(harnessImportReason).find((reason) => reason !== undefined);
	if (tampered) return notRunRecord('failed', tests.runner, `not run: the answer changes how it is judged — ${tampered}`);
	const {
		cached: _cached,
		reported: _reported,
		outputTail: _tail,
		...record
	} = await executor.execute({
		rev: testCase.source.parent,
		files: [...source, ...tests.files],
		runner: tests.runner,
		command: tests.command,
		run: tests.run,
	});
	return record;
}

/** True when every test the commit's tests hold passed (an exit-code runner: when the command passed). */
export function testsPassed(execution: ExecutionRecord, count: number | null): boolean {
	return execution.status === 'passed' && (count === null || (execution.passed ?? 0) >= count);
}

/**
 * Quality from a test run: the share of the commit's test cases that passed (capped at 1); for an
 * exit-code runner 1 or 0. A run that never reported (the answer broke the build, or timed out) scores 0.
 */
export function testsQuality(execution: ExecutionRecord, count: number | null): number {
	if (count === null) return execution.status === 'passed' ? 1 : 0;
	return round4(Math.min(1, (execution.passed ?? 0) / count));
}

function describeRun(execution: ExecutionRecord): string {
	const where =
		execution.isolation === null
			? ''
			: ` (${execution.isolation}${execution.duration_ms === null ? '' : `, ${(execution.duration_ms / 1000).toFixed(1)} s`})`;
	return `${execution.detail}${where}`;
}

async function grade(
	testCase: ImplementChangeCase,
	answer: ImplementChangeAnswer,
	context: GradeContext<ImplementChangeCase>,
): Promise<Grade> {
	const files = compareFiles(testCase, answer);
	const expected = files.filter((file) => file.referenceChanged);
	const changed = files.filter((file) => file.producedChanged);
	const execution = await runAnswerTests(testCase, answer, context.executor);
	const count = testCase.tests?.count ?? null;
	const checks = runChecks(testCase.checks, {
		'tests-pass': () => {
			if (!execution) return { pass: false, detail: 'the case has no tests' };
			return { pass: testsPassed(execution, count), detail: describeRun(execution) };
		},
		'files-changed': () => {
			const missing = expected.filter((file) => !file.producedChanged).map((file) => file.path);
			const extra = changed.filter((file) => !file.referenceChanged).map((file) => file.path);
			if (missing.length === 0 && extra.length === 0) {
				return { pass: true, detail: `changed the ${expected.length} expected file${expected.length === 1 ? '' : 's'}` };
			}
			const parts = [
				...(missing.length > 0 ? [`left unchanged ${listPaths(missing)}`] : []),
				...(extra.length > 0 ? [`also changed ${listPaths(extra)}`] : []),
			];
			return { pass: false, detail: parts.join('; ') };
		},
		'change-similarity': (spec: CheckSpec) => {
			const threshold = thresholdOf(spec, DEFAULT_CHANGE_SIMILARITY);
			const scored = expected.map((file) => ({ path: file.path, similarity: changeSimilarity(file) }));
			const worst = scored.reduce<{ path: string; similarity: number } | undefined>(
				(low, file) => (low === undefined || file.similarity < low.similarity ? file : low),
				undefined,
			);
			if (worst === undefined) return { pass: true, detail: 'the reference changes no file' };
			const pass = worst.similarity >= threshold;
			return {
				pass,
				detail: pass
					? `every changed file ≥ ${threshold} (lowest ${formatRatio(worst.similarity)}, ${worst.path})`
					: `${worst.path} ${formatRatio(worst.similarity)} < ${threshold}`,
			};
		},
	});
	// With tests, quality is how much of the commit's tests the answer passes; the line edits measure
	// closeness to one particular solution, which a different working answer need not have.
	const quality = execution ? testsQuality(execution, count) : implementChangeQuality(files);
	return { checks, quality, ...(execution ? { execution } : {}) };
}

/** Code that makes vitest's assertions (chai underneath) pass whatever they check. */
const NEUTER_ASSERTIONS = "import { chai } from 'vitest';\n(chai as any).Assertion.prototype.assert = () => {};\n";

/** Files that would make a test runner load `no-assertions.ts` before every test file. */
const RIG_FILES = [
	{
		path: 'vitest.config.ts',
		content:
			"import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { setupFiles: ['./no-assertions.ts'] } });\n",
	},
	{ path: 'jest.config.js', content: "module.exports = { setupFilesAfterEnv: ['./no-assertions.ts'] };\n" },
	{ path: 'no-assertions.ts', content: NEUTER_ASSERTIONS },
];

type FileText = { path: string; content: string };

/** Edits that turn every shown file into its version in `after` (same paths), minimal and unique. */
function editsTo(shown: readonly FileText[], after: readonly FileText[]): EditBlock[] {
	const before = new Map(shown.map((file) => [normalizePath(file.path), file.content]));
	return after.flatMap((file) => editsBetween(file.path, before.get(normalizePath(file.path)) ?? '', file.content));
}

/**
 * The commit's own change as search/replace blocks: per file, each changed region with just enough
 * unchanged lines around it to occur once (`editsBetween`). The reference sentinel of the edit format,
 * and what the miner sizes against `num_predict`.
 */
export function referenceEdits(testCase: { input: { files: FileText[] }; reference: { files: FileText[] } }, context = 0): EditBlock[] {
	const before = new Map(testCase.input.files.map((file) => [normalizePath(file.path), file.content]));
	return testCase.reference.files.flatMap((file) =>
		editsBetween(file.path, before.get(normalizePath(file.path)) ?? '', file.content, context),
	);
}

/** The reference answer in a format, as a model would send it. */
export function referenceAnswer(testCase: ImplementChangeCase, format: CoderAnswerFormat = DEFAULT_ANSWER_FORMAT): string {
	return format === 'whole' ? JSON.stringify({ files: testCase.reference.files }) : renderEditBlocks(referenceEdits(testCase));
}

/** The index of the first line `after` changes in `before`, or undefined when they hold the same lines. */
function firstChangedLine(before: string, after: string): number | undefined {
	const old = before.replace(/\r\n?/g, '\n').split('\n');
	const next = after.replace(/\r\n?/g, '\n').split('\n');
	const at = old.findIndex((line, index) => line !== next[index]);
	if (at >= 0) return at;
	return next.length > old.length ? old.length : undefined;
}

/**
 * A blank line added where the commit's change starts in each file it changed (a new file gets only a
 * blank line): an edit in the right place that applies cleanly, compiles, and cannot make a failing test
 * pass.
 */
function cosmeticFiles(testCase: ImplementChangeCase): FileText[] {
	const before = new Map(testCase.input.files.map((file) => [normalizePath(file.path), file.content]));
	return testCase.reference.files.flatMap((file) => {
		const content = before.get(normalizePath(file.path)) ?? '';
		if (content === '') return [{ path: file.path, content: '\n' }];
		const at = firstChangedLine(content, file.content);
		if (at === undefined) return [];
		const lines = content.replace(/\r\n?/g, '\n').split('\n');
		return [{ path: file.path, content: [...lines.slice(0, at), '', ...lines.slice(at)].join('\n') }];
	});
}

/**
 * The reference (the commit's change) and junk that changes nothing of substance: the files returned
 * unchanged, emptied, or with one comment line added, a blank line where the change belongs — and two
 * that rig the judge instead of doing the work: a setup file that turns every assertion into a no-op, once
 * through the runner's configuration and once loaded from the source itself. Each in the policy's answer
 * format: JSON files for `whole`, search/replace blocks for `edit` (there `unchanged` is a block that
 * replaces a file's first lines by themselves, so it applies and is graded rather than refused).
 */
function sentinels(testCase: ImplementChangeCase, context: GradeContext<ImplementChangeCase>): Sentinel[] {
	const shown = testCase.input.files;
	const commented = shown.map((file) => ({ path: file.path, content: `// TODO: implement this change\n${file.content}` }));
	const riggedSource = shown.map((file, index) =>
		index === 0 ? { path: file.path, content: `${NEUTER_ASSERTIONS}${file.content}` } : file,
	);
	if (answerFormatOf(context) === 'whole') {
		const answer = (files: readonly FileText[]) => JSON.stringify({ files });
		return [
			{ name: 'reference', kind: 'reference', text: answer(testCase.reference.files) },
			{ name: 'unchanged', kind: 'junk', text: answer(shown) },
			{ name: 'emptied', kind: 'junk', text: answer(shown.map((file) => ({ path: file.path, content: '' }))) },
			{ name: 'comment-line', kind: 'junk', text: answer(commented) },
			{ name: 'cosmetic-edit', kind: 'junk', text: answer(cosmeticFiles(testCase)) },
			{ name: 'rigged-config', kind: 'junk', text: answer([...shown, ...RIG_FILES]) },
			{ name: 'rigged-source', kind: 'junk', text: answer(riggedSource) },
		];
	}
	const edits = (blocks: readonly (EditBlock | undefined)[]) => renderEditBlocks(blocks.filter((block) => block !== undefined));
	const unchanged = shown.map((file) => unchangedBlock(file.path, file.content));
	return [
		{ name: 'reference', kind: 'reference', text: edits(referenceEdits(testCase)) },
		{ name: 'unchanged', kind: 'junk', text: edits(unchanged) },
		{
			name: 'emptied',
			kind: 'junk',
			text: edits(
				editsTo(
					shown,
					shown.map((file) => ({ path: file.path, content: '' })),
				),
			),
		},
		{ name: 'comment-line', kind: 'junk', text: edits(editsTo(shown, commented)) },
		{ name: 'cosmetic-edit', kind: 'junk', text: edits(editsTo(shown, cosmeticFiles(testCase))) },
		{
			name: 'rigged-config',
			kind: 'junk',
			text: edits([...unchanged, ...RIG_FILES.map((file) => ({ path: file.path, search: '', replace: file.content }))]),
		},
		{ name: 'rigged-source', kind: 'junk', text: edits(editsTo(shown, riggedSource)) },
	];
}

/**
 * coder → implement-change: the intent and the files before in; edits to them (or the whole files after)
 * out, graded by the commit's own tests.
 */
export const implementChangeTask: TaskDefinition<ImplementChangeCase, ImplementChangeAnswer, Promise<Grade>> = {
	task: 'implement-change',
	graderVersion: 4,
	buildPrompt,
	parse,
	grade,
	sentinels,
};
