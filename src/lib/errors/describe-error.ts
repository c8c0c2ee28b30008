/**
 * A failure the person running the benchmark can act on: the message says what is wrong and where, the
 * hint what to do. Printed as it is, without a stack trace, by the build and every script.
 */
export class BenchmarkError extends Error {
	override name = 'BenchmarkError';
	readonly hint: string | undefined;

	constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
		super(message, { cause: options.cause });
		this.hint = options.hint;
	}
}

// The engine's own error classes: thrown only for a mistake in the code, never for bad input, so their
// stack is worth showing.
const PROGRAMMING_ERRORS = ['TypeError', 'ReferenceError', 'RangeError', 'SyntaxError', 'EvalError'];

/**
 * The error for a person: its message, then each cause's, so a wrapped failure keeps the reason
 * ("Failed to write reports/x.results.json: EACCES: permission denied, open …"); after a message of
 * several sentences the causes follow in parentheses.
 */
export function describeError(error: unknown): string {
	const parts: string[] = [];
	let current: unknown = error;
	for (let depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
		const message = current instanceof Error ? current.message : String(current);
		if (message && !parts.some((part) => part.includes(message))) parts.push(message.trimEnd());
		current = current instanceof Error ? current.cause : undefined;
	}
	const [first = '', ...causes] = parts;
	if (causes.length === 0) return first;
	const chain = causes.map((part, index) => (index < causes.length - 1 ? part.replace(/\.$/, '') : part)).join(': ');
	// A one-sentence message reads on into its cause; a longer one keeps its last sentence whole.
	return /\.\s/.test(first) ? `${first} (cause: ${chain})` : `${first.replace(/\.$/, '')}: ${chain}`;
}

/**
 * The full text printed when a command or the build stops on `error`: the described error, its hint on
 * a line of its own, and a stack trace only for what can only be a fault in the code (a TypeError…).
 */
export function formatFailure(error: unknown): string {
	const lines = [describeError(error)];
	const hint = error instanceof BenchmarkError ? error.hint : undefined;
	if (hint) lines.push(`  hint: ${hint}`);
	if (error instanceof Error && PROGRAMMING_ERRORS.includes(error.name) && error.stack)
		lines.push(error.stack.split('\n').slice(1).join('\n'));
	return lines.join('\n');
}
