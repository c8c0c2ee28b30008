/**
 * The two programs some tests need from the system, and what `npm test` does when they are missing: as
 * root with apt-get it installs them itself (the way `playwright install --with-deps` brings a browser's
 * libraries), otherwise it stops at once with one message naming the command to run. The decision is
 * made here, from an injected PATH, user and command runner; `system-tools-setup.ts` wires in the real ones.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/** A program from the system and the Debian package that brings it. */
export interface SystemTool {
	/** The command looked up on PATH. */
	command: string;
	/** The Debian package that installs it. */
	pkg: string;
	/** Which tests need it, for the message. */
	usedBy: string;
}

export const CHROMIUM: SystemTool = { command: 'chromium', pkg: 'chromium', usedBy: 'the browser tests' };
export const BUBBLEWRAP: SystemTool = { command: 'bwrap', pkg: 'bubblewrap', usedBy: 'the coder tests, which run answers in its sandbox' };
/** Every tool any project needs: when one is installed, all missing ones are, in one apt-get call. */
export const SYSTEM_TOOLS: readonly SystemTool[] = [CHROMIUM, BUBBLEWRAP];

/**
 * What each Vitest project needs. `unit` runs the miner on a story repository whose coder cases are
 * validated by running their tests (tests/mine/noise.test.ts); `integration` runs sandboxed coder tests;
 * `browser` drives chromium and plays the demo, whose coder cases run in the sandbox.
 */
export function toolsFor(project: string): SystemTool[] {
	if (project === 'browser') return [CHROMIUM, BUBBLEWRAP];
	if (project === 'unit' || project === 'integration') return [BUBBLEWRAP];
	return [];
}

/** The machine as the decision sees it. */
export interface Machine {
	/** The PATH to look commands up on. */
	path: string;
	/** Whether the process may install system packages (root). */
	isRoot: boolean;
	/** `CHROMIUM_PATH` when set: the browser to use instead of `chromium` on PATH. */
	chromiumPath?: string;
	/** Set to refuse installing even as root (`LMB_NO_INSTALL=1`): the command is named instead. */
	noInstall?: boolean;
}

/** Runs a command to completion: its exit status and what it printed. */
export type Runner = (command: string, args: string[]) => { status: number | null; output: string };

/** The outcome: nothing to do, installed, or the one message to stop with. */
export type ToolsOutcome = { status: 'ready' } | { status: 'installed'; line: string } | { status: 'stop'; message: string };

/** The executable file `command` names on `searchPath`, if any (`which`). */
export function findCommand(command: string, searchPath: string): string | undefined {
	for (const dir of searchPath.split(path.delimiter)) {
		if (!dir) continue;
		const candidate = path.join(dir, command);
		try {
			if (!statSync(candidate).isFile()) continue;
			accessSync(candidate, constants.X_OK);
			return candidate;
		} catch {
			// not here
		}
	}
	return undefined;
}

/** Whether `tool` is there: chromium at CHROMIUM_PATH when that is set, otherwise on PATH. */
export function hasTool(tool: SystemTool, machine: Machine): boolean {
	if (tool === CHROMIUM && machine.chromiumPath) return isExecutable(machine.chromiumPath);
	return findCommand(tool.command, machine.path) !== undefined;
}

/**
 * Makes sure the tools `needed` are there: nothing when they are; as root with apt-get, one
 * `apt-get update` and one `apt-get install -y` of every missing tool (not only the needed ones, so a
 * run installs once), announced in one line by `say` before it starts; otherwise — or when the install
 * fails — the one message to stop with, naming the command that fixes it.
 */
export function ensureTools(needed: readonly SystemTool[], machine: Machine, run: Runner, say: (line: string) => void): ToolsOutcome {
	if (needed.every((tool) => hasTool(tool, machine))) return { status: 'ready' };
	const missing = SYSTEM_TOOLS.filter((tool) => !hasTool(tool, machine));
	const packages = missing.map((tool) => tool.pkg);
	const install = `apt-get install -y ${packages.join(' ')}`;
	const what = missing.map((tool) => `${tool.pkg} (\`${tool.command}\`, for ${tool.usedBy})`).join(' and ');
	const stop = (why: string, command = `sudo apt-get update && sudo ${install}`): ToolsOutcome => ({
		status: 'stop',
		message: `npm test needs ${what}, and cannot install ${missing.length === 1 ? 'it' : 'them'} itself: ${why}. Run this, then npm test again:\n\n    ${command}\n`,
	});
	const apt = findCommand('apt-get', machine.path);
	if (machine.chromiumPath && missing.includes(CHROMIUM))
		return stop(
			`CHROMIUM_PATH names ${machine.chromiumPath}, which is not an executable file`,
			`unset CHROMIUM_PATH, or point it at a chromium`,
		);
	if (!apt)
		return stop(
			'this system has no apt-get',
			`install ${packages.join(' and ')} with the system's package manager (on Debian: ${install})`,
		);
	if (machine.noInstall) return stop('LMB_NO_INSTALL is set');
	if (!machine.isRoot) return stop('installing system packages needs root');

	const line = `npm test: installing ${packages.join(' and ')} (apt-get update && ${install}), as \`playwright install --with-deps\` does`;
	say(line);
	for (const args of [
		['update', '-qq'],
		['install', '-y', '-qq', ...packages],
	]) {
		const result = run(apt, args);
		if (result.status !== 0) {
			const tail = result.output.trim().split('\n').slice(-5).join('\n    ');
			return stop(
				`\`apt-get ${args[0]}\` failed (exit ${result.status ?? 'by a signal'}):\n    ${tail || '(no output)'}\nFix that`,
				`apt-get update && ${install}`,
			);
		}
	}
	const still = missing.filter((tool) => !hasTool(tool, machine));
	if (still.length > 0)
		return stop(
			`apt-get installed ${packages.join(' ')}, yet ${still.map((tool) => `\`${tool.command}\``).join(' and ')} ${still.length === 1 ? 'is' : 'are'} not on PATH`,
			`apt-get install --reinstall -y ${packages.join(' ')}`,
		);
	return { status: 'installed', line };
}

function isExecutable(file: string): boolean {
	try {
		accessSync(file, constants.X_OK);
		return statSync(file).isFile();
	} catch {
		return false;
	}
}
