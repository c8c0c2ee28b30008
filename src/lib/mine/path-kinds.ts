import type { FileDiff } from './types.ts';

/**
 * What a path holds, as far as behaviour goes: `code` runs in the product; the others do not (documentation,
 * CI configuration, tests, and lint/format/editor configuration). A change confined to the others changes
 * no behaviour a user sees.
 */
export type PathKind = 'docs' | 'ci' | 'test' | 'tooling' | 'code';

const CI_PATH = [
	/^\.github\/(workflows|actions)\//,
	/(^|\/)\.travis\.ya?ml$/,
	/^\.circleci\//,
	/(^|\/)appveyor\.ya?ml$/,
	/(^|\/)\.gitlab-ci\.ya?ml$/,
	/(^|\/)azure-pipelines\.ya?ml$/,
	/(^|\/)Jenkinsfile$/,
	/^\.buildkite\//,
];

const DOCS_PATH = [
	/\.(md|mdx|markdown|rst|adoc|asciidoc|txt)$/i,
	/(^|\/)(docs?|documentation)\//i,
	/(^|\/)(LICEN[CS]E|COPYING|AUTHORS|CONTRIBUTORS|CODEOWNERS|NOTICE)(\.[\w]+)?$/i,
	/^\.github\/(ISSUE_TEMPLATE|PULL_REQUEST_TEMPLATE|FUNDING|SECURITY|CONTRIBUTING)/i,
];

const TEST_PATH = [
	/(^|\/)(test|tests|__tests__|spec|specs|e2e|fixtures?|__snapshots__|__mocks__)\//,
	/\.(test|spec|test-d)\.[cm]?[jt]sx?$/,
	/(^|\/)test\.[cm]?[jt]sx?$/,
	/_test\.(go|py|rb)$/,
	/(^|\/)test_[^/]+\.py$/,
];

const TOOLING_PATH = [
	/(^|\/)\.eslintrc(\.\w+)?$/,
	/(^|\/)eslint\.config\.[cm]?[jt]s$/,
	/(^|\/)\.prettierrc(\.\w+)?$/,
	/(^|\/)prettier\.config\.[cm]?[jt]s$/,
	/(^|\/)\.(editorconfig|gitignore|gitattributes|npmignore|npmrc|nvmrc|prettierignore|eslintignore)$/,
	/(^|\/)(biome|\.markdownlint|\.xo-config)\.jsonc?$/,
	/(^|\/)\.(stylelintrc|markdownlintrc|lintstagedrc|commitlintrc)(\.\w+)?$/,
];

/** The kind of one path; the first list it matches decides, in the order CI, docs, test, tooling. */
export function pathKind(path: string): PathKind {
	if (CI_PATH.some((pattern) => pattern.test(path))) return 'ci';
	if (DOCS_PATH.some((pattern) => pattern.test(path))) return 'docs';
	if (TEST_PATH.some((pattern) => pattern.test(path))) return 'test';
	if (TOOLING_PATH.some((pattern) => pattern.test(path))) return 'tooling';
	return 'code';
}

/** The path a file has after the change, or before it when it was deleted. */
function currentPath(file: FileDiff): string {
	return (file.newPath ?? file.oldPath) as string;
}

/** The kind of a changed file (by the path it has after the change, or had before a deletion). */
export function fileKind(file: FileDiff): PathKind {
	return pathKind(currentPath(file));
}

/** The distinct kinds of the changed files, in a fixed order. */
export function kindsOf(files: FileDiff[]): PathKind[] {
	const kinds = new Set(files.map(fileKind));
	return (['code', 'test', 'docs', 'ci', 'tooling'] as const).filter((kind) => kinds.has(kind));
}

/** True when every changed file is documentation (and at least one file changed). */
export function isDocsOnly(files: FileDiff[]): boolean {
	return files.length > 0 && files.every((file) => fileKind(file) === 'docs');
}

/** Changelogs and release notes: a release writes them, nobody asks a model to. */
const CHANGELOG_PATH = /(^|\/)(CHANGELOG|CHANGES|HISTORY|RELEASES?|RELEASE[-_]NOTES|NEWS)(\.(md|markdown|txt|rst|adoc))?$/i;

/** Manifests whose version fields a release or a dependency bump edits. */
const MANIFEST_PATH =
	/(^|\/)(package\.json|jsr\.jsonc?|deno\.jsonc?|bower\.json|composer\.json|manifest\.json|Cargo\.toml|pyproject\.toml|setup\.cfg|pubspec\.yaml|VERSION|version\.txt)$/;

/** A version number or range: `1.2.3`, `v2.0.0-beta.1`, `^4.1.0`, `>=18`, `~1.2.x`. */
const VERSION = String.raw`[~^=<>v ]*\d+(\.(\d+|x|\*))*(-[\w.]+)?(\+[\w.]+)?`;

/**
 * A line that only states a version: a `version` field in any syntax (`"version": "1.2.3",`,
 * `version = "1.2.3"`, `export const VERSION = '1.2.3';`), a dependency pinned to a version
 * (`"ky": "^1.2.3",`, `ky = "1.2"`), or a bare version (a `VERSION` file).
 */
const VERSION_LINE = [
	new RegExp(String.raw`^(export\s+)?((const|let|var)\s+)?["']?[\w.-]*version["']?\s*[:=]\s*["']${VERSION}["'][,;]?$`, 'i'),
	new RegExp(String.raw`^["'][@\w./-]+["']\s*:\s*["']${VERSION}["'],?$`),
	new RegExp(String.raw`^[\w.-]+\s*=\s*["']${VERSION}["']$`),
	new RegExp(String.raw`^${VERSION}$`),
];

/** True when a changed line only states a version (see VERSION_LINE); blank lines count as nothing. */
export function isVersionLine(text: string): boolean {
	const trimmed = text.trim();
	return trimmed === '' || VERSION_LINE.some((pattern) => pattern.test(trimmed));
}

/** True when the file is a changelog, or a manifest whose every changed line only states a version. */
function isReleaseFile(file: FileDiff): boolean {
	const path = currentPath(file);
	if (CHANGELOG_PATH.test(path)) return true;
	if (!MANIFEST_PATH.test(path) || file.status !== 'modified') return false;
	return file.hunks.every((hunk) => hunk.lines.every((line) => line.kind === 'context' || isVersionLine(line.text)));
}

/** A subject that is only a version or says it cuts a release: `0.32.0`, `v2.0.0-beta.1`, `Release 1.2.0`, `chore(release): 3.1.0`. */
const RELEASE_SUBJECT = new RegExp(
	String.raw`^(v?\d+\.\d+\.\d+(-[\w.]+)?|(chore|build)\(release\)!?:.*|release:?\s+v?\d+\.\d+.*|bump (the )?version\b.*|version bump\b.*)$`,
	'i',
);

/** True when the subject only names a version or announces a release. */
export function isReleaseSubject(subject: string): boolean {
	return RELEASE_SUBJECT.test(subject.trim());
}

/**
 * True for a release or version-bump commit: its subject only names a version or a release, or every
 * authored file it changed is a changelog or a manifest whose changed lines only state versions (lock files
 * are already left out as generated). Its message is a number and its diff says nothing about how people
 * write code.
 */
export function isReleaseCommit(subject: string, authored: FileDiff[]): boolean {
	if (authored.length === 0) return false;
	return isReleaseSubject(subject) || authored.every(isReleaseFile);
}
