import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecutor } from '../../src/lib/execute/executor.ts';
import { CoderSchema } from '../../src/lib/schema/policy.ts';
import { mineCases, type MineResult } from '../../src/lib/mine/mine.ts';
import type { Case } from '../../src/lib/schema/case.ts';
import type { TempRepo } from './git-fixture.ts';
import { buildNoiseRepo, POLLUTION_BUG, RETRY_BUG, type NoiseStory } from './noise-repo.ts';

let repo: TempRepo;
let story: NoiseStory;
let result: MineResult;
let executeCache: string;

const tally = (task: string) => result.tallies.find((entry) => entry.task === task);
const ofCommit = (sha: string): Case[] => result.cases.filter((value) => value.source.commit === sha);
const review = (task: 'code-review' | 'security-review', verdict: 'approve' | 'reject') =>
	result.cases.filter((value) => value.task === task && value.reference.verdict === verdict);
const lineAt = (sha: string, path: string, line: number) => repo.git(['show', `${sha}:${path}`]).split('\n')[line - 1];

beforeAll(async () => {
	({ repo, story } = buildNoiseRepo());
	// Coder cases are validated by their tests: the executor runs whichever commit carries some.
	executeCache = mkdtempSync(join(tmpdir(), 'noise-execute-'));
	const executor = await createExecutor({ projectRoot: repo.dir, settings: CoderSchema.parse({}), log: () => {}, cacheDir: executeCache });
	result = await mineCases({
		repo: repo.dir,
		name: 'noise/repo',
		roles: ['draft', 'reason', 'review', 'coder'],
		budget: { numCtx: 8192, numPredict: 1024 },
		cleanAge: 3,
		cleanRatio: 1,
		minChangedLines: 2,
		coder: { executor },
	});
}, 120_000);

afterAll(() => {
	repo?.cleanup();
	if (executeCache) rmSync(executeCache, { recursive: true, force: true });
});

describe('mineCases on a noisy history', () => {
	it('skips the release and version-bump commits for every task, and counts them', () => {
		expect(result.commitSkips).toEqual({ release: 3, 'root-commit': 1 });
		for (const sha of [story.release101, story.bumpVersion, story.changelogRelease]) expect(ofCommit(sha)).toEqual([]);
	});

	it('keeps a docs-only commit out of localization and implementation, but not out of commit-message', () => {
		expect(ofCommit(story.docsOnly).map((value) => value.task)).toEqual(['commit-message']);
		expect(tally('change-localization')?.skipped['docs-only']).toBe(2);
		expect(tally('implement-change')?.skipped['docs-only']).toBe(2);
	});

	it('does not trace CI, typo, lint and flaky-test fixes back as bugs, and counts each kind', () => {
		expect(tally('code-review')?.skipped).toEqual({ 'fix-ci': 1, 'fix-typo': 1, 'fix-lint': 1, 'fix-flaky-test': 1 });
		expect(result.fixes).toEqual({ byKind: { behavioural: 2, ci: 1, typo: 1, lint: 1, 'flaky-test': 1 }, security: 1 });
		// The CI commit the CI fix repaired, and the commit the lint fix touched, are no reject cases.
		for (const sha of [story.addCi, story.root]) expect(ofCommit(sha).some((value) => value.role === 'review')).toBe(false);
		expect(review('code-review', 'reject').map((value) => value.source.commit)).toEqual([story.addRetry]);
	});

	it('never labels the test.failing placeholder a bug when the fix turns it on', () => {
		const reject = review('code-review', 'reject')[0];
		expect(reject?.source.fix_commit).toBe(story.fixRetry);
		expect(reject?.task === 'code-review' && reject.reference.lines).toEqual([{ path: 'src/retry.ts', start: 4, end: 4 }]);
		expect(lineAt(story.addRetry, 'src/retry.ts', 4)).toBe(RETRY_BUG);
		expect(ofCommit(story.failingTest).some((value) => value.role === 'review')).toBe(false);
	});

	it('finds the prototype-pollution fix that says "prevent", not "fix", and makes one security-review reject case', () => {
		const rejects = review('security-review', 'reject');
		expect(rejects).toHaveLength(1);
		const [reject] = rejects;
		expect(reject?.source.commit).toBe(story.addQuery);
		expect(reject?.source.fix_commit).toBe(story.securityFix);
		expect(reject?.severity).toBe('critical');
		expect(reject?.task === 'security-review' && reject.reference.lines).toEqual([{ path: 'src/query.ts', start: 6, end: 6 }]);
		expect(lineAt(story.addQuery, 'src/query.ts', 6)).toBe(POLLUTION_BUG);
	});

	it('matches each reject case with the clean code change nearest in size and file types, with its severity', () => {
		// addRetry changes 17 lines of .ts and .json; addBackoff is the clean change most like it. The docs,
		// stylesheet and test-only changes are never approve candidates: rejects always hold code.
		expect(review('code-review', 'approve').map((value) => [value.source.commit, value.severity])).toEqual([[story.addBackoff, 'high']]);
		expect(review('security-review', 'approve').map((value) => [value.source.commit, value.severity])).toEqual([
			[story.addHeaders, 'critical'],
		]);
		expect(result.balance.map((entry) => [entry.task, entry.rejects.count, entry.approves.count, entry.unmatched])).toEqual([
			['code-review', 1, 1, 0],
			['security-review', 1, 1, 0],
		]);
		expect(result.balance[0]?.rejects.medianLines).toBe(17);
		expect(result.balance[0]?.approves.medianLines).toBe(14);
	});

	it('writes no case whose subject is a version, and none from the test-only commits as review cases', () => {
		for (const value of result.cases) expect(value.source.subject).not.toMatch(/^(v?\d+\.\d+\.\d+|chore\(release\)|Bump version)/);
		for (const sha of [story.failingTest, story.fixFlaky]) expect(ofCommit(sha).filter((value) => value.role === 'review')).toEqual([]);
		expect(ofCommit(story.addStyles).filter((value) => value.role === 'review')).toEqual([]);
	});
});
