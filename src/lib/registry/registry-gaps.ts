import { ROLE_TASKS } from '../mine/checks.ts';
import type { Case, Task } from '../schema/case.ts';
import type { Model } from '../schema/model.ts';
import type { Policy } from '../schema/policy.ts';
import type { Role } from '../schema/role.ts';

/** What a role has to be judged on: the tasks that measure it and its cases; null when it has nothing. */
export interface RoleEvidence {
	tasks: Task[];
	cases: number;
}

/** The tasks that measure `role` (none for a role no task is written for). */
export function tasksOfRole(role: string): Task[] {
	return [...((ROLE_TASKS as Record<string, readonly Task[]>)[role] ?? [])];
}

/** A role's evidence, or null when no task exists for it or it has no cases: nothing can be said about it. Pure. */
export function roleEvidence(role: string, cases: readonly Pick<Case, 'role'>[]): RoleEvidence | null {
	const tasks = tasksOfRole(role);
	const count = cases.filter((entry) => entry.role === role).length;
	return tasks.length === 0 || count === 0 ? null : { tasks, cases: count };
}

/**
 * What the registry names but cannot measure, as warnings (not errors: a young repository may simply
 * have no cases yet): a role no task exists for, a role with no cases, and a model no role names (as
 * incumbent, challenger or retired) and no escalation step uses. Sorted for stable output. Pure.
 */
export function registryGaps(registry: {
	models: readonly Model[];
	roles: readonly Role[];
	cases: readonly Pick<Case, 'role'>[];
	policy: Pick<Policy, 'escalation'> & Partial<Pick<Policy, 'baseline'>>;
}): string[] {
	const warnings: string[] = [];
	for (const role of [...registry.roles].sort((a, b) => a.role.localeCompare(b.role))) {
		if (tasksOfRole(role.role).length === 0) {
			warnings.push(
				`role ${role.role}: no task measures it (tasks exist for ${Object.keys(ROLE_TASKS).join(', ')}), so it gets no evidence and its incumbent is never judged`,
			);
		} else if (!registry.cases.some((entry) => entry.role === role.role)) {
			warnings.push(
				`role ${role.role}: no cases under benchmarks/cases/${role.role}/, so it gets no evidence; mine some with \`npm run mine\``,
			);
		}
		if (role.baseline !== undefined && !registry.policy.baseline) {
			warnings.push(
				`role ${role.role}: names the baseline ${role.baseline}, but benchmarks/policy.yaml has no \`baseline\` section, so it is never asked (add one: see "Local or frontier" in the README)`,
			);
		}
	}
	const named = new Set(
		registry.roles.flatMap((role) => [
			role.incumbent,
			...role.challengers,
			...role.retired.map((entry) => entry.model),
			...(role.baseline ? [role.baseline] : []),
		]),
	);
	for (const step of registry.policy.escalation.chain) if (step.provider === 'ollama') named.add(step.model);
	for (const model of [...registry.models].sort((a, b) => a.id.localeCompare(b.id))) {
		if (!named.has(model.id))
			warnings.push(
				`model ${model.id}: in benchmarks/models.yaml, but no role names it and no escalation step uses it, so it is never run`,
			);
	}
	return warnings;
}
