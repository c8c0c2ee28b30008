import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { formatFailure } from '../src/lib/errors/describe-error.ts';
import { RegistryError } from '../src/lib/registry/registry-error.ts';

/**
 * One way for every script in scripts/ (and bench/) to read its command line and to end:
 *
 * - `--help` (`-h`) prints the usage and exits 0;
 * - a bad option prints what is wrong and the usage, and exits 2 (`parseCommandLine`, or a `UsageError`
 *   thrown from a command's own checks);
 * - any other failure prints `<name> failed: ` and the cause chain (`formatFailure`: message, hint, causes;
 *   a stack only for a fault in the code), or a registry's problem list as the build prints it, and exits 1.
 */

/** A mistake on the command line: the message says which option, what it got and what it expects. */
export class UsageError extends Error {
	override name = 'UsageError';
}

/** What `runCommand` needs to speak for a script. */
export interface Command {
	/** The word failures start with: `benchmark` → `benchmark failed: …`. */
	name: string;
	/** The `--help` text; also printed after a usage error. */
	usage: string;
}

/** Prints what is wrong with the command line and the usage, and exits 2. */
export function exitWithUsage(message: string, usage: string): never {
	console.error(`${message}\n\n${usage}`);
	process.exit(2);
}

function parse<const O extends ParseArgsOptionsConfig>(usage: string, options: O, allowPositionals: boolean, args: string[]) {
	// Before parsing, so `--help` works even beside an option that would be refused.
	if (args.some((arg) => arg === '--help' || arg === '-h')) {
		console.log(usage);
		process.exit(0);
	}
	try {
		return parseArgs({ args, options, allowPositionals, strict: true });
	} catch (error) {
		return exitWithUsage((error as Error).message, usage);
	}
}

/**
 * Parses a command's options, the same way for every script: an unknown or malformed option, or any
 * positional argument, prints the problem and the usage and exits 2; `--help` (`-h`) prints the usage
 * and exits 0.
 */
export function parseCommandLine<const O extends ParseArgsOptionsConfig>(
	usage: string,
	options: O,
	args: string[] = process.argv.slice(2),
) {
	return parse(usage, options, false, args).values;
}

/** `parseCommandLine` for a command that also takes positional arguments. */
export function parseCommandLineWithPositionals<const O extends ParseArgsOptionsConfig>(
	usage: string,
	options: O,
	args: string[] = process.argv.slice(2),
) {
	const parsed = parse(usage, options, true, args);
	return { values: parsed.values, positionals: parsed.positionals };
}

/**
 * `--<option>` as a whole number from `min` to `max`; undefined when the option was not given. Throws a
 * `UsageError` naming the option and what it got otherwise.
 */
export function wholeNumberOption(
	option: string,
	value: string | undefined,
	min: number,
	max = Number.MAX_SAFE_INTEGER,
): number | undefined {
	if (value === undefined) return undefined;
	const number = Number(value);
	if (!/^\d+$/.test(value.trim()) || number < min || number > max) {
		const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
		throw new UsageError(`--${option} is ${JSON.stringify(value)}; expected a whole number ${range}.`);
	}
	return number;
}

/** `--<option>` as a number of at least `min` (fractions allowed); undefined when not given. */
export function numberOption(option: string, value: string | undefined, min: number): number | undefined {
	if (value === undefined) return undefined;
	const number = Number(value);
	if (value.trim() === '' || !Number.isFinite(number) || number < min) {
		throw new UsageError(`--${option} is ${JSON.stringify(value)}; expected a number of at least ${min}.`);
	}
	return number;
}

/** `--<option>` as a non-empty string; undefined when not given. */
export function textOption(option: string, value: string | undefined): string | undefined {
	if (value !== undefined && value.trim() === '') throw new UsageError(`--${option} is empty; expected a value.`);
	return value;
}

/**
 * `--<option> a,b` as a list of names from `allowed`, in `allowed`'s order; every name when not given.
 * Unknown names are refused, named in the message.
 */
export function listOption<const T extends string>(option: string, value: string | undefined, allowed: readonly T[]): T[] {
	if (value === undefined) return [...allowed];
	const names = value.split(',').map((name) => name.trim());
	const unknown = names.filter((name) => !(allowed as readonly string[]).includes(name));
	if (unknown.length > 0) {
		throw new UsageError(
			`--${option} names ${unknown.map((name) => JSON.stringify(name)).join(', ')}; expected a comma-separated list of ${allowed.join(', ')}.`,
		);
	}
	return allowed.filter((name) => names.includes(name));
}

/**
 * Runs a script's `main` and ends the process the one way every script does: the exit code `main`
 * returns (0 when it returns nothing); 2 with the message and usage for a `UsageError`; 1 for any other
 * failure, printed as `<name> failed: <message and causes>` (a registry error as its problem list).
 */
export async function runCommand(command: Command, main: () => Promise<number | void>): Promise<never> {
	let code: number;
	try {
		code = (await main()) ?? 0;
	} catch (error) {
		if (error instanceof UsageError) return exitWithUsage(error.message, command.usage);
		console.error(error instanceof RegistryError ? error.message : `${command.name} failed: ${formatFailure(error)}`);
		code = 1;
	}
	// Writes to a pipe or a file are synchronous here, so nothing printed is lost; exiting explicitly
	// also ends a run whose sockets or timers would keep the process alive.
	process.exit(code);
}
