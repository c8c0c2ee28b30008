import { NOT_RUN_REASONS, NOT_RUN_REASON_TEXT, type NotRunCase, type NotRunSummary, type Report } from '../schema/report.ts';
import { count } from '../format/format.ts';

/** The server's own words in a failure message: without "loading m failed: " and "HTTP 503: ". Pure. */
export function serverText(message: string): string {
	return message.replace(/^loading \S+ failed: /, '').replace(/^HTTP \d{3}: /, '');
}

/** Per role × model, sorted: how many results were not run, by reason, whether the load failed, the last message. Pure. */
export function summarizeNotRun(entries: readonly NotRunCase[]): NotRunSummary[] {
	const groups = new Map<string, NotRunCase[]>();
	for (const entry of entries) {
		const key = `${entry.role}\u0000${entry.model}`;
		groups.set(key, [...(groups.get(key) ?? []), entry]);
	}
	return [...groups.values()]
		.map((group) => {
			const reasons: NotRunSummary['reasons'] = {};
			for (const reason of NOT_RUN_REASONS) {
				const n = group.filter((entry) => entry.reason === reason).length;
				if (n > 0) reasons[reason] = n;
			}
			return {
				role: group[0]!.role,
				model: group[0]!.model,
				count: group.length,
				reasons,
				load_failed: group.every((entry) => entry.stage === 'load'),
				message: serverText(group.at(-1)!.message),
			};
		})
		.sort((a, b) => a.role.localeCompare(b.role) || a.model.localeCompare(b.model));
}

/** `12 cases not run: server busy`, or with several reasons `3 cases not run: server busy 2, out of memory 1`. Pure. */
export function notRunLine(summary: NotRunSummary): string {
	const reasons = NOT_RUN_REASONS.filter((reason) => summary.reasons[reason]);
	const why =
		reasons.length === 1
			? NOT_RUN_REASON_TEXT[reasons[0]!]
			: reasons.map((reason) => `${NOT_RUN_REASON_TEXT[reason]} ${summary.reasons[reason]}`).join(', ');
	return `${count(summary.count, 'case')} not run: ${why}`;
}

/** `not measured: load failed — model requires more system memory (…) than is available (…)`. Pure. */
export function notMeasuredLine(summary: NotRunSummary): string {
	const reasons = NOT_RUN_REASONS.filter((reason) => summary.reasons[reason]);
	const what = summary.load_failed ? 'load failed' : reasons.map((reason) => NOT_RUN_REASON_TEXT[reason]).join(', ');
	return `not measured: ${what} — ${summary.message}`;
}

/** The role × model pairs a report could not measure at all: every one of their results was not run. Pure. */
export function notMeasured(report: Pick<Report, 'metrics' | 'not_run'>): NotRunSummary[] {
	return (report.not_run ?? []).filter(
		(summary) => !report.metrics.some((row) => row.role === summary.role && row.model === summary.model),
	);
}
