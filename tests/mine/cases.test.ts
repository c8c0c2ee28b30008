import { describe, expect, it } from 'vitest';
import { CaseSchema } from '../../src/lib/schema/case.ts';
import {
	buildChangeLocalizationCase,
	buildCommitMessageCase,
	buildImplementChangeCase,
	buildReviewCase,
	caseId,
	implementChangeSkipReason,
	touchedPaths,
	type CommitFacts,
} from '../../src/lib/mine/build-cases.ts';
import { promptFits } from '../../src/lib/mine/budget.ts';
import { estimateTokens, promptTokens, taskFor } from '../../src/lib/tasks/index.ts';
import { checksFor, roleOfTask } from '../../src/lib/mine/checks.ts';
import { parseDiff } from '../../src/lib/diff/parse-diff.ts';
import { severityBySize, severityOf } from '../../src/lib/mine/severity.ts';
import { tasksOfRoles } from '../../src/lib/mine/mine.ts';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const PARENT = 'fedcba9876543210fedcba9876543210fedcba98';
const BUDGET = { numCtx: 4096, numPredict: 512 };
const MINED_AT = '2024-01-02T00:00:00Z';
const REPOSITORY = { name: 'owner/repo', url: 'https://github.com/owner/repo' };

const DIFF = `diff --git a/src/a.ts b/src/a.ts
index 111111111111..222222222222 100644
--- a/src/a.ts
+++ b/src/a.ts
@@ -1,2 +1,2 @@
 export const a = 1;
-export const b = 2;
+export const b = 3;
diff --git a/package-lock.json b/package-lock.json
index 333333333333..444444444444 100644
--- a/package-lock.json
+++ b/package-lock.json
@@ -1 +1 @@
-{"v": 1}
+{"v": 2}
`;

function facts(message = 'fix: b must be 3\n\nThe spec says so.\n', raw = DIFF): CommitFacts {
	return {
		commit: {
			sha: SHA,
			parents: [PARENT],
			authorDate: '2024-01-01T10:00:00+02:00',
			committerDate: '2024-01-01T11:00:00+02:00',
			authorName: 'Ada',
			authorEmail: 'ada@example.com',
			message,
		},
		files: parseDiff(raw),
	};
}

function built(outcome: ReturnType<typeof buildCommitMessageCase>) {
	if (!('candidate' in outcome)) throw new Error(`expected a case, got skip ${outcome.skip}`);
	return CaseSchema.parse(outcome.candidate);
}

describe('caseId', () => {
	it('is <role>-<task>-<first 12 of the sha>', () => {
		expect(caseId('review', 'security-review', SHA)).toBe('review-security-review-0123456789ab');
	});
});

describe('roles and tasks', () => {
	it.each([
		['commit-message', 'draft'],
		['change-localization', 'reason'],
		['code-review', 'review'],
		['security-review', 'review'],
		['implement-change', 'coder'],
	] as const)('%s belongs to %s', (task, role) => {
		expect(roleOfTask(task)).toBe(role);
	});

	it('lists the tasks of the chosen roles in a fixed order', () => {
		expect(tasksOfRoles(['coder', 'draft'])).toEqual(['commit-message', 'implement-change']);
		expect(tasksOfRoles(['review'])).toEqual(['code-review', 'security-review']);
	});
});

describe('severity', () => {
	it.each([
		[0, 'low'],
		[10, 'low'],
		[11, 'medium'],
		[100, 'medium'],
		[101, 'high'],
	] as const)('%i changed lines → %s', (lines, severity) => {
		expect(severityBySize(lines)).toBe(severity);
	});

	it.each([
		[{ task: 'security-review', changedLines: 1, isFix: false, verdict: 'approve' }, 'critical'],
		[{ task: 'security-review', changedLines: 500, isFix: false, verdict: 'reject' }, 'critical'],
		[{ task: 'code-review', changedLines: 1, isFix: false, verdict: 'reject' }, 'high'],
		[{ task: 'code-review', changedLines: 500, isFix: false, verdict: 'approve' }, 'high'],
		[{ task: 'code-review', changedLines: 500, isFix: false, verdict: 'approve', matchedSeverity: 'medium' }, 'medium'],
		[{ task: 'implement-change', changedLines: 5, isFix: false }, 'low'],
		[{ task: 'implement-change', changedLines: 5, isFix: true }, 'medium'],
		[{ task: 'implement-change', changedLines: 50, isFix: true }, 'high'],
		[{ task: 'change-localization', changedLines: 50, isFix: false }, 'medium'],
		[{ task: 'commit-message', changedLines: 500, isFix: false }, 'medium'],
		[{ task: 'commit-message', changedLines: 3, isFix: true }, 'low'],
	] as const)('%j → %s', (facts, severity) => {
		expect(severityOf(facts)).toBe(severity);
	});
});

