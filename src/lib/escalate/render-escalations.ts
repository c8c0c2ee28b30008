import { ESCALATION_OUTCOMES, type EscalationSummary } from '../schema/escalation.ts';

const pct = (value: number | null) => (value === null ? '—' : `${Math.round(value * 100)} %`);
const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/**
 * The report's "Turbo escalation" section, as Markdown lines: escalations and their rate, overturns (and
 * whether the history agrees with them), each step's outcomes and tokens, the frontier calls against
 * the budget. Pure.
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
		`- Escalations: ${summary.escalations} of ${summary.results} incumbent results (${pct(summary.escalation_rate)})`,
		`- Escalated verdicts: ${summary.resolved} of ${summary.escalations} escalations got one; ${summary.overturned} overturned the rejection (${pct(summary.overturn_rate)} of those)`,
	);
	if (summary.overturned > 0) {
		lines.push(`- Of the overturns, ${summary.overturned_right} approved a change the history shows was clean and ${summary.overturned_wrong} approved a change a later commit had to fix`);
	}
	const { frontier } = summary;
	lines.push(
		`- Frontier API: ${plural(frontier.calls, 'call')} in this run (budget ${frontier.budget}), ${frontier.cached} from the cache; ${frontier.input_tokens} input and ${frontier.output_tokens} output tokens`,
		'',
		`| Step | Provider | Model | ${ESCALATION_OUTCOMES.join(' | ')} | Calls | Tokens in / out |`,
		`|---|---|---|${ESCALATION_OUTCOMES.map(() => '---').join('|')}|---|---|`,
	);
	summary.steps.forEach((step, index) => {
		const counts = ESCALATION_OUTCOMES.map((outcome) => String(step.outcomes[outcome] ?? 0));
		lines.push(`| ${index + 1} | ${step.provider} | ${cell(step.model)} | ${counts.join(' | ')} | ${step.calls} | ${step.input_tokens} / ${step.output_tokens} |`);
	});
	lines.push('');
	return lines;
}

/** Escapes text for a Markdown table cell or inline code. */
function cell(text: string): string {
	return text.replace(/\|/g, '\\|').replace(/`/g, "'").replace(/\n/g, ' ');
}
