import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checksFor } from '../../src/lib/mine/checks.ts';
import { CaseSchema } from '../../src/lib/schema/case.ts';
import { CASES_DIR, fixtureFiles } from './fixture-cases.ts';

describe('case fixtures', () => {
	const files = fixtureFiles();

	it('has one fixture per task at least, under the role that owns it', () => {
		expect(files).toEqual([
			'coder/coder-implement-change-8c0a68756b41.json',
			'draft/draft-commit-message-4479e1f0e5a2.json',
			'reason/reason-change-localization-27445c028e38.json',
			'review/review-code-review-6436e71d6d67.json',
			'review/review-code-review-6abd12283709.json',
			'review/review-security-review-e9577da0d61b.json',
		]);
	});

	it.each(files)('%s is a valid case whose id, role and file name agree', (file) => {
		const result = CaseSchema.safeParse(JSON.parse(readFileSync(path.join(CASES_DIR, file), 'utf8')));
		expect(result.error?.issues).toBeUndefined();
		const testCase = result.data!;
		expect(file).toBe(`${testCase.role}/${testCase.id}.json`);
		expect(testCase.id).toBe(`${testCase.role}-${testCase.task}-${testCase.source.commit.slice(0, 12)}`);
	});

	// The implement-change fixture predates recorded tests: its commit's repository is not here, so its tests
	// cannot run and it keeps the file-set checks it was mined with (such a case never backs a promotion).
	// The miner's coder cases, with their tests, are held to the miner's checks in tests/execute.
	const minedToday = files.filter((file) => !file.startsWith('coder/'));
	it.each(minedToday)('%s carries the checks the miner writes for its task', (file) => {
		const testCase = CaseSchema.parse(JSON.parse(readFileSync(path.join(CASES_DIR, file), 'utf8')));
		const verdict = 'verdict' in testCase.reference ? testCase.reference.verdict : undefined;
		expect(testCase.checks).toEqual(checksFor(testCase.task, verdict));
	});
});