describe('checksFor', () => {
	it.each([
		['commit-message', undefined, ['subject-well-formed!', 'message-specific!', 'message-similarity']],
		['change-localization', undefined, ['files-recall!', 'files-precision!']],
		['code-review', 'reject', ['verdict!', 'finding-on-lines!', 'finding-precision!']],
		['code-review', 'approve', ['verdict!', 'no-serious-finding!']],
		['security-review', 'reject', ['verdict!', 'finding-on-lines!', 'finding-precision!']],
		['implement-change', undefined, ['tests-pass!', 'files-changed', 'change-similarity']],
	] as const)('%s (%s) → %j (! = required)', (task, verdict, names) => {
		expect(checksFor(task, verdict).map((check) => `${check.name}${check.required ? '!' : ''}`)).toEqual(names);
	});

	it('gives files-recall its threshold', () => {
		expect(checksFor('change-localization')[0]).toEqual({ name: 'files-recall', required: true, threshold: 0.5 });
	});
});

describe('buildCommitMessageCase', () => {
	it('shows the authored diff and keeps the real message', () => {
		const value = built(buildCommitMessageCase(facts(), REPOSITORY, BUDGET, MINED_AT));
		expect(value.id).toBe('draft-commit-message-0123456789ab');
		expect(value.severity).toBe('low');
		expect(value.mined_at).toBe(MINED_AT);
		expect(value.source).toEqual({
			repository: 'owner/repo',
			url: 'https://github.com/owner/repo',
			commit: SHA,
			parent: PARENT,
			author_date: '2024-01-01T10:00:00+02:00',
			subject: 'fix: b must be 3',
			files: ['package-lock.json', 'src/a.ts'],
		});
		expect(value.task === 'commit-message' && value.input.diff).toBe(DIFF.slice(0, DIFF.indexOf('diff --git a/package-lock.json')));
		expect(value.task === 'commit-message' && value.reference.message).toBe('fix: b must be 3\n\nThe spec says so.');
	});

	it.each([
		['Revert "x"\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.\n', 'revert'],
		['\n\n', 'empty-message'],
	])('skips %j as %s', (message, reason) => {
		expect(buildCommitMessageCase(facts(message), REPOSITORY, BUDGET, MINED_AT)).toEqual({ skip: reason });
	});

	it('skips a diff that would not leave room for the answer', () => {
		// 4096 - 512 (prompt) - 512 (answer) = 3072 tokens ≈ 10752 characters of input at most (3.5 a token).
		const big = `diff --git a/big.ts b/big.ts\n--- a/big.ts\n+++ b/big.ts\n@@ -1 +1 @@\n-a\n+${'x'.repeat(12_400)}\n`;
		expect(buildCommitMessageCase(facts('feat: big', big), REPOSITORY, BUDGET, MINED_AT)).toEqual({ skip: 'too-large' });
		expect(buildCommitMessageCase(facts('feat: big', big), REPOSITORY, { numCtx: 8192, numPredict: 512 }, MINED_AT)).toHaveProperty(
			'candidate',
		);
	});
});

describe('promptFits', () => {
	it('counts the prompt the run stage really sends, instructions and all, against num_ctx', () => {
		const diff = `diff --git a/big.ts b/big.ts\n--- a/big.ts\n+++ b/big.ts\n@@ -1 +1 @@\n-a\n+${'x'.repeat(10_000)}\n`;
		const value = built(buildCommitMessageCase(facts('feat: big', diff), REPOSITORY, BUDGET, MINED_AT));
		const sent = promptTokens(taskFor(value.task).buildPrompt(value));
		expect(sent).toBeGreaterThan(estimateTokens(diff));
		expect(promptFits(value, { numCtx: sent + 512, numPredict: 512 })).toBe(true);
		expect(promptFits(value, { numCtx: sent + 511, numPredict: 512 })).toBe(false);
	});
});

