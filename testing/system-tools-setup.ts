/**
 * Vitest's global setup, run once per project that has tests to run, before any worker starts: brings
 * the system programs the project's tests need (`system-tools.ts`), or ends the run at once with one
 * message naming the command to run — instead of a few dozen failures that read like bugs.
 */
import { spawnSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { type Runner, ensureTools, toolsFor } from './system-tools.ts';

const run: Runner = (command, args) => {
	const result = spawnSync(command, args, {
		encoding: 'utf8',
		env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
		maxBuffer: 64 * 1024 * 1024,
	});
	return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
};

export default function setup(project: TestProject): void {
	const outcome = ensureTools(
		toolsFor(project.name),
		{
			path: process.env.PATH ?? '',
			isRoot: process.getuid?.() === 0,
			chromiumPath: process.env.CHROMIUM_PATH || undefined,
			noInstall: process.env.LMB_NO_INSTALL === '1',
		},
		run,
		(line) => console.log(line),
	);
	if (outcome.status !== 'stop') return;
	// One message and an exit: thrown, Vitest would print it inside its own stack trace.
	process.stderr.write(`\n${outcome.message}\n`);
	process.exit(1);
}
