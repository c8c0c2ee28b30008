import { describe, expect, it } from 'vitest';
import { commitMessageTask, type CommitMessageCase, subjectLimit } from '../../src/lib/tasks/commit-message.ts';
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
				{ name: 'subject-well-formed', required: true, pass: true, detail: 'subject is 41 characters (at most 72), well-formed' },
				{
					name: 'message-specific',
					required: true,
					pass: true,
					detail: 'shares strip, diacritic, slugify, titl, … with the change; its own change ranks 1 of 1',
				},
				{ name: 'message-similarity', required: false, pass: true, detail: 'subject similarity 1.00 ≥ 0.5 (words and action)' },
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

	it('counts words, not characters: a plural is the same word', () => {
		const testCase = withReference('Fix typo in README');
		const result = grade(testCase, 'Fix typos in README');
		expect(result.quality).toBe(1);
		expect(result.checks.find((check) => check.name === 'message-similarity')).toEqual({
			name: 'message-similarity',
			required: false,
			pass: true,
			detail: 'subject similarity 1.00 ≥ 0.5 (words and action)',
		});
	});

	it('gives a body the author did not write nothing for the body part', () => {
		const testCase = withReference('Add a --json flag');
		expect(grade(testCase, 'Add --json flag\n\nPrints JSON.').quality).toBe(0.7);
	});

	// A quality probe: the reference with its verb flipped reads almost the same character by character
	// (0.96 by edit distance) but says the opposite; a paraphrase shares few characters but the same meaning.
	it.each([
		['the reference', 'Strip diacritics before slugifying titles', 0.7],
		['a paraphrase', 'Remove diacritics from titles before slugifying', 0.7],
		['a paraphrase with other words', 'Drop accents when making slugs of titles', 0.49],
		['the verb flipped', 'Add diacritics before slugifying titles', 0.49],
		['another change', 'Add support for caching HTTP responses', 0],
	])('scores %s (%j) %d', (_name, message, quality) => {
		expect(grade(fixture, message).quality).toBe(quality);
	});

	it('ranks the flipped verb below every paraphrase', () => {
		const flipped = grade(fixture, 'Add diacritics before slugifying titles').quality;
		for (const paraphrase of ['Remove diacritics from titles before slugifying', 'Drop accents when making slugs of titles']) {
			expect(grade(fixture, paraphrase).quality).toBeGreaterThan(flipped - 0.1);
		}
		expect(grade(fixture, 'Remove diacritics from titles before slugifying').quality).toBeGreaterThan(flipped);
	});

	it('fails message-similarity under the threshold, and uses 0.5 when the case sets none', () => {
		const testCase = withReference('Add a --json flag', [
			{ name: 'subject-well-formed', required: true },
			{ name: 'message-similarity', required: false },
		]);
		const result = grade(testCase, 'Rename store');
		const check = result.checks.find((candidate) => candidate.name === 'message-similarity')!;
		expect(check.pass).toBe(false);
		expect(check.detail).toBe('subject similarity 0.00 < 0.5 (words and action)');
	});

	it('applies the case threshold', () => {
		const testCase = withReference('Fix typo in README', [
			{ name: 'subject-well-formed', required: true },
			{ name: 'message-similarity', required: true, threshold: 0.96 },
		]);
		expect(grade(testCase, 'Fix a typo in the docs').checks[1]).toEqual({
			name: 'message-similarity',
			required: true,
			pass: false,
			detail: 'subject similarity 0.65 < 0.96 (words and action)',
		});
	});

	it.each([
		['Update.', 'subject ends with a period'],
		['update', "subject 'update' is generic: it names no change"],
		['Fix bug', "subject 'Fix bug' is generic: it names no change"],
		['chore: minor changes', "subject 'chore: minor changes' is generic: it names no change"],
		[`Add ${'x'.repeat(76)}`, "subject is 80 characters, over the repository's 72"],
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
		['Bump the version (#123)'.padEnd(72, 'x') + ' (#123)'],
	])('accepts the subject of %j', (message) => {
		expect(grade(fixture, message).checks[0]!.pass).toBe(true);
	});

	// Lazy answers a model writes without understanding the change: each is rejected by message-specific,
	// and its detail says why.
	it.each([
		['names only a file', 'Update src/slugify.ts', /names only files, code or generic words/],
		['lists the files', 'Change src/slugify.ts', /names only files, code or generic words/],
		['a conventional label on a file', 'chore: update slugify.ts', /names only files, code or generic words/],
		['identifiers without a verb', 'toLowerCase slugify.ts', /names only files, code or generic words/],
		['a verb and a called function of the diff', 'Add normalize to slugify.ts', /names only files, code or generic words/],
		['a verb, the file and a generic noun', 'Improve slugify handling', /names only files, code or generic words/],
		['a keyword and a file', 'Add export to slugify', /names only files, code or generic words/],
		['the diff header', 'diff --git a/src/slugify.ts b/src/slugify.ts', /a line copied from the diff/],
		['an added line echoed', ".normalize('NFKD')", /a line copied from the diff/],
		['a fluent subject about something else', 'Add support for caching HTTP responses', /no word of the message occurs in the diff/],
	])('rejects %s (%j) as not about this change', (_name, message, detail) => {
		const check = grade(fixture, message).checks.find((candidate) => candidate.name === 'message-specific')!;
		expect(check.required).toBe(true);
		expect(check.pass).toBe(false);
		expect(check.detail).toMatch(detail);
	});

	it('rejects a refactor of a function the diff defines as an arrow function, which it never calls', () => {
		const diff = [
			'diff --git a/src/pages.ts b/src/pages.ts',
			'--- a/src/pages.ts',
			'+++ b/src/pages.ts',
			'@@ -1 +1,3 @@',
			' // pages',
			'+const collect = (error: Error) => errors.push(error.message);',
			"+page.on('pageerror', collect);",
		].join('\n');
		const testCase: CommitMessageCase = { ...withReference('Collect page errors while the pages load'), input: { diff } };
		const check = grade(testCase, 'Refactor collect').checks.find((candidate) => candidate.name === 'message-specific')!;
		expect(check.pass).toBe(false);
		expect(check.detail).toMatch(/names only files, code or generic words/);
		expect(grade(testCase, testCase.reference.message).checks.every((candidate) => candidate.pass)).toBe(true);
	});

	it("rejects another change's subject as closer to that change than to its own", () => {
		const other: CommitMessageCase = {
			...fixture,
			id: 'draft-commit-message-aaaaaaaaaaaa',
			input: {
				diff: 'diff --git a/src/cache.ts b/src/cache.ts\n--- a/src/cache.ts\n+++ b/src/cache.ts\n@@ -1 +1,2 @@\n export const cache = new Map();\n+export const ttl = 60;\n',
			},
			reference: { message: 'Expire cached titles after a minute' },
		};
		const cases = [other, fixture];
		const result = commitMessageTask.grade(fixture, { message: 'Expire cached titles after a minute' }, { cases });
		const check = result.checks.find((candidate) => candidate.name === 'message-specific')!;
		expect(check.pass).toBe(false);
		expect(check.detail).toMatch(/^closer to 1 other change\(s\) of the 2 than to its own/);
		expect(
			commitMessageTask
				.grade(fixture, { message: 'Remove accents from titles before slugifying' }, { cases })
				.checks.every((check) => !check.required || check.pass),
		).toBe(true);
	});

	it('holds a repository to its own subject length: its references set the limit', () => {
		const long = `Add ${'y'.repeat(80)} to slugify titles`;
		const references = [60, 70, 80, 90, 100].map((length, at) => ({
			...fixture,
			id: `draft-commit-message-${String(at).repeat(12)}`,
			reference: { message: `Add ${'z'.repeat(length - 4)}` },
		}));
		// Third quartile 90 + 1.5 × (90 − 70).
		expect(subjectLimit(references)).toBe(120);
		expect(subjectLimit([fixture])).toBe(72);
		const cases = [...references, fixture];
		expect(commitMessageTask.grade(fixture, { message: long }, { cases }).checks[0]!.pass).toBe(true);
		expect(grade(fixture, long).checks[0]!.detail).toBe(`subject is ${long.length} characters, over the repository's 72`);
	});

	it('requires message-specific even on a case mined without it, and fails an unknown check without throwing', () => {
		const testCase = withReference('Add x', [
			{ name: 'spelling', required: true },
			{ name: 'subject-well-formed', required: false },
		]);
		expect(grade(testCase, 'Add x').checks.map(({ name, required, pass }) => ({ name, required, pass }))).toEqual([
			{ name: 'spelling', required: true, pass: false },
			{ name: 'subject-well-formed', required: true, pass: true },
			{ name: 'message-specific', required: true, pass: true },
		]);
		expect(grade(testCase, 'Add x').checks[0]!.detail).toBe('unknown check');
	});
});