describe('buildChangeLocalizationCase', () => {
	it('lists the files at the parent without generated ones and expects the authored files', () => {
		const value = built(
			buildChangeLocalizationCase(facts(), ['src/b.ts', 'package-lock.json', 'src/a.ts', 'dist/a.js'], REPOSITORY, BUDGET, MINED_AT),
		);
		expect(value.task === 'change-localization' && value.input).toEqual({
			intent: 'fix: b must be 3\n\nThe spec says so.',
			files: ['src/a.ts', 'src/b.ts'],
		});
		expect(value.task === 'change-localization' && value.reference).toEqual({ files: ['src/a.ts'] });
	});
});

describe('buildImplementChangeCase', () => {
	const before = [{ path: 'src/a.ts', content: 'export const a = 1;\nexport const b = 2;\n' }];
	const after = [{ path: 'src/a.ts', content: 'export const a = 1;\nexport const b = 3;\n' }];

	it('shows the files before and expects them after; a fix is at least medium', () => {
		const value = built(buildImplementChangeCase(facts(), before, after, REPOSITORY, BUDGET, MINED_AT));
		expect(value.id).toBe('coder-implement-change-0123456789ab');
		expect(value.severity).toBe('medium');
		expect(value.task === 'implement-change' && value.input.files).toEqual(before);
		expect(value.task === 'implement-change' && value.reference.files).toEqual(after);
	});

	it('skips when the change would not fit the answer budget, as edits or as whole files', () => {
		const huge = [{ path: 'src/a.ts', content: 'x'.repeat(4 * 513) }];
		expect(buildImplementChangeCase(facts(), before, huge, REPOSITORY, BUDGET, MINED_AT)).toEqual({ skip: 'too-large' });
		expect(buildImplementChangeCase(facts(), before, huge, REPOSITORY, BUDGET, MINED_AT, 'whole')).toEqual({ skip: 'too-large' });
	});

	// 150 lines of about 30 characters: about 1,300 tokens, more than num_predict (512) but well inside the context.
	const long = Array.from({ length: 150 }, (_, i) => `export const value${String(i).padStart(3, '0')} = ${i};\n`).join('');

	it('with edit answers keeps a small change to a file too long to write out whole; whole answers do not', () => {
		const mid = [{ path: 'src/a.ts', content: long }];
		const changed = [{ path: 'src/a.ts', content: long.replace('value075 = 75;', 'value075 = 76;') }];
		expect(estimateTokens(long)).toBeGreaterThan(BUDGET.numPredict);
		expect(built(buildImplementChangeCase(facts(), mid, changed, REPOSITORY, BUDGET, MINED_AT)).id).toBe(
			'coder-implement-change-0123456789ab',
		);
		expect(buildImplementChangeCase(facts(), mid, changed, REPOSITORY, BUDGET, MINED_AT, 'whole')).toEqual({ skip: 'too-large' });
		// Every line changed: the edits are as long as the file, and too large either way.
		const rewritten = [{ path: 'src/a.ts', content: long.replace(/ = (\d+);/g, ' = -$1;') }];
		expect(buildImplementChangeCase(facts(), mid, rewritten, REPOSITORY, BUDGET, MINED_AT)).toEqual({ skip: 'too-large' });
	});

	it('with edit answers skips a change the blocks cannot express (a line that reads as a block marker)', () => {
		const marker = [{ path: 'src/a.ts', content: 'const a = `\n=======\n`;\n' }];
		const changed = [{ path: 'src/a.ts', content: 'const a = `\n-------\n`;\n' }];
		expect(buildImplementChangeCase(facts(), marker, changed, REPOSITORY, BUDGET, MINED_AT)).toEqual({ skip: 'not-expressible-as-edits' });
		expect(built(buildImplementChangeCase(facts(), marker, changed, REPOSITORY, BUDGET, MINED_AT, 'whole')).task).toBe('implement-change');
	});

	it('skips commits that delete or rename files before reading them', () => {
		const renamed =
			'diff --git a/x.ts b/y.ts\nsimilarity index 90%\nrename from x.ts\nrename to y.ts\n--- a/x.ts\n+++ b/y.ts\n@@ -1 +1 @@\n-a\n+b\n';
		expect(implementChangeSkipReason(facts('feat: move', renamed))).toBe('deletes-or-renames');
		expect(implementChangeSkipReason(facts())).toBeUndefined();
	});
});

