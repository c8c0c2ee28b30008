import { spawn } from 'node:child_process';
import { chmod, lstat, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A file to put into a worktree. */
export type WorktreeFile = { path: string; content: string };

/** A path of an answer that was not written, and why. */
export type RefusedPath = { path: string; reason: string };

/** Where throwaway worktrees live: outside the project, so no tool of the project ever sees them. */
export const WORKTREES_DIR = path.join(tmpdir(), 'lmb-worktrees');

let counter = 0;

/** Whether a process with this id still runs (one we may not signal counts as running). */
export function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Removes a folder even when a test run took the write permission off its folders. */
export async function removeTree(dir: string): Promise<void> {
	try {
		await rm(dir, { recursive: true, force: true, maxRetries: 3 });
	} catch {
		await restorePermissions(dir);
		await rm(dir, { recursive: true, force: true, maxRetries: 3 });
	}
}

async function restorePermissions(dir: string): Promise<void> {
	try {
		await chmod(dir, 0o700);
		for (const entry of await readdir(dir, { withFileTypes: true })) {
			if (entry.isDirectory()) await restorePermissions(path.join(dir, entry.name));
		}
	} catch {
		// Best effort: the retry says whether it was enough.
	}
}

/**
 * Removes the worktrees a killed run left behind: each worktree's name starts with the pid that made it,
 * and a folder whose process is gone is stale. Returns how many were removed.
 */
export async function removeStaleWorktrees(base: string = WORKTREES_DIR): Promise<number> {
	let entries: string[];
	try {
		entries = await readdir(base);
	} catch {
		return 0;
	}
	let removed = 0;
	for (const name of entries) {
		const pid = Number(name.split('-')[0]);
		if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || isAlive(pid)) continue;
		await removeTree(path.join(base, name));
		removed += 1;
	}
	return removed;
}

/** Runs a command fed from a stream; resolves with its exit code and standard error (for error messages). */
function runWithInput(
	command: string,
	args: string[],
	cwd: string,
	input: NodeJS.ReadableStream,
): Promise<{ code: number | null; stderr: string }> {
	const child = spawn(command, args, { cwd, stdio: ['pipe', 'ignore', 'pipe'] });
	input.pipe(child.stdin);
	let stderr = '';
	child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
	return new Promise((resolve, reject) => {
		child.on('error', reject);
		child.on('close', (code) => resolve({ code, stderr }));
	});
}

/**
 * A fresh folder holding the tree of `rev` (from `git archive`, so the repository itself is never touched
 * and nothing of it is writable from the worktree). The caller removes it with `removeTree`.
 */
export async function createWorktree(repoRoot: string, rev: string, base: string = WORKTREES_DIR): Promise<string> {
	counter += 1;
	const dir = path.join(base, `${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`);
	await mkdir(dir, { recursive: true });
	try {
		const archive = spawn('git', ['archive', '--format=tar', rev], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
		let archiveError = '';
		archive.stderr.setEncoding('utf8').on('data', (chunk: string) => (archiveError += chunk));
		const archiveDone = new Promise<number | null>((resolve, reject) => {
			archive.on('error', reject);
			archive.on('close', resolve);
		});
		const extracted = await runWithInput('tar', ['-x', '-f', '-', '-C', dir], dir, archive.stdout);
		const archiveCode = await archiveDone;
		if (archiveCode !== 0) throw new Error(`git archive ${rev} failed in '${repoRoot}': ${archiveError.trim()}`);
		if (extracted.code !== 0) throw new Error(`extracting ${rev} failed: ${extracted.stderr.trim()}`);
		return dir;
	} catch (error) {
		await removeTree(dir);
		throw error;
	}
}

/**
 * Why a path may not be written into a worktree, or undefined when it may: it must be relative, stay inside,
 * and not reach into `.git` or `node_modules` (which link to shared, installed packages).
 */
export function unsafePathReason(relative: string): string | undefined {
	if (relative.includes('\0')) return 'holds a NUL character';
	const normalized = path.posix.normalize(relative.replaceAll('\\', '/'));
	if (path.posix.isAbsolute(normalized)) return 'is absolute';
	const parts = normalized.split('/');
	if (parts.includes('..')) return 'leaves the worktree';
	if (normalized === '.' || normalized === '') return 'names no file';
	if (parts.includes('.git')) return 'is inside .git';
	if (parts[0] === 'node_modules') return 'is inside node_modules';
	return undefined;
}

/**
 * Writes files into a worktree, later files winning. A path that is unsafe, or whose folder or file is a
 * symbolic link (which could point anywhere), is refused and reported, never written: the files are written
 * by the harness itself, outside any sandbox.
 */
export async function writeWorktreeFiles(dir: string, files: readonly WorktreeFile[]): Promise<RefusedPath[]> {
	const refused: RefusedPath[] = [];
	for (const file of files) {
		const reason = unsafePathReason(file.path) ?? (await symlinkReason(dir, file.path));
		if (reason) {
			refused.push({ path: file.path, reason });
			continue;
		}
		const target = path.join(dir, path.posix.normalize(file.path.replaceAll('\\', '/')));
		await mkdir(path.dirname(target), { recursive: true });
		await writeFile(target, file.content);
	}
	return refused;
}

async function symlinkReason(dir: string, relative: string): Promise<string | undefined> {
	const parts = path.posix.normalize(relative.replaceAll('\\', '/')).split('/');
	let current = dir;
	for (const part of parts) {
		current = path.join(current, part);
		try {
			if ((await lstat(current)).isSymbolicLink()) return 'goes through a symbolic link';
		} catch {
			return undefined;
		}
	}
	return undefined;
}
