import { execFile } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXECUTE_CACHE_DIR } from '../src/lib/execute/executor.ts';

/** The project under test. */
export const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** What a site build needs from the project; node_modules is linked package by package, not copied. */
const PROJECT_FILES = ['astro.config.mjs', 'tsconfig.json', 'package.json', 'src', 'scripts', 'benchmarks', 'reports'];

/** A scratch copy of the project in a temporary folder, removed by `dispose`. */
export interface ProjectCopy {
	root: string;
	dispose(): Promise<void>;
}

/**
 * Copies the project (registry, cases, reports, site) into a fresh temporary folder; with `cases`, that
 * folder's `<role>/<id>.json` tree is the copy's benchmarks/cases instead of the project's.
 */
export async function copyProject(prefix = 'lmb-project-', options: { cases?: string } = {}): Promise<ProjectCopy> {
	const root = await mkdtemp(path.join(os.tmpdir(), prefix));
	const projectCases = path.join(PROJECT_ROOT, 'benchmarks', 'cases');
	const filter = options.cases === undefined ? undefined : (source: string) => source !== projectCases;
	// cpSync: Node copies the tree natively; the promise-based cp walks it in JavaScript, at three times the CPU.
	for (const entry of PROJECT_FILES) {
		const source = path.join(PROJECT_ROOT, entry);
		if (existsSync(source)) cpSync(source, path.join(root, entry), { recursive: true, filter });
	}
	if (options.cases !== undefined) cpSync(options.cases, path.join(root, 'benchmarks', 'cases'), { recursive: true });
	await linkNodeModules(root);
	return { root, dispose: () => rm(root, { recursive: true, force: true }) };
}

/** What builds write into `node_modules`: Astro's content-layer store, Vite's caches. Never shared. */
const BUILD_CACHES = new Set(['.astro', '.vite', '.vite-temp', '.cache']);

/**
 * Gives `root` a `node_modules` folder of links to each of the project's packages. Astro keeps its
 * content-layer store in `node_modules/.astro` and Vite its caches in `node_modules/.vite`: through a link
 * to the whole folder every copy, and the project itself, would share them, and two builds at once would
 * overwrite each other's store. This way the caches are the copy's own and packages still resolve to the
 * project's files.
 */
export async function linkNodeModules(root: string): Promise<void> {
	const shared = path.join(PROJECT_ROOT, 'node_modules');
	const own = path.join(root, 'node_modules');
	await mkdir(own);
	for (const name of await readdir(shared)) {
		if (!BUILD_CACHES.has(name)) await symlink(path.join(shared, name), path.join(own, name));
	}
}

/** The outcome of a command run to completion. */
export interface CommandResult {
	code: number;
	stdout: string;
	stderr: string;
	output: string;
}

/**
 * Runs `astro build` in `root` on the Node that runs the tests (the project's pinned Node 24).
 * By default Ollama is pointed at a port nothing listens on, so no test reaches a real server.
 */
export async function astroBuild(root: string, env: NodeJS.ProcessEnv = {}): Promise<CommandResult> {
	const astro = path.join(PROJECT_ROOT, 'node_modules', 'astro', 'bin', 'astro.mjs');
	return runCommand(process.execPath, [astro, 'build'], root, { OLLAMA_HOST: await closedAddress(), ...env });
}

/** An http address on loopback where nothing listens: a port the OS just handed out and took back. */
export async function closedAddress(): Promise<string> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return `http://127.0.0.1:${port}`;
}

/** Runs a command without a shell and collects its output; never rejects on a non-zero exit. */
export function runCommand(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CommandResult> {
	return new Promise((resolve, reject) => {
		execFile(
			command,
			args,
			{ cwd, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env }, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 },
			(error, stdout, stderr) => {
				if (error && typeof error.code !== 'number') return reject(error);
				resolve({ code: error ? Number(error.code) : 0, stdout, stderr, output: stdout + stderr });
			},
		);
	});
}

/**
 * Makes `<cacheDir>/deps` and `<cacheDir>/results`, where the executor keeps one package install per
 * lockfile and one record per test run, links to the project's own (`.cache/execute`), made if missing.
 * A coder case at an older commit of this repository needs its lockfile installed (`npm ci`, half a
 * minute of CPU) and its tests run in a sandbox: a scratch workspace sharing the project's cache does
 * each once per machine, as the project's own builds do. A result is keyed by everything it depends on
 * (commit, files, command, isolation, limits, lockfile), so a shared one is the one a run would make.
 * Installs are locked per lockfile, so processes running at once take turns.
 */
export async function shareExecuteCache(cacheDir: string): Promise<void> {
	await mkdir(cacheDir, { recursive: true });
	for (const folder of ['deps', 'results']) {
		const shared = path.join(PROJECT_ROOT, EXECUTE_CACHE_DIR, folder);
		await mkdir(shared, { recursive: true });
		await symlink(shared, path.join(cacheDir, folder), 'dir');
	}
}
