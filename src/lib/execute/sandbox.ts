import { spawn, spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import type { Isolation } from '../schema/execution.ts';

/** What one sandboxed command should do. */
export type SandboxRequest = {
	/** Working folder; with bubblewrap the only one (besides `writable`) it may write. */
	cwd: string;
	argv: string[];
	/** The whole environment the command gets: nothing of the harness's own leaks in. */
	env: Record<string, string>;
	timeoutMs: number;
	/** Most writable private memory (RLIMIT_DATA) per process, in MB; undefined for no limit. */
	memoryMb?: number;
	isolation: Isolation;
	/** Further folders the command may write (e.g. an install's cache). */
	writable?: string[];
	/**
	 * Folders the command must be able to read even when they sit under `/tmp`, which the sandbox replaces
	 * with a private one: the project whose installed packages a worktree links to, the dependency cache.
	 */
	readable?: string[];
	/** Keep the network (dependency installs only; tests never get it). @default false */
	network?: boolean;
};

/** How the command ended. Output is bounded to its last `OUTPUT_LIMIT` characters per stream. */
export type SandboxResult = {
	exitCode: number | null;
	signal: string | null;
	timedOut: boolean;
	durationMs: number;
	stdout: string;
	stderr: string;
	/** The command could not be started at all (missing binary, bad folder). */
	spawnError?: string;
};

/** Characters of each output stream kept. */
export const OUTPUT_LIMIT = 256 * 1024;
/** How long to wait for the pipes to close once the command's process group is gone. */
const CLOSE_GRACE_MS = 2000;

let prlimitChecked: boolean | undefined;
function hasPrlimit(): boolean {
	prlimitChecked ??= spawnSync('prlimit', ['--version'], { stdio: 'ignore' }).status === 0;
	return prlimitChecked;
}

/**
 * Whether bubblewrap can isolate a command here: installed, and allowed to make the user, network and
 * pid namespaces it needs (containers without user namespaces refuse). Runs `true` inside it once.
 */
export function probeBubblewrap(): { usable: boolean; reason: string } {
	const probe = spawnSync('bwrap', [...namespaceArgs(false), '--', 'true'], {
		stdio: ['ignore', 'ignore', 'pipe'],
		encoding: 'utf8',
		timeout: 10_000,
	});
	if (probe.error)
		return {
			usable: false,
			reason: `bwrap is not installed (${(probe.error as NodeJS.ErrnoException).code ?? probe.error.message}); apt-get install bubblewrap`,
		};
	if (probe.status !== 0)
		return { usable: false, reason: `bwrap cannot make its namespaces here: ${probe.stderr.trim() || `exit ${probe.status}`}` };
	return { usable: true, reason: 'bwrap works' };
}

function namespaceArgs(network: boolean): string[] {
	return [
		'--ro-bind',
		'/',
		'/',
		'--dev',
		'/dev',
		'--proc',
		'/proc',
		// A private /tmp: what the tests write there disappears with the sandbox.
		'--tmpfs',
		'/tmp',
		'--unshare-pid',
		'--unshare-ipc',
		'--unshare-uts',
		...(network ? [] : ['--unshare-net']),
		'--die-with-parent',
		'--new-session',
	];
}

/** The argv that runs the request under its isolation and memory limit. */
export function sandboxArgv(request: SandboxRequest): string[] {
	const limited =
		request.memoryMb !== undefined && hasPrlimit()
			? ['prlimit', `--data=${request.memoryMb * 1024 * 1024}`, '--', ...request.argv]
			: request.argv;
	if (request.isolation === 'none') return limited;
	// Read-only first, so a writable folder inside one of them (the worktree, an install cache) stays writable.
	const readable = (request.readable ?? []).map(realPath).flatMap((dir) => ['--ro-bind-try', dir, dir]);
	const binds = [request.cwd, ...(request.writable ?? [])].flatMap((dir) => ['--bind', dir, dir]);
	return ['bwrap', ...namespaceArgs(request.network ?? false), ...readable, ...binds, '--chdir', request.cwd, '--', ...limited];
}

/** The folder with its links resolved, since the links a worktree holds point at the real path; itself when missing. */
function realPath(dir: string): string {
	try {
		return realpathSync(dir);
	} catch {
		return dir;
	}
}

function keepTail(buffer: string, chunk: string): string {
	const joined = buffer + chunk;
	return joined.length > OUTPUT_LIMIT ? joined.slice(joined.length - OUTPUT_LIMIT) : joined;
}

function killGroup(pid: number | undefined): void {
	if (pid === undefined) return;
	try {
		// The negative pid names the whole process group: the runner and every child it forked.
		process.kill(-pid, 'SIGKILL');
	} catch {
		// Already gone.
	}
}

/**
 * Runs one command in its own process group under the requested isolation, with a wall-time limit. On
 * timeout, and again once it exits, the whole group is killed (with bubblewrap the pid namespace dies with
 * it, taking any process that left the group along), so nothing it started outlives it.
 */
export function runSandboxed(request: SandboxRequest): Promise<SandboxResult> {
	const argv = sandboxArgv(request);
	const started = performance.now();
	return new Promise((resolve) => {
		let stdout = '';
		let stderr = '';
		let timedOut = false;
		let settled = false;
		let exit: { code: number | null; signal: string | null } | undefined;
		let grace: NodeJS.Timeout | undefined;
		const child = spawn(argv[0] as string, argv.slice(1), {
			cwd: request.cwd,
			env: request.env,
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout = keepTail(stdout, chunk)));
		child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = keepTail(stderr, chunk)));
		const finish = (spawnError?: string) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			clearTimeout(grace);
			killGroup(child.pid);
			resolve({
				exitCode: exit?.code ?? null,
				signal: exit?.signal ?? null,
				timedOut,
				durationMs: Math.round(performance.now() - started),
				stdout,
				stderr,
				...(spawnError ? { spawnError } : {}),
			});
		};
		const timer = setTimeout(() => {
			timedOut = true;
			killGroup(child.pid);
		}, request.timeoutMs);
		child.on('error', (error) => finish(error.message));
		child.on('exit', (code, signal) => {
			exit = { code, signal };
			killGroup(child.pid);
			// A process that left the group may still hold the pipes open: do not wait for it forever.
			grace = setTimeout(() => {
				child.stdout.destroy();
				child.stderr.destroy();
				finish();
			}, CLOSE_GRACE_MS);
		});
		child.on('close', () => finish());
	});
}
