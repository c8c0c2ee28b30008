import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { REGISTRY_PATHS } from './paths.ts';

const run = promisify(execFile);

/**
 * When the registry last changed, as a YYYY-MM-DD date: the committer date of the last commit that
 * touched `benchmarks/`, or — outside a git checkout — the newest modification time of its files.
 * Shown as "Last updated" while there is no report yet.
 */
export async function registryLastChanged(root: string): Promise<string | undefined> {
	try {
		const { stdout } = await run('git', ['log', '-1', '--format=%cI', '--', 'benchmarks'], { cwd: root });
		const date = stdout.trim();
		if (date) return new Date(date).toISOString().slice(0, 10);
	} catch {
		// Not a git checkout (a copied tree, a tarball): fall back to the files' times.
	}
	const files = [REGISTRY_PATHS.models, REGISTRY_PATHS.policy, REGISTRY_PATHS.roles];
	const times = await Promise.all(
		files.map((file) =>
			stat(path.join(root, file)).then(
				(s) => s.mtimeMs,
				() => 0,
			),
		),
	);
	const newest = Math.max(...times);
	return newest > 0 ? new Date(newest).toISOString().slice(0, 10) : undefined;
}
