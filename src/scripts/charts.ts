// Draws every `<canvas data-chart>` of the page with Chart.js. Bundled by Astro (a hashed module script, so
// it runs under the content security policy); only the Chart.js parts used here are imported, so the rest
// of the library is left out of the bundle.
import {
	BarController,
	BarElement,
	CategoryScale,
	Chart,
	type ChartConfiguration,
	type ChartType,
	Legend,
	LineController,
	LineElement,
	LinearScale,
	type Plugin,
	PointElement,
	type TooltipItem,
	ScatterController,
	Tooltip,
} from 'chart.js';
import type { AcceptanceChartSpec, ChartSpec, LatencyChartSpec, TrendChartSpec } from '../lib/site/chart-spec.ts';

// The options of this file's own plugins, typed where Chart.js looks for plugin options.
declare module 'chart.js' {
	// eslint-disable-next-line @typescript-eslint/no-unused-vars -- a merged declaration repeats Chart.js's type parameter
	interface PluginOptionsByType<TType extends ChartType> {
		intervalWhiskers?: { low: number[]; high: number[]; color: string };
		intervalBands?: { low: (number | null)[][]; high: (number | null)[][]; colors: string[] };
	}
}

Chart.register(
	BarController,
	BarElement,
	CategoryScale,
	LinearScale,
	LineController,
	LineElement,
	PointElement,
	ScatterController,
	Tooltip,
	Legend,
);

interface Palette {
	fg: string;
	muted: string;
	line: string;
	series: string[];
}

/** The page's colours, read from its CSS custom properties so charts follow the light or dark scheme. */
function palette(element: Element): Palette {
	const style = getComputedStyle(element);
	const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
	return {
		fg: read('--fg', '#1d1f21'),
		muted: read('--muted', '#585e66'),
		line: read('--line', '#d9dcd6'),
		series: [1, 2, 3, 4, 5, 6].map((n) => read(`--chart-${n}`, '#1f5fa8')),
	};
}

/** Draws the 95 % interval of each bar as a whisker: Chart.js has no error bars of its own. */
const intervalWhiskers: Plugin<'bar'> = {
	id: 'intervalWhiskers',
	afterDatasetsDraw(chart) {
		const options = chart.options.plugins?.intervalWhiskers;
		if (!options?.low || !options.high || !options.color) return;
		const spec = options as { low: number[]; high: number[]; color: string };
		const { ctx } = chart;
		const y = chart.scales.y!;
		ctx.save();
		ctx.strokeStyle = spec.color;
		ctx.lineWidth = 1.5;
		chart.getDatasetMeta(0).data.forEach((bar, index) => {
			const top = y.getPixelForValue(spec.high[index] ?? 0);
			const bottom = y.getPixelForValue(spec.low[index] ?? 0);
			const x = bar.x;
			ctx.beginPath();
			ctx.moveTo(x, top);
			ctx.lineTo(x, bottom);
			ctx.moveTo(x - 6, top);
			ctx.lineTo(x + 6, top);
			ctx.moveTo(x - 6, bottom);
			ctx.lineTo(x + 6, bottom);
			ctx.stroke();
		});
		ctx.restore();
	},
};

/**
 * Draws each series' 95 % Wilson interval as a translucent band behind its line, so a swing that one
 * case could cause reads as the uncertainty it is. Gaps (runs without the model) break the band.
 */
const intervalBands: Plugin<'line'> = {
	id: 'intervalBands',
	beforeDatasetsDraw(chart) {
		const spec = chart.options.plugins?.intervalBands;
		if (!spec?.low || !spec.high || !spec.colors) return;
		const { low, high, colors } = spec as { low: (number | null)[][]; high: (number | null)[][]; colors: string[] };
		const { ctx } = chart;
		const x = chart.scales.x!;
		const y = chart.scales.y!;
		ctx.save();
		ctx.globalAlpha = 0.16;
		low.forEach((lows, series) => {
			const highs = high[series] ?? [];
			ctx.fillStyle = colors[series] ?? '#888';
			let segment: number[] = [];
			const flush = () => {
				if (segment.length > 0) {
					ctx.beginPath();
					segment.forEach((index, n) =>
						(n === 0 ? ctx.moveTo : ctx.lineTo).call(ctx, x.getPixelForValue(index), y.getPixelForValue(highs[index]!)),
					);
					// A single run still gets a visible band: a narrow bar around its point.
					if (segment.length === 1)
						ctx.rect(
							x.getPixelForValue(segment[0]!) - 4,
							y.getPixelForValue(highs[segment[0]!]!),
							8,
							y.getPixelForValue(lows[segment[0]!]!) - y.getPixelForValue(highs[segment[0]!]!),
						);
					else for (const index of [...segment].reverse()) ctx.lineTo(x.getPixelForValue(index), y.getPixelForValue(lows[index]!));
					ctx.closePath();
					ctx.fill();
				}
				segment = [];
			};
			lows.forEach((low, index) => (low === null || highs[index] === null || highs[index] === undefined ? flush() : segment.push(index)));
			flush();
		});
		ctx.restore();
	},
};

