import nlp from 'compromise/two';
import { isStopWord, stem } from './words.ts';

/**
 * Whether a commit subject is a description or a word salad: a few words of the diff put side by side
 * ("Add registry, collection, support", "Params search options") without saying what the change does.
 * Such a subject shares words with the change, so the word checks pass it; what it lacks is grammar: a
 * description relates its words (a verb and its object, a preposition, a coordinated list), a salad only
 * lines them up. The check reads the subject's structure, and where the order of bare words decides, their
 * parts of speech as compromise's tagger reads them.
 */

/** A token of a subject: a plain word, code (backticked, a flag, or shaped like code), a number, or a comma. */
type Token = { text: string; kind: 'word' | 'code' | 'number' | 'comma' };

/** Words and signs that coordinate: a list joined by one of them is a list, not a salad. */
const CONJUNCTIONS = new Set(['and', 'or', 'nor', 'plus', 'vs', 'versus', '&', '+', '/']);

/** Parts of speech that relate the words around them (besides the function words of `isStopWord`). */
const RELATING_TAGS = ['preposition', 'conjunction', 'determiner', 'pronoun', 'modal', 'copula', 'negative'];

/** A token shaped like code rather than prose: it has `_ . / $ ( )`, an inner capital, or letters and digits mixed. */
function codeShaped(token: string): boolean {
	return /[_./$()]/.test(token) || /\p{Ll}\p{Lu}|\p{Lu}{2}\p{Ll}/u.test(token) || (/\p{L}/u.test(token) && /\p{N}/u.test(token));
}

