import type { Report } from '../schema/report.ts';

const show = (value: number | string | null) => (value === null ? '—' : typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toFixed(4)) : value);

/** The gate table for one role of a report, as `npm run promote -- --explain <role>` prints it. Pure. */
export function explainRole(report: Report, stem: string, role: string): string {
	const verdicts = report.verdicts.filter((verdict) => verdict.role === role);
	const rows = report.metrics.filter((row) => row.role === role);
	const lines = [`${role} — ${stem}`];
	if (rows.length === 0 && verdicts.length === 0) return `${lines[0]}\nThe report has no results and no verdicts for this role.`;
	const incumbent = verdicts[0]?.incumbent;
	if (incumbent) lines.push(`incumbent: ${incumbent}`);
	if (verdicts.length === 0) lines.push('No challengers: nothing to decide.');
	for (const verdict of verdicts) {
		lines.push('', `${verdict.challenger}: ${verdict.outcome}`, `  ${verdict.reason}`);
		const table = [['gate', 'challenger', 'incumbent / limit', 'pass'], ...verdict.gates.map((gate) => [gate.gate, show(gate.challenger), show(gate.incumbent), gate.pass ? 'yes' : 'NO'])];
		const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
		for (const row of table) lines.push(`  ${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()}`);
	}
	return lines.join('\n');
}
