import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, realpath, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DependencyOptions, lockHashOf, prepareDependencies } from '../../src/lib/execute/dependencies.ts';
import { runSandboxed } from '../../src/lib/execute/sandbox.ts';

// One install per lockfile, even when several processes (a build, the demo, test files) share the cache:
// the first takes a lock beside the install folder, the others wait for its `.complete`.

const PACKAGE_JSON = JSON.stringify({ name: 'old-checkout', version: '1.0.0', dependencies: { 'left-pad': '^1.3.0' } });

let scratch: string;
let worktree: string;
let cacheDir: string;
let log: string[];

/** A lockfile unlike the project's, so the worktree needs an install of its own. */
const lockfile = (marker: string) => `${JSON.stringify({ name: 'old-checkout', lockfileVersion: 3, marker })}\n`;

function options(overrides: Partial<DependencyOptions> = {}): DependencyOptions {
	return {
		projectRoot: path.join(scratch, 'project'),
		cacheDir,
		install: true,
		installTimeoutMs: 60_000,
		isolation: 'none',
		log: (message) => log.push(message),
		...overrides,
	};
}

beforeEach(async () => {
	scratch = await mkdtemp(path.join(tmpdir(), 'lmb-deps-'));
	worktree = path.join(scratch, 'worktree');
	cacheDir = path.join(scratch, 'cache', 'deps');
	log = [];
	await mkdir(path.join(scratch, 'project'), { recursive: true });
	await writeFile(path.join(scratch, 'project', 'package-lock.json'), lockfile('the project'));
	await mkdir(worktree, { recursive: true });
	await writeFile(path.join(worktree, 'package.json'), PACKAGE_JSON);
});

afterEach(() => rm(scratch, { recursive: true, force: true }));

describe('installing a lockfile into a shared cache', () => {
	it('takes over at once a lock whose process is gone', async () => {
		const lock = 'not a lockfile either\n';
		await writeFile(path.join(worktree, 'package-lock.json'), lock);
		const dir = path.join(cacheDir, lockHashOf(lock));
		await mkdir(`${dir}.lock`, { recursive: true });
		// A pid that no process has: the run that held the lock was killed.
		await writeFile(path.join(`${dir}.lock`, 'pid'), '2147483646\n');
		const result = await prepareDependencies(worktree, options());
		expect(log.some((line) => line.startsWith('waiting for another process'))).toBe(false);
		expect(result).toEqual({ ok: false, reason: 'npm install failed' });
		expect(existsSync(`${dir}.lock`)).toBe(false);
	});

	it('waits while another process installs the same lockfile, then uses that install instead of making its own', async () => {
		const lock = lockfile('waits');
		await writeFile(path.join(worktree, 'package-lock.json'), lock);
		const dir = path.join(cacheDir, lockHashOf(lock));
		// Another process holds the lock and is installing.
		await mkdir(`${dir}.lock`, { recursive: true });
		const prepared = prepareDependencies(worktree, options());
		await new Promise((resolve) => setTimeout(resolve, 700));
		expect(log).toEqual([`waiting for another process installing lockfile ${lockHashOf(lock)}`]);
		// It finishes: its packages, the completion mark, the lock released.
		await mkdir(path.join(dir, 'node_modules', 'left-pad'), { recursive: true });
		await writeFile(path.join(dir, 'node_modules', 'left-pad', 'package.json'), '{"name":"left-pad","version":"1.3.0"}');
		await writeFile(path.join(dir, '.complete'), 'done\n');
		await rm(`${dir}.lock`, { recursive: true });

		const result = await prepared;
		expect(result).toEqual({
			ok: true,
			source: 'cache',
			lockHash: lockHashOf(lock),
			nodeModules: path.join(dir, 'node_modules'),
			roots: [await realpath(path.join(dir, 'node_modules'))],
		});
		// The other process's install is the one linked, untouched.
		expect(JSON.parse(await readFile(path.join(worktree, 'node_modules', 'left-pad', 'package.json'), 'utf8')).version).toBe('1.3.0');
		expect(log.some((line) => line.startsWith('installing dependencies'))).toBe(false);
	});

	it('takes over a lock older than an install may take (left by a killed process), and releases it after', async () => {
		// Not a lockfile npm can install from: `npm ci` stops at once, without the network.
		const lock = 'not a lockfile\n';
		await writeFile(path.join(worktree, 'package-lock.json'), lock);
		const dir = path.join(cacheDir, lockHashOf(lock));
		await mkdir(`${dir}.lock`, { recursive: true });
		const longAgo = new Date(Date.now() - 10 * 60 * 1000);
		await utimes(`${dir}.lock`, longAgo, longAgo);

		const result = await prepareDependencies(worktree, options());
		expect(log).toContain(`installing dependencies for package-lock.json (${lockHashOf(lock)}) (once; later runs reuse .cache)`);
		expect(result).toEqual({ ok: false, reason: 'npm install failed' });
		// Remembered: the next run does not try this lockfile again.
		expect(JSON.parse(await readFile(`${dir}.failed`, 'utf8'))).toEqual({ reason: 'npm install failed' });
		expect(existsSync(`${dir}.lock`)).toBe(false);
		expect(existsSync(path.join(dir, '.complete'))).toBe(false);
	});
});

describe("borrowing the project's own install", () => {
	// A scratch copy of the project (the demo's clone, a test's copy) has a node_modules made of links to
	// the project's packages; under /tmp the sandbox's private /tmp hides their targets unless named.
	it('links the packages themselves and names where they live, so the sandbox can read them', async () => {
		const project = path.join(scratch, 'project');
		const store = path.join(scratch, 'store', 'node_modules');
		await mkdir(path.join(store, 'left-pad'), { recursive: true });
		await writeFile(path.join(store, 'left-pad', 'index.js'), 'module.exports = "padded";\n');
		await mkdir(path.join(project, 'node_modules'), { recursive: true });
		await symlink(path.join(store, 'left-pad'), path.join(project, 'node_modules', 'left-pad'));
		await writeFile(path.join(worktree, 'package-lock.json'), lockfile('the project'));

		const result = await prepareDependencies(worktree, options());
		expect(result).toMatchObject({ ok: true, source: 'project', roots: [await realpath(store)] });
		if (!result.ok) return;
		const read = (readable: string[]) =>
			runSandboxed({
				cwd: worktree,
				argv: ['cat', 'node_modules/left-pad/index.js'],
				env: { PATH: '/usr/bin:/bin' },
				timeoutMs: 10_000,
				isolation: 'bubblewrap',
				readable,
			});
		expect(await read([project, ...result.roots])).toMatchObject({ exitCode: 0, stdout: 'module.exports = "padded";\n' });
		// The control: the project alone is not enough when its packages are links to elsewhere under /tmp.
		expect((await read([project])).exitCode).not.toBe(0);
	});
});
