import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TempRepo } from './git-fixture.ts';
import { buildStoryRepo, PLANTED, type Story } from './story-repo.ts';

const SCRIPT = resolve('scripts/mine.ts');
let repo: TempRepo;
let story: Story;
let scratch: string;

/** Runs the CLI the way `npm run mine` does (same Node), from the story repository. */
function mine(args: string[], cwd = repo.dir) {
	const run = spawnSync(process.execPath, [SCRIPT, '--clean-age', '3', ...args], { cwd, encoding: 'utf8' });
	return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Every file under a folder, by relative path, as bytes. */
function snapshot(dir: string): Map<string, Buffer> {
	const files = readdirSync(dir, { recursive: true }).map(String).filter((name) => name.endsWith('.json')).sort();
	return new Map(files.map((name) => [name, readFileSync(join(dir, name))]));
}

beforeAll(() => {
	({ repo, story } = buildStoryRepo());
	scratch = mkdtempSync(join(tmpdir(), 'mine-cli-'));
});

afterAll(() => {
	repo?.cleanup();
	if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('scripts/mine.ts', () => {
	it('prints cases per task and skips per reason, and names each secret it dropped without printing it', () => {
		const out = join(scratch, 'summary');
		const run = mine(['--out', out]);
		expect(run.stderr).toBe('');
		expect(run.status).toBe(0);
		expect(run.stdout).toContain('(num_ctx 8192, num_predict 1024)');
		expect(run.stdout).toContain('Commits skipped by reason: binary 1, bot-author 1, generated-only 1, merge 1, root-commit 1, whitespace-only 1.');
		expect(run.stdout).toContain('  commit-message: 15 cases; skipped: secret 3, revert 1, too-large 1.');
		expect(run.stdout).toContain('  code-review: 4 cases; skipped: none.');
		expect(run.stdout).toContain(
			`Secret: dropped draft-commit-message-${story.aws.slice(0, 12)}: @secretlint/secretlint-rule-aws (AWSAccessKeyID) in input.diff.`,
		);
		expect(run.stdout).not.toContain(PLANTED.awsAccessKeyId);
		expect(run.stdout).not.toContain(PLANTED.githubToken);
		// The story's commits carry no tests: no coder case is validated, and the summary says why.
		expect(run.stdout).toMatch(/ {2}implement-change: 0 cases; skipped: .*no-tests \d+/);
		expect(run.stdout).toContain('Files: written 25.');
	});

	it('writes byte-identical files when the same history is mined twice', () => {
		const first = join(scratch, 'first');
		const second = join(scratch, 'second');
		expect(mine(['--out', first]).status).toBe(0);
		expect(mine(['--out', second]).status).toBe(0);
		const a = snapshot(first);
		const b = snapshot(second);
		expect(a.size).toBe(25);
		expect([...b.keys()]).toEqual([...a.keys()]);
		for (const [name, bytes] of a) expect(b.get(name)?.equals(bytes), name).toBe(true);
		const again = mine(['--out', first]);
		expect(again.stdout).toContain('Files: unchanged 25.');
	});

	it('reports an existing case with different content and leaves it as it was', () => {
		const out = join(scratch, 'edited');
		expect(mine(['--out', out, '--roles', 'draft']).status).toBe(0);
		const path = join(out, 'draft', `draft-commit-message-${story.addMath.slice(0, 12)}.json`);
		const original = readFileSync(path, 'utf8');
		writeFileSync(path, original.replace('Add and subtract', 'Edited by hand'));
		const run = mine(['--out', out, '--roles', 'draft']);
		expect(run.status).toBe(0);
		expect(run.stdout).toContain(`would-change: ${path}`);
		expect(run.stdout).toContain('Files: unchanged 14, would-change 1.');
		expect(readFileSync(path, 'utf8')).toContain('Edited by hand');
		const forced = mine(['--out', out, '--roles', 'draft', '--force']);
		expect(forced.stdout).toContain('Files: unchanged 14, overwritten 1.');
		expect(readFileSync(path, 'utf8')).toBe(original);
	});

	it('writes nothing with --dry-run, and lists what it would write', () => {
		const out = join(scratch, 'dry');
		const run = mine(['--out', out, '--dry-run']);
		expect(run.status).toBe(0);
		expect(run.stdout).toContain('Files (dry run, nothing written): would-write 25.');
		expect(run.stdout).toContain(`would-write: ${join(out, 'review', `review-code-review-${story.addClamp.slice(0, 12)}.json`)}`);
		expect(existsSync(out)).toBe(false);
	});

	it('writes into <repo>/benchmarks/cases by default and reads the budget from <repo>/benchmarks/policy.yaml', () => {
		mkdirSync(join(repo.dir, 'benchmarks'), { recursive: true });
		writeFileSync(join(repo.dir, 'benchmarks', 'policy.yaml'), 'run:\n  num_ctx: 2048\n  num_predict: 512\n');
		try {
			const run = mine(['--roles', 'draft', '--dry-run']);
			expect(run.stdout).toContain('(num_ctx 2048, num_predict 512)');
			expect(run.stdout).toContain(`would-write: ${join(repo.dir, 'benchmarks', 'cases', 'draft')}`);
			expect(mine(['--roles', 'draft', '--dry-run', '--num-ctx', '4096']).stdout).toContain('(num_ctx 4096, num_predict 512)');
		} finally {
			rmSync(join(repo.dir, 'benchmarks'), { recursive: true, force: true });
		}
	});

	it.each([
		[['--max-per-task', '0'], "mine: --max-per-task expects a whole number of at least 1, got '0'."],
		[['--roles', 'writer'], "mine: --roles: unknown role 'writer'"],
		[['--frobnicate'], "mine: Unknown option '--frobnicate'"],
		[['--num-ctx', '1024', '--num-predict', '600'], 'leaves no room for an input in num_ctx (1024)'],
	])('exits 2 with a message on %j', (args, message) => {
		const run = mine([...args, '--dry-run']);
		expect(run.status).toBe(2);
		expect(run.stderr).toContain(message);
	});

	it('exits 1 and names the folder when it is not a repository', () => {
		const run = mine(['--repo', scratch, '--dry-run']);
		expect(run.status).toBe(1);
		expect(run.stderr).toContain(`mine: '${scratch}' is not inside a git repository.`);
	});
});
