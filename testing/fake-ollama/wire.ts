/**
 * How the real Ollama server (Go, gin) puts values on the wire, reproduced for the fake.
 *
 * Ollama marshals with Go's `encoding/json` and `time.Time`; the helpers here make the fake's bytes match:
 * HTML-escaped strings, RFC 3339 timestamps with nanoseconds, integer nanosecond durations, Go's duration
 * syntax for `keep_alive`, and the exact error texts of the request decoder.
 */

/** Nanoseconds since the Unix epoch, with sub-millisecond digits taken from the monotonic clock. */
export function nowNs(): bigint {
	return BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
}

/** A monotonic clock in nanoseconds, for measuring the durations the fake reports. */
export function monoNs(): bigint {
	return process.hrtime.bigint();
}

/**
 * Formats a time the way Go's `time.Time.MarshalJSON` does for a UTC time (RFC 3339 with up to nine
 * fractional digits, trailing zeros trimmed), e.g. `2024-07-22T20:47:51.147561Z`.
 */
export function goTime(ns: bigint = nowNs()): string {
	const ms = Number(ns / 1_000_000n);
	const iso = new Date(ms).toISOString(); // 2024-07-22T20:47:51.147Z
	const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
	return `${iso.slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}

/** Go time for a millisecond timestamp (used for stored dates such as `modified_at` and `expires_at`). */
export function goTimeMs(ms: number): string {
	return goTime(BigInt(Math.trunc(ms)) * 1_000_000n);
}

/**
 * `JSON.stringify` plus Go's HTML escaping: `encoding/json` writes `<`, `>`, `&`, U+2028 and U+2029 as
 * `\u003c`, `\u003e`, `\u0026`, `\u2028`, `\u2029`. Those characters only ever occur inside strings of the
 * output, so a global replace is safe.
 */
export function goJson(value: unknown): string {
	return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Go's `%q` for a plain string (enough for model names and formats). */
export function goQuote(s: string): string {
	return JSON.stringify(s);
}

// Go's time.Duration is an int64 of nanoseconds; a double can only hold it approximately, which is
// all a bound check needs.
const MAX_INT64_NS = 2 ** 63 - 1;

const UNIT_NS: Record<string, number> = {
	ns: 1,
	us: 1e3,
	µs: 1e3,
	μs: 1e3,
	ms: 1e6,
	s: 1e9,
	m: 60e9,
	h: 3600e9,
};

/** Go's `time.ParseDuration`, returning nanoseconds or the exact Go error text. */
export function parseGoDuration(input: string): { ns: number } | { error: string } {
	const invalid = { error: `time: invalid duration ${goQuote(input)}` };
	let s = input;
	let sign = 1;
	if (s.startsWith('-') || s.startsWith('+')) {
		sign = s.startsWith('-') ? -1 : 1;
		s = s.slice(1);
	}
	if (s === '0') return { ns: 0 };
	if (s === '') return invalid;
	let total = 0;
	while (s !== '') {
		const number = /^(\d*)(\.\d*)?/.exec(s);
		if (!number || number[0] === '' || number[0] === '.') return invalid;
		s = s.slice(number[0].length);
		const unit = /^[^\d.]*/.exec(s)?.[0] ?? '';
		if (unit === '') return { error: `time: missing unit in duration ${goQuote(input)}` };
		const factor = UNIT_NS[unit];
		if (factor === undefined) return { error: `time: unknown unit ${goQuote(unit)} in duration ${goQuote(input)}` };
		total += Number(number[0]) * factor;
		s = s.slice(unit.length);
	}
	return { ns: sign * total };
}

/**
 * Ollama's `api.Duration` decoding of `keep_alive`: a number is seconds, a string is a Go duration, anything
 * negative means "keep forever" (math.MaxInt64 ns). Absent means the default of five minutes.
 */
export function keepAliveNs(value: unknown): { ns: number } | { error: string } {
	if (value === undefined || value === null) return { ns: 5 * 60e9 };
	if (typeof value === 'number') return { ns: value < 0 ? MAX_INT64_NS : value * 1e9 };
	if (typeof value === 'string') {
		const parsed = parseGoDuration(value);
		if ('error' in parsed) return parsed;
		return { ns: parsed.ns < 0 ? MAX_INT64_NS : parsed.ns };
	}
	return { error: `Unsupported type: '${goTypeOf(value)}'` };
}

/** The JSON type name Go's decoder uses in `cannot unmarshal X into …` errors. */
export function jsonKind(value: unknown): string {
	if (Array.isArray(value)) return 'array';
	if (typeof value === 'boolean') return 'bool';
	return typeof value; // 'string' | 'number' | 'object'
}

/** The Go type a decoded JSON value has (`reflect.TypeOf` of an `any`). */
function goTypeOf(value: unknown): string {
	if (Array.isArray(value)) return '[]interface {}';
	if (typeof value === 'boolean') return 'bool';
	if (typeof value === 'number') return 'float64';
	if (typeof value === 'object') return 'map[string]interface {}';
	return 'string';
}

/**
 * The error gin's `ShouldBindJSON` returns for a body that is not JSON: Go's decoder names the first
 * offending character, or says `unexpected EOF` when the document stops early.
 */
export function jsonSyntaxError(raw: string): string {
	try {
		JSON.parse(raw);
		return '';
	} catch {
		const text = raw.trimStart();
		const first = text[0] ?? '';
		if (first !== '' && !/[[{"\-0-9tfn]/.test(first)) return `invalid character '${first}' looking for beginning of value`;
		// A bare word starting like true/false/null: Go names the first letter that breaks the literal.
		const literal = { t: 'true', f: 'false', n: 'null' }[first];
		if (literal) {
			for (let i = 1; i < literal.length && i < text.length; i++) {
				if (text[i] !== literal[i]) return `invalid character '${text[i]}' in literal ${literal} (expecting '${literal[i]}')`;
			}
		}
		// Anything else (a document that stops early, or a syntax error further in) is reported the way Go
		// reports the common case, a truncated body; the status (400) is what matters to a client.
		return 'unexpected EOF';
	}
}
