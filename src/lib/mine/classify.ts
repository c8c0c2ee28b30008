import { subjectOf } from './parse-log.ts';
import type { FileDiff, RawCommit } from './types.ts';

/**
 * Authors whose commits are machine-made: their diffs and messages say nothing about how people (or a model
 * standing in for one) write code. Matched against the author name and email.
 */
const BOT_AUTHOR =
	/\[bot\]|dependabot|renovate|greenkeeper|snyk-bot|github-actions|semantic-release-bot|pre-commit-ci|allcontributors|imgbot|mergify/i;

/** True when the commit was written by a bot (`[bot]` accounts, dependabot, renovate, …). */
export function isBotAuthor(commit: Pick<RawCommit, 'authorName' | 'authorEmail'>): boolean {
	return BOT_AUTHOR.test(commit.authorName) || BOT_AUTHOR.test(commit.authorEmail);
}

/** The sha named by `This reverts commit <sha>` in a message written by `git revert`, if any. */
export function revertedSha(message: string): string | undefined {
	return message.match(/This reverts commit ([0-9a-f]{7,40})/)?.[1];
}

/** True for a `git revert` commit (its subject or its `This reverts commit` line). */
export function isRevert(message: string): boolean {
	return /^Revert "/.test(subjectOf(message)) || revertedSha(message) !== undefined;
}

/**
 * True for a revert of a revert (git ≥ 2.43 titles it `Reapply "…"`): the change is back, so neither the
 * revert nor the re-landing says anything about a bug.
 * `isRevertCommit` tells whether the reverted sha is itself a revert, for messages whose subject was edited.
 */
export function isRevertOfRevert(message: string, isRevertCommit: (sha: string) => boolean = () => false): boolean {
	const subject = subjectOf(message);
	if (/^Revert "Revert "/.test(subject) || /^Reapply "/.test(subject)) return true;
	const reverted = revertedSha(message);
	return reverted !== undefined && isRevertCommit(reverted);
}

/**
 * Words that mark a bug-fixing commit for SZZ. `\b` keeps `prefix`, `suffix` and `fixture` out;
 * a `Fixes:` trailer (kernel style) counts too. Reverts are fixes as well; the caller adds them.
 */
const FIX_WORDS = /\b(fix(es|ed|ing)?|bug(s|fix|fixes)?|regressions?|hotfix(es)?)\b/i;
const FIXES_TRAILER = /^Fixes:\s*\S/im;

/**
 * Words that name a security weakness: a commit that mentions one repairs it, even when it says "prevent"
 * or "harden" rather than "fix" (security fixes often do, and advisories name them by id).
 */
const WEAKNESS_WORDS =
	/\b(vulnerab\w*|cve-\d{4}-\d+|ghsa(-[23456789cfghjmpqrvwx]{4}){3}|security (advisory|fix|issue|hole|bug)|xss|(sql |command |code |header |html |script )?injection|path traversal|directory traversal|zip ?slip|open redirect|ssrf|csrf|redos|catastrophic backtracking|prototype[ -]pollution)\b/i;

/** True when the message says the commit fixes a bug (fix/bug/regression words, a `Fixes:` trailer) or a security weakness. */
export function mentionsFix(message: string): boolean {
	return FIX_WORDS.test(message) || FIXES_TRAILER.test(message) || WEAKNESS_WORDS.test(message);
}

/**
 * Words that make a fix (or a clean change) security work: its review case goes to `security-review`.
 * Stems so `escaping`, `sanitize`, `authentication`, `cryptographic` all count; `author` is excluded because
 * every `Co-authored-by:` trailer would otherwise make a change look like security work. Advisories
 * (GHSA ids, CVE ids), ReDoS, prototype pollution and path traversal are named as such.
 */
const SECURITY_WORDS =
	/\b(o?auth(?!or(?:s|ed|ing|ship)?\b)\w*|escap\w*|unescap\w*|xss|inject\w*|csrf|xsrf|crypt\w*|secrets?|tokens?|passwords?|passwd|credentials?|saniti[sz]\w*|vulnerab\w*|security|advisor(y|ies)|cve-\d{4}-\d+|ghsa(-[23456789cfghjmpqrvwx]{4}){3}|ssrf|traversal|zip ?slip|open redirect|privilege\w*|redos|catastrophic backtracking|regular expression denial|denial of service|prototype[ -]pollution|__proto__)\b/i;

/** True when the text mentions a security concern (auth, escaping, xss, injection, csrf, crypto, secret, …). */
export function mentionsSecurity(text: string): boolean {
	return SECURITY_WORDS.test(text);
}

/**
 * What marks the *code* a change touched as security work. Narrower than the message words: identifiers
 * such as `token` or `authorization` are everyday code in parsers and HTTP clients, so in code only names
 * that exist for security count.
 */
const SECURITY_CODE =
	/(__proto__|\bsaniti[sz]\w*|\bescape(html|xml|shell|attribute)\w*|\bdompurify\b|\bcsrf\w*|\bxss\w*|\bpassword\w*|\bsecret\w*|\bsetprototypeof\b)/i;

/** True when touched code names something that exists for security (sanitizers, escapers, secrets, `__proto__`, …). */
export function codeMentionsSecurity(code: string): boolean {
	return SECURITY_CODE.test(code);
}

/** The lines a diff adds or deletes, joined: the "touched code" the security words are looked for in. */
export function touchedCode(files: FileDiff[]): string {
	const parts: string[] = [];
	for (const file of files) {
		for (const hunk of file.hunks) for (const line of hunk.lines) if (line.kind !== 'context') parts.push(line.text);
	}
	return parts.join('\n');
}

/**
 * Paths that are generated or lock files: a model cannot be asked to write them and their diffs only burn
 * context. `benchmarks/cases/` and `reports/` are this project's own generated output: mining them would
 * feed the benchmark its own results.
 */
const GENERATED_PATH = [
	/(^|\/)package-lock\.json$/,
	/(^|\/)npm-shrinkwrap\.json$/,
	/(^|\/)pnpm-lock\.yaml$/,
	/(^|\/)yarn\.lock$/,
	/\.lockb?$/,
	/(^|\/)go\.sum$/,
	/(^|\/)(dist|node_modules|\.astro|coverage|\.next|\.nuxt|\.svelte-kit)\//,
	/\.min\.(js|css|mjs)$/,
	/\.(js|css|mjs)\.map$/,
	/^benchmarks\/cases\//,
	/^reports\//,
];

/** True for lock files and generated output (package-lock.json, *.lock, dist/, *.min.js, …). */
export function isGeneratedPath(path: string): boolean {
	return GENERATED_PATH.some((pattern) => pattern.test(path));
}

/** True when the file, under its old or new name, is generated. */
export function isGeneratedFile(file: FileDiff): boolean {
	return [file.oldPath, file.newPath].some((path) => path !== null && isGeneratedPath(path));
}
