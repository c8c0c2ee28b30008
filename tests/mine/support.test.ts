import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { estimateTokensOfAll, fitsBudget, PROMPT_OVERHEAD_TOKENS } from '../../src/lib/mine/budget.ts';
import { mapWithLimit, takeInOrder } from '../../src/lib/mine/pool.ts';
import { readPolicyFile } from '../../src/lib/registry/read-policy.ts';
import { RegistryError } from '../../src/lib/registry/registry-error.ts';
import { formatCounts } from '../../src/lib/mine/report.ts';
import { browsableUrl, parsePathList, repositoryName } from '../../src/lib/mine/repository.ts';
import { stableStringify } from '../../src/lib/mine/serialize.ts';
import { casePath, decideStatus, writeCases } from '../../src/lib/mine/write-cases.ts';
import { type Case, CaseSchema } from '../../src/lib/schema/case.ts';

describe('stableStringify', () => {
	it('orders keys the same way whatever order they were built in, and ends with a newline', () => {
		const one = { checks: [{ required: true, name: 'verdict' }], id: 'x', source: { subject: 's', commit: 'c' }, zeta: 1, alpha: 2 };
		const two = { alpha: 2, zeta: 1, source: { commit: 'c', subject: 's' }, id: 'x', checks: [{ name: 'verdict', required: true }] };
		expect(stableStringify(one)).toBe(stableStringify(two));
		expect(stableStringify(one)).toBe(
			'{\n  "id": "x",\n  "source": {\n    "commit": "c",\n    "subject": "s"\n  },\n  "checks": [\n    {\n      "name": "verdict",\n      "required": true\n    }\n  ],\n  "alpha": 2,\n  "zeta": 1\n}\n',
		);
	});

	it('drops undefined fields and keeps array order', () => {
		expect(stableStringify({ b: undefined, a: [3, 1, 2] })).toBe('{\n  "a": [\n    3,\n    1,\n    2\n  ]\n}\n');
	});
});

describe('budget', () => {
	it.each([
		[[], 0],
		[['abc'], 1],
		[['abcdefg'], 2],
		[['abcdefgh'], 3],
		[['abc', 'abcdefg'], 3],
	])('sizes %j as the run stage does: %i tokens', (texts, tokens) => {
		expect(estimateTokensOfAll(texts)).toBe(tokens);
	});

	it('leaves room for the prompt and the answer', () => {
		const budget = { numCtx: 4096, numPredict: 1024 };
		const room = 4096 - 1024 - PROMPT_OVERHEAD_TOKENS;
		expect(fitsBudget(room, budget)).toBe(true);
		expect(fitsBudget(room + 1, budget)).toBe(false);
		expect(fitsBudget(10, budget, 1024)).toBe(true);
		expect(fitsBudget(10, budget, 1025)).toBe(false);
	});
});

describe('readPolicyFile, as the miner reads its budget', () => {
	let dir: string;
	/** This project's policy, edited: the miner reads the same file the build reads. */
	const policyWith = (edit: (text: string) => string) => {
		const path = join(dir, 'policy.yaml');
		writeFileSync(path, edit(readFileSync(resolve('benchmarks/policy.yaml'), 'utf8')));
		return path;
	};
	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'mine-budget-'));
	});
	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	it('reads run.num_ctx and run.num_predict', async () => {
		const path = policyWith((text) => text.replace(/num_ctx: \d+/, 'num_ctx: 12288').replace(/num_predict: \d+/, 'num_predict: 1536'));
		expect((await readPolicyFile(path)).run).toMatchObject({ num_ctx: 12288, num_predict: 1536 });
	});

	it('stops at a missing policy, naming the file, instead of guessing a budget', async () => {
		await expect(readPolicyFile(join(dir, 'missing.yaml'), 'benchmarks/policy.yaml')).rejects.toThrow(
			/benchmarks\/policy\.yaml — \(file\)\n {2}found: {4}no such file/,
		);
	});

	it('names the file, the line and the field of a bad value, as the build does', async () => {
		const path = policyWith((text) => text.replace(/num_ctx: \d+/, 'num_ctx: lots'));
		const error = await readPolicyFile(path, 'benchmarks/policy.yaml').catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(RegistryError);
		expect((error as RegistryError).issues.map((issue) => [issue.file, issue.field])).toEqual([['benchmarks/policy.yaml', 'run.num_ctx']]);
		expect((error as Error).message).toMatch(/benchmarks\/policy\.yaml:\d+ — run\.num_ctx\n {2}found: {4}"lots"/);
	});

	it('says when the file is not YAML', async () => {
		const path = join(dir, 'policy.yaml');
		writeFileSync(path, 'run: [unclosed\n');
		await expect(readPolicyFile(path)).rejects.toThrow('invalid YAML');
	});
});

