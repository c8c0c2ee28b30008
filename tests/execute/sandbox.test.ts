import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeBubblewrap, runSandboxed } from '../../src/lib/execute/sandbox.ts';

// A project cloned under /tmp (as a CI checkout may be) must stay readable inside bubblewrap, whose
// private /tmp would otherwise hide it — and with it the packages a worktree links to.
describe('bubblewrap with a project under /tmp', () => {
	let project: string;
	let worktree: string;

	beforeAll(async () => {
		expect(probeBubblewrap()).toEqual({ usable: true, reason: 'bwrap works' });
		project = await mkdtemp(path.join(tmpdir(), 'lmb-sandbox-project-'));
		worktree = await mkdtemp(path.join(tmpdir(), 'lmb-sandbox-worktree-'));
		await writeFile(path.join(project, 'package.txt'), 'installed\n');
	});
	afterAll(async () => {
		await rm(project, { recursive: true, force: true });
		await rm(worktree, { recursive: true, force: true });
	});

	const read = (readable: string[] | undefined) =>
		runSandboxed({
			cwd: worktree,
			argv: ['cat', path.join(project, 'package.txt')],
			env: { PATH: '/usr/bin:/bin' },
			timeoutMs: 10_000,
			isolation: 'bubblewrap',
			readable,
		});

	it('hides it behind the private /tmp unless it is named readable', async () => {
		const hidden = await read(undefined);
		expect(hidden.exitCode).not.toBe(0);
		const shown = await read([project]);
		expect(shown).toMatchObject({ exitCode: 0, stdout: 'installed\n' });
	});

	it('keeps a readable project read-only', async () => {
		const write = await runSandboxed({
			cwd: worktree,
			argv: ['sh', '-c', `echo changed > ${path.join(project, 'package.txt')}`],
			env: { PATH: '/usr/bin:/bin' },
			timeoutMs: 10_000,
			isolation: 'bubblewrap',
			readable: [project],
		});
		expect(write.exitCode).not.toBe(0);
		const after = await read([project]);
		expect(after.stdout).toBe('installed\n');
	});
});
