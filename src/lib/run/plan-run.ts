import type { Registry } from '../registry/load-registry.ts';
import type { Case } from '../schema/case.ts';
import { stratifiedOrder } from './case-order.ts';
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
 * memory); per model, every case of every role it takes part in. The models that are some role's incumbent
 * come first on every host (the challengers' paired evidence needs their results, and a sequential test
 * reads a challenger only as far as its incumbent has answered), then the rest; each group in id order, so
 * the hosts of a pool reach a shared model at about the same time. A role's incumbent answers all of its
 * cases, in id order; every other model answers them in the role's seeded order, stratified by severity
 * (`stratifiedOrder`, seeded by `run.seed`), so its evidence can be read as it comes and it can stop once
 * its verdict is settled. The run puts the cached ones first. Two runs of the same registry make the same
 * calls in the same order.
 */
export function planRun(
	registry: Pick<Registry, 'models' | 'roles' | 'cases'> & { policy?: { run: { seed: number } } },
	defaultHost: string,
	filters: PlanFilters = {},
): ModelPlan[] {
	const catalog = new Map(registry.models.map((model) => [model.id, model]));
	const plans = new Map<string, ModelPlan>();
	const roles = [...registry.roles].map((entry) => entry.role).sort((a, b) => a.role.localeCompare(b.role));
	const incumbents = new Set<string>();
	// Without a policy (a harness benchmark's bare registry) the cases keep a fixed order all the same.
	const seed = registry.policy?.run.seed ?? 0;
	for (const role of roles) {
		if (filters.roles && !filters.roles.includes(role.role)) continue;
		if (!filters.models || filters.models.includes(role.incumbent)) incumbents.add(role.incumbent);
		const roleCases = registry.cases.map((entry) => entry.case).filter((testCase) => testCase.role === role.role);
		const byId = [...roleCases].sort((a, b) => a.id.localeCompare(b.id));
		const seeded = stratifiedOrder(roleCases, seed);
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
			plan.items.push(...(model === role.incumbent ? byId : seeded).map((testCase) => ({ role: role.role, case: testCase })));
		}
	}
	return [...plans.values()].sort(
		(a, b) => Number(incumbents.has(b.model)) - Number(incumbents.has(a.model)) || a.model.localeCompare(b.model),
	);
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
