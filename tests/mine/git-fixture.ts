import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A file to write (text or bytes), or null to delete it. */
export type FileChange = string | Uint8Array | null;

export type CommitOptions = { authorName?: string; authorEmail?: string };

/** A throwaway git repository with pinned names and dates: the same script builds the same shas. */
export type TempRepo = {
	dir: string;
	git(args: string[], env?: Record<string, string>): string;
	/** Writes the files, stages everything and commits; returns the new sha. */
	commit(files: Record<string, FileChange>, message: string, options?: CommitOptions): string;
	/** The environment the next git command that writes a commit gets (pinned dates advance by one hour). */
	nextEnv(options?: CommitOptions): Record<string, string>;
	cleanup(): void;
};

const BASE_TIME = Date.parse('2024-01-01T00:00:00Z') / 1000;

/** A fresh repository under os.tmpdir(); call cleanup() when done. */
export function createTempRepo(prefix = 'mine-test-'): TempRepo {
	const dir = mkdtempSync(join(tmpdir(), prefix));
	let tick = 0;
	const baseEnv = {
		...process.env,
		// The developer's own git config (signing, hooks, default branch) must not leak into fixtures.
		GIT_CONFIG_NOSYSTEM: '1',
		GIT_CONFIG_GLOBAL: '/dev/null',
		GIT_TERMINAL_PROMPT: '0',
	};
	const git = (args: string[], env: Record<string, string> = {}) =>
		execFileSync('git', args, { cwd: dir, env: { ...baseEnv, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
	const nextEnv = (options: CommitOptions = {}) => {
		tick += 1;
		const date = `@${BASE_TIME + tick * 3600} +0000`;
		return {
			GIT_AUTHOR_NAME: options.authorName ?? 'Ada Lovelace',
			GIT_AUTHOR_EMAIL: options.authorEmail ?? 'ada@example.com',
			GIT_COMMITTER_NAME: 'Ada Lovelace',
			GIT_COMMITTER_EMAIL: 'ada@example.com',
			GIT_AUTHOR_DATE: date,
			GIT_COMMITTER_DATE: date,
		};
	};
	git(['init', '--quiet', '--initial-branch=main']);
	return {
		dir,
		git,
		nextEnv,
		commit(files, message, options) {
			for (const [path, content] of Object.entries(files)) {
				const absolute = join(dir, path);
				if (content === null) {
					unlinkSync(absolute);
					continue;
				}
				mkdirSync(dirname(absolute), { recursive: true });
				writeFileSync(absolute, content);
			}
			git(['add', '--all']);
			git(['commit', '--quiet', '--allow-empty', '--no-verify', '-m', message], nextEnv(options));
			return git(['rev-parse', 'HEAD']).trim();
		},
		cleanup() {
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

/** `count` numbered lines `prefix 1` … `prefix count`, newline-terminated. */
export function numberedLines(prefix: string, count: number): string {
	return Array.from({ length: count }, (_, at) => `${prefix} ${at + 1}`).join('\n') + '\n';
}
