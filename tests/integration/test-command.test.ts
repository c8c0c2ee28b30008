/**
 * `npm test` on a machine without chromium and bubblewrap: the real test command (Vitest with the
 * project's config) started with a PATH that has neither. Nothing is removed from this machine: the PATH
 * is a scratch folder, and the apt-get on it is a stand-in that records what it was asked.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, runCommand } from '../../testing/project-copy.ts';
import { findCommand } from '../../testing/system-tools.ts';

const VITEST = path.join(PROJECT_ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const isRoot = process.getuid?.() === 0;

let bin: string;
beforeEach(() => {
	bin = mkdtempSync(path.join(os.tmpdir(), 'lmb-fresh-path-'));
	// apt-get as a stand-in: it logs its arguments, and `install` puts the two programs on this PATH.
	writeFileSync(
		path.join(bin, 'apt-get'),
		[
			'#!/bin/sh',
			`echo "$*" >> '${bin}/apt.log'`,
			'if [ "$1" = install ]; then',
			`  for tool in chromium bwrap; do printf '#!/bin/sh\\nexit 0\\n' > '${bin}'/$tool; /bin/chmod 755 '${bin}'/$tool; done`,
			'fi',
			'',
		].join('\n'),
	);
	chmodSync(path.join(bin, 'apt-get'), 0o755);
});
afterEach(() => rmSync(bin, { recursive: true, force: true }));

/** The test command on one light file, with only the scratch folder on PATH. */
const testCommand = (env: NodeJS.ProcessEnv) =>
	runCommand(process.execPath, [VITEST, 'run', '--project', 'unit', 'tests/run/ollama-host.test.ts'], PROJECT_ROOT, {
		PATH: bin,
		CHROMIUM_PATH: '',
		LMB_NO_INSTALL: '',
		...env,
	});

describe('npm test without chromium and bubblewrap', () => {
	it('stops within seconds with one message naming the command, when it may not install', async () => {
		const started = performance.now();
		const result = await testCommand({ LMB_NO_INSTALL: '1' });
		expect(result.code, result.output).toBe(1);
		expect(performance.now() - started).toBeLessThan(30_000);
		const message =
			'npm test needs chromium (`chromium`, for the browser tests) and bubblewrap (`bwrap`, for the coder tests, which run answers in its sandbox), and cannot install them itself: LMB_NO_INSTALL is set. Run this, then npm test again:\n\n    sudo apt-get update && sudo apt-get install -y chromium bubblewrap\n';
		expect(result.stderr.split(message)).toHaveLength(2);
		// No test ran, so none failed.
		expect(result.output).not.toMatch(/Test Files|FAIL|✓|×/);
		expect(() => readFileSync(path.join(bin, 'apt.log'))).toThrow(/ENOENT/);
	}, 60_000);

	// A real user without root: the command as `nobody` (Vitest loads its config without writing beside it).
	const setpriv = findCommand('setpriv', process.env.PATH ?? '');
	it.runIf(isRoot && setpriv)(
		'stops with the sudo command for a user who is not root',
		async () => {
			const home = path.join(bin, 'home');
			mkdirSync(home);
			chmodSync(bin, 0o755);
			chmodSync(home, 0o777);
			const result = await runCommand(
				setpriv!,
				[
					'--reuid=65534',
					'--regid=65534',
					'--clear-groups',
					process.execPath,
					VITEST,
					'run',
					'--configLoader',
					'runner',
					'--project',
					'unit',
					'tests/run/ollama-host.test.ts',
				],
				PROJECT_ROOT,
				{ PATH: bin, HOME: home, CHROMIUM_PATH: '', LMB_NO_INSTALL: '', NODE_COMPILE_CACHE: path.join(home, 'compile-cache') },
			);
			expect(result.code, result.output).toBe(1);
			expect(result.stderr).toContain(
				'npm test needs chromium (`chromium`, for the browser tests) and bubblewrap (`bwrap`, for the coder tests, which run answers in its sandbox), and cannot install them itself: installing system packages needs root. Run this, then npm test again:\n\n    sudo apt-get update && sudo apt-get install -y chromium bubblewrap\n',
			);
			expect(result.output).not.toMatch(/Test Files|FAIL/);
		},
		60_000,
	);

	it.runIf(isRoot)(
		'installs both with apt-get as root, in one line, then runs the tests',
		async () => {
			const result = await testCommand({});
			expect(result.code, result.output).toBe(0);
			const announced = result.stdout.split('\n').filter((line) => line.startsWith('npm test: installing'));
			expect(announced).toEqual([
				'npm test: installing chromium and bubblewrap (apt-get update && apt-get install -y chromium bubblewrap), as `playwright install --with-deps` does',
			]);
			expect(readFileSync(path.join(bin, 'apt.log'), 'utf8')).toBe('update -qq\ninstall -y -qq chromium bubblewrap\n');
			expect(result.output).toMatch(/Tests\s+\d+ passed/);
		},
		60_000,
	);
});