describe('buildReviewCase', () => {
	it('builds a reject case with sorted spans and the fix it came from', () => {
		const lines = [
			{ path: 'src/z.ts', start: 1, end: 1 },
			{ path: 'src/a.ts', start: 9, end: 9 },
			{ path: 'src/a.ts', start: 2, end: 3 },
		];
		const value = built(
			buildReviewCase(
				'security-review',
				facts('feat: add b'),
				'reject',
				lines,
				{ sha: PARENT, subject: 'fix: escape b' },
				REPOSITORY,
				BUDGET,
				MINED_AT,
			),
		);
		expect(value.id).toBe('review-security-review-0123456789ab');
		expect(value.severity).toBe('critical');
		expect(value.source.fix_commit).toBe(PARENT);
		expect(value.source.fix_subject).toBe('fix: escape b');
		expect(value.task === 'security-review' && value.reference).toEqual({
			verdict: 'reject',
			lines: [
				{ path: 'src/a.ts', start: 2, end: 3 },
				{ path: 'src/a.ts', start: 9, end: 9 },
				{ path: 'src/z.ts', start: 1, end: 1 },
			],
		});
		expect(value.checks.map((check) => check.name)).toEqual(['verdict', 'finding-on-lines', 'finding-precision']);
	});

	it('narrows a reject case that does not fit to the files holding the faulty lines, plus what still fits', () => {
		const big = `diff --git a/src/big.ts b/src/big.ts\nnew file mode 100644\n--- /dev/null\n+++ b/src/big.ts\n@@ -0,0 +1,2000 @@\n${Array.from({ length: 2000 }, (_, i) => `+export const value${i} = ${i};\n`).join('')}`;
		const small =
			'diff --git a/src/a.ts b/src/a.ts\nnew file mode 100644\n--- /dev/null\n+++ b/src/a.ts\n@@ -0,0 +1,2 @@\n+export const a = 1;\n+export const b = a / 0;\n';
		const context =
			'diff --git a/src/c.ts b/src/c.ts\nnew file mode 100644\n--- /dev/null\n+++ b/src/c.ts\n@@ -0,0 +1 @@\n+export const c = 3;\n';
		const lines = [{ path: 'src/a.ts', start: 2, end: 2 }];
		const tight = { ...BUDGET, numCtx: 4096, numPredict: 512 };
		const reject = built(
			buildReviewCase(
				'code-review',
				facts('feat: add a', big + small + context),
				'reject',
				lines,
				{ sha: PARENT, subject: 'fix: b' },
				REPOSITORY,
				tight,
				MINED_AT,
			),
		);
		expect(reject.task === 'code-review' && reject.input.diff).toBe(small + context);
		expect(reject.source.files).toEqual(['src/a.ts', 'src/big.ts', 'src/c.ts']);
		// An approve case has no faulty lines to narrow to: it is skipped.
		expect(
			buildReviewCase('code-review', facts('feat: add a', big + small), 'approve', [], undefined, REPOSITORY, tight, MINED_AT),
		).toEqual({ skip: 'too-large' });
	});

	it('builds an approve case with no lines and no fix, with the severity of the reject case it was matched to', () => {
		const value = built(
			buildReviewCase('code-review', facts('feat: add b'), 'approve', [], undefined, REPOSITORY, BUDGET, MINED_AT, 'low'),
		);
		expect(value.severity).toBe('low');
		expect(value.source.fix_commit).toBeUndefined();
		expect(value.task === 'code-review' && value.reference).toEqual({ verdict: 'approve', lines: [] });
	});
});

describe('touchedPaths', () => {
	it('lists old and new names, sorted', () => {
		const raw =
			'diff --git a/x.ts b/y.ts\nsimilarity index 90%\nrename from x.ts\nrename to y.ts\n--- a/x.ts\n+++ b/y.ts\n@@ -1 +1 @@\n-a\n+b\n';
		expect(touchedPaths(parseDiff(raw + DIFF))).toEqual(['package-lock.json', 'src/a.ts', 'x.ts', 'y.ts']);
	});
});
