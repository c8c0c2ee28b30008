// How numbers read wherever a person reads them — the site, the report body, the escalation section: the
// same words and the same precision everywhere. Pure.
import type { EscalationOutcome } from '../schema/escalation.ts';
import type { GateResult, RoleMetrics } from '../schema/report.ts';

/**
 * A share in [0, 1] as a percentage with at most one decimal: `0.6667` → `66.7 %`, `0.9` → `90 %`. One
 * decimal, not none: a grader's 89.7 % must not read as the 90 % it failed to reach.
 */
export const pct = (value: number) => `${percent(value)} %`;

/** A share as a percentage number, one decimal at most (rounded half up, unlike `toFixed`'s binary surprises). */
const percent = (value: number) => Math.round(value * 1000) / 10;

/** A share that may be unknown (no results to divide by): `—` then. */
export const pctOrDash = (value: number | null | undefined) => (value === null || value === undefined ? '—' : pct(value));

/** The interval of a rate, as its cell shows it after the value: `(20.8–93.9 %)`. */
export const interval = (rate: { low: number; high: number }) => `(${percent(rate.low)}–${pct(rate.high)})`;

/** A rate with its 95 % Wilson interval: `66.7 % (20.8–93.9 %)`. */
export const rateWithInterval = (rate: { value: number; low: number; high: number }) => `${pct(rate.value)} ${interval(rate)}`;

/** Review pain, a mean in [0, 1] (not a rate), with two decimals. */
export const reviewPain = (value: number) => value.toFixed(2);

/** The severity-weighted pass and its share of the maximum: `7 / 10 (70 %)`. */
export const severityWeightedPass = (swp: RoleMetrics['severity_weighted_pass']) => `${swp.value} / ${swp.max} (${pct(swp.share)})`;

/** Results, not cases: with repeats each case counts once per repeat, as the rates do. */
export const resultCount = (row: Pick<RoleMetrics, 'accepted' | 'rejected' | 'hard_failures'>) =>
	row.accepted + row.rejected + row.hard_failures;

/** The hard-failure rate the gate uses, with its count: `33.3 % (1 of 3)`. */
export const hardFailureRate = (row: Pick<RoleMetrics, 'accepted' | 'rejected' | 'hard_failures' | 'hard_failure_rate'>) =>
	`${pct(row.hard_failure_rate.value)} (${row.hard_failures} of ${resultCount(row)})`;

/** Milliseconds as `850 ms` or `1.2 s`; `—` when unknown. */
export const ms = (value: number | null | undefined) =>
	value === null || value === undefined ? '—' : value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;

/** Tokens per second with one decimal below 100; `—` when unknown. */
export const tokensPerSecond = (value: number | null | undefined) =>
	value === null || value === undefined ? '—' : value >= 100 ? `${Math.round(value)}` : value.toFixed(1);

/** The first 12 characters of a sha or digest, as `git log --oneline` shows them. */
export const shortSha = (sha: string | null | undefined) => (sha ? sha.replace(/^sha256:/, '').slice(0, 12) : '—');

/** `1 case`, `3 cases`. */
export const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The names people read for the metrics, keyed by the field names of policy.yaml, the schema, the report
 * frontmatter and the JSON — one word list, so a page never calls a metric something the data does not.
 */
export const METRIC_LABELS = {
	acceptance_rate: 'Acceptance rate',
	severity_weighted_pass: 'Severity-weighted pass',
	review_pain: 'Review pain',
	hard_failure_rate: 'Hard-failure rate',
	well_formed_edits: 'Well-formed edits',
} as const;

/** The well-formed edit rate beside acceptance, with its count: `well-formed edits 93.3 % (28 of 30)`; empty without one. */
export const wellFormedEdits = (row: Pick<RoleMetrics, 'well_formed_edits'>) =>
	row.well_formed_edits === null
		? ''
		: `${METRIC_LABELS.well_formed_edits.toLowerCase()} ${pct(row.well_formed_edits.rate.value)} (${row.well_formed_edits.well_formed} of ${row.well_formed_edits.answered})`;

/** The metric columns every metrics table shows after its first (label) column; `MetricsCells.astro` and the report body fill them in this order. */
export const METRIC_COLUMNS = [
	`${METRIC_LABELS.acceptance_rate} (95 % CI)`,
	METRIC_LABELS.severity_weighted_pass,
	METRIC_LABELS.review_pain,
	METRIC_LABELS.hard_failure_rate,
	'p50 latency',
	'Tokens/s',
	'Verdict',
] as const;

/** The metric cells of one row, as text, in the order of the first four `METRIC_COLUMNS`. */
export function metricCells(row: RoleMetrics): [string, string, string, string] {
	const passK = row.pass_k === null ? '' : `; pass^k ${pct(row.pass_k)}`;
	const edits = row.well_formed_edits === null ? '' : `; ${wellFormedEdits(row)}`;
	return [
		`${rateWithInterval(row.acceptance_rate)}${passK}${edits}`,
		severityWeightedPass(row.severity_weighted_pass),
		reviewPain(row.review_pain),
		hardFailureRate(row),
	];
}

/** Column headings for the outcomes of an escalation step: words, not keys. */
export const ESCALATION_OUTCOME_LABELS: Record<EscalationOutcome, string> = {
	answered: 'Answered',
	unauthorized: 'Not authorized',
	quota: 'Over quota',
	unavailable: 'Unavailable',
	error: 'Error',
	'skipped-no-key': 'Skipped (no key)',
	'skipped-budget': 'Skipped (budget)',
};

/** Gates whose values are rates: shown as percentages like the metrics tables. */
const RATE_GATES = new Set(['acceptance_rate', 'hard_failure_rate']);

/**
 * One side of a gate as the metrics tables show the same number: the two rate gates in percent (with the
 * Wilson interval when the side's metrics row is given), review pain with two decimals, counts and words
 * as they are; `—` when the gate has no value on that side.
 */
export function gateValue(gate: Pick<GateResult, 'gate'>, value: GateResult['challenger'], row?: RoleMetrics): string {
	if (value === null) return '—';
	if (typeof value === 'string') return value;
	if (RATE_GATES.has(gate.gate)) {
		const rate = row?.[gate.gate as 'acceptance_rate' | 'hard_failure_rate'];
		return rate && rate.value === value ? rateWithInterval(rate) : pct(value);
	}
	if (gate.gate === 'review_pain') return reviewPain(value);
	return String(value);
}

/**
 * `text` with its control characters drawn as their Unicode pictures (a NUL as `␀`, an escape as `␛`),
 * tabs and line breaks kept: a raw control character in the HTML is invisible at best, and an HTML
 * parser turns a NUL into a replacement character or drops it, so the page would hide what the data holds.
 */
export function visibleText(text: string): string {
	// eslint-disable-next-line no-control-regex -- matching control characters is this function's purpose
	return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, (char) =>
		String.fromCharCode(char === '\u007f' ? 0x2421 : 0x2400 + char.charCodeAt(0)),
	);
}

/** Text as a page shows it: cut to `max` characters, with how much was left out (the full text is in the JSON), control characters made visible. */
export function clip(text: string, max: number): { text: string; omitted: number } {
	return text.length <= max
		? { text: visibleText(text), omitted: 0 }
		: { text: visibleText(text.slice(0, max)), omitted: text.length - max };
}
