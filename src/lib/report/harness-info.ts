import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The harness's commit and whether the work tree had uncommitted changes; nulls outside a git checkout. */
export async function harnessCommit(root: string): Promise<{ commit: string | null; dirty: boolean }> {
	try {
		const { stdout: commit } = await run('git', ['rev-parse', 'HEAD'], { cwd: root });
		// Reports and the answer cache change with every run; they say nothing about the harness.
		const { stdout: status } = await run('git', ['status', '--porcelain', '--', '.', ':(exclude)reports', ':(exclude).cache'], {
			cwd: root,
		});
		return { commit: commit.trim(), dirty: status.trim().length > 0 };
	} catch {
		return { commit: null, dirty: false };
	}
}

/** The JavaScript runtime running the harness: Node or Deno, with its version. */
export function runtimeInfo(): { name: string; version: string } {
	// Deno hides its global from code loaded through npm packages (Astro's module runner is one), but
	// its Node compatibility layer reports itself in process.versions.
	const deno = (process.versions as Record<string, string | undefined>).deno;
	if (deno) return { name: 'deno', version: deno };
	return { name: 'node', version: process.versions.node };
}
