import { SEVERITIES } from '../schema/common.ts';
import type { Case } from '../schema/case.ts';
import { modelKey } from '../schema/model-name.ts';
import type { Model } from '../schema/model.ts';
import type { Policy } from '../schema/policy.ts';
import type { Role } from '../schema/role.ts';
import { closestName } from './closest-name.ts';
import { REGISTRY_PATHS } from './paths.ts';
import type { RegistryIssue } from './registry-error.ts';
import { formatPath, showValue } from './registry-error.ts';

/** What the cross-file checks look at: each file already passed its own schema. */
export interface RegistryParts {
	/** Undefined when models.yaml itself is invalid: reference checks are then skipped. */
	models: Model[] | undefined;
	roles: { file: string; role: Role }[];
	/** Undefined when policy.yaml itself is invalid: its cross-field checks are then skipped. */
	policy: Policy | undefined;
	cases: { file: string; case: Case }[];
	/**
	 * The names of every role file, valid or not: a role whose file has an error of its own is still a
	 * role, so its cases are not also reported as belonging to no role.
	 */
	roleFileNames?: readonly string[];
}

/** Finds the line of a field in a registry file, when the file was YAML. */
export type Locate = (file: string, path: readonly PropertyKey[]) => number | undefined;

/**
 * The checks no single schema can make: references between files (Astro lets a dangling reference
 * through), duplicates, names that must agree, and settings that must agree with each other.
 * Pure: returns every issue found, in file order.
 */
