import { describe, expect, it } from 'vitest';
import { commitMessageTask } from '../../src/lib/tasks/commit-message.ts';
import { saladProblem } from '../../src/lib/tasks/subject-grammar.ts';
import { saladWords, wordSalad } from '../../src/lib/tasks/word-salad.ts';
import { loadCase } from './fixture-cases.ts';

/** A one-file diff adding `added` lines and removing `removed` ones. */
function diffOf(added: string[], removed: string[] = []): string {
	return [
		'diff --git a/src/registry.ts b/src/registry.ts',
		'index 1111111..2222222 100644',
		'--- a/src/registry.ts',
		'+++ b/src/registry.ts',
		`@@ -1,${removed.length + 1} +1,${added.length + 1} @@`,
		' // the registry',
		...removed.map((line) => `-${line}`),
		...added.map((line) => `+${line}`),
	].join('\n');
}

const REGISTRY = diffOf([
	'export function collectRegistry(collection: Collection): Registry {',
	'\tconst registry = new Registry(collection);',
	'\tif (collection.support) registry.support = true; // support the collection',
	'\treturn registry;',
	'}',
]);

describe('the word-salad sentinel', () => {
	it.each([
		[
			'identifiers split into words, most used first, keywords and function words left out',
			REGISTRY,
			['registry', 'collection', 'support', 'collect'],
		],
		[
			'one word per stem, digits and words under three letters left out',
			diffOf(['const caches = cache(cached, 42, id); // cache it to a file', 'fileName = files']),
			['caches', 'file', 'name'],
		],
		['a URL gives no word but its path', diffOf(['see https://www.example.com/docs for the docs']), ['docs', 'example', 'see']],
		[
			'a diff that adds fewer than three words lends the words of its other lines',
			diffOf(['ok'], ['legacyParser.parse(input)']),
			['input', 'legacy', 'parse', 'parser', 'registry'],
		],
	])('takes its words from the added lines: %s', (_name, diff, words) => {
		expect(saladWords(diff).slice(0, words.length)).toEqual(words);
	});

	it.each([
		['draft-commit-message-0000', 'Update registry collection support'],
		['draft-commit-message-0001', 'Registry collection support'],
		['draft-commit-message-0002', 'Add registry, collection, support'],
		['draft-commit-message-0006', 'Update registry collection support collect'],
		['draft-commit-message-0008', 'Registry collection support collect'],
		['draft-commit-message-0011', 'Registry, collection, support'],
	])('is seeded by the case id: %s gets %j', (seed, salad) => {
		expect(wordSalad(REGISTRY, seed)).toBe(salad);
		expect(wordSalad(REGISTRY, seed)).toBe(salad);
	});

	it('takes every shape (with and without a verb, commas or spaces) and three or four words across cases', () => {
		const salads = Array.from({ length: 64 }, (_, at) => wordSalad(REGISTRY, `case-${at}`));
		const shapes = new Set(
			salads.map(
				(salad) =>
					`${/^(Add|Update) /.test(salad) ? 'verb' : 'bare'} ${salad.includes(',') ? 'commas' : 'spaces'} ${salad.split(/[ ,]+/).length - (/^(Add|Update) /.test(salad) ? 1 : 0)}`,
			),
		);
		expect([...shapes].sort()).toEqual([
			'bare commas 3',
			'bare commas 4',
			'bare spaces 3',
			'bare spaces 4',
			'verb commas 3',
			'verb commas 4',
			'verb spaces 3',
			'verb spaces 4',
		]);
	});

	it('is one of the commit-message sentinels, as junk', () => {
		const testCase = loadCase('draft/draft-commit-message-4479e1f0e5a2.json', 'commit-message');
		const sentinel = commitMessageTask.sentinels(testCase, { cases: [testCase] }).find((candidate) => candidate.name === 'word-salad');
		expect(sentinel).toEqual({ name: 'word-salad', kind: 'junk', text: wordSalad(testCase.input.diff, testCase.id) });
	});
});

describe('telling a description from a word salad', () => {
	// Subjects of real commits (sindresorhus/ky, tj/commander.js, unjs/ofetch, this repository), among them
	// the bare-word shapes a salad has too: a verb and a noun phrase, a noun phrase naming a change.
	it.each([
		'Fix multipart boundary mismatch (#540)',
		'Simplify global variable usage (#319)',
		'Fix readme usage example (#143)',
		'Upgrade dev dependencies',
		'Minor code refactoring (#18)',
		'TypeScript definition improvements',
		'Readme tweaks',
		'Improve HTTPError messages (#333)',
		'Fix Error types (#113)',
		'Explicitly export factory functions (#2013)',
		'removed unused fs module',
		'rm unused variable',
		'added coercion tests',
		'Parse argument conventions (#1172)',
		'Reword supported node versions',
		'Update eslint config',
		'Remove unused test helpers',
		'Update url per npm advice (#2077)',
		'document using options per command',
		'Moved -h, --help option definition',
		'remove input methods (.prompt, .confirm, etc)',
		'Update required node version, supported versions, refactor CHANGELOG. (#1500)',
		"Don't export the `Ky` TypeScript namespace",
		'Add `retryOnTimeout` and `shouldRetry` options (#767)',
		'feat!: support custom `AbortSignal` with `timeout` (#508)',
		'refactor!: inline url utils (#440)',
		'Fix memory leak, clean up body streams after retry (#651)',
		'A verb with only code or a file name is no description; one policy reader',
		'README: troubleshooting with each error as it now reads; dev and preview',
	])('accepts %j', (subject) => {
		expect(saladProblem(subject)).toBeUndefined();
	});

	// Salads the sentinel made on real cases (committed ones and ky's), in each of its shapes, and the
	// issue's own example.
	it.each([
		['Add registry, collection, support', 'lists words separated by commas'],
		['Fix, reject, expect, features', 'lists words separated by commas'],
		['Jitter, delays, retry', 'lists words separated by commas'],
		['feat: add retry, stop, hook', 'lists words separated by commas'],
		['Update files diff fit reject', 'puts words side by side'],
		['Update chance answer cases entry', 'puts words side by side'],
		['Params search options', 'puts words side by side'],
		['Role release model', 'puts words side by side'],
		['Error cause failed', 'puts words side by side'],
		['Credentials request exact', 'puts words side by side'],
		['Update create extend defaults', 'puts words side by side'],
		['Update tokens run stage', 'puts words side by side'],
		['Update hooks response original trigged', 'puts words side by side'],
		// Three nouns after a verb that says nothing, or after a word the tagger only may read as a verb
		// ("Prompt expect counted context": prompt is no verb a commit subject leads with).
		['Update ollama api context', 'puts words side by side'],
		['Update coder file tests', 'puts words side by side'],
		['Prompt expect counted context', 'puts words side by side'],
	])('refuses %j: it %s', (subject, problem) => {
		expect(saladProblem(subject)).toContain(problem);
	});

	it('fails message-specific for a salad made of the diff’s own words, and keeps the real message', () => {
		const testCase = loadCase('draft/draft-commit-message-4479e1f0e5a2.json', 'commit-message');
		const context = { cases: [testCase] };
		const specific = (message: string) =>
			commitMessageTask.grade(testCase, { message }, context).checks.find((check) => check.name === 'message-specific');
		const salad = wordSalad(testCase.input.diff, testCase.id);
		expect(specific(salad)).toMatchObject({ pass: false });
		expect(specific(salad)!.detail).toMatch(/lists words|side by side/);
		expect(specific(testCase.reference.message)).toMatchObject({ pass: true });
	});
});
