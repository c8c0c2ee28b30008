import { createHash } from 'node:crypto';
import { access, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import type { Isolation } from '../schema/execution.ts';
import { runSandboxed } from './sandbox.ts';
import { removeTree } from './worktree.ts';

/** Where a worktree's packages come from, or why it cannot have them. */
export type Dependencies =
	{ ok: true; source: 'none' | 'project' | 'cache'; lockHash: string | null; nodeModules: string | null } | { ok: false; reason: string };

/** How dependencies are found and, when the lockfile differs from the project's, installed. */
export type DependencyOptions = {
	/** The project whose installed `node_modules` a worktree borrows when the lockfiles match. */
	projectRoot: string;
	/** `.cache/execute/deps`: one install per lockfile hash. */
	cacheDir: string;
	/** Install into the cache when the lockfile differs; otherwise such a worktree is refused. */
	install: boolean;
	installTimeoutMs: number;
	isolation: Isolation;
	log: (message: string) => void;
};

/** Folders of node_modules that tools write into: each worktree gets its own, never the shared one. */
const PRIVATE_ENTRIES = new Set(['.vite', '.vite-temp', '.cache']);

const installs = new Map<string, Promise<string | { reason: string }>>();

async function exists(file: string): Promise<boolean> {
	try {
		await access(file);
		return true;
	} catch {
		return false;
	}
}

async function readText(file: string): Promise<string | undefined> {
	try {
		return await readFile(file, 'utf8');
	} catch {
		return undefined;
	}
}

function declaresDependencies(packageJson: string): boolean {
	try {
		const manifest = JSON.parse(packageJson) as Record<string, unknown>;
		return ['dependencies', 'devDependencies'].some((key) => {
			const value = manifest[key];
			return value !== null && typeof value === 'object' && Object.keys(value).length > 0;
		});
	} catch {
		return false;
	}
}

/** sha256 of a lockfile, shortened: the name of its install in the cache. */
export function lockHashOf(lockfile: string): string {
	return createHash('sha256').update(lockfile).digest('hex').slice(0, 16);
}

/**
 * Links every package of `source` into `<worktree>/node_modules` one by one. A link to the whole folder
 * would make tools that write into `node_modules` (Vite's config bundle, caches) write into the shared
 * install; this way they write into the worktree and the shared packages stay read-only in the sandbox.
 */
async function linkPackages(source: string, worktree: string): Promise<void> {
	const target = path.join(worktree, 'node_modules');
	await mkdir(target, { recursive: true });
	for (const entry of await readdir(source)) {
		if (PRIVATE_ENTRIES.has(entry)) continue;
		await symlink(path.join(source, entry), path.join(target, entry));
	}
}

/** What an install needs of the harness's environment to reach the registry: proxies and certificates, nothing else. */
const INSTALL_VARIABLES =
	/^(NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|HTTPS?_PROXY|NO_PROXY|https?_proxy|no_proxy|npm_config_registry|npm_config_cafile|npm_config_proxy|npm_config_https_proxy)$/;

function installEnvironment(): Record<string, string> {
	return Object.fromEntries(
		Object.entries(process.env).filter((entry): entry is [string, string] => INSTALL_VARIABLES.test(entry[0]) && entry[1] !== undefined),
	);
}

function failed(reason: string, options: DependencyOptions): { reason: string } {
	options.log(`dependencies: ${reason}`);
	return { reason };
}

/**
 * Takes the install lock of `dir` (a folder beside it, made atomically), waiting while another process
 * installs the same lockfile; returns false when that install completed meanwhile. A lock older than an
 * install may take is left by a killed process and taken over.
 */
async function lockInstall(dir: string, options: DependencyOptions): Promise<boolean> {
	const lock = `${dir}.lock`;
	let said = false;
	for (;;) {
		if (await exists(path.join(dir, '.complete'))) return false;
		try {
			await mkdir(lock);
			return true;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		}
		const since = await stat(lock).then(
			(info) => info.mtimeMs,
			() => Date.now(),
		);
		if (Date.now() - since > options.installTimeoutMs + 60_000) {
			await rm(lock, { recursive: true, force: true });
			continue;
		}
		if (!said) options.log(`waiting for another process installing lockfile ${path.basename(dir)}`);
		said = true;
		await sleep(500);
	}
}

async function install(lockfile: string, packageJson: string, options: DependencyOptions): Promise<string | { reason: string }> {
	const hash = lockHashOf(lockfile);
	const dir = path.join(options.cacheDir, hash);
	const nodeModules = path.join(dir, 'node_modules');
	if (await exists(path.join(dir, '.complete'))) return nodeModules;
	// The cache may be shared by processes running at once (a build and the demo, test files).
	await mkdir(options.cacheDir, { recursive: true });
	if (!(await lockInstall(dir, options))) return nodeModules;
	try {
		return await installLocked(lockfile, packageJson, hash, dir, options);
	} finally {
		await rm(`${dir}.lock`, { recursive: true, force: true });
	}
}

async function installLocked(
	lockfile: string,
	packageJson: string,
	hash: string,
	dir: string,
	options: DependencyOptions,
): Promise<string | { reason: string }> {
	const nodeModules = path.join(dir, 'node_modules');
	await removeTree(dir);
	await mkdir(dir, { recursive: true });
	await writeFile(path.join(dir, 'package.json'), packageJson);
	await writeFile(path.join(dir, 'package-lock.json'), lockfile);
	const npmCache = path.join(options.cacheDir, '.npm');
	await mkdir(npmCache, { recursive: true });
	options.log(`installing dependencies for lockfile ${hash} (once; later runs reuse .cache)`);
	// The install runs the packages' own scripts (a pinned runtime downloads itself): in the sandbox too,
	// with the network it needs but writing only into its cache folder.
	const result = await runSandboxed({
		cwd: dir,
		argv: ['npm', 'ci', '--no-audit', '--no-fund', '--loglevel=error'],
		env: { ...installEnvironment(), PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, npm_config_cache: npmCache, CI: '1' },
		timeoutMs: options.installTimeoutMs,
		isolation: options.isolation,
		writable: [npmCache],
		network: true,
	});
	if (result.timedOut) return failed(`installing lockfile ${hash} took over ${options.installTimeoutMs / 1000} s`, options);
	if (result.exitCode !== 0) {
		const tail = (result.spawnError ?? `${result.stderr}\n${result.stdout}`).trim().split('\n').slice(-3).join(' ');
		return failed(`npm ci for lockfile ${hash} failed (exit ${result.exitCode}): ${tail}`, options);
	}
	await writeFile(path.join(dir, '.complete'), `${new Date().toISOString()}\n`);
	return nodeModules;
}

/**
 * Gives a worktree its packages: none when its package.json declares none; the project's own install when
 * its `package-lock.json` equals the project's byte for byte; else one install per lockfile hash under the
 * cache (when `install` allows), made once and reused. Only npm lockfiles are supported.
 */
export async function prepareDependencies(worktree: string, options: DependencyOptions): Promise<Dependencies> {
	const packageJson = await readText(path.join(worktree, 'package.json'));
	if (packageJson === undefined || !declaresDependencies(packageJson))
		return { ok: true, source: 'none', lockHash: null, nodeModules: null };
	const lockfile = await readText(path.join(worktree, 'package-lock.json'));
	if (lockfile === undefined) return { ok: false, reason: 'package.json declares dependencies but there is no package-lock.json' };
	const lockHash = lockHashOf(lockfile);
	const projectModules = path.join(options.projectRoot, 'node_modules');
	if (lockfile === (await readText(path.join(options.projectRoot, 'package-lock.json'))) && (await exists(projectModules))) {
		await linkPackages(projectModules, worktree);
		return { ok: true, source: 'project', lockHash, nodeModules: projectModules };
	}
	if (!options.install) return { ok: false, reason: `the lockfile (${lockHash}) differs from the installed one and coder.install is off` };
	const key = path.join(options.cacheDir, lockHash);
	let pending = installs.get(key);
	if (!pending) {
		pending = install(lockfile, packageJson, options);
		installs.set(key, pending);
	}
	const installed = await pending;
	if (typeof installed !== 'string') return { ok: false, reason: installed.reason };
	await linkPackages(installed, worktree);
	return { ok: true, source: 'cache', lockHash, nodeModules: installed };
}
