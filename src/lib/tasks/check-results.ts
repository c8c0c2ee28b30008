import type { CheckResult } from './task-definition.ts';

/** A check as a case carries it. */
export type CheckSpec = { name: string; required: boolean; threshold?: number };

/** What one check found: pass or fail, and a short reason. */
export type CheckOutcome = { pass: boolean; detail: string };

/** A task's known checks, by name; each gets the case's spec (for its threshold). */
export type CheckEvaluators = Record<string, (spec: CheckSpec) => CheckOutcome>;

/**
 * Every check the case names, in the case's order, with `required` copied from the case. A name the task
 * does not know fails with the detail "unknown check" rather than throwing: one odd case must not stop a
 * run, and a failing required check makes the problem visible in the report.
 */
export function runChecks(specs: readonly CheckSpec[], evaluators: CheckEvaluators): CheckResult[] {
	return specs.map((spec) => {
		const evaluate = Object.hasOwn(evaluators, spec.name) ? evaluators[spec.name] : undefined;
		const outcome = evaluate ? evaluate(spec) : { pass: false, detail: 'unknown check' };
		return { name: spec.name, required: spec.required, pass: outcome.pass, detail: outcome.detail };
	});
}

/** The case's threshold for a check, or the task's default when the case sets none. */
export function thresholdOf(spec: CheckSpec, fallback: number): number {
	return spec.threshold ?? fallback;
}

/**
 * The case's checks with the grader's own required checks applied: a check the grader requires is
 * required even where the case says otherwise, and added (at the end, with the grader's threshold) where
 * the case lacks it. A case records the checks of the miner that wrote it; grades are recomputed from
 * cached answers with today's grader, so what "accepted" means must not depend on when a case was mined.
 */
export function withRequiredChecks(specs: readonly CheckSpec[], required: readonly CheckSpec[]): CheckSpec[] {
	const names = new Set(required.map((spec) => spec.name));
	const merged = specs.map((spec) => (names.has(spec.name) ? { ...spec, required: true } : spec));
	for (const spec of required) if (!specs.some((existing) => existing.name === spec.name)) merged.push({ ...spec, required: true });
	return merged;
}
