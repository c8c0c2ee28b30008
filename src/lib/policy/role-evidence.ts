import type { Model } from '../schema/model.ts';
import type { CaseResult, RoleMetrics } from '../schema/report.ts';
import type { Role } from '../schema/role.ts';
import type { SequentialEvidence } from './sequential-stop.ts';

/** What one role's decision needs from the run. */
export interface RoleEvidence {
	role: Role;
	/** Cases the role has in this run. */
	cases: number;
	/** This run's metrics rows for the role (one per model that ran). */
	metrics: readonly RoleMetrics[];
	/** This run's case results for the role: the paired tests compare models case by case. */
	results: readonly CaseResult[];
	/** Models by id, for family and cost tier. */
	catalog: ReadonlyMap<string, Model>;
	/**
	 * How many consecutive earlier runs (newest first, ending just before this one) each challenger won
	 * in this role; only read when `evidence.confirm_runs` > 1.
	 */
	earlierWins?: ReadonlyMap<string, number>;
	/** Set when the role's grader is not valid on these cases: why. Every verdict is then `insufficient evidence`. */
	graderInvalid?: string;
	/**
	 * Per model, the case ids the server could not serve it in this run (no repeat of them ran): they are
	 * not evidence, so the case gate counts only cases both models ran.
	 */
	notRun?: ReadonlyMap<string, ReadonlySet<string>>;
	/**
	 * Models of the role none of whose cases ran, with why (`not measured: load failed — …`): a challenger
	 * here gets no verdict at all; an incumbent here leaves every challenger without one to be judged against.
	 */
	notMeasured?: ReadonlyMap<string, string>;
	/**
	 * Per challenger, what the sequential test (`evidence.sequential`) read and decided: a challenger stopped by
	 * curtailment gets the verdict it settled; under `anytime` every gate uses the anytime-valid test over the
	 * cases it read. Absent (or mode `off`): the fixed-sample tests on every result.
	 */
	sequential?: ReadonlyMap<string, SequentialEvidence>;
}
