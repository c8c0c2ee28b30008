import type { BaselineOutcome } from '../baseline/run-baseline.ts';
import { count, pct } from '../format/format.ts';
import { billedCost, gpuHours, pricesOf } from '../metrics/cost.ts';
import type { NotAsked } from '../run/run-benchmark.ts';
import type { Model } from '../schema/model.ts';
import type { SequentialMode } from '../schema/policy.ts';
import type { CaseResult, SequentialStop, SequentialSummary } from '../schema/report.ts';

export interface SequentialSavingsInput {
	mode: SequentialMode;
	/** The stop rule's record: one entry per watched challenger and baseline per role. */
	stops: readonly SequentialStop[];
	/** What the local run left unasked, per role and model. */
	notAsked: readonly NotAsked[];
	/** Every local result of the run: a stopped model's GPU time per call is measured on its own answers. */
	results: readonly CaseResult[];
	/** Chat calls the local run made. */
	modelCalls: number;
	baseline?: BaselineOutcome;
	catalog: ReadonlyMap<string, Model>;
}

/**
 * What `evidence.sequential` saved against asking every case: the calls not made (local units and billed
 * baseline calls), the calls a run of everything would have made (those made plus those saved), the GPU
 * seconds not spent (per stopped model and role, its measured GPU seconds per answered call — Ollama's
 * load, prompt and generation durations, as the cost stage measures them — times its calls saved) and the
 * frontier dollars not spent (per stopped baseline, its mean billed cost per answer at models.yaml's prices
 * times its calls saved). A figure that cannot be measured for every model it covers is null, never 0:
 * no answer with durations ("not measured"), no price ("price not set"), or nothing of that kind
 * stopped. Pure.
 */
export function summarizeSequential(input: SequentialSavingsInput): SequentialSummary {
	const local = input.notAsked.filter((entry) => entry.units > 0);
	const baseline = (input.baseline?.roles ?? []).filter((role) => role.notAsked > 0);
	const saved = local.reduce((sum, entry) => sum + entry.units, 0) + baseline.reduce((sum, role) => sum + role.notAsked, 0);
	const made = input.modelCalls + (input.baseline?.run.billed_calls ?? 0);
	const gpu = local.map((entry) => {
		const perCall = gpuSecondsPerCall(input.results.filter((result) => result.role === entry.role && result.model === entry.model));
		return perCall === null ? null : perCall * entry.units;
	});
	const usd = baseline.map((role) => {
		const model = input.catalog.get(role.model);
		if (!model || role.answers.length === 0) return null;
		const costs = role.answers.map((answer) => billedCost(answer.usage, pricesOf(model)));
		if (costs.some((cost) => cost === null)) return null;
		return (costs.reduce<number>((sum, cost) => sum + cost!, 0) / costs.length) * role.notAsked;
	});
	return {
		mode: input.mode,
		stops: [...input.stops].sort((a, b) => a.role.localeCompare(b.role) || a.model.localeCompare(b.model)),
		saved: {
			calls: saved,
			full_calls: made + saved,
			gpu_s: sumOrNull(gpu, 1),
			usd: sumOrNull(usd, 6),
		},
	};
}

/** Mean GPU seconds of the answers that carry Ollama's durations (cached ones keep those of the call that made them); null without any. */
function gpuSecondsPerCall(results: readonly CaseResult[]): number | null {
	const measured = results.map((result) => gpuHours(result) * 3600).filter((seconds) => seconds > 0);
	return measured.length === 0 ? null : measured.reduce((sum, seconds) => sum + seconds, 0) / measured.length;
}

/** The sum when every part is known and there is one; otherwise null (unknown, or nothing of that kind saved). */
function sumOrNull(parts: readonly (number | null)[], digits: number): number | null {
	if (parts.length === 0 || parts.some((part) => part === null)) return null;
	const factor = 10 ** digits;
	return Math.round(parts.reduce<number>((sum, part) => sum + part!, 0) * factor) / factor;
}

/** How a reader sees one stop: `answered 23 of 120`. Pure. */
export function answeredOfPlanned(stop: Pick<SequentialStop, 'answered' | 'planned'>): string {
	return `${stop.answered} of ${stop.planned}`;
}

/** The GPU seconds saved as a reader sees them: `412.5 s`, or why there is no figure. Pure. */
export function gpuSaved(summary: SequentialSummary): string {
	if (summary.saved.gpu_s !== null) return `${summary.saved.gpu_s.toFixed(1)} s`;
	return summary.stops.some((stop) => stop.kind === 'challenger' && stop.stopped) ? 'not measured' : 'none (no local model stopped)';
}

/** The frontier dollars saved as a reader sees them: `$0.0123`, or why there is no figure. Pure. */
export function usdSaved(summary: SequentialSummary): string {
	if (summary.saved.usd !== null) return `$${summary.saved.usd.toFixed(4)}`;
	return summary.stops.some((stop) => stop.kind === 'baseline' && stop.stopped) ? 'price not set' : 'none (no baseline stopped)';
}

/** The run's totals in one sentence. Pure. */
export function savedSentence(summary: SequentialSummary): string {
	const { calls, full_calls: full } = summary.saved;
	const share = full > 0 ? ` (${pct(calls / full)})` : '';
	return `${count(calls, 'model call')} saved of ${full} a run of every case would have made${share}; GPU seconds saved: ${gpuSaved(summary)}; frontier dollars saved: ${usdSaved(summary)}.`;
}

/** The report body's "Stopped early" section, or nothing when the run had no sequential evaluation. Pure. */
export function renderSequentialSection(summary: SequentialSummary | undefined): string[] {
	if (!summary) return [];
	const lines = ['## Stopped early', ''];
	lines.push(
		`Sequential evaluation (\`evidence.sequential: ${summary.mode}\`): a challenger or a frontier baseline whose verdict was settled was asked no further case. ${savedSentence(summary)}`,
		'',
	);
	if (summary.stops.length === 0) return [...lines, 'No challenger or baseline was watched in this run.', ''];
	lines.push('| Role | Model | Answered | Reason |', '|---|---|---|---|');
	for (const stop of summary.stops) {
		const model = stop.kind === 'baseline' ? `${cell(stop.model)} (frontier baseline)` : cell(stop.model);
		lines.push(`| \`${stop.role}\` | ${model} | ${answeredOfPlanned(stop)} | ${cell(stop.reason)} |`);
	}
	lines.push('');
	return lines;
}

function cell(text: string): string {
	return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
