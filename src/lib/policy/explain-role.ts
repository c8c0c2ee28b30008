import type { Report } from '../schema/report.ts';
import { formatP } from './verdict-text.ts';

const show = (value: number | string | null) =>
	value === null ? '—' : typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toFixed(4)) : value;
const pValues = (gate: Report['verdicts'][number]['gates'][number]) =>
	[
		gate.p_worse === undefined ? undefined : `worse ${formatP(gate.p_worse)}`,
		gate.p_better === undefined ? undefined : `better ${formatP(gate.p_better)}`,
	]
		.filter(Boolean)
		.join(', ') || '—';

/**
 * The gate table for one role of a report, as `npm run promote -- --explain <role>` prints it: every
 * verdict with each gate's two values, pass, the one-sided p-values and what the test counted, how
 * much more evidence would settle a hold, and the proposals held by the diversity guard. Pure.
 */
export function explainRole(report: Report, stem: string, role: string): string {
	const verdicts = report.verdicts.filter((verdict) => verdict.role === role);
	const rows = report.metrics.filter((row) => row.role === role);
	const lines = [`${role} — ${stem}`];
	if (rows.length === 0 && verdicts.length === 0) return `${lines[0]}\nThe report has no results and no verdicts for this role.`;
	const incumbent = verdicts[0]?.incumbent;
	if (incumbent) lines.push(`incumbent: ${incumbent}`);
	if (verdicts[0]?.alpha !== undefined) lines.push(`paired tests judged at α ${verdicts[0].alpha} (one-sided)`);
	if (verdicts.length === 0) lines.push('No challengers: nothing to decide.');
	for (const verdict of verdicts) {
		lines.push('', `${verdict.challenger}: ${verdict.outcome}`, `  ${verdict.reason}`);
		if (verdict.more_evidence) lines.push(`  more evidence that would settle it: about ${verdict.more_evidence.cases} more case(s)`);
		const table = [
			['gate', 'challenger', 'incumbent / limit', 'pass', 'p', 'counted'],
			...verdict.gates.map((gate) => [
				gate.gate,
				show(gate.challenger),
				show(gate.incumbent),
				gate.pass ? 'yes' : 'NO',
				pValues(gate),
				gate.detail ?? '',
			]),
		];
		const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
		for (const row of table)
			lines.push(
				`  ${row
					.map((cell, column) => cell.padEnd(widths[column]!))
					.join('  ')
					.trimEnd()}`,
			);
		const tests = [
			...new Set(verdict.gates.flatMap((gate) => (gate.test && gate.gate !== 'strictly_better' ? [`${gate.gate}: ${gate.test}`] : []))),
		];
		if (tests.length > 0) lines.push('  tests:', ...tests.map((test) => `    ${test}`));
	}
	const held = (report.held_proposals ?? []).filter((entry) => entry.proposal.role === role);
	if (held.length > 0)
		lines.push(
			'',
			'held by the diversity guard:',
			...held.map((entry) => `  ${entry.proposal.kind} ${entry.proposal.model}: ${entry.reason}`),
		);
	return lines.join('\n');
}
