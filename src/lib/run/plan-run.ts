import type { Registry } from '../registry/load-registry.ts';
import type { Case } from '../schema/case.ts';

/** One case to run for one model, in one role. */
export interface PlanItem {
	role: string;
	case: Case;
}

/** Everything one model runs in this run: all its cases across all its roles, so it loads once. */
export interface ModelPlan {
	model: string;
	host: string;
	/** The model's own `think` from models.yaml, when it overrides the policy's. */
	think?: boolean | 'low' | 'medium' | 'high';
	items: PlanItem[];
}

export interface PlanFilters {
	roles?: readonly string[];
	models?: readonly string[];
}

/**
 * Orders the run: per host, one model after another (so each loads once and the next one fits in
 * memory); per model, every case of every role it takes part in. Roles, models and cases are sorted so
 * two runs of the same registry make the same calls in the same order.
 */
export function planRun(registry: Pick<Registry, 'models' | 'roles' | 'cases'>, defaultHost: string, filters: PlanFilters = {}): ModelPlan[] {
	const catalog = new Map(registry.models.map((model) => [model.id, model]));
	const plans = new Map<string, ModelPlan>();
	const roles = [...registry.roles].map((entry) => entry.role).sort((a, b) => a.role.localeCompare(b.role));
	for (const role of roles) {
		if (filters.roles && !filters.roles.includes(role.role)) continue;
		const cases = registry.cases
			.map((entry) => entry.case)
			.filter((testCase) => testCase.role === role.role)
			.sort((a, b) => a.id.localeCompare(b.id));
		for (const model of [role.incumbent, ...role.challengers]) {
			if (filters.models && !filters.models.includes(model)) continue;
			let plan = plans.get(model);
			if (!plan) {
				const entry = catalog.get(model);
				plan = { model, host: entry?.host?.replace(/\/+$/, '') ?? defaultHost, items: [], ...(entry?.think === undefined ? {} : { think: entry.think }) };
				plans.set(model, plan);
			}
			plan.items.push(...cases.map((testCase) => ({ role: role.role, case: testCase })));
		}
	}
	return [...plans.values()].sort((a, b) => a.host.localeCompare(b.host) || a.model.localeCompare(b.model));
}

/** The plans grouped by host: hosts run at the same time, models on one host one after another. */
export function byHost(plans: readonly ModelPlan[]): Map<string, ModelPlan[]> {
	const groups = new Map<string, ModelPlan[]>();
	for (const plan of plans) groups.set(plan.host, [...(groups.get(plan.host) ?? []), plan]);
	return groups;
}
