import type { Registry } from '../registry/load-registry.ts';
import type { Case } from '../schema/case.ts';
import type { ThinkSetting } from './model-client.ts';

/** One case to run for one model, in one role. */
export interface PlanItem {
	role: string;
	case: Case;
}

/** Everything one model runs in this run: all its cases across all its roles, so it loads once. */
export interface ModelPlan {
	model: string;
	/** The Ollama servers that serve it (one, or a pool from `hosts:`); its cases are shared among them. */
	hosts: string[];
	/** Requests sent at once to each of its hosts (`parallel:` in models.yaml, default 1). */
	parallel: number;
	/** The model's own `think` from models.yaml, when it overrides the policy's. */
	think?: ThinkSetting;
	items: PlanItem[];
}

export interface PlanFilters {
	roles?: readonly string[];
	models?: readonly string[];
}

/**
 * Orders the run: per host, one model after another (so each loads once and the next one fits in
 * memory); per model, every case of every role it takes part in. Models are in id order on every host, so
 * the hosts of a pool reach a shared model at about the same time. Roles, models and cases are sorted so
 * two runs of the same registry make the same calls in the same order.
 */
export function planRun(
	registry: Pick<Registry, 'models' | 'roles' | 'cases'>,
	defaultHost: string,
	filters: PlanFilters = {},
): ModelPlan[] {
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
				const hosts = entry?.hosts ?? (entry?.host ? [entry.host] : [defaultHost]);
				plan = {
					model,
					hosts: [...new Set(hosts.map((host) => host.replace(/\/+$/, '')))],
					parallel: entry?.parallel ?? 1,
					items: [],
					...(entry?.think === undefined ? {} : { think: entry.think }),
				};
				plans.set(model, plan);
			}
			plan.items.push(...cases.map((testCase) => ({ role: role.role, case: testCase })));
		}
	}
	return [...plans.values()].sort((a, b) => a.model.localeCompare(b.model));
}

/**
 * The plans each host serves, in plan order: hosts run at the same time, models on one host one after
 * another. A model of a pool appears under each of its hosts. Hosts are sorted.
 */
export function byHost(plans: readonly ModelPlan[]): Map<string, ModelPlan[]> {
	const groups = new Map<string, ModelPlan[]>();
	for (const plan of plans) for (const host of plan.hosts) groups.set(host, [...(groups.get(host) ?? []), plan]);
	return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
}
