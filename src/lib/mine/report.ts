import type { BalanceStats } from './match-approves.ts';
import type { MineResult } from './mine.ts';
import type { Budget, SkipReason } from './types.ts';
import type { WriteOutcome, WriteStatus } from './write-cases.ts';

/** `a 2, b 1` in descending count, then by name, or `none`. */
export function formatCounts(counts: Partial<Record<string, number>>): string {
	const entries = Object.entries(counts)
		.filter((entry): entry is [string, number] => (entry[1] ?? 0) > 0)
		.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
	return entries.length === 0 ? 'none' : entries.map(([name, count]) => `${name} ${count}`).join(', ');
}

const STATUS_ORDER: WriteStatus[] = ['written', 'would-write', 'unchanged', 'overwritten', 'would-overwrite', 'would-change'];

/**
 * The miner's summary: per task the cases found and the candidates skipped by reason, the commits skipped
 * before any task by reason, every secret found (case, field, rule — never the secret), and what happened to
 * the files. Paths are listed for files that would change, and for every file in a dry run.
 */
export function formatSummary(
	result: MineResult,
	outcomes: WriteOutcome[],
	context: { budget: Budget; dryRun: boolean; outDir?: string },
): string[] {
	const lines = [
		`Mined ${result.repository.name}: ${result.commitsRead} commits read (num_ctx ${context.budget.numCtx}, num_predict ${context.budget.numPredict}).`,
		`Commits skipped by reason: ${formatCounts(result.commitSkips)}.`,
	];
	for (const tally of result.tallies) {
		lines.push(
			`  ${tally.task}: ${tally.found} case${tally.found === 1 ? '' : 's'}; skipped: ${formatCounts(tally.skipped as Partial<Record<SkipReason, number>>)}.`,
		);
	}
	if (result.fixes) {
		const { behavioural = 0, ...others } = result.fixes.byKind;
		lines.push(
			`Fixes: ${behavioural} behavioural, traced by SZZ (${result.fixes.security} of them security fixes); not traced: ${formatCounts(others)}.`,
		);
	}
	for (const entry of result.balance) {
		const show = (stats: BalanceStats) =>
			stats.count === 0
				? '0'
				: `${stats.count} (median ${stats.medianLines} lines, ${stats.firstDate}..${stats.lastDate}, median ${stats.medianDate})`;
		lines.push(
			`  ${entry.task} balance: reject ${show(entry.rejects)}; approve ${show(entry.approves)}; rejects without a match ${entry.unmatched}.`,
		);
	}
	if (result.coder) {
		const { reasons, runs, installs } = result.coder;
		const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
		lines.push(
			`  implement-change validation: ${runs.made} test run${runs.made === 1 ? '' : 's'} (${seconds(runs.ms)}), ${runs.cached} from the cache; ${installs.made} install${installs.made === 1 ? '' : 's'} made (${seconds(installs.ms)}), ${installs.linked} worktree${installs.linked === 1 ? '' : 's'} given a cached install, ${installs.refused} refused one.`,
		);
		if (Object.keys(reasons).length > 0) lines.push(`  implement-change could not run: ${formatCounts(reasons)}.`);
	}
	for (const finding of result.secrets) {
		lines.push(`Secret: dropped ${finding.caseId}: ${finding.ruleId} (${finding.messageId}) in ${finding.field}.`);
	}
	for (const problem of result.invalid) lines.push(`Invalid: dropped ${problem.caseId}: ${problem.message}`);
	const byStatus: Partial<Record<WriteStatus, number>> = {};
	for (const outcome of outcomes) byStatus[outcome.status] = (byStatus[outcome.status] ?? 0) + 1;
	const statusText = STATUS_ORDER.filter((status) => byStatus[status]).map((status) => `${status} ${byStatus[status]}`);
	const where = context.outDir === undefined ? '' : ` in ${context.outDir}`;
	lines.push(
		`Files${where}${context.dryRun ? ' (dry run, nothing written)' : ''}: ${statusText.length === 0 ? 'none' : statusText.join(', ')}.`,
	);
	for (const outcome of outcomes) {
		if (context.dryRun || outcome.status === 'would-change') lines.push(`  ${outcome.status}: ${outcome.path}`);
	}
	if (byStatus['would-change']) lines.push('Files marked would-change were kept as they are; pass --force to replace them.');
	return lines;
}
