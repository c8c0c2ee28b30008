import { saladProblem } from './subject-grammar.ts';
import { contentWords, isStopWord, rawTokens, sameWord, splitIdentifier, stem } from './words.ts';

/**
 * Whether a commit message is about *its own* change rather than any change: the checks behind the
 * commit-message grader's `message-specific`. A message can be well-formed and fluent and still say
 * nothing about the diff ("Add support for caching HTTP responses" under a slug fix), name only a file
 * ("Update src/a.ts"), or echo a line of the diff; none of those is a message a person would keep.
 */

/**
 * Words that say nothing about a change on their own: a subject made only of these, file names and code
 * identifiers ("update", "fix bug", "chore: tweak a.ts") could head any commit touching those files.
 */
export const GENERIC_WORDS = new Set([
	'a',
	'an',
	'the',
	'some',
	'various',
	'misc',
	'minor',
	'small',
	'more',
	'stuff',
	'things',
	'wip',
	'commit',
	'update',
	'updates',
	'updated',
	'updating',
	'fix',
	'fixes',
	'fixed',
	'fixing',
	'change',
	'changes',
	'changed',
	'tweak',
	'tweaks',
	'cleanup',
	'clean',
	'up',
	'refactor',
	'refactoring',
	'improve',
	'improvements',
	'code',
	'bug',
	'bugs',
	'file',
	'files',
	'chore',
	'feat',
	'work',
	'edit',
	'edits',
	'modify',
	'modified',
	'adjust',
]);

/**
 * Words that name the action or a kind of code, not what changed: "Add parseDate to util.ts", "Improve
 * slug handling", "Add retry, timeout support" describe nothing once the verb, the code and the file are
 * set aside. They are ordinary words elsewhere (they count for similarity and BM25); only a subject whose
 * every other word is code, a file name or generic fails for want of a description.
 */
const ACTION_WORDS = new Set([
	'add',
	'adds',
	'added',
	'adding',
	'remove',
	'removes',
	'removed',
	'delete',
	'deletes',
	'deleted',
	'rename',
	'renamed',
	'move',
	'moved',
	'introduce',
	'introduced',
	'implement',
	'implemented',
	'use',
	'uses',
	'used',
	'make',
	'makes',
	'create',
	'created',
	'allow',
	'allows',
	'enable',
	'enables',
	'disable',
	'disables',
	'handle',
	'handles',
	'set',
	'get',
	'return',
	'returns',
	'replace',
	'replaced',
	'extract',
	'simplify',
	'ensure',
	'support',
	'supports',
	'handling',
	'logic',
	'behavior',
	'behaviour',
	'functionality',
	'helper',
	'helpers',
	'handler',
	'method',
	'methods',
	'function',
	'functions',
	'class',
	'module',
	'feature',
	'features',
	'option',
	'options',
	'new',
	'better',
	'properly',
	'correctly',
	'issue',
	'issues',
	'problem',
	'case',
	'cases',
	'implementation',
	// Keywords of the languages a diff is written in: code, not a description.
	'import',
	'imports',
	'export',
	'exports',
	'const',
	'let',
	'var',
	'async',
	'await',
	'typeof',
	'interface',
	'enum',
	'def',
	'elif',
	'lambda',
	'struct',
	'impl',
	'pub',
	'namespace',
	'null',
	'undefined',
	'true',
	'false',
	'this',
	'self',
]);

/** `feat(scope)!:`-style prefixes: a convention's label, not a description. */
const CONVENTIONAL_PREFIX = /^[a-z]+(?:\([^)]*\))?!?:\s*/i;

/** The subject without a conventional-commit label (`fix(core): …` → `…`). */
export function withoutPrefix(subject: string): string {
	return subject.replace(CONVENTIONAL_PREFIX, '');
}

/** A token shaped like code rather than prose: it has `_ . / $`, an inner capital, or letters and digits mixed. */
function codeShaped(token: string): boolean {
	return /[_./$]/.test(token) || /\p{Ll}\p{Lu}/u.test(token) || (/\p{L}/u.test(token) && /\p{N}/u.test(token));
}

