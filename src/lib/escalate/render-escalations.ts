import { ESCALATION_OUTCOMES, type EscalationSummary } from '../schema/escalation.ts';
import { ESCALATION_OUTCOME_LABELS, count, pctOrDash } from '../format/format.ts';

/**
 * The escalation accounting of a run told in sentences, for the report body and the run page alike:
 * how many rejections were escalated, how many the chain overturned (and whether the history agrees),
 * what the frontier API cost. Plain text, model ids as they are. Pure.
 */
export function escalationSentences(summary: EscalationSummary): string {
	const tasks = summary.tasks.join(' or ');
	if (summary.incumbent === null) return `The ${summary.role} role had no incumbent whose rejections could be escalated.`;
	if (summary.escalations === 0)
		return `${summary.incumbent}, the ${summary.role} incumbent, rejected none of its ${count(summary.results, `${tasks} result`)}: nothing was escalated.`;
	const sentences = [
		`${summary.escalations} of the ${count(summary.results, `${tasks} result`)} of ${summary.incumbent}, the ${summary.role} incumbent, were rejections (${pctOrDash(summary.escalation_rate)}), and each was escalated.`,
		summary.resolved === 0
			? 'No step of the chain answered with a verdict.'
			: `The chain gave a verdict on ${summary.resolved} of them and overturned ${summary.overturned === summary.resolved && summary.resolved > 1 ? 'all' : summary.overturned} (${pctOrDash(summary.overturn_rate)})` +
				(summary.overturned > 0
					? `: ${summary.overturned_right} on a change the history shows was clean, ${summary.overturned_wrong} on a change a later commit had to fix.`
					: '.'),
		`The frontier API was called ${count(summary.frontier.calls, 'time')} (budget ${summary.frontier.budget} per run)${summary.frontier.cached > 0 ? `, with ${count(summary.frontier.cached, 'answer')} from the cache` : ''}, for ${summary.frontier.input_tokens} input and ${summary.frontier.output_tokens} output tokens.`,
	];
	return sentences.join(' ');
}

/** The outcomes that happened in at least one step: the only ones worth a column. Pure. */
export function escalationOutcomesSeen(summary: EscalationSummary) {
	return ESCALATION_OUTCOMES.filter((outcome) => summary.steps.some((step) => (step.outcomes[outcome] ?? 0) > 0));
}

/**
 * The report's "Turbo escalation" section, as Markdown lines: the accounting in sentences, then each step
 * of the chain with its outcomes, calls and tokens. Pure.
 */
export function renderEscalationSection(summary: EscalationSummary | undefined): string[] {
	const lines = ['## Turbo escalation', ''];
	if (!summary) return [...lines, 'Escalation was turned off in the policy for this run.', ''];
	const tasks = summary.tasks.map((task) => `\`${task}\``).join(' or ');
	if (summary.incumbent === null) return [...lines, `The \`${summary.role}\` role has no incumbent: nothing was escalated.`, ''];
	lines.push(
		`When \`${cell(summary.incumbent)}\`, the \`${summary.role}\` incumbent, rejects a change on a ${tasks} case, the chain below is asked in order until a step answers. ` +
			"Escalations never change the incumbent's own metrics above.",
		'',
		cell(escalationSentences(summary)),
		'',
	);
	if (summary.escalations === 0) return lines;
	const outcomes = escalationOutcomesSeen(summary);
	lines.push(
		`| Step | Provider | Model | ${outcomes.map((outcome) => ESCALATION_OUTCOME_LABELS[outcome]).join(' | ')} | Calls | Tokens in / out |`,
		`|---|---|---|${outcomes.map(() => '---|').join('')}---|---|`,
	);
	summary.steps.forEach((step, index) => {
		const counts = outcomes.map((outcome) => `${step.outcomes[outcome] ?? 0} | `).join('');
		lines.push(
			`| ${index + 1} | ${step.provider} | ${cell(step.model)} | ${counts}${step.calls} | ${step.input_tokens} / ${step.output_tokens} |`,
		);
	});
	lines.push('');
	return lines;
}

/** Escapes text for a Markdown table cell or inline code. */
function cell(text: string): string {
	return text.replace(/\|/g, '\\|').replace(/`/g, "'").replace(/\n/g, ' ');
}
