import { describe, expect, it } from 'vitest';
import {
	isBotAuthor,
	isGeneratedPath,
	isRevert,
	isRevertOfRevert,
	mentionsFix,
	mentionsSecurity,
	revertedSha,
} from '../../src/lib/mine/classify.ts';
import { diffSkipReason, isWhitespaceOnly, metadataSkipReason } from '../../src/lib/mine/filters.ts';
import { parseDiff } from '../../src/lib/mine/parse-diff.ts';
import type { RawCommit } from '../../src/lib/mine/types.ts';

const SHA = '1'.repeat(40);

function commit(overrides: Partial<RawCommit>): RawCommit {
	return {
		sha: SHA,
		parents: ['2'.repeat(40)],
		authorDate: '2024-01-01T00:00:00+00:00',
		committerDate: '2024-01-01T00:00:00+00:00',
		authorName: 'Ada',
		authorEmail: 'ada@example.com',
		message: 'feat: something\n',
		...overrides,
	};
}

/** A one-file diff with the given removed and added lines. */
function diff(path: string, removed: string[], added: string[], extra = ''): string {
	return [
		`diff --git a/${path} b/${path}`,
		extra,
		`--- a/${path}`,
		`+++ b/${path}`,
		`@@ -1,${removed.length} +1,${added.length} @@`,
		...removed.map((line) => `-${line}`),
		...added.map((line) => `+${line}`),
		'',
	]
		.filter((line, at) => at !== 1 || line !== '')
		.join('\n');
}

describe('isBotAuthor', () => {
	it.each([
		['dependabot[bot]', '49699333+dependabot[bot]@users.noreply.github.com', true],
		['renovate-bot', 'bot@renovateapp.com', true],
		['github-actions', '41898282+github-actions[bot]@users.noreply.github.com', true],
		['Some Person', 'person@example.com', false],
		['Robota Botanist', 'robota@example.com', false],
	])('%s <%s> → %s', (authorName, authorEmail, expected) => {
		expect(isBotAuthor({ authorName, authorEmail })).toBe(expected);
	});
});

describe('reverts', () => {
	const revert = `Revert "feat: add greeting"\n\nThis reverts commit ${SHA}.\n`;
	it('reads the reverted sha', () => {
		expect(revertedSha(revert)).toBe(SHA);
		expect(revertedSha('feat: nothing reverted')).toBeUndefined();
	});
	it.each([
		[revert, true],
		['Revert "x"\n', true],
		['fix: revert to the old timeout\n', false],
	])('isRevert(%j) → %s', (message, expected) => {
		expect(isRevert(message)).toBe(expected);
	});
	it.each([
		[`Revert "Revert "feat: x""\n\nThis reverts commit ${SHA}.`, () => false, true],
		[`Reapply "feat: x"\n\nThis reverts commit ${SHA}.`, () => false, true],
		[`Revert "edited subject"\n\nThis reverts commit ${SHA}.`, (sha: string) => sha === SHA, true],
		[revert, () => false, false],
	])('isRevertOfRevert(%j) → %s', (message, isRevertCommit, expected) => {
		expect(isRevertOfRevert(message, isRevertCommit)).toBe(expected);
	});
});

describe('mentionsFix', () => {
	it.each([
		['fix: clamp used max', true],
		['Fixed the parser', true],
		['bugfix in router', true],
		['Avoid regression in cache', true],
		['refactor\n\nFixes: 123abc ("x")', true],
		['add prefix and suffix helpers', false],
		['update the test fixture', false],
		['feat: add greeting', false],
	])('%j → %s', (message, expected) => {
		expect(mentionsFix(message)).toBe(expected);
	});
});

describe('mentionsSecurity', () => {
	it.each([
		['fix: escape names before rendering (XSS)', true],
		['guard against SQL injection', true],
		['require authentication on /admin', true],
		['check authorization header', true],
		['rotate the secret', true],
		['sanitize input', true],
		['fix CVE-2024-12345', true],
		['Co-authored-by: Ada <ada@example.com>', false],
		['update the author list', false],
		['fix: off-by-one in clamp', false],
	])('%j → %s', (text, expected) => {
		expect(mentionsSecurity(text)).toBe(expected);
	});
});

describe('isGeneratedPath', () => {
	it.each([
		['package-lock.json', true],
		['web/package-lock.json', true],
		['Cargo.lock', true],
		['yarn.lock', true],
		['pnpm-lock.yaml', true],
		['bun.lockb', true],
		['dist/index.js', true],
		['packages/app/dist/app.js', true],
		['vendor/jquery.min.js', true],
		['styles/site.min.css', true],
		['benchmarks/cases/draft/draft-commit-message-0123456789ab.json', true],
		['reports/local-model-benchmark-2024-01-01.md', true],
		['src/lib/mine/mine.ts', false],
		['docs/distribution.md', false],
		['src/lockstep.ts', false],
	])('%s → %s', (path, expected) => {
		expect(isGeneratedPath(path)).toBe(expected);
	});
});

describe('metadataSkipReason', () => {
	it.each([
		[commit({ parents: [] }), 'root-commit'],
		[commit({ parents: ['2'.repeat(40), '3'.repeat(40)] }), 'merge'],
		[commit({ authorName: 'renovate[bot]' }), 'bot-author'],
		[commit({ message: 'Revert "Revert "x""\n' }), 'revert-of-revert'],
		[commit({}), undefined],
	])('%#: → %s', (value, reason) => {
		expect(metadataSkipReason(value)).toBe(reason);
	});
});

describe('isWhitespaceOnly', () => {
	it.each([
		[diff('a.ts', ['\treturn 1;'], ['  return 1;']), true],
		[diff('a.ts', ['return 1;'], ['return 1;', '']), true],
		[diff('a.ts', ['return 1;'], ['return 2;']), false],
		[diff('a.ts', [], ['return 2;']), false],
	])('%#', (raw, expected) => {
		expect(isWhitespaceOnly(parseDiff(raw))).toBe(expected);
	});
});

describe('diffSkipReason', () => {
	it.each([
		['', 'empty'],
		['diff --git a/p.png b/p.png\nindex 1..2 100644\nBinary files a/p.png and b/p.png differ\n', 'binary'],
		[diff('package-lock.json', ['"a": 1'], ['"a": 2']), 'generated-only'],
		[diff('src/a.ts', ['\tx();'], ['    x();']), 'whitespace-only'],
		[diff('src/a.ts', [], ['x();']), 'tiny'],
		[diff('src/a.ts', ['x();'], ['y();']), undefined],
		[diff('src/a.ts', ['x();'], ['y();']) + diff('package-lock.json', ['1'], ['2']), undefined],
	])('%#: → %s', (raw, reason) => {
		expect(diffSkipReason(parseDiff(raw))).toBe(reason);
	});

	it('counts only authored lines towards the minimum', () => {
		const raw = diff('src/a.ts', [], ['x();']) + diff('yarn.lock', ['a', 'b', 'c'], ['d', 'e', 'f']);
		expect(diffSkipReason(parseDiff(raw), 2)).toBe('tiny');
		expect(diffSkipReason(parseDiff(raw), 1)).toBeUndefined();
	});
});
