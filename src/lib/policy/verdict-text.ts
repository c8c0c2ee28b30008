import type { RoleMetrics } from '../schema/report.ts';
import type { GateMetric } from './gate-rules.ts';

/** A gate metric's value in a metrics row: the rate's point value, or the mean review pain. */
export const metricValue = (row: RoleMetrics, metric: GateMetric): number =>
	metric === 'review_pain' ? row.review_pain : metric === 'acceptance_rate' ? row.acceptance_rate.value : row.hard_failure_rate.value;

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

/** A gate metric as a verdict's reason reads it: a rate with its interval, `0.80 [0.63–0.91]`, or the mean pain. */
export function metricText(row: RoleMetrics, metric: GateMetric): string {
	const r = metric === 'acceptance_rate' ? row.acceptance_rate : metric === 'hard_failure_rate' ? row.hard_failure_rate : undefined;
	return r ? `${fmt(r.value)} [${fmt(r.low)}–${fmt(r.high)}]` : fmt(metricValue(row, metric));
}

/** A p-value as the report stores it: six significant digits, so floating-point noise never reaches a diff. */
export const storedP = (p: number) => Number(p.toPrecision(6));

/** A p-value as people read it: three significant digits, tiny ones in exponent form. */
export const formatP = (p: number) => (p >= 0.001 ? String(Number(p.toPrecision(3))) : p.toExponential(1));