describe('browsableUrl and repositoryName', () => {
	it.each([
		['git@github.com:owner/repo.git', 'https://github.com/owner/repo'],
		['https://github.com/owner/repo.git', 'https://github.com/owner/repo'],
		['https://user:secret@gitlab.example.com/group/repo', 'https://gitlab.example.com/group/repo'],
		['ssh://git@host.example.com/owner/repo.git', 'https://host.example.com/owner/repo'],
		['/srv/git/repo.git', undefined],
		['file:///srv/git/repo.git', undefined],
		['', undefined],
		[undefined, undefined],
	])('%s → %s', (remote, url) => {
		expect(browsableUrl(remote)).toBe(url);
	});

	it('names the repository from its URL, and never from its folder', () => {
		expect(repositoryName('https://github.com/owner/repo')).toBe('owner/repo');
		expect(repositoryName('https://gitlab.example.com/group/sub/repo')).toBe('group/sub/repo');
		expect(repositoryName(undefined)).toBeUndefined();
	});

	it('reads NUL-separated path lists', () => {
		expect(parsePathList('a b.ts\0dir/new\nline.ts\0')).toEqual(['a b.ts', 'dir/new\nline.ts']);
	});
});

describe('pool', () => {
	it('keeps input order whatever order calls finish in', async () => {
		const delays = [30, 5, 20, 1, 10];
		const result = await mapWithLimit(delays, 2, async (delay, at) => {
			await new Promise((resolve) => setTimeout(resolve, delay));
			return at;
		});
		expect(result).toEqual([0, 1, 2, 3, 4]);
	});

	it('stops running tasks once enough results are kept, judging them in order', async () => {
		const ran: number[] = [];
		const kept: number[] = [];
		const tasks = Array.from({ length: 10 }, (_, at) => async () => {
			ran.push(at);
			return at;
		});
		const count = await takeInOrder(tasks, 3, 2, (value) => {
			if (value % 2 === 1) return false;
			kept.push(value);
			return true;
		});
		expect(count).toBe(3);
		expect(kept).toEqual([0, 2, 4]);
		expect(ran.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
	});
});

describe('decideStatus', () => {
	it.each([
		['new', undefined, { dryRun: false, force: false }, 'written'],
		['new', undefined, { dryRun: true, force: false }, 'would-write'],
		['same', 'same', { dryRun: false, force: true }, 'unchanged'],
		['new', 'old', { dryRun: false, force: false }, 'would-change'],
		['new', 'old', { dryRun: true, force: false }, 'would-change'],
		['new', 'old', { dryRun: false, force: true }, 'overwritten'],
		['new', 'old', { dryRun: true, force: true }, 'would-overwrite'],
	] as const)('%s over %s with %j → %s', (content, existing, options, status) => {
		expect(decideStatus(content, existing, options)).toBe(status);
	});
});

describe('writeCases', () => {
	it('writes each case whole under <out>/<role>/<id>.json and leaves no temporary file behind', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'mine-write-'));
		try {
			const value = CaseSchema.parse(
				JSON.parse(readFileSync(resolve('testing/fixtures/cases/draft/draft-commit-message-4479e1f0e5a2.json'), 'utf8')),
			);
			const path = casePath(join(dir, 'cases'), value);
			expect(path).toBe(join(dir, 'cases', 'draft', 'draft-commit-message-4479e1f0e5a2.json'));
			expect(await writeCases([value], join(dir, 'cases'), { dryRun: false, force: false })).toEqual([
				{ id: value.id, path, status: 'written' },
			]);
			const changed = { ...value, severity: value.severity === 'low' ? 'high' : 'low' } satisfies Case;
			expect(await writeCases([changed], join(dir, 'cases'), { dryRun: false, force: true })).toEqual([
				{ id: value.id, path, status: 'overwritten' },
			]);
			expect(readFileSync(path, 'utf8')).toBe(stableStringify(changed));
			expect(readdirSync(join(dir, 'cases', 'draft'))).toEqual(['draft-commit-message-4479e1f0e5a2.json']);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});

describe('formatCounts', () => {
	it('lists counts largest first, then by name', () => {
		expect(formatCounts({ tiny: 1, merge: 3, binary: 1, empty: 0 })).toBe('merge 3, binary 1, tiny 1');
		expect(formatCounts({})).toBe('none');
	});
});
