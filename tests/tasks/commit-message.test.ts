import { describe, expect, it } from 'vitest';
import { commitMessageTask, type CommitMessageCase } from '../../src/lib/tasks/commit-message.ts';
import { loadCase } from './fixture-cases.ts';

const fixture = loadCase('draft/draft-commit-message-4479e1f0e5a2.json', 'commit-message');

/** The fixture with another reference message and, optionally, other checks. */
function withReference(message: string, checks: CommitMessageCase['checks'] = fixture.checks): CommitMessageCase {
	return { ...fixture, reference: { message }, checks };
}

function grade(testCase: CommitMessageCase, message: string) {
	return commitMessageTask.grade(testCase, { message }, { cases: [testCase] });
}

describe('commit-message prompt', () => {
	const prompt = commitMessageTask.buildPrompt(fixture);

	it('is a system message and a user message holding the diff verbatim, as free text', () => {
		expect(prompt.messages.map((message) => message.role)).toEqual(['system', 'user']);
		expect(prompt.messages[1]!.content).toContain(fixture.input.diff);
		expect(prompt.format).toBeUndefined();
	});

	it('states the rules the grader checks', () => {
		const user = prompt.messages[1]!.content;
		expect(user).toContain('at most 72 characters');
		expect(user).toContain('no trailing period');
		expect(user).toContain('one blank line after the subject');
	});

	it('does not leak the reference message', () => {
		const text = prompt.messages.map((message) => message.content).join('\n');
		expect(text).not.toContain('diacritics');
	});
});

describe('commit-message parser', () => {
	it.each([
		['Add x\n\nBecause y.', 'Add x\n\nBecause y.'],
		['  Add x  \n', 'Add x'],
		['```\nAdd x\n```', 'Add x'],
		['```text\nAdd x\n\nBecause y.\n```', 'Add x\n\nBecause y.'],
		['Commit message: Add x', 'Add x'],
		['**Commit message:**\n\nAdd x', 'Add x'],
		['## Commit message\nAdd x', 'Add x'],
		['Here is the commit message:\n\n```\nAdd x\n\nBecause y.\n```\n\nLet me know!', 'Add x\n\nBecause y.'],
		['"Add x"', 'Add x'],
		['`Add x`', 'Add x'],
		['<think>It renames a thing.</think>\n\nAdd x', 'Add x'],
		['Add x\r\n\r\nBecause y.\r\n', 'Add x\n\nBecause y.'],
		['Add x\n\nUsage:\n```\nx --y\n```', 'Add x\n\nUsage:\n```\nx --y\n```'],
		['Commit message parser: skip NUL bytes', 'Commit message parser: skip NUL bytes'],
	])('reads %j as %j', (text, message) => {
		expect(commitMessageTask.parse(text, fixture)).toEqual({ ok: true, value: { message } });
	});

	it.each([
		['', 'the answer is empty'],
		[' \n\t', 'the answer is empty'],
		['<think>hmm</think>', 'the answer is empty'],
		['```\n```', 'the answer holds no commit message once its wrapping is removed'],
		['""', 'the answer holds no commit message once its wrapping is removed'],
	])('refuses %j', (text, reason) => {
		expect(commitMessageTask.parse(text, fixture)).toEqual({ ok: false, reason });
	});
});

describe('commit-message grader', () => {
	it('accepts the real message with quality 1', () => {
		expect(grade(fixture, fixture.reference.message)).toEqual({
			checks: [
				{ name: 'subject-well-formed', required: true, pass: true, detail: 'subject is 41 characters, well-formed' },
				{ name: 'message-similarity', required: false, pass: true, detail: 'subject similarity 1.00 ≥ 0.5' },
			],
			quality: 1,
		});
	});

	it('scores the real subject without the real body 0.7 (the body part is lost)', () => {
		expect(grade(fixture, 'Strip diacritics before slugifying titles').quality).toBe(0.7);
	});

	it('ignores case and spacing', () => {
		const testCase = withReference('Add a parser\n\nIt reads the log.');
		expect(grade(testCase, 'add  a Parser\n\nit reads\nthe log.').quality).toBe(1);
	});

	it('weighs subject and body 0.7 / 0.3 by edit distance', () => {
		// "fix typos in readme" is one insertion away from "fix typo in readme": 1 − 1/19; both bodies empty: 1.
		const testCase = withReference('Fix typo in README');
		const result = grade(testCase, 'Fix typos in README');
		expect(result.quality).toBe(0.9632);
		expect(result.checks[1]).toEqual({
			name: 'message-similarity',
			required: false,
			pass: true,
			detail: 'subject similarity 0.95 ≥ 0.5',
		});
	});

	it('gives a body the author did not write nothing for the body part', () => {
		// "add --json flag" is two deletions from "add a --json flag": 1 − 2/17; bodies "" vs "prints json.": 0.
		const testCase = withReference('Add a --json flag');
		expect(grade(testCase, 'Add --json flag\n\nPrints JSON.').quality).toBe(0.6176);
	});

	it('fails message-similarity under the threshold, and uses 0.5 when the case sets none', () => {
		const testCase = withReference('Add a --json flag', [
			{ name: 'subject-well-formed', required: true },
			{ name: 'message-similarity', required: false },
		]);
		// "rename store" vs "add a --json flag": nothing lines up beyond a few letters.
		const result = grade(testCase, 'Rename store');
		expect(result.checks[1]!.pass).toBe(false);
		expect(result.checks[1]!.detail).toMatch(/^subject similarity 0\.\d\d < 0\.5$/);
	});

	it('applies the case threshold', () => {
		const testCase = withReference('Fix typo in README', [
			{ name: 'subject-well-formed', required: true },
			{ name: 'message-similarity', required: true, threshold: 0.96 },
		]);
		expect(grade(testCase, 'Fix typos in README').checks[1]).toEqual({
			name: 'message-similarity',
			required: true,
			pass: false,
			detail: 'subject similarity 0.95 < 0.96',
		});
	});

	it.each([
		['Update.', 'subject ends with a period'],
		['update', "subject 'update' is generic: it names no change"],
		['Fix bug', "subject 'Fix bug' is generic: it names no change"],
		['chore: minor changes', "subject 'chore: minor changes' is generic: it names no change"],
		[`Add ${'x'.repeat(76)}`, 'subject is 80 characters, over 72'],
		['Add the parser\nIt reads the log.', 'the body is not separated from the subject by a blank line'],
		['\n\nAdd the parser', 'the subject line is empty'],
		['!!!', "subject '!!!' is generic: it names no change"],
	])('rejects the subject of %j: %s', (message, detail) => {
		const check = grade(fixture, message).checks[0];
		expect(check).toEqual({ name: 'subject-well-formed', required: true, pass: false, detail });
	});

	it.each([
		['Fix typo in README'],
		['Strip diacritics before slugifying titles...'],
		[`Add ${'x'.repeat(68)}`],
		['Add the parser\n\nIt reads the log.\nLine two.'],
		['更新日志解析器'],
		['Übersetzung ergänzen'],
	])('accepts the subject of %j', (message) => {
		expect(grade(fixture, message).checks[0]!.pass).toBe(true);
	});

	it('fails an unknown check without throwing', () => {
		const testCase = withReference('Add x', [
			{ name: 'spelling', required: true },
			{ name: 'subject-well-formed', required: false },
		]);
		expect(grade(testCase, 'Add x').checks).toEqual([
			{ name: 'spelling', required: true, pass: false, detail: 'unknown check' },
			{ name: 'subject-well-formed', required: false, pass: true, detail: 'subject is 5 characters, well-formed' },
		]);
	});
});
