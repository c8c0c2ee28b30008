import { describe, expect, it } from 'vitest';
import {
	CHANGE_LOCALIZATION_FORMAT,
	type ChangeLocalizationCase,
	changeLocalizationTask,
	createdFiles,
} from '../../src/lib/tasks/change-localization.ts';
import { loadCase } from './fixture-cases.ts';

const fixture = loadCase('reason/reason-change-localization-27445c028e38.json', 'change-localization');

function grade(files: string[], testCase: ChangeLocalizationCase = fixture) {
	return changeLocalizationTask.grade(testCase, { files }, { cases: [testCase] });
}

describe('change-localization prompt', () => {
	const prompt = changeLocalizationTask.buildPrompt(fixture);
	const user = prompt.messages[1]!.content;

	it('holds the intent verbatim and every file of the parent, one per line', () => {
		expect(prompt.messages.map((message) => message.role)).toEqual(['system', 'user']);
		expect(user).toContain(fixture.input.intent);
		expect(user).toContain(fixture.input.files.join('\n'));
	});

	it('asks for JSON and sends the answer schema as format', () => {
		expect(user).toContain('{"files": [');
		expect(prompt.format).toEqual({
			type: 'object',
			properties: { files: { type: 'array', items: { type: 'string' } } },
			required: ['files'],
		});
		expect(prompt.format).toBe(CHANGE_LOCALIZATION_FORMAT);
	});
});

describe('change-localization parser', () => {
	it.each([
		['{"files": ["src/format.ts"]}', ['src/format.ts']],
		['```json\n{"files": ["src/format.ts", "tests/list.test.ts"]}\n```', ['src/format.ts', 'tests/list.test.ts']],
		['The change needs:\n{"files": ["src/commands/list.ts"]}\nThat is all.', ['src/commands/list.ts']],
		['{"files": [], "reason": "nothing to do"}', []],
	])('reads %j', (text, files) => {
		expect(changeLocalizationTask.parse(text, fixture)).toEqual({ ok: true, value: { files } });
	});

	it.each([
		['', /^the answer is empty$/],
		['src/format.ts and src/commands/list.ts', /^no JSON object in the answer/],
		['{"files": ["src/format.ts",', /^the answer is not valid JSON: /],
		['{"files": "src/format.ts"}', /^the answer does not have the expected shape: files: /],
		['{"paths": ["src/format.ts"]}', /^the answer does not have the expected shape: files: /],
		['["src/format.ts"]', /^the answer does not have the expected shape: .*expected object, received array/],
	])('refuses %j', (text, reason) => {
		const result = changeLocalizationTask.parse(text, fixture);
		expect(result.ok).toBe(false);
		expect(!result.ok && result.reason).toMatch(reason);
	});
});