export function checkRegistry(parts: RegistryParts, locate: Locate = () => undefined): RegistryIssue[] {
	const issues: RegistryIssue[] = [];
	// Each file's content, so a field path can name list entries by their id.
	const contents = new Map<string, unknown>([
		[REGISTRY_PATHS.models, parts.models],
		[REGISTRY_PATHS.policy, parts.policy],
		...parts.roles.map(({ file, role }) => [file, role] as const),
		...parts.cases.map(({ file, case: entry }) => [file, entry] as const),
	]);
	const issue = (file: string, path: PropertyKey[], rest: Omit<RegistryIssue, 'file' | 'field' | 'line'>) =>
		issues.push({ file, field: formatPath(path, contents.get(file)), line: locate(file, path), ...rest });

	const modelsFile = REGISTRY_PATHS.models;
	const seenModels = new Map<string, number>();
	// By the key Ollama finds a model under: `llama3.1` and `llama3.1:latest`, or two spellings differing in
	// case, are one model, which would run twice under two names.
	const seenKeys = new Map<string, number>();
	parts.models?.forEach((model, index) => {
		const first = seenModels.get(model.id);
		const alias = seenKeys.get(modelKey(model.id));
		if (first !== undefined) {
			issue(modelsFile, [index, 'id'], {
				found: `${showValue(model.id)}, already the id of entry ${first + 1}`,
				expected: 'each model id once',
				hint: 'merge the two entries into one',
			});
		} else if (alias !== undefined) {
			const other = parts.models![alias]!.id;
			const line = locate(modelsFile, [alias, 'id']);
			issue(modelsFile, [index, 'id'], {
				found: `${showValue(model.id)}, the same model to Ollama as ${showValue(other)} (entry ${alias + 1}${line ? `, line ${line}` : ''}): both name ${modelKey(model.id)}`,
				expected: 'each model once, under one name',
				hint: `keep one of the two entries, and write that name in the roles and the policy`,
			});
			seenModels.set(model.id, index);
		} else {
			seenModels.set(model.id, index);
			seenKeys.set(modelKey(model.id), index);
		}
	});
	const modelIds = [...seenModels.keys()];
	parts.models?.forEach((model, index) => {
		if (model.host !== undefined && model.hosts !== undefined) {
			issue(modelsFile, [index, 'hosts'], {
				found: `both \`host\` (${showValue(model.host)}) and \`hosts\``,
				expected: 'one of them: `host` for one server, `hosts` for a pool of servers',
				hint: `put ${showValue(model.host)} into \`hosts\` and remove \`host\``,
			});
		}
		const seenHosts = new Set<string>();
		model.hosts?.forEach((host, hostIndex) => {
			const normalized = host.replace(/\/+$/, '');
			if (seenHosts.has(normalized))
				issue(modelsFile, [index, 'hosts', hostIndex], {
					found: `${showValue(host)} a second time`,
					expected: 'each host once',
					hint: 'remove the duplicate',
				});
			seenHosts.add(normalized);
		});
	});

	const unknownModel = (file: string, path: PropertyKey[], id: string) => {
		if (!parts.models) return;
		issue(file, path, {
			found: `${showValue(id)}, which is not in ${modelsFile}`,
			expected: `a model id listed in ${modelsFile}`,
			hint: closestName(id, modelIds)
				? `did you mean \`${closestName(id, modelIds)}\`? Otherwise add ${id} to ${modelsFile}.`
				: `add an entry for ${id} to ${modelsFile}`,
		});
	};

	const roleNames = new Set<string>();
	for (const { file, role } of parts.roles) {
		const stem = file
			.split('/')
			.pop()!
			.replace(/\.ya?ml$/, '');
		if (role.role !== stem) {
			issue(file, ['role'], {
				found: showValue(role.role),
				expected: `${showValue(stem)}, the file's name`,
				hint: `rename the file to ${role.role}.yaml or set \`role: ${stem}\``,
			});
		}
		if (roleNames.has(role.role)) {
			issue(file, ['role'], { found: showValue(role.role), expected: 'each role defined once', hint: 'remove one of the two role files' });
		}
		roleNames.add(role.role);

		if (!seenModels.has(role.incumbent)) unknownModel(file, ['incumbent'], role.incumbent);
		const seenInRole = new Set<string>();
		role.challengers.forEach((challenger, index) => {
			if (!seenModels.has(challenger)) unknownModel(file, ['challengers', index], challenger);
			if (challenger === role.incumbent) {
				issue(file, ['challengers', index], {
					found: `${showValue(challenger)}, the incumbent`,
					expected: 'challengers other than the incumbent',
					hint: 'remove it from challengers: the incumbent is always run',
				});
			} else if (seenInRole.has(challenger)) {
				issue(file, ['challengers', index], {
					found: `${showValue(challenger)} a second time`,
					expected: 'each challenger once',
					hint: 'remove the repeated entry',
				});
			}
			seenInRole.add(challenger);
		});
		if (role.baseline !== undefined) checkBaseline(file, role, parts.models, issue, unknownModel);
	}

	// What a case or the escalation may name: every role defined, and every role file even when its own
	// errors kept it from loading (those errors are reported already, once).
	const knownRoles = new Set([...roleNames, ...(parts.roleFileNames ?? [])]);
	if (parts.policy) checkPolicy(parts.policy, knownRoles, (id) => seenModels.has(id), issue, unknownModel);

	const caseIds = new Map<string, string>();
	for (const { file, case: entry } of parts.cases) {
		const parts_ = file.split('/');
		const folder = parts_.at(-2);
		const stem = parts_.at(-1)!.replace(/\.json$/, '');
		if (!knownRoles.has(entry.role)) {
			issue(file, ['role'], {
				found: `${showValue(entry.role)}, which has no file in ${REGISTRY_PATHS.roles}`,
				expected: 'the name of a role',
				hint: `add benchmarks/roles/${entry.role}.yaml or move the case`,
			});
		}
		if (folder !== entry.role) {
			issue(file, ['role'], {
				found: showValue(entry.role),
				expected: `${showValue(folder)}, the folder the case is in`,
				hint: `cases live in ${REGISTRY_PATHS.cases}/<role>/`,
			});
		}
		if (stem !== entry.id) {
			issue(file, ['id'], { found: showValue(entry.id), expected: `${showValue(stem)}, the file's name`, hint: 'mine the case again' });
		}
		const other = caseIds.get(entry.id);
		if (other)
			issue(file, ['id'], {
				found: `${showValue(entry.id)}, also used by ${other}`,
				expected: 'each case id once',
				hint: 'remove the duplicate',
			});
		caseIds.set(entry.id, file);
	}
	return issues;
}

type Report = (file: string, path: PropertyKey[], rest: Omit<RegistryIssue, 'file' | 'field' | 'line'>) => void;

