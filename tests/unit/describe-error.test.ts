import { describe, expect, it } from 'vitest';
import { BenchmarkError, describeError, formatFailure } from '../../src/lib/errors/describe-error.ts';

const permissionDenied = Object.assign(new Error("EACCES: permission denied, open '/r/.x.tmp'"), { code: 'EACCES' });

describe('an error as a person reads it', () => {
	it.each([
		['a plain message', new Error('No report in reports/.'), 'No report in reports/.'],
		[
			'a wrapped write, with why it failed',
			new Error('Failed to write /r/x.results.json.', { cause: permissionDenied }),
			"Failed to write /r/x.results.json: EACCES: permission denied, open '/r/.x.tmp'",
		],
		[
			'two levels of causes',
			new Error('Failed to list benchmarks/cases.', { cause: new Error('Failed to open.', { cause: new Error('ENOENT: no such file') }) }),
			'Failed to list benchmarks/cases: Failed to open: ENOENT: no such file',
		],
		[
			'a long message, whose causes follow in parentheses',
			new Error('Ollama stopped answering. No report was written.', { cause: new Error('fetch failed') }),
			'Ollama stopped answering. No report was written. (cause: fetch failed)',
		],
		['a cause repeating the message, said once', new Error('fetch failed', { cause: new Error('fetch failed') }), 'fetch failed'],
		['something thrown that is no error', 'a string', 'a string'],
	])('%s', (_label, error, text) => {
		expect(describeError(error)).toBe(text);
	});

	it('adds the hint, and a stack trace only for a fault in the code', () => {
		expect(formatFailure(new BenchmarkError('BENCH=0 and BENCH_REQUIRED=1 contradict each other.', { hint: 'unset one of them.' }))).toBe(
			'BENCH=0 and BENCH_REQUIRED=1 contradict each other.\n  hint: unset one of them.',
		);
		expect(formatFailure(new Error('Failed to write x.', { cause: permissionDenied }))).not.toContain('    at ');
		expect(formatFailure(new TypeError("Cannot read properties of undefined (reading 'content')"))).toMatch(
			/^Cannot read properties of undefined \(reading 'content'\)\n\s+at /,
		);
	});
});
