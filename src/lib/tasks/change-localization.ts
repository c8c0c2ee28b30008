import { z } from 'astro/zod';
import type { Case } from '../schema/case.ts';
import { parseJsonAnswer } from './answer-text.ts';
import { type CheckSpec, runChecks, thresholdOf, withRequiredChecks } from './check-results.ts';
import { listPaths, normalizePaths } from './paths.ts';
import { fenced } from './prompt-text.ts';
import { round4 } from '../metrics/wilson.ts';
import { formatRatio } from './similarity.ts';
import { pickBySeed } from './sentinel-text.ts';
import type { Grade, ParseResult, Prompt, Sentinel, TaskDefinition } from './task-definition.ts';

/** A case of the change-localization task. */
export type ChangeLocalizationCase = Extract<Case, { task: 'change-localization' }>;

/** The model's answer: the files it would edit or create. */
export const ChangeLocalizationAnswerSchema = z.object({
	files: z.array(z.string()),
});
/** The files the model proposes. */
export type ChangeLocalizationAnswer = z.infer<typeof ChangeLocalizationAnswerSchema>;

/** Ollama `format`: the same shape as `ChangeLocalizationAnswerSchema`, in plain JSON schema. */
export const CHANGE_LOCALIZATION_FORMAT = {
	type: 'object',
	properties: { files: { type: 'array', items: { type: 'string' } } },
	required: ['files'],
} as const satisfies Record<string, unknown>;

/** `files-recall` passes at this recall when the case sets no threshold. */
export const DEFAULT_FILES_RECALL = 0.5;
/**
 * `files-precision` passes above this precision when the case sets no threshold: more than half of the
 * files named must be right ("mostly right"). At exactly half, naming `README.md` and `package.json`
 * passes every change that touched only `package.json`, which a release-heavy history is full of.
 */
export const DEFAULT_FILES_PRECISION = 0.5;

/** How the proposed files compare with the files the commit really changed. */
export type LocalizationScore = {
	proposed: string[];
	reference: string[];
	/** Proposed and really changed (files that existed at the parent). */
	hits: string[];
	/** Proposed, not in the listing, and created by the commit where the answer puts them (the same path, or the same folder). */
	createdRight: string[];
	/** Proposed, not in the listing, and nothing like it created by the commit: a file the change did not need. */
	createdWrong: string[];
	/** Changed, but not proposed. */
	missed: string[];
	recall: number;
	precision: number;
	f1: number;
};

function folderOf(path: string): string {
	const at = path.lastIndexOf('/');
	return at < 0 ? '' : path.slice(0, at);
}

/**
 * The files the commit created: those it touched (`source.files`) that were not in the listing at the
 * parent. The case's reference holds only files that existed there, since that is what can be localized.
 */
export function createdFiles(testCase: ChangeLocalizationCase): string[] {
	const listing = new Set(normalizePaths(testCase.input.files));
	return normalizePaths(testCase.source.files).filter((path) => !listing.has(path));
}

/**
 * Precision, recall and F1 of the proposed files, paths normalized on both sides. Recall is over the
 * files the commit changed that existed at the parent (the reference). Precision is over everything
 * proposed: a listed file counts when the commit changed it; a file to create (not in the listing) counts
 * when the commit created that file or another in the same folder, since the name of a new file is the
 * author's choice but its place is not. An empty proposal has precision 0 (it saves a person nothing).
 */
export function scoreLocalization(testCase: ChangeLocalizationCase, answer: ChangeLocalizationAnswer): LocalizationScore {
	const proposed = normalizePaths(answer.files);
	const reference = normalizePaths(testCase.reference.files);
	const listing = new Set(normalizePaths(testCase.input.files));
	const created = createdFiles(testCase);
	const createdFolders = new Set(created.map(folderOf));
	const referenceSet = new Set(reference);
	const proposedSet = new Set(proposed);
	const hits = proposed.filter((path) => referenceSet.has(path));
	const toCreate = proposed.filter((path) => !listing.has(path) && !referenceSet.has(path));
	const createdRight = toCreate.filter((path) => created.includes(path) || createdFolders.has(folderOf(path)));
	const createdWrong = toCreate.filter((path) => !createdRight.includes(path));
	const recall = reference.length === 0 ? 0 : hits.length / reference.length;
	const precision = proposed.length === 0 ? 0 : (hits.length + createdRight.length) / proposed.length;
	const f1 = recall + precision === 0 ? 0 : (2 * recall * precision) / (recall + precision);
	return {
		proposed,
		reference,
		hits,
		createdRight,
		createdWrong,
		missed: reference.filter((path) => !proposedSet.has(path)),
		recall,
		precision,
		f1,
	};
}

