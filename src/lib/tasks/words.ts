/**
 * Words as people edit and search prose about code: identifiers split where their parts are (camelCase,
 * PascalCase, snake_case, kebab-case, paths), lowercased, reduced to a rough stem so "cache", "caches",
 * "cached" and "caching" are one word. Pure and deterministic; used by the commit-message grader for its
 * quality (word-level, not characters) and for its check that a message is about its own change.
 */

/**
 * English function words: they carry no meaning of their own in a commit message, so they neither make a
 * message specific nor cost anything when a paraphrase uses different ones.
 */
const STOP_WORDS = new Set([
	'a',
	'about',
	'above',
	'after',
	'again',
	'all',
	'also',
	'am',
	'an',
	'and',
	'any',
	'are',
	'as',
	'at',
	'be',
	'because',
	'been',
	'before',
	'being',
	'below',
	'between',
	'both',
	'but',
	'by',
	'can',
	'could',
	'did',
	'do',
	'does',
	'doing',
	'down',
	'during',
	'each',
	'either',
	'else',
	'even',
	'ever',
	'every',
	'few',
	'for',
	'from',
	'further',
	'had',
	'has',
	'have',
	'having',
	'he',
	'her',
	'here',
	'him',
	'his',
	'how',
	'i',
	'if',
	'in',
	'into',
	'is',
	'it',
	'its',
	'itself',
	'just',
	'let',
	'lets',
	'may',
	'me',
	'might',
	'more',
	'most',
	'much',
	'must',
	'my',
	'no',
	'nor',
	'not',
	'now',
	'of',
	'off',
	'on',
	'once',
	'one',
	'only',
	'or',
	'other',
	'our',
	'out',
	'over',
	'own',
	'same',
	'shall',
	'she',
	'should',
	'so',
	'some',
	'such',
	'than',
	'that',
	'the',
	'their',
	'them',
	'then',
	'there',
	'these',
	'they',
	'this',
	'those',
	'through',
	'to',
	'too',
	'under',
	'until',
	'up',
	'upon',
	'us',
	'very',
	'via',
	'was',
	'we',
	'were',
	'what',
	'when',
	'where',
	'whether',
	'which',
	'while',
	'who',
	'whom',
	'why',
	'will',
	'with',
	'within',
	'without',
	'would',
	'yet',
	'you',
	'your',
]);

/** True for a function word ("the", "of", "when") that says nothing about a change. */
export function isStopWord(word: string): boolean {
	return STOP_WORDS.has(word.toLowerCase());
}

/**
 * The raw tokens of a text: runs of letters and digits, with `_`, `-`, `.`, `/` and `$` inside a run kept
 * so identifiers and paths stay whole (`write-atomic.ts`, `num_ctx`, `src/lib`). Trailing punctuation of a
 * sentence ("file.") is not part of the token.
 */
export function rawTokens(text: string): string[] {
	return (text.match(/[\p{L}\p{N}$]+(?:[._/\-$][\p{L}\p{N}$]+)*/gu) ?? []).filter((token) => token !== '');
}

/**
 * The words inside one raw token: split at `_ - . / $`, between a lowercase letter or digit and an
 * uppercase one (`parseDiff` → parse, diff), inside an acronym before a capitalized word (`HTTPError` →
 * http, error), and between letters and digits (`v2` → v, 2). Lowercased.
 */
export function splitIdentifier(token: string): string[] {
	return token
		.replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2')
		.replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1 $2')
		.replace(/(\p{L})(\p{N})/gu, '$1 $2')
		.replace(/(\p{N})(\p{L})/gu, '$1 $2')
		.split(/[\s_./\-$]+/u)
		.map((word) => word.toLowerCase())
		.filter((word) => word !== '');
}

/**
 * A rough stem: plural and tense endings removed, then a final "e", so the forms of one word meet
 * ("caches", "cached", "caching" → "cach"; "entries" → "entry"). Deliberately cruder than Porter: it only
 * has to make two texts about the same thing share words, never to produce a dictionary form.
 */
export function stem(word: string): string {
	let result = word.toLowerCase();
	if (result.length > 4 && result.endsWith('ies')) result = `${result.slice(0, -3)}y`;
	else if (result.length > 5 && result.endsWith('ing')) result = result.slice(0, -3);
	else if (result.length > 4 && result.endsWith('ed')) result = result.slice(0, -2);
	else if (result.length > 3 && result.endsWith('s') && !result.endsWith('ss') && !result.endsWith('us')) result = result.slice(0, -1);
	if (result.length > 3 && result.endsWith('e')) result = result.slice(0, -1);
	// "running" → "runn", "stopped" → "stopp": a doubled final consonant left by the ending goes too.
	if (result.length > 3 && /([b-df-hj-np-tv-z])\1$/.test(result) && !/(ss|ll|zz|ff)$/.test(result)) result = result.slice(0, -1);
	return result;
}

/**
 * The content words of a text, in order, as stems: identifiers and paths split into their words, function
 * words and one-letter words dropped. Numbers stay (a version bump is about its number).
 */
export function contentWords(text: string): string[] {
	const words: string[] = [];
	for (const token of rawTokens(text)) {
		for (const word of splitIdentifier(token)) {
			if (word.length < 2 && !/\p{N}/u.test(word)) continue;
			if (STOP_WORDS.has(word)) continue;
			words.push(stem(word));
		}
	}
	return words;
}

/**
 * True when two stems are the same word for a reader: equal, or one a prefix of the other of at least four
 * letters ("slug" and "slugify", "config" and "configur"). A shorter shared prefix ("add", "address") is
 * chance.
 */
export function sameWord(a: string, b: string): boolean {
	if (a === b) return true;
	const [short, long] = a.length <= b.length ? [a, b] : [b, a];
	return short.length >= 4 && long.startsWith(short);
}

/**
 * Token F1 of two word lists, each word matched at most once (`sameWord`): how much of one text a person
 * keeps when rewriting it into the other. Two empty lists are equal (1); one empty list shares nothing (0).
 */
export function wordF1(produced: readonly string[], reference: readonly string[]): number {
	if (produced.length === 0 && reference.length === 0) return 1;
	if (produced.length === 0 || reference.length === 0) return 0;
	const unused = [...reference];
	let matched = 0;
	for (const word of produced) {
		// An exact match first, so "cach" does not take the "cachekey" another word needs.
		let at = unused.indexOf(word);
		if (at < 0) at = unused.findIndex((candidate) => sameWord(word, candidate));
		if (at < 0) continue;
		unused.splice(at, 1);
		matched += 1;
	}
	if (matched === 0) return 0;
	const precision = matched / produced.length;
	const recall = matched / reference.length;
	return (2 * precision * recall) / (precision + recall);
}