/** A role's `baseline`: a frontier model from models.yaml, paid, asked through the Messages API, never also run as a local model of the role. */
function checkBaseline(
	file: string,
	role: Role,
	models: readonly Model[] | undefined,
	issue: (file: string, path: PropertyKey[], rest: Omit<RegistryIssue, 'file' | 'field' | 'line'>) => void,
	unknownModel: (file: string, path: PropertyKey[], id: string) => void,
): void {
	const id = role.baseline!;
	if (!models) return;
	const model = models.find((entry) => entry.id === id);
	if (!model) return unknownModel(file, ['baseline'], id);
	if (model.provider !== 'anthropic')
		issue(file, ['baseline'], {
			found: `${showValue(id)}, whose provider is ${model.provider}`,
			expected: 'a model with `provider: anthropic` (asked through the Messages API)',
			hint: `set \`provider: anthropic\` on ${id} in ${REGISTRY_PATHS.models}, or name another baseline`,
		});
	else if (model.cost_tier !== 'paid')
		issue(file, ['baseline'], {
			found: `${showValue(id)}, whose cost_tier is ${model.cost_tier}`,
			expected: 'a paid model (`cost_tier: paid`)',
			hint: `set \`cost_tier: paid\` on ${id} in ${REGISTRY_PATHS.models}`,
		});
	if (id === role.incumbent || role.challengers.includes(id))
		issue(file, ['baseline'], {
			found: `${showValue(id)}, also ${id === role.incumbent ? 'the incumbent' : 'a challenger'}`,
			expected: "a baseline that is not one of the role's own models",
			hint: "a baseline is only compared with the incumbent, never promoted: remove it from the role's models",
		});
}

function checkPolicy(
	policy: Policy,
	roleNames: ReadonlySet<string>,
	hasModel: (id: string) => boolean,
	issue: Report,
	unknownModel: (file: string, path: PropertyKey[], id: string) => void,
): void {
	const policyFile = REGISTRY_PATHS.policy;
	const { run, severity_weights: weights, escalation } = policy;
	if (run.stall_timeout_s > run.call_timeout_s) {
		issue(policyFile, ['run', 'stall_timeout_s'], {
			found: `${run.stall_timeout_s}, above run.call_timeout_s (${run.call_timeout_s})`,
			expected: 'a stall timeout no longer than the call timeout',
			hint: 'lower stall_timeout_s or raise call_timeout_s',
		});
	}
	if (run.retries > 0 && run.retry_initial_s > run.retry_total_s) {
		issue(policyFile, ['run', 'retry_initial_s'], {
			found: `${run.retry_initial_s}, above run.retry_total_s (${run.retry_total_s})`,
			expected: 'a first wait no longer than the total retry time, or no request would ever be retried',
			hint: 'lower retry_initial_s, raise retry_total_s, or set retries: 0 to turn retries off',
		});
	}
	if (run.num_predict >= run.num_ctx) {
		issue(policyFile, ['run', 'num_predict'], {
			found: `${run.num_predict}, not below run.num_ctx (${run.num_ctx})`,
			expected: 'fewer answer tokens than the context window, so the prompt has room',
			hint: 'lower num_predict or raise num_ctx',
		});
	}
	const order = SEVERITIES;
	for (let i = 1; i < order.length; i++) {
		const lower = order[i - 1]!;
		const higher = order[i]!;
		if (weights[higher] < weights[lower]) {
			issue(policyFile, ['severity_weights', higher], {
				found: `${weights[higher]}, below ${lower} (${weights[lower]})`,
				expected: `a weight of at least ${weights[lower]}: a more severe case is worth no less`,
				hint: 'order the weights low ≤ medium ≤ high ≤ critical',
			});
		}
	}
	if (escalation.enabled && !roleNames.has(escalation.role)) {
		issue(policyFile, ['escalation', 'role'], {
			found: `${showValue(escalation.role)}, which has no file in ${REGISTRY_PATHS.roles}`,
			expected: 'the name of a role',
			hint: closestName(escalation.role, [...roleNames]) ? `did you mean \`${closestName(escalation.role, [...roleNames])}\`?` : undefined,
		});
	}
	escalation.chain.forEach((step, index) => {
		if (step.provider === 'ollama' && !hasModel(step.model)) unknownModel(policyFile, ['escalation', 'chain', index, 'model'], step.model);
	});
}
