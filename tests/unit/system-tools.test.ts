import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUBBLEWRAP, CHROMIUM, type Machine, type Runner, ensureTools, findCommand, toolsFor } from '../../testing/system-tools.ts';

let bin: string;
beforeEach(() => {
	bin = mkdtempSync(path.join(os.tmpdir(), 'lmb-tools-'));
});
afterEach(() => rmSync(bin, { recursive: true, force: true }));

/** Puts an executable `name` into the PATH folder. */
const provide = (...names: string[]) => {
	for (const name of names) {
		writeFileSync(path.join(bin, name), '#!/bin/sh\nexit 0\n');
		chmodSync(path.join(bin, name), 0o755);
	}
};
const machine = (overrides: Partial<Machine> = {}): Machine => ({ path: bin, isRoot: false, ...overrides });

/** A command runner that records its calls and answers from `reply`. */
function recorder(reply: (args: string[]) => { status: number | null; output: string } = () => ({ status: 0, output: '' })) {
	const calls: string[] = [];
	const run: Runner = (command, args) => {
		calls.push(`${path.basename(command)} ${args.join(' ')}`);
		return reply(args);
	};
	return { run, calls };
}
const said: string[] = [];
const say = (line: string) => said.push(line);
beforeEach(() => {
	said.length = 0;
});

describe('the programs npm test needs from the system', () => {
	it('asks for bubblewrap in every project and chromium only for the browser tests', () => {
		expect(toolsFor('unit')).toEqual([BUBBLEWRAP]);
		expect(toolsFor('integration')).toEqual([BUBBLEWRAP]);
		expect(toolsFor('browser')).toEqual([CHROMIUM, BUBBLEWRAP]);
		expect(toolsFor('')).toEqual([]);
	});

	it('finds a command only as an executable file on PATH', () => {
		writeFileSync(path.join(bin, 'chromium'), 'not executable');
		expect(findCommand('chromium', `/nonexistent${path.delimiter}${bin}`)).toBeUndefined();
		chmodSync(path.join(bin, 'chromium'), 0o755);
		expect(findCommand('chromium', `/nonexistent${path.delimiter}${bin}`)).toBe(path.join(bin, 'chromium'));
	});

	it('does nothing when what the project needs is there, even if another project’s tool is missing', () => {
		provide('bwrap', 'apt-get');
		const { run, calls } = recorder();
		expect(ensureTools(toolsFor('unit'), machine({ isRoot: true }), run, say)).toEqual({ status: 'ready' });
		expect(calls).toEqual([]);
		expect(said).toEqual([]);
	});

	it('installs every missing tool in one apt-get call as root, saying so in one line first', () => {
		provide('apt-get');
		const { run, calls } = recorder((args) => {
			if (args[0] === 'install') provide('chromium', 'bwrap');
			return { status: 0, output: '' };
		});
		const outcome = ensureTools(toolsFor('unit'), machine({ isRoot: true }), run, say);
		const line =
			'npm test: installing chromium and bubblewrap (apt-get update && apt-get install -y chromium bubblewrap), as `playwright install --with-deps` does';
		expect(outcome).toEqual({ status: 'installed', line });
		expect(said).toEqual([line]);
		expect(calls).toEqual(['apt-get update -qq', 'apt-get install -y -qq chromium bubblewrap']);
	});

	it('installs only what is missing', () => {
		provide('apt-get', 'bwrap');
		const { run, calls } = recorder((args) => {
			if (args[0] === 'install') provide('chromium');
			return { status: 0, output: '' };
		});
		expect(ensureTools(toolsFor('browser'), machine({ isRoot: true }), run, say).status).toBe('installed');
		expect(calls.at(-1)).toBe('apt-get install -y -qq chromium');
	});

	it.each<[string, Partial<Machine>, string[], string]>([
		[
			'not root',
			{},
			['apt-get'],
			'npm test needs chromium (`chromium`, for the browser tests) and bubblewrap (`bwrap`, for the coder tests, which run answers in its sandbox), and cannot install them itself: installing system packages needs root. Run this, then npm test again:\n\n    sudo apt-get update && sudo apt-get install -y chromium bubblewrap\n',
		],
		[
			'no apt-get',
			{ isRoot: true },
			[],
			"npm test needs chromium (`chromium`, for the browser tests) and bubblewrap (`bwrap`, for the coder tests, which run answers in its sandbox), and cannot install them itself: this system has no apt-get. Run this, then npm test again:\n\n    install chromium and bubblewrap with the system's package manager (on Debian: apt-get install -y chromium bubblewrap)\n",
		],
		[
			'LMB_NO_INSTALL set',
			{ isRoot: true, noInstall: true },
			['apt-get', 'chromium'],
			'npm test needs bubblewrap (`bwrap`, for the coder tests, which run answers in its sandbox), and cannot install it itself: LMB_NO_INSTALL is set. Run this, then npm test again:\n\n    sudo apt-get update && sudo apt-get install -y bubblewrap\n',
		],
		[
			'CHROMIUM_PATH naming no file',
			{ isRoot: true, chromiumPath: '/opt/nowhere/chromium' },
			['apt-get', 'chromium', 'bwrap'],
			'npm test needs chromium (`chromium`, for the browser tests), and cannot install it itself: CHROMIUM_PATH names /opt/nowhere/chromium, which is not an executable file. Run this, then npm test again:\n\n    unset CHROMIUM_PATH, or point it at a chromium\n',
		],
	])('stops with one message naming the command when it cannot install: %s', (_name, overrides, present, message) => {
		provide(...present);
		const { run, calls } = recorder();
		expect(ensureTools(toolsFor('browser'), machine(overrides), run, say)).toEqual({ status: 'stop', message });
		expect(calls).toEqual([]);
		expect(said).toEqual([]);
	});

	it('stops with apt-get’s own last lines when the install fails', () => {
		provide('apt-get');
		const { run, calls } = recorder((args) =>
			args[0] === 'install'
				? { status: 100, output: 'Reading package lists...\nE: Unable to locate package chromium\n' }
				: { status: 0, output: '' },
		);
		const outcome = ensureTools(toolsFor('browser'), machine({ isRoot: true }), run, say);
		expect(outcome).toEqual({
			status: 'stop',
			message:
				'npm test needs chromium (`chromium`, for the browser tests) and bubblewrap (`bwrap`, for the coder tests, which run answers in its sandbox), and cannot install them itself: `apt-get install` failed (exit 100):\n    Reading package lists...\n    E: Unable to locate package chromium\nFix that. Run this, then npm test again:\n\n    apt-get update && apt-get install -y chromium bubblewrap\n',
		});
		expect(calls).toHaveLength(2);
		expect(said).toHaveLength(1);
	});

	it('stops when apt-get says it installed a tool that is still not on PATH', () => {
		provide('apt-get');
		const { run } = recorder();
		const outcome = ensureTools(toolsFor('unit'), machine({ isRoot: true }), run, say);
		expect(outcome.status).toBe('stop');
		expect(outcome.status === 'stop' && outcome.message).toContain(
			'apt-get installed chromium bubblewrap, yet `chromium` and `bwrap` are not on PATH. Run this, then npm test again:\n\n    apt-get install --reinstall -y chromium bubblewrap',
		);
	});
});
