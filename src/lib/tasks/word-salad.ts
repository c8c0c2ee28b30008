import { createHash } from 'node:crypto';
import { isStopWord, rawTokens, splitIdentifier, stem } from './words.ts';

/**
 * The word-salad junk answer of the commit-message task: three or four distinct words of the diff's added
 * lines, joined into something shaped like a subject ("Add registry, collection, support"). It is what a
 * weak model writes when it picks the diff's salient words without saying what the change does, and it
 * shares words with the change by construction, so only a grader that reads the subject's grammar tells it
 * from a description.
 */

/**
 * Keywords and built-in names of the languages diffs are written in (JavaScript, TypeScript, Python, Go,
 * Rust, shell), and the parts of a URL: code and addresses, not words a subject would take.
 */
const LANGUAGE_KEYWORDS = new Set([
	'abstract',
	'any',
	'as',
	'async',
	'await',
	'bigint',
	'bool',
	'boolean',
	'break',
	'case',
	'catch',
	'chan',
	'class',
	'const',
	'continue',
	'debugger',
	'declare',
	'def',
	'default',
	'defer',
	'delete',
	'del',
	'do',
	'done',
	'elif',
	'else',
	'enum',
	'esac',
	'export',
	'extends',
	'false',
	'fi',
	'finally',
	'fn',
	'for',
	'from',
	'func',
	'function',
	'go',
	'if',
	'impl',
	'implements',
	'import',
	'in',
	'instanceof',
	'interface',
	'keyof',
	'lambda',
	'let',
	'local',
	'mut',
	'namespace',
	'never',
	'new',
	'nil',
	'none',
	'null',
	'number',
	'object',
	'of',
	'package',
	'pass',
	'private',
	'protected',
	'pub',
	'public',
	'raise',
	'readonly',
	'require',
	'return',
	'satisfies',
	'self',
	'static',
	'str',
	'string',
	'struct',
	'super',
	'switch',
	'symbol',
	'then',
	'this',
	'throw',
	'throws',
	'true',
	'try',
	'type',
	'typeof',
	'undefined',
	'unknown',
	'use',
	'var',
	'void',
	'while',
	'with',
	'yield',
	'http',
	'https',
	'www',
	'com',
	'org',
	'html',
]);

/** A salad's shapes: with or without a leading verb, its words joined by commas or by spaces. */
const FORMS = [
	(words: string[]) => `Add ${words.join(', ')}`,
	(words: string[]) => `Update ${words.join(' ')}`,
	(words: string[]) => capitalize(words.join(', ')),
	(words: string[]) => capitalize(words.join(' ')),
] as const;

function capitalize(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The words of the diff's added lines a salad is made of, most frequent first (ties alphabetically):
 * identifiers split into their words, lowercased, of three letters or more, without function words,
 * language keywords and digits, one word per stem. A diff that adds fewer than three such words (a
 * deletion) lends the words of its other lines after them.
 */
export function saladWords(diff: string): string[] {
	const lines = diff.split('\n').filter((line) => !/^(\+\+\+|---|diff |index |@@)/.test(line));
	const added = wordsByFrequency(lines.filter((line) => line.startsWith('+')));
	if (added.length >= 3) return added;
	const stems = new Set(added.map(stem));
	return [...added, ...wordsByFrequency(lines).filter((word) => !stems.has(stem(word)))];
}

function wordsByFrequency(lines: readonly string[]): string[] {
	const frequency = new Map<string, { word: string; count: number }>();
	for (const line of lines) {
		for (const token of rawTokens(line.slice(1))) {
			for (const word of splitIdentifier(token)) {
				if (!/^\p{L}{3,}$/u.test(word) || isStopWord(word) || LANGUAGE_KEYWORDS.has(word)) continue;
				const key = stem(word);
				const entry = frequency.get(key);
				if (entry) entry.count += 1;
				else frequency.set(key, { word, count: 1 });
			}
		}
	}
	return [...frequency.values()].sort((a, b) => b.count - a.count || (a.word < b.word ? -1 : 1)).map((entry) => entry.word);
}

/**
 * The salad of a case, seeded by its id so every build grades the same one: the diff's three or four most
 * used words (`saladWords`), in one of four shapes — `Add a, b, c`, `Update a b c`, `A, b, c`, `A b c`.
 * A diff with fewer such words gives a shorter salad of what it has.
 */
export function wordSalad(diff: string, seed: string): string {
	const hash = createHash('sha256').update(`word-salad:${seed}`).digest();
	const count = 3 + (hash.readUInt8(0) % 2);
	const form = FORMS[hash.readUInt8(1) % FORMS.length] as (typeof FORMS)[number];
	return form(saladWords(diff).slice(0, count));
}