describe('change-localization grader', () => {
	it('scores two of three files right, plus one wrong, as recall = precision = F1 = 2/3', () => {
		expect(grade(['src/commands/list.ts', './src/format.ts', 'src/cli.ts'])).toEqual({
			checks: [
				{
					name: 'files-recall',
					required: true,
					pass: true,
					detail: 'recall 0.67 ≥ 0.5 (2 of 3 changed files proposed; missed tests/list.test.ts)',
				},
				{
					name: 'files-precision',
					required: true,
					pass: true,
					detail: 'precision 0.67 > 0.5 (2 of 3 proposed files right)',
				},
			],
			quality: 0.6667,
		});
	});

	it('accepts the exact set, in any order and path spelling, with quality 1', () => {
		const result = grade(['/tests/list.test.ts', 'src/format.ts', './src/commands/list.ts']);
		expect(result.checks.map((check) => check.pass)).toEqual([true, true]);
		expect(result.quality).toBe(1);
	});

	it('counts files the commit did not create as wrong, and scores 1 hit in 4 proposed of 3 changed as F1 = 2/7', () => {
		expect(grade(['/src/commands/list.ts', 'src/json.ts', 'src/commands/export.ts', 'lib/list.js'])).toEqual({
			checks: [
				{
					name: 'files-recall',
					required: true,
					pass: false,
					detail: 'recall 0.33 < 0.5 (1 of 3 changed files proposed; missed src/format.ts, tests/list.test.ts)',
				},
				{
					name: 'files-precision',
					required: true,
					pass: false,
					detail:
						'precision 0.25 ≤ 0.5 (1 of 4 proposed files right; not in the repository and not created by the commit: src/json.ts, src/commands/export.ts, lib/list.js)',
				},
			],
			quality: 0.2857,
		});
	});

	it('does not call a file in the input list made up, even when it is wrong', () => {
		const detail = grade(['src/store.ts', 'README.md']).checks[1]!.detail;
		expect(detail).toBe('precision 0.00 ≤ 0.5 (0 of 2 proposed files right)');
	});

	// Lazy answers made without reading the intent: each fails on the check that says why.
	it.each([
		['every listed file', fixture.input.files, 'files-precision', 'precision 0.33 ≤ 0.5 (3 of 9 proposed files right)'],
		[
			'README.md and package.json',
			['README.md', 'package.json'],
			'files-recall',
			'recall 0.00 < 0.5 (0 of 3 changed files proposed; missed src/commands/list.ts, src/format.ts, tests/list.test.ts)',
		],
		[
			'one right file and one wrong',
			['src/format.ts', 'src/store.ts'],
			'files-recall',
			'recall 0.33 < 0.5 (1 of 3 changed files proposed; missed src/commands/list.ts, tests/list.test.ts)',
		],
	])('rejects %s', (_name, files, failing, detail) => {
		const result = grade([...files]);
		const failed = result.checks.filter((check) => check.required && !check.pass);
		expect(failed.map((check) => check.name)).toContain(failing);
		expect(failed.find((check) => check.name === failing)!.detail).toBe(detail);
	});

	it('rejects half right: more than half of the files named must be right', () => {
		const testCase: ChangeLocalizationCase = {
			...fixture,
			reference: { files: ['package.json'] },
			source: { ...fixture.source, files: ['package.json'] },
		};
		expect(grade(['README.md', 'package.json'], testCase).checks[1]).toEqual({
			name: 'files-precision',
			required: true,
			pass: false,
			detail: 'precision 0.50 ≤ 0.5 (1 of 2 proposed files right)',
		});
	});

	it('compares a file to create with the files the commit created: right in the same folder, wrong elsewhere', () => {
		const testCase: ChangeLocalizationCase = {
			...fixture,
			reference: { files: ['src/commands/list.ts'] },
			source: { ...fixture.source, files: ['src/commands/list.ts', 'src/json-output.ts'] },
		};
		expect(createdFiles(testCase)).toEqual(['src/json-output.ts']);
		expect(grade(['src/commands/list.ts', 'src/json-output.ts'], testCase).quality).toBe(1);
		expect(grade(['src/commands/list.ts', 'src/as-json.ts'], testCase).checks[1]).toEqual({
			name: 'files-precision',
			required: true,
			pass: true,
			detail: 'precision 1.00 > 0.5 (2 of 2 proposed files right; 1 to create where the commit created files)',
		});
		expect(grade(['src/commands/list.ts', 'lib/as-json.ts'], testCase).checks[1]!.detail).toBe(
			'precision 0.50 ≤ 0.5 (1 of 2 proposed files right; not in the repository and not created by the commit: lib/as-json.ts)',
		);
	});

	it('counts a file proposed twice once', () => {
		// recall 1/3, precision 1/1: F1 = (2 × 1/3) / (4/3) = 0.5
		expect(grade(['src/format.ts', './src/format.ts']).quality).toBe(0.5);
	});

	it('scores an empty proposal 0 on both', () => {
		expect(grade([])).toEqual({
			checks: [
				{
					name: 'files-recall',
					required: true,
					pass: false,
					detail: 'recall 0.00 < 0.5 (0 of 3 changed files proposed; missed src/commands/list.ts, src/format.ts, tests/list.test.ts)',
				},
				{ name: 'files-precision', required: true, pass: false, detail: 'precision 0.00 ≤ 0.5 (0 of 0 proposed files right)' },
			],
			quality: 0,
		});
	});

	it('uses the case thresholds, 0.5 by default, requires precision even where the case does not, and fails unknown checks', () => {
		const testCase: ChangeLocalizationCase = {
			...fixture,
			checks: [
				{ name: 'files-recall', required: true, threshold: 1 },
				{ name: 'files-precision', required: false },
				{ name: 'files-f1', required: false, threshold: 0.5 },
			],
		};
		expect(grade(['src/commands/list.ts', 'src/format.ts'], testCase).checks).toEqual([
			{
				name: 'files-recall',
				required: true,
				pass: false,
				detail: 'recall 0.67 < 1 (2 of 3 changed files proposed; missed tests/list.test.ts)',
			},
			{ name: 'files-precision', required: true, pass: true, detail: 'precision 1.00 > 0.5 (2 of 2 proposed files right)' },
			{ name: 'files-f1', required: false, pass: false, detail: 'unknown check' },
		]);
	});
});
