import { describe, expect, it } from 'vitest';
import { changedLineCount, parseDiff, pathOf, renderDiff, sidesOf, unquoteGitPath } from '../../src/lib/diff/parse-diff.ts';

const MODIFIED = `diff --git a/src/math.ts b/src/math.ts
index 111111111111..222222222222 100644
--- a/src/math.ts
+++ b/src/math.ts
@@ -2,4 +2,5 @@ export function add(a: number, b: number): number {
 \treturn a + b;
-}
+};
+// end
 
 export function subtract() {}
`;

describe('unquoteGitPath', () => {
	it.each([
		['plain/path.ts', 'plain/path.ts'],
		['"a/caf\\303\\251.txt"', 'a/café.txt'],
		['"a/with \\"quotes\\".txt"', 'a/with "quotes".txt'],
		['"a/tab\\there"', 'a/tab\there'],
		['"a/back\\\\slash"', 'a/back\\slash'],
		['"a/new\\nline"', 'a/new\nline'],
	])('%s → %j', (quoted, path) => {
		expect(unquoteGitPath(quoted)).toBe(path);
	});
});

describe('parseDiff', () => {
	it('numbers every line on the side it exists on', () => {
		const [file] = parseDiff(MODIFIED);
		expect(file?.status).toBe('modified');
		expect([file?.oldPath, file?.newPath]).toEqual(['src/math.ts', 'src/math.ts']);
		expect(file?.hunks).toHaveLength(1);
		expect(file?.hunks[0]).toMatchObject({ oldStart: 2, oldCount: 4, newStart: 2, newCount: 5 });
		expect(file?.hunks[0]?.lines).toEqual([
			{ kind: 'context', text: '\treturn a + b;', oldLine: 2, newLine: 2 },
			{ kind: 'deleted', text: '}', oldLine: 3 },
			{ kind: 'added', text: '};', newLine: 3 },
			{ kind: 'added', text: '// end', newLine: 4 },
			{ kind: 'context', text: '', oldLine: 4, newLine: 5 },
			{ kind: 'context', text: 'export function subtract() {}', oldLine: 5, newLine: 6 },
		]);
		expect(changedLineCount(file!)).toBe(3);
	});

	it('gives back the exact text it was given, file by file', () => {
		const raw = MODIFIED + MODIFIED.replaceAll('src/math.ts', 'src/other.ts');
		const files = parseDiff(raw);
		expect(files.map(pathOf)).toEqual(['src/math.ts', 'src/other.ts']);
		expect(renderDiff(files)).toBe(raw);
	});

	it('reads added, deleted, renamed and binary files', () => {
		const raw = `diff --git a/new.ts b/new.ts
new file mode 100644
index 000000000000..333333333333
--- /dev/null
+++ b/new.ts
@@ -0,0 +1,2 @@
+one
+two
diff --git a/gone.ts b/gone.ts
deleted file mode 100644
index 444444444444..000000000000
--- a/gone.ts
+++ /dev/null
@@ -1 +0,0 @@
-only
diff --git a/old name.ts b/new name.ts
similarity index 90%
rename from old name.ts
rename to new name.ts
index 555555555555..666666666666 100644
--- a/old name.ts\t
+++ b/new name.ts\t
@@ -1 +1 @@
-a
+b
diff --git a/logo.png b/logo.png
new file mode 100644
index 000000000000..777777777777
Binary files /dev/null and b/logo.png differ
`;
		const files = parseDiff(raw);
		expect(files.map((file) => [file.status, file.oldPath, file.newPath, file.binary])).toEqual([
			['added', null, 'new.ts', false],
			['deleted', 'gone.ts', null, false],
			['renamed', 'old name.ts', 'new name.ts', false],
			['added', null, 'logo.png', true],
		]);
		expect(files[1]?.hunks[0]?.lines).toEqual([{ kind: 'deleted', text: 'only', oldLine: 1 }]);
		expect(pathOf(files[1]!)).toBe('gone.ts');
	});

	it('reads quoted paths with escapes', () => {
		const raw = `diff --git "a/caf\\303\\251 \\"x\\".txt" "b/caf\\303\\251 \\"x\\".txt"
index 111111111111..222222222222 100644
--- "a/caf\\303\\251 \\"x\\".txt"
+++ "b/caf\\303\\251 \\"x\\".txt"
@@ -1 +1 @@
-a
+b
`;
		expect(parseDiff(raw)[0]?.newPath).toBe('café "x".txt');
	});

	it('takes the path from the header when no ---/+++ line names it (an empty new file)', () => {
		const raw = 'diff --git a/docs/empty.md b/docs/empty.md\nnew file mode 100644\nindex 000000000000..e69de29bb2d1\n';
		expect(parseDiff(raw)).toMatchObject([{ status: 'added', oldPath: null, newPath: 'docs/empty.md', hunks: [] }]);
	});

	it('does not split a file on content that looks like a diff header', () => {
		const raw = `diff --git a/notes.md b/notes.md
index 111111111111..222222222222 100644
--- a/notes.md
+++ b/notes.md
@@ -1,1 +1,3 @@
 intro
+diff --git a/fake b/fake
+@@ -1 +1 @@
`;
		const files = parseDiff(raw);
		expect(files).toHaveLength(1);
		expect(files[0]?.hunks[0]?.lines.map((line) => line.kind)).toEqual(['context', 'added', 'added']);
	});

	it('notes which side lacks a final newline', () => {
		const raw = `diff --git a/x b/x
index 111111111111..222222222222 100644
--- a/x
+++ b/x
@@ -1,2 +1,2 @@
 a
-b
\\ No newline at end of file
+c
`;
		const [file] = parseDiff(raw);
		expect(file?.noNewlineAtEnd).toEqual({ old: true, new: false });
		expect(changedLineCount(file!)).toBe(2);
	});

	it('refuses a header it cannot read rather than guessing', () => {
		expect(() => parseDiff('diff --git a/x b/x\n@@ bad @@\n')).toThrow(/Unreadable hunk header/);
	});
});

describe('sidesOf', () => {
	it('rebuilds both files from a whole-file diff, final newlines included', () => {
		const raw = `diff --git a/x b/x
index 111111111111..222222222222 100644
--- a/x
+++ b/x
@@ -1,3 +1,3 @@
 keep
-old
+new
 last
\\ No newline at end of file
`;
		expect(sidesOf(parseDiff(raw)[0]!)).toEqual({ before: 'keep\nold\nlast', after: 'keep\nnew\nlast' });
	});

	it('gives an added file an empty before and a binary file nothing', () => {
		const added = parseDiff('diff --git a/n b/n\nnew file mode 100644\n--- /dev/null\n+++ b/n\n@@ -0,0 +1 @@\n+hi\n')[0]!;
		expect(sidesOf(added)).toEqual({ before: '', after: 'hi\n' });
		const binary = parseDiff('diff --git a/p b/p\nindex 1..2 100644\nBinary files a/p and b/p differ\n')[0]!;
		expect(sidesOf(binary)).toBeUndefined();
	});
});