/**
 * The checks this grader requires of every case, whatever the case was mined with: a usable answer
 * covers most of the change (recall) and is mostly right (precision) — listing every file has perfect
 * recall and saves no one anything.
 */
const REQUIRED_CHECKS: readonly CheckSpec[] = [
	{ name: 'files-recall', required: true, threshold: DEFAULT_FILES_RECALL },
	{ name: 'files-precision', required: true, threshold: DEFAULT_FILES_PRECISION },
];

function buildPrompt(testCase: ChangeLocalizationCase): Prompt {
	return {
		messages: [
			{
				role: 'system',
				content: 'You are an experienced software engineer who knows where a change belongs in a codebase. You answer with JSON only.',
			},
			{
				role: 'user',
				content: [
					'A developer is about to make the change described here:',
					fenced(testCase.input.intent, 'text'),
					'',
					'These are the files in the repository before the change, one path per line:',
					fenced(testCase.input.files.join('\n'), 'text'),
					'',
					'Which files must be edited, or created, to make this change? List every file the change needs and no others.',
					'Write each path exactly as it appears in the list; for a file to create, give the path it should have.',
					'Reply with JSON only, in this shape: {"files": ["path/one.ts", "path/two.ts"]}',
				].join('\n'),
			},
		],
		format: CHANGE_LOCALIZATION_FORMAT,
	};
}

function parse(text: string): ParseResult<ChangeLocalizationAnswer> {
	return parseJsonAnswer(text, ChangeLocalizationAnswerSchema);
}

function grade(testCase: ChangeLocalizationCase, answer: ChangeLocalizationAnswer): Grade {
	const score = scoreLocalization(testCase, answer);
	const counted = `${score.hits.length} of ${score.reference.length} changed files proposed`;
	const checks = runChecks(withRequiredChecks(testCase.checks, REQUIRED_CHECKS), {
		'files-recall': (spec: CheckSpec) => {
			const threshold = thresholdOf(spec, DEFAULT_FILES_RECALL);
			const pass = score.recall >= threshold;
			const missed = score.missed.length > 0 ? `; missed ${listPaths(score.missed)}` : '';
			return { pass, detail: `recall ${formatRatio(score.recall)} ${pass ? '≥' : '<'} ${threshold} (${counted}${missed})` };
		},
		'files-precision': (spec: CheckSpec) => {
			const threshold = thresholdOf(spec, DEFAULT_FILES_PRECISION);
			const pass = score.precision > threshold;
			const right = score.hits.length + score.createdRight.length;
			const created = score.createdRight.length > 0 ? `; ${score.createdRight.length} to create where the commit created files` : '';
			const wrong =
				score.createdWrong.length > 0 ? `; not in the repository and not created by the commit: ${listPaths(score.createdWrong)}` : '';
			return {
				pass,
				detail: `precision ${formatRatio(score.precision)} ${pass ? '>' : '≤'} ${threshold} (${right} of ${score.proposed.length} proposed files right${created}${wrong})`,
			};
		},
	});
	return { checks, quality: round4(score.f1) };
}

/**
 * The reference (the files the commit changed) and junk made without reading the intent: every listed
 * file, one file picked at random, the first file of the listing, `README.md` + `package.json`, nothing.
 */
function sentinels(testCase: ChangeLocalizationCase): Sentinel[] {
	const answer = (files: readonly string[]) => JSON.stringify({ files });
	const junk = (name: string, files: readonly string[]): Sentinel => ({ name, kind: 'junk', text: answer(files) });
	const listing = testCase.input.files;
	return [
		{ name: 'reference', kind: 'reference', text: answer(testCase.reference.files) },
		junk('every-listed-file', listing),
		junk('one-random-file', [pickBySeed(listing, testCase.id) as string]),
		junk('first-listed-file', listing.slice(0, 1)),
		junk('readme-and-package', ['README.md', 'package.json']),
		junk('no-files', []),
	];
}

/** reason → change-localization: the intent and the file list in, the files to change out; accepted on recall and precision, quality is F1. */
export const changeLocalizationTask: TaskDefinition<ChangeLocalizationCase, ChangeLocalizationAnswer, Grade> = {
	task: 'change-localization',
	graderVersion: 2,
	buildPrompt,
	parse,
	grade,
	sentinels,
};
