import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { copyProject } from '../../testing/project-copy.ts';
import type { TempRepo } from './git-fixture.ts';
import { buildStoryRepo, PLANTED, type Story } from './story-repo.ts';

const SCRIPT = resolve('scripts/mine.ts');
/** Each run of the miner starts Node and secretlint; the tests that run it several times need more than the default. */
const SEVERAL_RUNS = 180_000;
let repo: TempRepo;
let story: Story;
let scratch: string;

/** Runs the CLI the way `npm run mine` does (same Node), from the story repository, which has no remote. */
function mine(args: string[], cwd = repo.dir, script = SCRIPT) {
	const run = spawnSync(process.execPath, [script, '--clean-age', '3', '--name', 'story/repo', ...args], { cwd, encoding: 'utf8' });
	return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** This project's `run.num_ctx` and `run.num_predict`, as the summary prints them. */
function projectBudgetText(root = resolve('.')): string {
	const policy = parse(readFileSync(join(root, 'benchmarks', 'policy.yaml'), 'utf8')) as { run: { num_ctx: number; num_predict: number } };
	return `(num_ctx ${policy.run.num_ctx}, num_predict ${policy.run.num_predict})`;
}

/** Every file under a folder, by relative path, as bytes. */
function snapshot(dir: string): Map<string, Buffer> {
	const files = readdirSync(dir, { recursive: true })
		.map(String)
		.filter((name) => name.endsWith('.json'))
		.sort();
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
		expect(run.stdout).toContain(`Mined story/repo: 26 commits read ${projectBudgetText()}.`);
		expect(run.stdout).toContain(
			'Commits skipped by reason: binary 1, bot-author 1, generated-only 1, merge 1, root-commit 1, whitespace-only 1.',
		);
		expect(run.stdout).toContain('  commit-message: 15 cases; skipped: secret 3, revert 1, too-large 1.');
		expect(run.stdout).toContain('  code-review: 4 cases; skipped: none.');
		expect(run.stdout).toContain('Fixes: 3 behavioural, traced by SZZ (1 of them security fixes); not traced: none.');
		expect(run.stdout).toContain('  code-review balance: reject 2 (median 3 lines, 2024-01-01..2024-01-01, median 2024-01-01); approve 2');
		expect(run.stdout).toContain(
			`Secret: dropped draft-commit-message-${story.aws.slice(0, 12)}: @secretlint/secretlint-rule-aws (AWSAccessKeyID) in input.diff.`,
		);
		expect(run.stdout).not.toContain(PLANTED.awsAccessKeyId);
		expect(run.stdout).not.toContain(PLANTED.githubToken);
		// The story's commits carry no tests: no coder case is validated, and the summary says why.
		expect(run.stdout).toMatch(/ {2}implement-change: 0 cases; skipped: .*no-tests \d+/);
		expect(run.stdout).toContain(`Files in ${out}: written 25.`);
	});

	it(
		'writes byte-identical files when the same history is mined twice',
		() => {
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
			expect(again.stdout).toContain(`Files in ${first}: unchanged 25.`);
		},
		SEVERAL_RUNS,
	);

	it(
		'reports an existing case with different content and leaves it as it was',
		() => {
			const out = join(scratch, 'edited');
			expect(mine(['--out', out, '--roles', 'draft']).status).toBe(0);
			const path = join(out, 'draft', `draft-commit-message-${story.addMath.slice(0, 12)}.json`);
			const original = readFileSync(path, 'utf8');
			writeFileSync(path, original.replace('Add and subtract', 'Edited by hand'));
			const run = mine(['--out', out, '--roles', 'draft']);
			expect(run.status).toBe(0);
			expect(run.stdout).toContain(`would-change: ${path}`);
			expect(run.stdout).toContain(`Files in ${out}: unchanged 14, would-change 1.`);
			expect(readFileSync(path, 'utf8')).toContain('Edited by hand');
			const forced = mine(['--out', out, '--roles', 'draft', '--force']);
			expect(forced.stdout).toContain(`Files in ${out}: unchanged 14, overwritten 1.`);
			expect(readFileSync(path, 'utf8')).toBe(original);
		},
		SEVERAL_RUNS,
	);

	it('writes nothing with --dry-run, and lists what it would write', () => {
		const out = join(scratch, 'dry');
		const run = mine(['--out', out, '--dry-run']);
		expect(run.status).toBe(0);
		expect(run.stdout).toContain(`Files in ${out} (dry run, nothing written): would-write 25.`);
		expect(run.stdout).toContain(`would-write: ${join(out, 'review', `review-code-review-${story.addClamp.slice(0, 12)}.json`)}`);
		expect(existsSync(out)).toBe(false);
	});

	it(
		"writes into this project's cases and reads this project's policy when mining another repository",
		async () => {
			const project = await copyProject('mine-project-');
			try {
				// The copy's own budget, so the summary proves which policy was read.
				const policyPath = join(project.root, 'benchmarks', 'policy.yaml');
				writeFileSync(policyPath, readFileSync(policyPath, 'utf8').replace(/num_ctx: \d+/, 'num_ctx: 12288'));
				// The mined repository has a policy and a cases folder of its own: neither may be used.
				mkdirSync(join(repo.dir, 'benchmarks'), { recursive: true });
				writeFileSync(join(repo.dir, 'benchmarks', 'policy.yaml'), 'run:\n  num_ctx: 2048\n  num_predict: 512\n');
				const before = new Set(readdirSync(join(project.root, 'benchmarks', 'cases', 'draft')));
				const run = mine(['--roles', 'draft', '--repo', repo.dir], project.root, join(project.root, 'scripts', 'mine.ts'));
				expect(run.stderr).toBe('');
				expect(run.status).toBe(0);
				expect(run.stdout).toContain(projectBudgetText(project.root));
				expect(run.stdout).toContain('num_ctx 12288');
				const cases = join(project.root, 'benchmarks', 'cases');
				expect(run.stdout).toContain(`Files in ${cases}: written 15.`);
				const added = readdirSync(join(cases, 'draft')).filter((name) => !before.has(name));
				expect(added).toHaveLength(15);
				expect(added).toContain(`draft-commit-message-${story.addMath.slice(0, 12)}.json`);
				expect(JSON.parse(readFileSync(join(cases, 'draft', added[0] as string), 'utf8')).source.repository).toBe('story/repo');
				expect(existsSync(join(repo.dir, 'benchmarks', 'cases'))).toBe(false);
			} finally {
				rmSync(join(repo.dir, 'benchmarks'), { recursive: true, force: true });
				await project.dispose();
			}
		},
		SEVERAL_RUNS,
	);

	it(
		'names the repository after its remote, so clones in differently named folders write the same bytes',
		() => {
			const outs = ['clone-one', 'another-name'].map((folder) => {
				const dir = join(scratch, folder);
				spawnSync('git', ['clone', '--quiet', repo.dir, dir], { encoding: 'utf8' });
				spawnSync('git', ['-C', dir, 'remote', 'set-url', 'origin', 'git@github.com:story/repo.git'], { encoding: 'utf8' });
				const out = join(scratch, `${folder}-cases`);
				const run = spawnSync(process.execPath, [SCRIPT, '--clean-age', '3', '--roles', 'draft,review', '--out', out], {
					cwd: dir,
					encoding: 'utf8',
				});
				expect(run.stderr).toBe('');
				expect(run.stdout).toContain('Mined story/repo:');
				return out;
			});
			const [a, b] = outs.map(snapshot) as [Map<string, Buffer>, Map<string, Buffer>];
			expect(a.size).toBeGreaterThan(0);
			expect([...b.keys()]).toEqual([...a.keys()]);
			for (const [name, bytes] of a) expect(b.get(name)?.equals(bytes), name).toBe(true);
			const first = JSON.parse([...a.values()][0]?.toString() ?? '{}');
			expect(first.source.repository).toBe('story/repo');
			expect(first.source.url).toBe('https://github.com/story/repo');
		},
		SEVERAL_RUNS,
	);

	it('refuses to name a repository without a web remote after its folder, and says to pass --name', () => {
		const run = spawnSync(process.execPath, [SCRIPT, '--roles', 'draft', '--dry-run', '--out', join(scratch, 'unnamed')], {
			cwd: repo.dir,
			encoding: 'utf8',
		});
		expect(run.status).toBe(1);
		expect(run.stderr).toContain(`Cannot name the repository at '${repo.dir}': it has no origin remote. Pass --name owner/repo`);
	});

	it('stops with the file and the field when the policy is invalid', () => {
		const policy = join(scratch, 'bad-policy.yaml');
		writeFileSync(policy, readFileSync(resolve('benchmarks/policy.yaml'), 'utf8').replace(/num_ctx: \d+/, 'num_ctx: lots'));
		const run = mine(['--roles', 'draft', '--dry-run', '--policy', policy]);
		expect(run.status).toBe(1);
		expect(run.stderr).toContain(`${policy}`);
		expect(run.stderr).toContain('run.num_ctx');
		expect(run.stderr).toContain('found:    "lots"');
	});

	// One of each kind of refusal: the shared option checks have their table in tests/unit/command-line.test.ts,
	// and every script's --help and unknown option are run in tests/scripts; each run here starts Node.
	it.each([
		[['--max-per-task', '0'], '--max-per-task is "0"; expected a whole number of at least 1.'],
		[['--roles', 'draft,writer'], '--roles names "writer"; expected a comma-separated list of draft, reason, review, coder.'],
		[['--num-ctx', '1024', '--num-predict', '600'], 'leaves no room for an input in num_ctx (1024)'],
		[['--name', 'owner repo'], '--name is "owner repo"; expected a repository name such as owner/repo.'],
	])('exits 2 with the message and the usage on %j', (args, message) => {
		const run = mine([...args, '--dry-run']);
		expect(run.status).toBe(2);
		expect(run.stderr).toContain(message);
		expect(run.stderr).toContain('usage: npm run mine -- [options]');
		expect(run.stdout).toBe('');
	});

	it('needs no policy when the command line gives the whole budget', () => {
		const run = mine([
			'--roles',
			'draft',
			'--dry-run',
			'--out',
			join(scratch, 'no-policy'),
			'--policy',
			join(scratch, 'missing.yaml'),
			'--num-ctx',
			'4096',
			'--num-predict',
			'512',
		]);
		expect(run.stderr).toBe('');
		expect(run.status).toBe(0);
		expect(run.stdout).toContain('(num_ctx 4096, num_predict 512)');
	});

	it('exits 1 and names the folder when it is not a repository', () => {
		const run = mine(['--repo', scratch, '--dry-run']);
		expect(run.status).toBe(1);
		expect(run.stderr).toContain(`mine failed: '${scratch}' is not inside a git repository`);
	});
});
