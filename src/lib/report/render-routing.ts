import type { CostSummary, Report, RouteVerdict } from '../schema/report.ts';

/** "price not set" for a dollar figure the owner has not priced; never $0. */
export function dollars(value: number | null | undefined, digits = 4): string {
	return value === null || value === undefined ? 'price not set' : `$${value.toFixed(digits)}`;
}

/** One side of the comparison as table cells: accepted, tokens, time and dollars. */
export function costCells(cost: CostSummary | null): string[] {
	if (!cost) return ['—', '—', '—', '—', '—', '—'];
	return [
		`${cost.accepted} / ${cost.cases}`,
		`${cost.tokens_in} / ${cost.tokens_out}`,
		cost.wall_ms_per_case === null ? '—' : `${(cost.wall_ms_per_case / 1000).toFixed(1)} s`,
		cost.gpu_hours === null ? '—' : `${(cost.gpu_hours * 3600).toFixed(1)} s`,
		dollars(cost.usd_per_case),
		dollars(cost.usd_per_accepted),
	];
}

/** The header of the comparison table, shared by the report body and the role page. */
export const COST_COLUMNS = ['Accepted', 'Tokens in / out', 'Wall time per case', 'GPU time', 'Cost per case', 'Cost per accepted answer'];

/**
 * The report's "Routing" section: per role where the work goes and why, then the comparison table for
 * each role with a baseline, and what the baseline did this run. Empty for a report without routing. Pure.
 */
export function renderRoutingSection(report: Pick<Report, 'routing' | 'baseline_run' | 'costs'>): string[] {
	const routing = report.routing ?? [];
	if (routing.length === 0) return [];
	const lines = ['## Routing: local or frontier', ''];
	for (const verdict of routing) lines.push(`- \`${verdict.role}\` — ${verdict.outcome}: ${cell(verdict.reason)}`);
	lines.push('');
	const run = report.baseline_run;
	if (run) {
		lines.push(
			`Frontier baseline this run: ${run.billed_calls} billed call(s) of at most ${run.max_calls_per_run}, ${dollars(run.spent_usd)} spent${run.budget_usd_per_run === null ? '' : ` of a $${run.budget_usd_per_run} budget`}${run.stopped ? `; stopped: ${cell(run.stopped)}` : ''}.`,
			'',
		);
	}
	for (const verdict of routing.filter((entry) => entry.baseline !== null)) lines.push(...comparisonTable(verdict));
	lines.push(...renderCostTable(report.costs ?? []));
	return lines;
}

/** Every model's cost per role: what an accepted answer costs on each, local GPU time or billed tokens. */
function renderCostTable(costs: NonNullable<Report['costs']>): string[] {
	if (costs.length === 0) return [];
	return [
		'### Cost per accepted answer, every model',
		'',
		`| Role | Model | ${COST_COLUMNS.join(' | ')} |`,
		`|---|---|${COST_COLUMNS.map(() => '---').join('|')}|`,
		...costs.map(
			(row) =>
				`| \`${row.role}\` | ${cell(row.model)}${row.kind === 'frontier' ? ' (frontier)' : ''} | ${costCells(row.cost).join(' | ')} |`,
		),
		'',
	];
}

function comparisonTable(verdict: RouteVerdict): string[] {
	const difference = verdict.difference
		? `frontier − local acceptance ${points(verdict.difference.value)} (one-sided ${Math.round((1 - verdict.alpha) * 100)} % bounds ${points(verdict.difference.low)} to ${points(verdict.difference.high)}), margin ${points(verdict.margin)}`
		: 'no paired cases';
	return [
		`### \`${verdict.role}\`: ${verdict.incumbent} against ${verdict.answered_by ?? verdict.baseline}`,
		'',
		`| Model | ${COST_COLUMNS.join(' | ')} |`,
		`|---|${COST_COLUMNS.map(() => '---').join('|')}|`,
		`| ${cell(verdict.incumbent)} (local) | ${costCells(verdict.cost.local).join(' | ')} |`,
		`| ${cell(verdict.answered_by ?? verdict.baseline ?? '')} (frontier) | ${costCells(verdict.cost.frontier).join(' | ')} |`,
		'',
		`- ${verdict.cases} paired case(s): both accepted ${verdict.pairs.both}, only the frontier ${verdict.pairs.only_frontier}, only local ${verdict.pairs.only_local}, neither ${verdict.pairs.neither}; ${difference}.`,
		`- Baseline cases: ${verdict.baseline_cases.answered} answered of ${verdict.baseline_cases.sampled} sampled (${verdict.baseline_cases.role_cases} in the role)${verdict.baseline_cases.not_scored > 0 ? `, ${verdict.baseline_cases.not_scored} not scored this run` : ''}.`,
		...(verdict.cases_per_month === null
			? []
			: [
					`- This repository's rate: about ${verdict.cases_per_month} cases a month; ${verdict.frontier_extra_usd_per_month === null ? 'what the frontier would cost a month more: price not set' : `the frontier would cost $${verdict.frontier_extra_usd_per_month.toFixed(2)} a month more`}.`,
				]),
		...(verdict.escalation ? [`- Escalation: ${cell(verdict.escalation)}.`] : []),
		...(verdict.with_escalation?.difference
			? [
					`- With its rejections escalated: frontier − local ${points(verdict.with_escalation.difference.value)} (bounds ${points(verdict.with_escalation.difference.low)} to ${points(verdict.with_escalation.difference.high)}), ${dollars(verdict.with_escalation.usd_per_case)} per case.`,
				]
			: []),
		`- Test: ${verdict.test}.`,
		'',
	];
}

function points(share: number): string {
	return `${(share * 100).toFixed(1)} points`;
}

function cell(text: string): string {
	return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
