import type { Policy } from '../schema/policy.ts';
import type { Role } from '../schema/role.ts';
import type { Report, Verdict } from '../schema/report.ts';

type Proposal = Report['proposals'][number];

/** What retirement and confirmation rules read from earlier runs. */
export type RunHistory = readonly Pick<Report, 'metrics' | 'manifest' | 'verdicts'>[];

/**
 * How many earlier runs the rules can look at: confirmation counts consecutive wins only up to
 * `confirm_runs` − 1, and retirement looks at the last N runs, this one included. A history cut to
 * this many newest runs decides exactly as the whole history does. At least one, the newest run,
 * which an unchanged rebuild compares itself with.
 */
export function historyDepth(policy: Pick<Policy, 'evidence' | 'retirement'>): number {
	return Math.max(
		1,
		policy.evidence.confirm_runs - 1,
		policy.retirement.all_hard_failures_runs - 1,
		policy.retirement.missing_model_runs - 1,
	);
}

/** A promotion verdict becomes a proposal to write into the registry. */
export function promotionProposals(verdicts: readonly Verdict[]): Proposal[] {
	return verdicts
		.filter((verdict) => verdict.outcome === 'promote')
		.map((verdict) => ({
			kind: 'promote',
			role: verdict.role,
			model: verdict.challenger,
			replaces: verdict.incumbent,
			reason: verdict.reason,
		}));
}

/** Whether a verdict means the challenger won that run (promoted, or held only for confirmation). */
const won = (verdict: Verdict | undefined) =>
	verdict !== undefined && (verdict.outcome === 'promote' || verdict.gates.some((gate) => gate.gate === 'confirm_runs'));

/**
 * For each challenger of `role`, how many consecutive runs it won just before this one (newest first):
 * what the "confirmed in N consecutive runs" rule counts.
 */
export function earlierWins(role: Role, history: RunHistory): Map<string, number> {
	const wins = new Map<string, number>();
	for (const challenger of role.challengers) {
		let count = 0;
		for (const run of [...history].reverse()) {
			if (!won(run.verdicts.find((verdict) => verdict.role === role.role && verdict.challenger === challenger))) break;
			count++;
		}
		wins.set(challenger, count);
	}
	return wins;
}

/**
 * Retirement proposals from the same data, by the rules in policy.yaml: a challenger that failed hard
 * on every case, or whose model was missing from Ollama, in each of the last N runs (this one
 * included). `runs` is oldest first and ends with this run. Pure.
 */
export function retirementProposals(role: Role, runs: RunHistory, policy: Policy): Proposal[] {
	const proposals: Proposal[] = [];
	const { all_hard_failures_runs: hardRuns, missing_model_runs: missingRuns } = policy.retirement;
	for (const challenger of role.challengers) {
		const lastHard = runs.slice(-hardRuns);
		const allHard =
			lastHard.length === hardRuns &&
			lastHard.every((run) => {
				const row = run.metrics.find((m) => m.role === role.role && m.model === challenger);
				return row !== undefined && row.cases > 0 && row.hard_failures === row.cases * (run.manifest.repeats ?? 1);
			});
		const lastMissing = runs.slice(-missingRuns);
		const missing =
			lastMissing.length === missingRuns &&
			lastMissing.every((run) => run.manifest.models.some((m) => m.id === challenger && m.digest === null));
		if (missing) {
			proposals.push({
				kind: 'retire',
				role: role.role,
				model: challenger,
				reason: `missing from Ollama in each of the last ${missingRuns} run(s)`,
			});
		} else if (allHard) {
			proposals.push({
				kind: 'retire',
				role: role.role,
				model: challenger,
				reason: `failed hard on every case in each of the last ${hardRuns} run(s)`,
			});
		}
	}
	return proposals;
}
