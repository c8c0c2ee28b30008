import type { RoleMetrics } from '../schema/report.ts';
import type { AcceptanceTrend } from './site-model.ts';

// What a chart needs, as plain JSON: the page writes it into a `data-chart` attribute (escaped by Astro
// like any attribute) and `src/scripts/charts.ts` draws it. Percentages are 0–100.

/** Acceptance per model with its 95 % interval, for one role. */
export interface AcceptanceChartSpec {
	kind: 'acceptance';
	models: string[];
	value: number[];
	low: number[];
	high: number[];
}

/** p50 latency (ms) against acceptance, one series per role. */
export interface LatencyChartSpec {
	kind: 'latency';
	series: { label: string; points: { model: string; x: number; y: number }[] }[];
}

/** Acceptance over runs, one series per model with its 95 % Wilson band; null where a model was not run. */
export interface TrendChartSpec {
	kind: 'trend';
	runs: string[];
	series: { label: string; values: (number | null)[]; low: (number | null)[]; high: (number | null)[] }[];
}

export type ChartSpec = AcceptanceChartSpec | LatencyChartSpec | TrendChartSpec;

const percent = (value: number) => Math.round(value * 1000) / 10;

/** The acceptance chart of one role's rows. Pure. */
export function acceptanceChart(rows: readonly RoleMetrics[]): AcceptanceChartSpec {
	return {
		kind: 'acceptance',
		models: rows.map((row) => row.model),
		value: rows.map((row) => percent(row.acceptance_rate.value)),
		low: rows.map((row) => percent(row.acceptance_rate.low)),
		high: rows.map((row) => percent(row.acceptance_rate.high)),
	};
}

/** Latency against acceptance for every role of a run; rows without a latency (all hard failures) are left out. Pure. */
export function latencyChart(rowsByRole: readonly { role: string; rows: readonly RoleMetrics[] }[]): LatencyChartSpec {
	return {
		kind: 'latency',
		series: rowsByRole.map(({ role, rows }) => ({
			label: role,
			points: rows
				.filter((row) => row.latency_ms.p50 !== null)
				.map((row) => ({ model: row.model, x: Math.round(row.latency_ms.p50!), y: percent(row.acceptance_rate.value) })),
		})),
	};
}

/** The trend chart of a role. Pure. */
export function trendChart(trend: AcceptanceTrend): TrendChartSpec {
	return {
		kind: 'trend',
		runs: trend.runs.map((run) => run.id.replace(/^local-model-benchmark-/, '')),
		series: trend.series.map((series) => ({
			label: series.model,
			values: series.points.map((point) => (point ? percent(point.value) : null)),
			low: series.points.map((point) => (point ? percent(point.low) : null)),
			high: series.points.map((point) => (point ? percent(point.high) : null)),
		})),
	};
}

/**
 * Whether a chart would say anything: bars need two models to compare, a trend two runs to move
 * between. With less, the page says the number in a sentence instead. Pure.
 */
export function chartIsWorthDrawing(spec: ChartSpec): boolean {
	if (spec.kind === 'acceptance') return spec.models.length >= 2;
	if (spec.kind === 'trend') return spec.runs.length >= 2 && spec.series.length > 0;
	return spec.series.reduce((sum, series) => sum + series.points.length, 0) >= 2;
}
