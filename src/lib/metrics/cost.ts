import type { Model } from '../schema/model.ts';
import type { CaseResult, CostSummary } from '../schema/report.ts';

/** A paid model's prices from models.yaml, US dollars per million tokens; an unset price is undefined, never 0. */
export interface TokenPrices {
	in?: number;
	out?: number;
	cacheWrite?: number;
	cacheRead?: number;
}

/** What one frontier answer was billed for, from the API's `usage`. */
export interface BilledUsage {
	input_tokens: number;
	output_tokens: number;
	cache_creation_input_tokens: number;
	cache_read_input_tokens: number;
}

/**
 * The dollars one answer cost: every billed token at its price (thinking tokens are inside
 * `output_tokens`; cache writes and reads have prices of their own). Null when a price the usage needs
 * is not set. Pure.
 */
export function billedCost(usage: BilledUsage, prices: TokenPrices): number | null {
	const parts: [number, number | undefined][] = [
		[usage.input_tokens, prices.in],
		[usage.output_tokens, prices.out],
		[usage.cache_creation_input_tokens, prices.cacheWrite],
		[usage.cache_read_input_tokens, prices.cacheRead],
	];
	let dollars = 0;
	for (const [tokens, price] of parts) {
		if (tokens === 0) continue;
		if (price === undefined) return null;
		dollars += (tokens * price) / 1e6;
	}
	return dollars;
}

/**
 * The GPU time a local answer took, in hours, from Ollama's own durations: load, prompt evaluation and
 * generation (not the wall time, which also counts queueing and the stream). Pure.
 */
export function gpuHours(result: Pick<CaseResult, 'load_ms' | 'prompt_eval_duration_ns' | 'eval_duration_ns'>): number {
	const seconds = (result.load_ms ?? 0) / 1000 + ((result.prompt_eval_duration_ns ?? 0) + result.eval_duration_ns) / 1e9;
	return seconds / 3600;
}

/**
 * Tokens, wall time and dollars over a model's answers to a role's cases, with cost per case and per
 * accepted answer. `dollarsOf` gives one answer's cost, null when its price is not set: then every
 * dollar figure is null ("price not set"), never 0. Pure.
 */
export function costSummary(
	results: readonly CaseResult[],
	dollarsOf: (result: CaseResult) => number | null,
	hoursOf?: (result: CaseResult) => number,
): CostSummary {
	const accepted = results.filter((result) => result.outcome === 'accepted').length;
	const latencies = results.flatMap((result) => (result.latency_ms === null ? [] : [result.latency_ms]));
	const dollars = results.map(dollarsOf);
	const priced = dollars.every((value) => value !== null);
	const total = priced ? dollars.reduce<number>((sum, value) => sum + value!, 0) : null;
	return {
		cases: results.length,
		accepted,
		tokens_in: results.reduce((sum, result) => sum + result.prompt_eval_count, 0),
		tokens_out: results.reduce((sum, result) => sum + result.eval_count, 0),
		wall_ms_per_case: latencies.length > 0 ? round(latencies.reduce((sum, value) => sum + value, 0) / latencies.length, 1) : null,
		gpu_hours: hoursOf
			? round(
					results.reduce((sum, result) => sum + hoursOf(result), 0),
					6,
				)
			: null,
		usd: total === null ? null : round(total, 6),
		usd_per_case: total === null || results.length === 0 ? null : round(total / results.length, 6),
		usd_per_accepted: total === null || accepted === 0 ? null : round(total / accepted, 6),
	};
}

function round(value: number, digits: number): number {
	const factor = 10 ** digits;
	return Math.round(value * factor) / factor;
}

/** A model's prices from models.yaml; unset stays undefined. */
export function pricesOf(model: Model): TokenPrices {
	return {
		...(model.price_per_mtok_in === undefined ? {} : { in: model.price_per_mtok_in }),
		...(model.price_per_mtok_out === undefined ? {} : { out: model.price_per_mtok_out }),
		...(model.price_per_mtok_cache_write === undefined ? {} : { cacheWrite: model.price_per_mtok_cache_write }),
		...(model.price_per_mtok_cache_read === undefined ? {} : { cacheRead: model.price_per_mtok_cache_read }),
	};
}
