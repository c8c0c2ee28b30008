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
import { classifyFix } from '../../src/lib/mine/fix-kinds.ts';
import { isReleaseCommit, isVersionLine, pathKind } from '../../src/lib/mine/path-kinds.ts';
import { linesToBlame } from '../../src/lib/mine/szz.ts';
import { parseDiff } from '../../src/lib/diff/parse-diff.ts';
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
		['see GHSA-4g6f-5c3q-8m2x', true],
		['avoid ReDoS in the header parser', true],
		['guard against prototype pollution', true],
		['reject path traversal in file names', true],
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

describe('mentionsFix: named security weaknesses', () => {
	it.each([
		['Fix retry calling one time too many', true],
		['Prevent prototype pollution in the query parser', true],
		['Harden the upload handler (CVE-2024-12345)', true],
		['Escape attribute values to stop XSS', true],
		['Add the query parser', false],
		['Add a prefix option', false],
		['Sanitize header names', false],
	])('%j → %s', (message, expected) => expect(mentionsFix(message)).toBe(expected));
});

describe('pathKind', () => {
	it.each([
		['src/index.ts', 'code'],
		['source/core/Ky.ts', 'code'],
		['index.d.ts', 'code'],
		['readme.md', 'docs'],
		['docs/guide/intro.mdx', 'docs'],
		['LICENSE', 'docs'],
		['.github/workflows/main.yml', 'ci'],
		['.travis.yml', 'ci'],
		['test/main.ts', 'test'],
		['src/retry.test.ts', 'test'],
		['test-d/index.test-d.ts', 'test'],
		['eslint.config.js', 'tooling'],
		['.editorconfig', 'tooling'],
	] as const)('%s → %s', (path, kind) => expect(pathKind(path)).toBe(kind));
});

describe('release commits', () => {
	const manifest = (removed: string, added: string) => parseDiff(diff('package.json', [removed], [added]));
	it.each([
		['0.32.0', manifest('\t"version": "0.31.4",', '\t"version": "0.32.0",'), true],
		['v2.0.0-beta.1', parseDiff(diff('src/a.ts', ['a'], ['b'])), true],
		['chore(release): 3.1.0', parseDiff(diff('CHANGELOG.md', [], ['## 3.1.0'])), true],
		[
			'Bump version to 1.1.0',
			parseDiff(diff('src/version.ts', ["export const VERSION = '1.0.0';"], ["export const VERSION = '1.1.0';"])),
			true,
		],
		['Update dependencies', manifest('\t\t"ava": "^5.3.1",', '\t\t"ava": "^6.0.0",'), true],
		['Meta tweaks', parseDiff(diff('HISTORY.md', ['old'], ['new'])), true],
		['Add a files field', manifest('\t"type": "module",', '\t"files": ["dist"],'), false],
		['Release the lock when done', parseDiff(diff('src/lock.ts', ['a'], ['b'])), false],
		['Add the release script', parseDiff(diff('scripts/release.sh', ['a'], ['b'])), false],
	])('%j → %s', (subject, files, expected) => expect(isReleaseCommit(subject, files)).toBe(expected));

	it('skips a release commit before any task, after generated files', () => {
		expect(diffSkipReason(manifest('"version": "1.0.0",', '"version": "1.0.1",'), 2, '1.0.1')).toBe('release');
		expect(diffSkipReason(parseDiff(diff('package-lock.json', ['a'], ['b'])), 2, '1.0.1')).toBe('generated-only');
		expect(diffSkipReason(parseDiff(diff('src/a.ts', ['a'], ['b'])), 2, 'Fix a')).toBeUndefined();
	});

	it.each([
		['"version": "1.2.3",', true],
		['version = "0.4.0"', true],
		['"@scope/pkg": "~2.1.x",', true],
		['1.2.3', true],
		['"description": "A client",', false],
		['"main": "index.js",', false],
	])('isVersionLine(%j) → %s', (line, expected) => expect(isVersionLine(line)).toBe(expected));
});

describe('classifyFix', () => {
	const code = parseDiff(diff('src/retry.ts', ['\tif (a) {'], ['\tif (b) {']));
	const comment = parseDiff(diff('src/retry.ts', ['\t// retries twice'], ['\t// retries once']));
	const testFile = parseDiff(diff('test/retry.ts', ["test.failing('x', t => {"], ["test('x', t => {"]));
	const workflow = parseDiff(diff('.github/workflows/ci.yml', ['node-version: 14'], ['node-version: 22']));
	const readme = parseDiff(diff('readme.md', ['teh'], ['the']));
	const lintConfig = parseDiff(diff('eslint.config.js', ['a'], ['b']));
	it.each([
		['Fix retry calling one time too many', code, 'behavioural'],
		['Prevent prototype pollution', code, 'behavioural'],
		['Fix CI', workflow, 'ci'],
		['Fix the build on Node 22', workflow, 'ci'],
		['fix(ci): pin the runner', code, 'ci'],
		['docs: fix the retry example', code, 'docs'],
		['Fix typo', code, 'typo'],
		['Fix readme typo', readme, 'typo'],
		['Fix linting', code, 'lint'],
		['Fix the lint config', lintConfig, 'lint'],
		['style: fix indentation', code, 'format'],
		['Fix flaky retry test', code, 'flaky-test'],
		['Fix the retry test', testFile, 'test-only'],
		['Fix the retry comment', comment, 'docs'],
		['Fix broken anchor link', readme, 'docs'],
		['Fixes #640', [...code, ...testFile], 'behavioural'],
	] as const)('%j → %s', (subject, files, kind) => expect(classifyFix({ message: `${subject}\n` }, [...files])).toBe(kind));
});

describe('linesToBlame', () => {
	it('leaves test placeholders out, like blank and comment lines', () => {
		const file = parseDiff(
			diff(
				'src/spec.ts',
				["test.failing('x', t => {", "it.skip('y', () => {", "xit('z', () => {", '// note', '', 'return a;'],
				['return b;'],
			),
		)[0];
		expect(linesToBlame(file as NonNullable<typeof file>)).toEqual([6]);
	});
});
