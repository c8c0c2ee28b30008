import { z } from 'astro/zod';
import type { Case } from '../schema/case.ts';
import { parseJsonAnswer } from './answer-text.ts';
import { type CheckSpec, runChecks, thresholdOf } from './check-results.ts';
import { listPaths, normalizePath } from './paths.ts';
import { fenced } from './prompt-text.ts';
import { round4 } from '../metrics/wilson.ts';
import { comparableLines, formatRatio, lineEditDistance } from './similarity.ts';
import type { Executor } from '../execute/executor.ts';
import { harnessImportReason, isHarnessPath } from '../execute/test-runners.ts';
import { type ExecutionRecord, notRunRecord } from '../schema/execution.ts';
import type { Grade, GradeContext, ParseResult, Prompt, Sentinel, TaskDefinition } from './task-definition.ts';

/** A case of the implement-change task. */
export type ImplementChangeCase = Extract<Case, { task: 'implement-change' }>;

/** The model's answer: the full new content of every file it changes or creates. */
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

function buildPrompt(testCase: ImplementChangeCase): Prompt {
	return {
		messages: [
			{
				role: 'system',
				content: 'You are an experienced software engineer who makes precise, minimal changes to existing code. You answer with JSON only.',
			},
			{
				role: 'user',
				content: [
					'Make the change described here:',
					fenced(testCase.input.intent, 'text'),
					'',
					'The files as they are now (an empty file is one the change creates):',
					'',
					testCase.input.files.map(fileSection).join('\n\n'),
					'',
					'Reply with JSON only, in this shape: {"files": [{"path": "src/file.ts", "content": "…the whole new file…"}]}',
					'Give the complete new content of every file you change or create, not a diff. Leave out files you do not change. Keep the rest of each file exactly as it is, formatting included.',
				].join('\n'),
			},
		],
		format: IMPLEMENT_CHANGE_FORMAT,
	};
}

function parse(text: string): ParseResult<ImplementChangeAnswer> {
	return parseJsonAnswer(text, ImplementChangeAnswerSchema);
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

/**
 * The reference (the files as the commit left them) and junk that changes nothing of substance: the
 * files returned unchanged, emptied, or with one comment line added — and two that rig the judge instead
 * of doing the work: the files unchanged with a setup file that turns every assertion into a no-op, once
 * through the runner's configuration and once loaded from the source itself.
 */
/** Code that makes vitest's assertions (chai underneath) pass whatever they check. */
const NEUTER_ASSERTIONS = "import { chai } from 'vitest';\n(chai as any).Assertion.prototype.assert = () => {};\n";

function sentinels(testCase: ImplementChangeCase): Sentinel[] {
	const answer = (files: Array<{ path: string; content: string }>) => JSON.stringify({ files });
	const shown = testCase.input.files;
	return [
		{ name: 'reference', kind: 'reference', text: answer(testCase.reference.files) },
		{ name: 'unchanged', kind: 'junk', text: answer(shown) },
		{ name: 'emptied', kind: 'junk', text: answer(shown.map((file) => ({ path: file.path, content: '' }))) },
		{
			name: 'comment-line',
			kind: 'junk',
			text: answer(shown.map((file) => ({ path: file.path, content: `// TODO: implement this change\n${file.content}` }))),
		},
		{
			name: 'rigged-config',
			kind: 'junk',
			text: answer([
				...shown,
				{
					path: 'vitest.config.ts',
					content:
						"import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { setupFiles: ['./no-assertions.ts'] } });\n",
				},
				{ path: 'jest.config.js', content: "module.exports = { setupFilesAfterEnv: ['./no-assertions.ts'] };\n" },
				{ path: 'no-assertions.ts', content: NEUTER_ASSERTIONS },
			]),
		},
		{
			name: 'rigged-source',
			kind: 'junk',
			text: answer(shown.map((file, index) => (index === 0 ? { path: file.path, content: `${NEUTER_ASSERTIONS}${file.content}` } : file))),
		},
	];
}

/** coder → implement-change: the intent and the files before in, the files after out, graded by the commit's own tests. */
export const implementChangeTask: TaskDefinition<ImplementChangeCase, ImplementChangeAnswer, Promise<Grade>> = {
	task: 'implement-change',
	graderVersion: 3,
	buildPrompt,
	parse,
	grade,
	sentinels,
};