/**
 * What every chart shares: drawn at once (nothing moves for readers who prefer reduced motion, and the
 * canvas is complete when the page is), sized by its box, and with room around the plot so points and
 * whiskers at 0 % or 100 % are drawn whole rather than cut at the frame.
 */
const COMMON_OPTIONS = {
	animation: false,
	responsive: true,
	maintainAspectRatio: false,
	layout: { padding: { top: 10, right: 12, bottom: 4, left: 4 } },
} as const;

const percentAxis = (colors: Palette, title: string) => ({
	min: 0,
	max: 100,
	title: { display: true, text: title, color: colors.fg },
	ticks: { color: colors.muted, callback: (value: string | number) => `${value} %` },
	grid: { color: colors.line },
});

function acceptanceConfig(spec: AcceptanceChartSpec, colors: Palette): ChartConfiguration<'bar'> {
	return {
		type: 'bar',
		data: {
			labels: spec.models,
			datasets: [{ label: 'Acceptance', data: spec.value, backgroundColor: colors.series[0], maxBarThickness: 48 }],
		},
		options: {
			...COMMON_OPTIONS,
			plugins: {
				legend: { display: false },
				tooltip: {
					callbacks: {
						label: (item: TooltipItem<'bar'>) => `${item.parsed.y} % (95 % CI ${spec.low[item.dataIndex]}–${spec.high[item.dataIndex]} %)`,
					},
				},
				intervalWhiskers: { low: spec.low, high: spec.high, color: colors.fg },
			},
			scales: {
				x: { ticks: { color: colors.fg }, grid: { display: false } },
				y: percentAxis(colors, 'Acceptance rate'),
			},
		},
		plugins: [intervalWhiskers],
	};
}

function latencyConfig(spec: LatencyChartSpec, colors: Palette): ChartConfiguration<'scatter'> {
	return {
		type: 'scatter',
		data: {
			datasets: spec.series.map((series, index) => ({
				label: series.label,
				data: series.points.map((point) => ({ x: point.x, y: point.y })),
				backgroundColor: colors.series[index % colors.series.length],
				borderColor: colors.series[index % colors.series.length],
				pointRadius: 5,
				pointHoverRadius: 7,
				// Points at 0 % or 100 % sit on the frame: draw them whole.
				clip: false,
			})),
		},
		options: {
			...COMMON_OPTIONS,
			plugins: {
				legend: { labels: { color: colors.fg } },
				tooltip: {
					callbacks: {
						label: (item) => {
							const point = spec.series[item.datasetIndex]?.points[item.dataIndex];
							return point ? `${series(spec, item.datasetIndex)} · ${point.model}: ${point.y} % at ${point.x} ms` : '';
						},
					},
				},
			},
			scales: {
				x: {
					type: 'linear',
					min: 0,
					title: { display: true, text: 'p50 latency (ms)', color: colors.fg },
					ticks: { color: colors.muted },
					grid: { color: colors.line },
				},
				y: percentAxis(colors, 'Acceptance rate'),
			},
		},
	};
}

const series = (spec: LatencyChartSpec, index: number) => spec.series[index]?.label ?? '';

function trendConfig(spec: TrendChartSpec, colors: Palette): ChartConfiguration<'line'> {
	return {
		type: 'line',
		data: {
			labels: spec.runs,
			datasets: spec.series.map((entry, index) => ({
				label: entry.label,
				data: entry.values,
				borderColor: colors.series[index % colors.series.length],
				backgroundColor: colors.series[index % colors.series.length],
				pointRadius: 4,
				spanGaps: false,
				clip: false,
			})),
		},
		options: {
			...COMMON_OPTIONS,
			plugins: {
				legend: { labels: { color: colors.fg } },
				tooltip: {
					callbacks: {
						label: (item: TooltipItem<'line'>) => {
							const entry = spec.series[item.datasetIndex];
							return `${entry?.label}: ${item.parsed.y} % (95 % CI ${entry?.low[item.dataIndex]}–${entry?.high[item.dataIndex]} %)`;
						},
					},
				},
				intervalBands: {
					low: spec.series.map((entry) => entry.low),
					high: spec.series.map((entry) => entry.high),
					colors: spec.series.map((_, index) => colors.series[index % colors.series.length]!),
				},
			},
			scales: {
				x: { ticks: { color: colors.muted }, grid: { color: colors.line } },
				y: percentAxis(colors, 'Acceptance rate'),
			},
		},
		plugins: [intervalBands],
	};
}

const charts = new Map<HTMLCanvasElement, { destroy(): void }>();

function draw(canvas: HTMLCanvasElement): void {
	let spec: ChartSpec;
	try {
		spec = JSON.parse(canvas.dataset.chart ?? '') as ChartSpec;
	} catch {
		return;
	}
	charts.get(canvas)?.destroy();
	const colors = palette(canvas);
	charts.set(
		canvas,
		spec.kind === 'acceptance'
			? new Chart(canvas, acceptanceConfig(spec, colors))
			: spec.kind === 'latency'
				? new Chart(canvas, latencyConfig(spec, colors))
				: new Chart(canvas, trendConfig(spec, colors)),
	);
}

function drawAll(): void {
	for (const canvas of document.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]')) draw(canvas);
}

drawAll();
// Redraw with the other palette when the reader switches between light and dark.
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', drawAll);
