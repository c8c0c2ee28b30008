import { stringify } from 'yaml';
import { renderEscalationSection } from '../escalate/render-escalations.ts';
import { renderRoutingSection } from './render-routing.ts';
import { sortKeys } from '../files/stable-json.ts';
import type { Report, RoleMetrics } from '../schema/report.ts';
import { METRIC_COLUMNS, count, metricCells, ms, pct, tokensPerSecond } from '../format/format.ts';
import { notMeasured, notMeasuredLine, notRunLine } from './not-run.ts';
import { renderSequentialSection } from './sequential-summary.ts';

/**
 * The report file: typed frontmatter (exactly the `Report` data, keys sorted so runs diff cleanly) and a
 * Markdown body that reads on its own in a Git forge. Pure.
 */
export function renderReport(report: Report): string {
	const frontmatter = stringify(sortKeys(report), { lineWidth: 0 });
	return `---\n${frontmatter}---\n\n${renderBody(report)}`;
}

function renderBody(report: Report): string {
	const { manifest } = report;
	const lines: string[] = [];
	lines.push(`# ${report.title}`, '');
	lines.push(
		`Run of ${report.date}, from ${manifest.started_at} to ${manifest.finished_at} (UTC), on ${manifest.runtime.name} ${manifest.runtime.version}.`,
		'',
		`- Harness commit: \`${manifest.harness.commit ?? 'unknown'}\`${manifest.harness.dirty ? ' (with uncommitted changes)' : ''}`,
		`- Ollama: ${manifest.ollama.map((o) => `${o.version ?? 'unknown version'} at ${o.host}`).join('; ')}`,
		`- Repeats per case: ${manifest.repeats}; model calls made: ${manifest.model_calls} (the rest came from the answer cache)`,
		...(manifest.answers_from_older_ollama
			? [
					`- Answers reused from another Ollama version (an older one, or one the cache did not record): ${manifest.answers_from_older_ollama}; \`run.reask_after_upgrade: true\` in policy.yaml asks them again`,
				]
			: []),
		`- Policy hash \`${manifest.policy_hash.slice(0, 12)}\`, cases hash \`${manifest.cases_hash.slice(0, 12)}\``,
		`- Every case result: \`${manifest.results_file}\``,
		'',
	);
	const notRun = report.not_run ?? [];
	if (notRun.length > 0) {
		const total = notRun.reduce((sum, summary) => sum + summary.count, 0);
		lines.push(
			`**${count(total, 'case')} not run**: the server could not serve them after the retries (${notRun.map((summary) => `${cell(summary.model)} in \`${summary.role}\`: ${notRunLine(summary)}`).join('; ')}). They are in no metric and no gate, and the next run asks them again.`,
			'',
		);
	}
	const unmeasured = notMeasured(report);

	lines.push('## Models', '', '| Model | Digest | Family | Parameters | Quantization |', '|---|---|---|---|---|');
	for (const model of manifest.models) {
		lines.push(
			`| ${cell(model.id)} | ${model.digest ? `\`${model.digest.slice(0, 12)}\`` : 'missing'} | ${cell(model.family ?? '—')} | ${cell(model.parameter_size ?? '—')} | ${cell(model.quantization ?? '—')} |`,
		);
	}
	lines.push('');

	const roles = [...new Set([...report.metrics.map((row) => row.role), ...notRun.map((summary) => summary.role)])].sort();
	for (const role of roles) {
		const rows = report.metrics.filter((row) => row.role === role);
		lines.push(`## Role \`${role}\``, '');
		if (rows.length > 0) {
			lines.push(
				`| Model | ${METRIC_COLUMNS.slice(0, 4).join(' | ')} | p50 / p95 latency | TTFT p50 | Tokens/s | Load |`,
				'|---|---|---|---|---|---|---|---|---|',
			);
			for (const row of rows) lines.push(metricsRow(row));
			lines.push('');
		}
		const roleNotRun = notRun.filter((summary) => summary.role === role);
		if (roleNotRun.length > 0) {
			for (const summary of roleNotRun) {
				const line = unmeasured.includes(summary)
					? `${notMeasuredLine(summary)} (no metrics, no verdict)`
					: `${notRunLine(summary)} (the metrics above are over the cases it ran)`;
				lines.push(`- ${cell(summary.model)}: ${cell(line)}`);
			}
			lines.push('');
		}
		const failures = rows.filter((row) => row.hard_failures > 0);
		if (failures.length > 0) {
			for (const row of failures) {
				const classes = Object.entries(row.hard_failures_by_class)
					.sort(([a], [b]) => a.localeCompare(b))
					.map(([name, count]) => `${name} ${count}`)
					.join(', ');
				lines.push(`- ${cell(row.model)} hard failures: ${classes}`);
			}
			lines.push('');
		}
	}

	lines.push(...renderValiditySection(report));
	lines.push(...renderSequentialSection(report.sequential));

	lines.push('## Promotion log', '');
	if (report.verdicts.length === 0) lines.push('No challengers were judged in this run.', '');
	else {
		for (const verdict of report.verdicts) lines.push(`- \`${verdict.role}\` — ${verdict.outcome}: ${verdict.reason}`);
		lines.push('');
	}
	lines.push('### Proposed registry changes', '');
	if (report.proposals.length === 0) lines.push('None: every role keeps its incumbent and its challengers.', '');
	else {
		for (const proposal of report.proposals) {
			const what =
				proposal.kind === 'promote'
					? `promote ${proposal.model} to incumbent of \`${proposal.role}\`, replacing ${proposal.replaces}`
					: `retire ${proposal.model} from \`${proposal.role}\``;
			lines.push(`- ${what} (${proposal.reason})`);
		}
		lines.push('', 'Apply them with `npm run promote`.', '');
	}
	if (report.held_proposals.length > 0) {
		lines.push(
			'### Held by the diversity guard',
			'',
			'Judged together with the proposals above, these would leave a role with too few families:',
			'',
		);
		for (const held of report.held_proposals)
			lines.push(
				`- ${held.proposal.kind} ${held.proposal.model} in \`${held.proposal.role}\` — ${held.reason} (proposed because: ${held.proposal.reason})`,
			);
		lines.push('');
	}
	lines.push(...renderEscalationSection(report.escalations));
	lines.push(...renderRoutingSection(report));
	return `${lines.join('\n')}`;
}

