// How numbers read on the site: the same words and precision on every page. Pure.

/** `0.6667` → `67 %`. */
export const pct = (value: number) => `${(value * 100).toFixed(0)} %`;

/** A rate with its interval: `67 % (21 %–94 %)`. */
export const rateWithInterval = (rate: { value: number; low: number; high: number }) => `${pct(rate.value)} (${pct(rate.low)}–${pct(rate.high)})`;

/** Milliseconds as `850 ms` or `1.2 s`; `—` when unknown. */
export const ms = (value: number | null | undefined) => (value === null || value === undefined ? '—' : value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`);

/** Tokens per second with one decimal below 100; `—` when unknown. */
export const tokensPerSecond = (value: number | null | undefined) => (value === null || value === undefined ? '—' : value >= 100 ? `${Math.round(value)}` : value.toFixed(1));

/** The first 12 characters of a sha or digest, as `git log --oneline` shows them. */
export const shortSha = (sha: string | null | undefined) => (sha ? sha.replace(/^sha256:/, '').slice(0, 12) : '—');

/** `1 case`, `3 cases`. */
export const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * `text` with its control characters drawn as their Unicode pictures (a NUL as `␀`, an escape as `␛`),
 * tabs and line breaks kept: a raw control character in the HTML is invisible at best, and an HTML
 * parser turns a NUL into a replacement character or drops it, so the page would hide what the data holds.
 */
export function visibleText(text: string): string {
	return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, (char) => String.fromCharCode(char === '\u007f' ? 0x2421 : 0x2400 + char.charCodeAt(0)));
}

/** Text as a page shows it: cut to `max` characters, with how much was left out (the full text is in the JSON), control characters made visible. */
export function clip(text: string, max: number): { text: string; omitted: number } {
	return text.length <= max ? { text: visibleText(text), omitted: 0 } : { text: visibleText(text.slice(0, max)), omitted: text.length - max };
}

/** The metric columns every metrics table shows after its first (label) column; `MetricsCells.astro` fills them in this order. */
export const METRIC_COLUMNS = ['Acceptance (95 % CI)', 'Severity-weighted pass', 'Review pain', 'Hard failures', 'p50 latency', 'Tokens/s', 'Verdict'] as const;
