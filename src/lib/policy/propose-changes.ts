import type { Policy } from '../schema/policy.ts';
import type { Role } from '../schema/role.ts';
import type { HardFailureClass, Report, RoleMetrics, Verdict } from '../schema/report.ts';

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
 * Hard failures that are not the model's doing: the harness's prompt that did not fit, and a connection
 * lost during the answer. A case the server could not serve at all (busy, out of memory, …) is no result
 * in the first place: it is not run.
 */
const NOT_CAUSED_BY_THE_MODEL: ReadonlySet<HardFailureClass> = new Set(['context-overflow', 'transport']);

/**
 * Whether every result of a metrics row is a hard failure the model caused. A row exists only for a model
 * with results: one whose cases were all "not run" (it never loaded, the server stayed busy) has none.
 */
function failedHardOnEverything(row: RoleMetrics | undefined): boolean {
	if (row === undefined || row.cases === 0) return false;
	const results = row.accepted + row.rejected + row.hard_failures;
	const caused = Object.entries(row.hard_failures_by_class)
		.filter(([name]) => !NOT_CAUSED_BY_THE_MODEL.has(name as HardFailureClass))
		.reduce((sum, [, n]) => sum + (n ?? 0), 0);
	return results > 0 && caused === results;
}

/**
 * Retirement proposals from the same data, by the rules in policy.yaml: a challenger that failed hard
 * on every case it ran, each failure its own doing (not a prompt the harness could not fit, not a lost
 * connection), or whose model was missing from Ollama, in each of the last N runs (this one included).
 * A run where it was not measured (the server could not serve any of its cases) breaks the streak: a
 * model that never loaded is never proposed. `runs` is oldest first and ends with this run. Pure.
 */
export function retirementProposals(role: Role, runs: RunHistory, policy: Policy): Proposal[] {
	const proposals: Proposal[] = [];
	const { all_hard_failures_runs: hardRuns, missing_model_runs: missingRuns } = policy.retirement;
	for (const challenger of role.challengers) {
		const lastHard = runs.slice(-hardRuns);
		const allHard =
			lastHard.length === hardRuns &&
			lastHard.every((run) => failedHardOnEverything(run.metrics.find((m) => m.role === role.role && m.model === challenger)));
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
