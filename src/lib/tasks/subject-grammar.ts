import nlp from 'compromise/two';
import { isStopWord } from './words.ts';

/**
 * Whether a commit subject is a description or a word salad: a few words of the diff put side by side
 * ("Add registry, collection, support", "Params search options") without saying what the change does.
 * Such a subject shares words with the change, so the word checks pass it; what it lacks is grammar: a
 * description relates its words (a verb and its object, a preposition, a coordinated list), a salad only
 * lines them up. The check reads the subject's structure, with compromise's part-of-speech tagger for the
 * one case where the order of the words decides (a verb and a three-word object).
 */

/** A token of a subject: a plain word, code (backticked, or shaped like code), a number, or a comma. */
type Token = { text: string; kind: 'word' | 'code' | 'number' | 'comma' };

/** Words and signs that coordinate: a list joined by one of them is a list, not a salad. */
const CONJUNCTIONS = new Set(['and', 'or', 'nor', 'plus', 'vs', 'versus', '&', '+', '/']);

/** A token shaped like code rather than prose: it has `_ . / $ ( )`, an inner capital, or letters and digits mixed. */
function codeShaped(token: string): boolean {
	return /[_./$()]/.test(token) || /\p{Ll}\p{Lu}|\p{Lu}{2}\p{Ll}/u.test(token) || (/\p{L}/u.test(token) && /\p{N}/u.test(token));
}

/**
 * The subject's tokens, without what is not its sentence: a conventional label (`feat(core)!:`), a
 * leading scope (`README:`, `docs/a.md:`), and the pull request numbers a forge appends (` (#12)`).
 */
export function subjectTokens(subject: string): Token[] {
	const text = subject
		.trim()
		.replace(/^[^\s:]+:\s+/, '')
		.replace(/(?:\s*\(#\d+\))+$/, '');
	const tokens: Token[] = [];
	for (const match of text.matchAll(/`[^`]*`|[\p{L}\p{N}$_]+(?:[._/\-$'’()][\p{L}\p{N}$_]+)*(?:\(\))?|[,;&+/]/gu)) {
		const token = match[0];
		if (token.startsWith('`') || codeShaped(token)) tokens.push({ text: token, kind: 'code' });
		else if (/^\p{N}/u.test(token)) tokens.push({ text: token, kind: 'number' });
		else if (token === ',' || token === ';') tokens.push({ text: token, kind: 'comma' });
		else tokens.push({ text: token, kind: 'word' });
	}
	return tokens;
}

/** Part-of-speech tags of each word of a phrase in context (compromise's tagger), lowercase. */
function tagsOf(words: readonly string[]): string[][] {
	const terms = nlp(words.join(' ')).json()[0]?.terms ?? [];
	return words.map((_, at) => (terms[at]?.tags ?? []).map((tag: string) => tag.toLowerCase()));
}

/**
 * Why the subject is a word salad rather than a description, or undefined when it reads as one:
 *
 * - a list of three or more bare words joined by commas, with no `and`/`or` anywhere
 *   ("Add registry, collection, support", "Error, response, body");
 * - with no function word at all (no preposition, article, conjunction): four or more plain words after
 *   the leading verb ("Update chance answer cases entry"), three or more plain words with no verb in the
 *   lead ("Params search options"), or a verb and three words that are not a noun phrase by their parts of
 *   speech ("Update tokens run stage"); a noun phrase such as "Fix multipart boundary mismatch" stays a
 *   description.
 */
export function saladProblem(subject: string): string | undefined {
	const tokens = subjectTokens(subject);
	const words = tokens.filter((token) => token.kind === 'word').map((token) => token.text.toLowerCase());
	const coordinated = tokens.some((token) => CONJUNCTIONS.has(token.text.toLowerCase()));
	if (!coordinated && commaListOfWords(tokens)) return `the subject '${subject}' lists words separated by commas: it says nothing they do`;
	if (coordinated || words.some((word) => isStopWord(word) || /n['’]t$/.test(word))) return undefined;
	// No word relates the others: whether the subject is a description rests on its parts of speech.
	const plain = tokens.filter((token) => token.kind !== 'comma');
	if (plain.some((token) => token.kind !== 'word') || plain.length < 3) return undefined;
	const tags = tagsOf(plain.map((token) => token.text));
	const leadsWithVerb = (tags[0] ?? []).includes('verb') || canBeVerb((plain[0] as Token).text);
	const object = leadsWithVerb ? plain.slice(1) : plain;
	// The object read as what it should be, a noun phrase ("the Error types"), so only words that cannot
	// stand in one are tagged otherwise.
	const objectTags = tagsOf(['the', ...object.map((token) => token.text.toLowerCase())]).slice(1);
	const salad = `the subject '${subject}' puts words side by side without relating them: it says nothing about what changed`;
	if (leadsWithVerb ? object.length >= 4 : object.length >= 3 && !namesAChange(object.at(-1) as Token, objectTags.at(-1) ?? [])) return salad;
	if (leadsWithVerb && object.length >= 2 && !isNounPhrase(objectTags)) return salad;
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

/**
 * Verbs of programmers' English that a dictionary lists only as other parts of speech ("Inline url utils",
 * "Dedupe hooks"); every other word counts as a verb when the tagger reads `to <word>` as one.
 */
const JARGON_VERBS = new Set(['inline', 'dedupe', 'memoize', 'lint', 'refactor', 'prettify', 'polyfill', 'stub', 'vendor', 'bump', 'unset', 'unskip']);

/** True when the word can be read as a verb: "Upgrade dev dependencies" leads with one even where the tagger reads a noun. */
function canBeVerb(word: string): boolean {
	const lower = word.toLowerCase();
	if (JARGON_VERBS.has(lower)) return true;
	const [, verb] = tagsOf(['to', lower]);
	return (verb ?? []).includes('verb');
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

/** True when a noun phrase's head names a change: a noun of change, or an action as a gerund ("refactoring"). */
function namesAChange(head: Token, tags: readonly string[]): boolean {
	return CHANGE_NOUNS.has(head.text.toLowerCase()) || tags.includes('gerund');
}

/** A noun phrase by its parts of speech: modifiers that are nouns, adjectives or participles, and a noun at its head. */
function isNounPhrase(tags: readonly string[][]): boolean {
	const head = tags.at(-1) ?? [];
	if (!head.includes('noun') && !head.includes('gerund')) return false;
	return tags
		.slice(0, -1)
		.every(
			(word) =>
				word.includes('noun') ||
				word.includes('adjective') ||
				word.includes('pasttense') ||
				word.includes('participle') ||
				word.includes('gerund'),
		);
}
