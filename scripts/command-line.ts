import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';

/**
 * Parses a command's options, the same way for every script: an unknown or malformed option prints the
 * problem and the usage and exits 2; `--help` (`-h`) prints the usage and exits 0.
 */
export function parseCommandLine<const O extends ParseArgsOptionsConfig>(usage: string, options: O) {
	if (process.argv.slice(2).some((arg) => arg === '--help' || arg === '-h')) {
		console.log(usage);
		process.exit(0);
	}
	try {
		return parseArgs({ options, allowPositionals: false }).values;
	} catch (error) {
		return exitWithUsage((error as Error).message, usage);
	}
}

/** Prints what is wrong with the command line and the usage, and exits 2. */
export function exitWithUsage(message: string, usage: string): never {
	console.error(`${message}\n\n${usage}`);
	process.exit(2);
}