/**
 * The grader-validity table: per task, how often the reference and the best junk answer were accepted on
 * this run's cases, so a reader knows whether "accepted" meant something before trusting a rate.
 */
function renderValiditySection(report: Report): string[] {
	const lines = ['## Grader validity', ''];
	if (report.grader_validity.length === 0) return [...lines, 'No grader was measured in this run.', ''];
	lines.push(
		"Each task's grader is run on its cases with the reference answer (what the history did) and with junk made without understanding the case. A grader is valid when the reference is accepted on at least 90 % of the cases and no junk above its limit; a role whose grader is not valid gets no promotion.",
		'',
		'| Task | Grader | Cases | Reference accepted | Best junk | Junk accepted | Junk limit | Chance level | Valid |',
		'|---|---|---|---|---|---|---|---|---|',
	);
	for (const entry of report.grader_validity) {
		const best = entry.best_junk;
		lines.push(
			`| ${entry.task} | v${entry.grader_version} | ${entry.cases} | ${pct(entry.reference.rate)} | ${best ? cell(best.name) : '—'} | ${best ? pct(best.rate) : '—'} | ${pct(entry.junk_limit)} | ${entry.chance ? `${pct(entry.chance.rate)} (always ${entry.chance.answer})` : '—'} | ${entry.valid ? 'yes' : 'no'} |`,
		);
	}
	lines.push('');
	for (const entry of report.grader_validity) if (!entry.valid && entry.reason) lines.push(`- Not valid: ${cell(entry.reason)}`);
	if (report.grader_validity.some((entry) => !entry.valid)) lines.push('');
	return lines;
}

function metricsRow(row: RoleMetrics): string {
	return `| ${cell(row.model)} | ${metricCells(row).join(' | ')} | ${ms(row.latency_ms.p50)} / ${ms(row.latency_ms.p95)} | ${ms(row.ttft_ms_p50)} | ${tokensPerSecond(row.tokens_per_s)} | ${ms(row.load_ms)} |`;
}

/** Escapes text for a Markdown table cell. */
function cell(text: string): string {
	return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
