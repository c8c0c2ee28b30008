import { access, cp, mkdir, readdir, readFile, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import type { Isolation } from '../schema/execution.ts';
import {
	declaresDependencies,
	dependencyPlan,
	INSTALL_CONFIG_DIRS,
	INSTALL_CONFIG_FILES,
	type InstallPlan,
	installCommand,
	installFailureReason,
	isRelaxable,
	isTransientFailure,
	MANIFEST_FILES,
	type ManagerCaches,
	type ManifestFiles,
	relaxedInstallCommand,
	toolPackage,
} from './package-managers.ts';
import { runSandboxed } from './sandbox.ts';
import { isAlive, removeTree } from './worktree.ts';

export { lockHashOf } from './package-managers.ts';

/** Where a worktree's packages come from, or why it cannot have them. */
export type Dependencies =
	| {
			ok: true;
			source: 'none' | 'project' | 'cache';
			lockHash: string | null;
			nodeModules: string | null;
			/** The real folders the worktree's package links point into: the sandbox must be able to read them. */
			roots: string[];
	  }
	| { ok: false; reason: string };

/**
 * What installing cost: installs run now (and the time they took, failed ones too), worktrees given an
 * install from the cache, and worktrees refused one (a failure now or remembered). For the mining summary.
 */
export type InstallStats = { made: number; ms: number; linked: number; refused: number };

/** How dependencies are found and, when the lockfile differs from the project's, installed. */
export type DependencyOptions = {
	/** The project whose installed `node_modules` a worktree borrows when the lockfiles match. */
	projectRoot: string;
	/** `.cache/execute/deps`: one install per lockfile hash (and manager version). */
	cacheDir: string;
	/** Install into the cache when the lockfile differs; otherwise such a worktree is refused. */
	install: boolean;
	installTimeoutMs: number;
	isolation: Isolation;
	log: (message: string) => void;
	/** The commit's date (strict ISO 8601): without a lockfile, the ranges resolve as the registry served them then. */
	date?: string;
	/** Counted into when given. */
	stats?: InstallStats;
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

/** The files of a tree that decide its install. */
export async function readManifestFiles(dir: string): Promise<ManifestFiles> {
	const files: ManifestFiles = {};
	for (const name of MANIFEST_FILES) files[name] = await readText(path.join(dir, name));
	return files;
}

/**
 * Links every package of `source` into `<worktree>/node_modules` one by one. A link to the whole folder
 * would make tools that write into `node_modules` (Vite's config bundle, caches) write into the shared
 * install; this way they write into the worktree and the shared packages stay read-only in the sandbox.
 */
async function linkPackages(source: string, worktree: string): Promise<string[]> {
	const target = path.join(worktree, 'node_modules');
	await mkdir(target, { recursive: true });
	const roots = new Set<string>();
	for (const entry of await readdir(source)) {
		if (PRIVATE_ENTRIES.has(entry)) continue;
		// To the package itself: a `node_modules` made of links (a scratch copy of the project's) would
		// otherwise lead, inside the sandbox, through a link whose target it cannot see.
		const real = await realpath(path.join(source, entry));
		roots.add(path.dirname(real));
		await symlink(real, path.join(target, entry));
	}
	return [...roots].sort();
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
 * installs the same lockfile; returns false when that install completed (or was refused) meanwhile. A lock
 * whose process is gone, or older than an install may take, was left by a killed process and is taken over.
 */
async function lockInstall(dir: string, options: DependencyOptions): Promise<boolean> {
	const lock = `${dir}.lock`;
	let said = false;
	for (;;) {
		if ((await exists(path.join(dir, '.complete'))) || (await exists(`${dir}.failed`))) return false;
		try {
			await mkdir(lock);
			await writeFile(path.join(lock, 'pid'), `${process.pid}\n`);
			return true;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		}
		// A lock whose process is gone (a killed run, on this machine) is taken over at once.
		const holder = Number(await readText(path.join(lock, 'pid')));
		if (Number.isInteger(holder) && holder > 0 && !isAlive(holder)) {
			await rm(lock, { recursive: true, force: true });
			continue;
		}
		const since = await stat(lock).then(
			(info) => info.mtimeMs,
			() => Date.now(),
		);
		if (Date.now() - since > options.installTimeoutMs * 2 + 60_000) {
			await rm(lock, { recursive: true, force: true });
			continue;
		}
		if (!said) options.log(`waiting for another process installing lockfile ${path.basename(dir)}`);
		said = true;
		await sleep(500);
	}
}

/** A refusal remembered from an earlier install (a lockfile that cannot install does not start to). */
async function rememberedFailure(dir: string): Promise<{ reason: string } | undefined> {
	const text = await readText(`${dir}.failed`);
	if (text === undefined) return undefined;
	try {
		const parsed = JSON.parse(text) as { reason?: unknown };
		return typeof parsed.reason === 'string' ? { reason: parsed.reason } : undefined;
	} catch {
		return undefined;
	}
}

function managerCaches(cacheDir: string): ManagerCaches {
	const root = path.join(cacheDir, '.managers');
	return {
		npm: path.join(cacheDir, '.npm'),
		pnpmStore: path.join(root, 'pnpm-store'),
		yarn: path.join(root, 'yarn'),
		yarnBerry: path.join(root, 'yarn-berry'),
	};
}

/** The manager's own command, fetched once per manager@version from the npm registry into `<cache>/.tools`. */
async function managerCommand(plan: InstallPlan, options: DependencyOptions): Promise<string[] | { reason: string }> {
	if (plan.version === 'system') return ['npm'];
	const tool = toolPackage(plan.manager, plan.version);
	const dir = path.join(options.cacheDir, '.tools', tool.spec.replaceAll('/', '+'));
	const bin = path.join(dir, tool.bin);
	if (await exists(path.join(dir, '.complete'))) return ['node', bin];
	const pending = installs.get(dir) ?? fetchTool(tool.spec, dir, options);
	installs.set(dir, pending);
	const fetched = await pending;
	return typeof fetched === 'string' ? ['node', bin] : fetched;
}

async function fetchTool(spec: string, dir: string, options: DependencyOptions): Promise<string | { reason: string }> {
	await mkdir(path.dirname(dir), { recursive: true });
	if (!(await lockInstall(dir, options))) return (await rememberedFailure(dir)) ?? dir;
	try {
		await removeTree(dir);
		await mkdir(dir, { recursive: true });
		const caches = managerCaches(options.cacheDir);
		await mkdir(caches.npm, { recursive: true });
		options.log(`fetching ${spec} from the npm registry (once; later installs reuse it)`);
		const result = await runSandboxed({
			cwd: dir,
			argv: [
				'npm',
				'install',
				'--prefix',
				dir,
				'--no-save',
				'--no-package-lock',
				'--ignore-scripts',
				'--no-audit',
				'--no-fund',
				'--loglevel=error',
				spec,
			],
			env: { ...installEnvironment(), PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, npm_config_cache: caches.npm },
			timeoutMs: options.installTimeoutMs,
			isolation: options.isolation,
			writable: [caches.npm],
			network: true,
		});
		if (result.exitCode !== 0) {
			const output = `${result.stderr}\n${result.stdout}`;
			const reason = /E404|No matching version|ETARGET/.test(output)
				? `no ${spec} in the npm registry`
				: `fetching ${spec} failed (exit ${result.exitCode})`;
			if (!/ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT/.test(output) && !result.timedOut)
				await writeFile(`${dir}.failed`, `${JSON.stringify({ reason })}\n`);
			return failed(reason, options);
		}
		await writeFile(path.join(dir, '.complete'), `${new Date().toISOString()}\n`);
		return dir;
	} finally {
		await rm(`${dir}.lock`, { recursive: true, force: true });
	}
}

async function install(plan: InstallPlan, worktree: string, options: DependencyOptions): Promise<string | { reason: string }> {
	const dir = path.join(options.cacheDir, plan.key);
	const nodeModules = path.join(dir, 'node_modules');
	const done = async (): Promise<string | { reason: string }> => (await rememberedFailure(dir)) ?? nodeModules;
	if ((await exists(path.join(dir, '.complete'))) || (await exists(`${dir}.failed`))) return done();
	const command = await managerCommand(plan, options);
	if (!Array.isArray(command)) return command;
	// The cache may be shared by processes running at once (a build and the demo, test files).
	await mkdir(options.cacheDir, { recursive: true });
	if (!(await lockInstall(dir, options))) return done();
	try {
		return await installLocked(plan, command, worktree, dir, options);
	} finally {
		await rm(`${dir}.lock`, { recursive: true, force: true });
	}
}

/** package.json without its own scripts: a `prepare` or `postinstall` of the package itself needs its sources, which the install folder has not. */
function withoutOwnScripts(packageJson: string): string {
	const manifest = JSON.parse(packageJson) as Record<string, unknown>;
	delete manifest.scripts;
	return `${JSON.stringify(manifest, null, 2)}\n`;
}

async function installLocked(
	plan: InstallPlan,
	command: string[],
	worktree: string,
	dir: string,
	options: DependencyOptions,
): Promise<string | { reason: string }> {
	const nodeModules = path.join(dir, 'node_modules');
	await removeTree(dir);
	await mkdir(dir, { recursive: true });
	await writeFile(path.join(dir, 'package.json'), withoutOwnScripts(await readFile(path.join(worktree, 'package.json'), 'utf8')));
	const copied = [...(plan.lockfileName ? [plan.lockfileName] : []), ...INSTALL_CONFIG_FILES];
	for (const name of copied) {
		const text = await readText(path.join(worktree, name));
		if (text !== undefined) await writeFile(path.join(dir, name), text);
	}
	for (const name of INSTALL_CONFIG_DIRS) {
		if (await exists(path.join(worktree, name))) await cp(path.join(worktree, name), path.join(dir, name), { recursive: true });
	}
	const caches = managerCaches(options.cacheDir);
	for (const folder of Object.values(caches)) await mkdir(folder, { recursive: true });
	const { args, env } = installCommand(plan, caches, plan.needsDate ? options.date : undefined);
	const what = plan.lockfileName
		? `${plan.lockfileName} (${plan.key})`
		: `the ranges of package.json (${plan.key}${options.date ? `, as of ${options.date}` : ''})`;
	options.log(`installing dependencies for ${what} (once; later runs reuse .cache)`);
	// The install runs the packages' own scripts (a pinned runtime downloads itself): in the sandbox too,
	// with the network it needs but writing only into its cache folders.
	const run = async (step: { args: string[]; env: Record<string, string> }): Promise<string | undefined> => {
		const result = await runSandboxed({
			cwd: dir,
			argv: [...command, ...step.args],
			env: { ...installEnvironment(), ...step.env, PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, CI: '1' },
			timeoutMs: options.installTimeoutMs,
			isolation: options.isolation,
			readable: [options.cacheDir],
			writable: [path.join(options.cacheDir, '.npm'), path.join(options.cacheDir, '.managers')],
			network: true,
		});
		if (options.stats) options.stats.ms += result.durationMs;
		if (result.timedOut) return `installing ${plan.key} took over ${options.installTimeoutMs / 1000} s`;
		if (result.exitCode === 0 && (await exists(nodeModules))) return undefined;
		const output = (result.spawnError ?? `${result.stderr}\n${result.stdout}`).trim();
		options.log(`dependencies: ${plan.key}: ${output.split('\n').slice(-3).join(' ').slice(0, 400)}`);
		return installFailureReason(plan, output);
	};
	let reason = await run({ args, env });
	if (reason !== undefined && isRelaxable(reason)) {
		options.log(`dependencies: ${plan.key}: ${reason}; installing again, letting ${plan.manager} update its copy of the lockfile`);
		reason = await run(relaxedInstallCommand(plan, caches));
	}
	if (reason !== undefined) {
		// A lockfile that cannot install will not start to: remembered, so a second mining does not try again.
		// The network, or a time limit, may do better next time.
		if (!isTransientFailure(reason)) await writeFile(`${dir}.failed`, `${JSON.stringify({ reason })}\n`);
		return failed(reason, options);
	}
	if (options.stats) options.stats.made += 1;
	await writeFile(path.join(dir, '.complete'), `${new Date().toISOString()}\n`);
	return nodeModules;
}

/**
 * Gives a worktree its packages: none when its package.json declares none; the project's own install when
 * its `package-lock.json` equals the project's byte for byte; else one install per lockfile hash and
 * manager version under the cache (when `install` allows), made once and reused — with npm, pnpm, yarn
 * classic or yarn berry as the lockfile says, at the version `packageManager` names.
 */
export async function prepareDependencies(worktree: string, options: DependencyOptions): Promise<Dependencies> {
	const files = await readManifestFiles(worktree);
	const packageJson = files['package.json'];
	if (packageJson === undefined || !declaresDependencies(packageJson))
		return { ok: true, source: 'none', lockHash: null, nodeModules: null, roots: [] };
	const plan = dependencyPlan(files);
	if ('reason' in plan) {
		if (options.stats) options.stats.refused += 1;
		return { ok: false, reason: plan.reason };
	}
	const lockfile = plan.lockfileName === null ? undefined : files[plan.lockfileName as keyof ManifestFiles];
	const projectModules = path.join(options.projectRoot, 'node_modules');
	if (
		plan.lockfileName === 'package-lock.json' &&
		lockfile === (await readText(path.join(options.projectRoot, 'package-lock.json'))) &&
		(await exists(projectModules))
	) {
		const roots = await linkPackages(projectModules, worktree);
		return { ok: true, source: 'project', lockHash: plan.key, nodeModules: projectModules, roots };
	}
	if (!options.install) return { ok: false, reason: `the lockfile (${plan.key}) differs from the installed one and coder.install is off` };
	const key = path.join(options.cacheDir, plan.key);
	let pending = installs.get(key);
	if (!pending) {
		pending = install(plan, worktree, options);
		installs.set(key, pending);
	}
	const installed = await pending;
	if (options.stats) options.stats[typeof installed === 'string' ? 'linked' : 'refused'] += 1;
	if (typeof installed !== 'string') return { ok: false, reason: installed.reason };
	const roots = await linkPackages(installed, worktree);
	return { ok: true, source: 'cache', lockHash: plan.key, nodeModules: installed, roots };
}