/** The subject's sentence: without a conventional label or leading scope (`feat(core)!:`, `README:`) and the ` (#12)` a forge appends. */
function sentenceOf(subject: string): string {
	return subject
		.trim()
		.replace(/^[^\s:]+:\s+/, '')
		.replace(/(?:\s*\(#\d+\))+\.?$/, '')
		.replace(/\.$/, '');
}

/** The sentence's tokens: backticked spans and flags (`--help`) as code, commas and semicolons as commas. */
function subjectTokens(sentence: string): Token[] {
	const tokens: Token[] = [];
	for (const match of sentence.matchAll(
		/`[^`]*`|(?<![\p{L}\p{N}])-{1,2}[\p{L}\p{N}][\p{L}\p{N}-]*|[\p{L}\p{N}$_]+(?:[._/\-$'’][\p{L}\p{N}$_]+)*(?:\(\))?|[,;&+/]/gu,
	)) {
		const token = match[0];
		if (token.startsWith('`') || token.startsWith('-') || codeShaped(token)) tokens.push({ text: token, kind: 'code' });
		else if (/^\p{N}/u.test(token)) tokens.push({ text: token, kind: 'number' });
		else if (token === ',' || token === ';') tokens.push({ text: token, kind: 'comma' });
		else tokens.push({ text: token, kind: 'word' });
	}
	return tokens;
}

/**
 * Part-of-speech tags of each word of a phrase in context (compromise's tagger), lowercase. A word the
 * tagger splits ("non-global", "don't") gets the tags of all its parts.
 */
function tagsOf(words: readonly string[]): string[][] {
	const terms: { offset: { start: number; length: number }; tags: string[] }[] =
		nlp(words.join(' ')).json({ offset: true })[0]?.terms ?? [];
	let start = 0;
	return words.map((word) => {
		const end = start + word.length;
		const tags = terms
			.filter((term) => term.offset.start < end && term.offset.start + Math.max(1, term.offset.length) > start)
			.flatMap((term) => term.tags.map((tag) => tag.toLowerCase()));
		start = end + 1;
		return tags;
	});
}

/**
 * Verbs commit subjects lead with, some of which the tagger reads as nouns out of a sentence ("Parse
 * argument conventions", "Inline url utils", "rm unused module"), matched by stem so "Added" and "Fixes"
 * count; any other word counts as a verb when the tagger reads it as one in the subject or after `to`, and
 * as a past tense when it reads one after `we` ("Reworded node versions").
 */
const COMMIT_VERBS = new Set(
	[
		'add',
		'allow',
		'avoid',
		'bump',
		'change',
		'clarify',
		'clean',
		'convert',
		'correct',
		'dedupe',
		'deprecate',
		'document',
		'drop',
		'expose',
		'extract',
		'fix',
		'handle',
		'ignore',
		'improve',
		'inline',
		'lint',
		'memoize',
		'move',
		'mv',
		'normalize',
		'parse',
		'pin',
		'polyfill',
		'refactor',
		'reformat',
		'remove',
		'rename',
		'reorder',
		'replace',
		'restore',
		'reword',
		'rewrite',
		'rm',
		'simplify',
		'skip',
		'split',
		'stub',
		'support',
		'tidy',
		'tweak',
		'unset',
		'unskip',
		'update',
		'upgrade',
		'use',
	].map(stem),
);

/** Verbs that say a thing changed but not how: followed by three bare nouns they describe nothing. */
const VAGUE_VERBS = new Set(['update', 'change', 'modify', 'tweak', 'adjust', 'touch'].map(stem));

/** True when the word can be read as a verb (an imperative or a past tense leading a subject). */
function canBeVerb(word: string, inContext: readonly string[]): boolean {
	const lower = word.toLowerCase();
	if (COMMIT_VERBS.has(stem(lower)) || inContext.includes('verb')) return true;
	if ((tagsOf(['to', lower])[1] ?? []).includes('verb')) return true;
	return /ed$/.test(lower) && (tagsOf(['we', lower, 'it'])[1] ?? []).includes('pasttense');
}

/**
 * Nouns that name a change: a subject without a verb still describes one when its head is such a noun
 * ("TypeScript definition improvements", "Minor code refactoring", "Node 18 support").
 */
const CHANGE_NOUNS = new Set([
	'addition',
	'additions',
	'bump',
	'change',
	'changes',
	'cleanup',
	'cleanups',
	'fix',
	'fixes',
	'improvement',
	'improvements',
	'refactor',
	'removal',
	'rename',
	'rewrite',
	'support',
	'tweak',
	'tweaks',
	'typo',
	'typos',
	'update',
	'updates',
	'upgrade',
	'upgrades',
]);

/**
 * Why the subject is a word salad rather than a description, or undefined when it reads as one:
 *
 * - a list of three or more single words separated by commas, with no `and`/`or` anywhere
 *   ("Add registry, collection, support", "Error, response, body");
 * - a subject of bare words only (no function word, code, number, parenthesis or comma) that is not a verb
 *   and its object: four or more words after the leading verb ("Update chance answer cases entry"), three
 *   or more with no verb in the lead unless they name a change ("Params search options", but not "Minor
 *   code refactoring"), or a verb whose object is not a noun phrase by its parts of speech ("Update tokens
 *   run stage", but not "Fix multipart boundary mismatch").
 */
export function saladProblem(subject: string): string | undefined {
	const sentence = sentenceOf(subject);
	const tokens = subjectTokens(sentence);
	const coordinated = tokens.some((token) => CONJUNCTIONS.has(token.text.toLowerCase()));
	if (!coordinated && commaListOfWords(tokens)) return `the subject '${subject}' lists words separated by commas: it says nothing they do`;
	if (coordinated || /[()]/.test(sentence) || tokens.some((token) => token.kind !== 'word')) return undefined;
	const words = tokens.map((token) => token.text);
	if (words.length < 3 || words.some((word) => isStopWord(word) || /n['’]t$/i.test(word))) return undefined;
	const tags = tagsOf(words);
	if (tags.some((wordTags) => RELATING_TAGS.some((tag) => wordTags.includes(tag)))) return undefined;
	// Adverbs before the verb ("Explicitly export factory functions") modify it and are set aside.
	let lead = 0;
	while (lead < words.length - 1 && (tags[lead] ?? []).includes('adverb')) lead += 1;
	const leadsWithVerb = canBeVerb(words[lead] as string, tags[lead] ?? []);
	const object = words.slice(leadsWithVerb ? lead + 1 : lead);
	const salad = `the subject '${subject}' puts words side by side without relating them: it says nothing about what changed`;
	if (!leadsWithVerb) return object.length >= 3 && !namesAChange(object) ? salad : undefined;
	if (object.length >= 4) return salad;
	// Three bare nouns after the verb are a description when the verb says what was done to them; after a
	// verb that says nothing ("Update ollama api context") or a word the tagger only may read as a verb
	// ("Model cloud name"), they are the change's words lined up.
	const verb = stem((words[lead] as string).toLowerCase());
	if (object.length === 3 && (!COMMIT_VERBS.has(verb) || VAGUE_VERBS.has(verb))) return salad;
	if (object.length >= 2 && !isNounPhrase(object)) return salad;
	return undefined;
}

/**
 * True when the subject is a list of three or more items separated by commas, each a single word or
 * code token (the first may be led by a verb, the last may be two words: "Add a, b, c", "A, b, c hooks").
 */
function commaListOfWords(tokens: readonly Token[]): boolean {
	const items: Token[][] = [[]];
	for (const token of tokens) {
		if (token.kind === 'comma') items.push([]);
		else (items.at(-1) as Token[]).push(token);
	}
	if (items.length < 3) return false;
	const inner = items.slice(1, -1);
	return (items[0] as Token[]).length <= 2 && (items.at(-1) as Token[]).length <= 2 && inner.every((item) => item.length === 1);
}

/** True when a phrase without a verb names a change: its head is a noun of change, or an action as a gerund ("refactoring"). */
function namesAChange(phrase: readonly string[]): boolean {
	const head = (phrase.at(-1) as string).toLowerCase();
	return CHANGE_NOUNS.has(head) || (tagsOf(phrase).at(-1) ?? []).includes('gerund');
}

/** Tags a word may carry inside a noun phrase before its head: nouns, adjectives, participles, adverbs of an adjective. */
const MODIFIER_TAGS = ['noun', 'adjective', 'pasttense', 'participle', 'gerund', 'adverb', 'value', 'acronym'];

/**
 * True when the words read as a noun phrase, as the object of a verb: tagged after `the`, each word before
 * the head a noun, adjective or participle, the head a noun or a present-tense form that is one too
 * ("details", "message": the tagger reads a verb there as often as a noun). An adjective may close the
 * phrase as the complement of its object ("Make version flags configurable").
 */
function isNounPhrase(words: readonly string[]): boolean {
	const tags = tagsOf(['the', ...words.map((word) => word.toLowerCase())]).slice(1);
	const head = tags.at(-1) ?? [];
	const modifiers = tags.slice(0, -1);
	const last = (words.at(-1) as string).toLowerCase();
	const headIsNoun = head.includes('noun') || head.includes('gerund') || (head.includes('presenttense') && /[^s]s$/.test(last));
	const complement = head.includes('adjective') && modifiers.length >= 1 && (modifiers.at(-1) ?? []).includes('noun');
	if (!headIsNoun && !complement) return false;
	return modifiers.every((word) => MODIFIER_TAGS.some((tag) => word.includes(tag)));
}