/** The paths a diff names and every part of them (directories, base names, base names without extension), lowercased. */
export function diffPathParts(diff: string): Set<string> {
	const parts = new Set<string>();
	for (const match of diff.matchAll(/^(?:\+\+\+ b\/|--- a\/)(.+)$/gm)) {
		const path = (match[1] as string).trim().toLowerCase();
		parts.add(path);
		for (const part of path.split('/')) {
			parts.add(part);
			parts.add(part.replace(/\.[^.]+$/, ''));
		}
	}
	return parts;
}

/**
 * Identifiers the diff's changed lines hold (`retryCount`, `parse_date`, `slugify(`): a subject made of
 * these and an action word copies code rather than describing the change. Only code-shaped tokens, tokens
 * followed by `(` and names bound to an arrow function (`const collect = (error) =>`) count, so ordinary
 * words of comments and strings stay descriptive.
 */
export function identifiersOf(diff: string): Set<string> {
	const found = new Set<string>();
	for (const line of diff.split('\n')) {
		if (!/^[+-]/.test(line) || /^(\+\+\+|---) /.test(line)) continue;
		for (const match of line.matchAll(/[\p{L}_$][\p{L}\p{N}_$]*(?=\()/gu)) found.add(match[0].toLowerCase());
		// A function defined without a call on the line: `const collect = (error) =>`, `let fn = async () =>`.
		for (const match of line.matchAll(
			/\b(?:const|let|var)\s+([\p{L}_$][\p{L}\p{N}_$]*)\s*=\s*(?:async\s*)?(?:\([^)]*\)|[\p{L}_$][\p{L}\p{N}_$]*)\s*(?::[^=]*)?=>/gu,
		))
			found.add((match[1] as string).toLowerCase());
	}
	return found;
}

/** The diff's lines as text: without the `+`, `-` or space a diff puts in front, trimmed, empty ones dropped. */
function diffTexts(diff: string): Set<string> {
	const texts = new Set<string>();
	for (const line of diff.split('\n')) {
		const text = (/^[+\- ]/.test(line) && !/^(\+\+\+|---) /.test(line) ? line.slice(1) : line).trim().toLowerCase();
		if (text !== '') texts.add(text);
	}
	return texts;
}

/** What the checks read of a diff: the same for every answer graded against it. */
interface DiffFacts {
	texts: Set<string>;
	paths: Set<string>;
	identifiers: Set<string>;
	/** Content words of the diff (identifiers split, paths included), without its `index` lines. */
	words: Set<string>;
}

/**
 * The facts of the diffs graded lately, by diff text. A run grades each case's diff once per model and
 * per repeat: tokenising it every time was most of the grader's work. Bounded, so a long-lived process
 * grading many case sets does not keep them all.
 */
const diffFacts = new Map<string, DiffFacts>();
const DIFF_FACTS_KEPT = 1024;

function factsOfDiff(diff: string): DiffFacts {
	let facts = diffFacts.get(diff);
	if (!facts) {
		if (diffFacts.size >= DIFF_FACTS_KEPT) diffFacts.clear();
		facts = {
			texts: diffTexts(diff),
			paths: diffPathParts(diff),
			identifiers: identifiersOf(diff),
			words: new Set(contentWords(diff.replace(/^index .*$/gm, ''))),
		};
		diffFacts.set(diff, facts);
	}
	return facts;
}

/**
 * Why the subject does not describe a change, or undefined when it does: it repeats a line of the diff
 * (the header, a line of code), or once generic words, function words, the diff's file names and
 * code-shaped identifiers are set aside, no word is left to say what changed.
 */
export function descriptionProblem(subject: string, diff: string): string | undefined {
	const text = subject.trim().toLowerCase();
	if (text === '') return 'the subject is empty';
	const bare = withoutPrefix(text).replace(/^[+-]\s*/, '');
	const { texts, paths, identifiers: diffIdentifiers } = factsOfDiff(diff);
	if (texts.has(text) || texts.has(bare)) return `the subject '${subject}' is a line copied from the diff, not a description of the change`;
	const descriptive = rawTokens(withoutPrefix(subject)).filter((token) => {
		const lower = token.toLowerCase();
		// A version ("1.4.0", "v2.0.0-beta.1") is what a release commit changes, and all a release subject needs.
		if (/^v?\d+(?:\.\d+)+(?:[-+][\w.]+)?$/i.test(token)) return true;
		if (paths.has(lower) || codeShaped(token)) return false;
		return splitIdentifier(token).some(
			(word) => !GENERIC_WORDS.has(word) && !ACTION_WORDS.has(word) && !isStopWord(word) && !paths.has(word) && !diffIdentifiers.has(word),
		);
	});
	if (descriptive.length === 0)
		return `the subject '${subject}' names only files, code or generic words: it says nothing about what changed`;
	return saladProblem(subject);
}

/** Term statistics of one document: its length and how often each word occurs. */
type Document = { length: number; counts: Map<string, number> };

/** A BM25 index over the references of a case set (Robertson's k1 = 1.2, b = 0.75, the usual defaults). */
export type ReferenceIndex = { ids: string[]; documents: Document[]; documentFrequency: Map<string, number>; averageLength: number };

function documentOf(words: readonly string[]): Document {
	const counts = new Map<string, number>();
	for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
	return { length: words.length, counts };
}

/** Indexes each case's reference message (subject and body) as content words. */
export function indexReferences(cases: readonly { id: string; reference: { message: string } }[]): ReferenceIndex {
	const documents = cases.map((testCase) => documentOf(contentWords(testCase.reference.message)));
	const documentFrequency = new Map<string, number>();
	for (const document of documents)
		for (const word of document.counts.keys()) documentFrequency.set(word, (documentFrequency.get(word) ?? 0) + 1);
	const averageLength = documents.reduce((sum, document) => sum + document.length, 0) / Math.max(1, documents.length);
	return { ids: cases.map((testCase) => testCase.id), documents, documentFrequency, averageLength };
}

const K1 = 1.2;
const B = 0.75;

/** BM25 score of the query words against one indexed document; each distinct query word counts once. */
function bm25(index: ReferenceIndex, query: readonly string[], at: number): number {
	const document = index.documents[at] as Document;
	const n = index.documents.length;
	let score = 0;
	for (const word of new Set(query)) {
		const frequency = document.counts.get(word) ?? 0;
		if (frequency === 0) continue;
		const containing = index.documentFrequency.get(word) ?? 0;
		const idf = Math.log(1 + (n - containing + 0.5) / (containing + 0.5));
		score += (idf * frequency * (K1 + 1)) / (frequency + K1 * (1 - B + (B * document.length) / Math.max(1, index.averageLength)));
	}
	return score;
}

/**
 * How many of the set's references a message may sit closer to than to its own and still count as about
 * its change: 2 % of the set, at least 1. A repository holds runs of related commits (a feature over five
 * commits, "Update readme" twice), so demanding first place among hundreds would reject a right message
 * that happens to echo its neighbour; 2 % still rejects a message that fits other changes as well as this one.
 */
export function rankAllowance(setSize: number): number {
	return Math.max(1, Math.ceil(setSize * 0.02));
}

/** Where the case's own reference ranks among all references for this message (1 = closest; ties share the better rank). */
export function ownReferenceRank(index: ReferenceIndex, message: string, id: string): { rank: number; of: number } {
	const query = contentWords(message);
	const own = index.ids.indexOf(id);
	if (own < 0) return { rank: index.ids.length + 1, of: index.ids.length };
	const scores = index.ids.map((_, at) => bm25(index, query, at));
	const ownScore = scores[own] as number;
	return { rank: 1 + scores.filter((score) => score > ownScore + 1e-12).length, of: index.ids.length };
}

/**
 * Content words of the message (without its generic words and conventional label) that the change
 * itself holds: words of the diff (identifiers split, paths included) or of the author's message.
 */
export function sharedWords(message: string, diff: string, reference: string): string[] {
	const own = new Set([...factsOfDiff(diff).words, ...contentWords(reference)]);
	const ownList = [...own];
	const words = contentWords(message.split('\n').map(withoutPrefix).join('\n')).filter(
		(word) => !GENERIC_WORDS.has(word) && !GENERIC_STEMS.has(word),
	);
	return [...new Set(words.filter((word) => own.has(word) || ownList.some((candidate) => sameWord(word, candidate))))];
}

const GENERIC_STEMS = new Set([...GENERIC_WORDS].map(stem));
