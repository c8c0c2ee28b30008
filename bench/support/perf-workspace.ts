import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { writeCases } from '../../src/lib/mine/write-cases.ts';
import { REGISTRY_PATHS } from '../../src/lib/registry/paths.ts';
import type { Case } from '../../src/lib/schema/case.ts';
import { type ModelInput, ModelSchema } from '../../src/lib/schema/model.ts';
import { type Policy, PolicySchema } from '../../src/lib/schema/policy.ts';
import { type RoleInput, RoleSchema } from '../../src/lib/schema/role.ts';
import { PROJECT_ROOT, type ProjectCopy, copyProject } from '../../testing/project-copy.ts';
import { makeScratch, removeScratch, trackScratch } from './scratch.ts';

/** The four routing slots, as the seed registry has them. */
export const ROLES = ['draft', 'reason', 'review', 'coder'] as const;

/** What a benchmark workspace's registry holds. */
export interface WorkspaceRegistry {
	models: ModelInput[];
	roles: RoleInput[];
	cases: readonly Case[];
	/** Changes the project's own policy.yaml for this workspace, made in place on its parsed data. */
	policy?: (policy: Record<string, unknown>) => void;
}

/** The project's policy.yaml, as data. */
export async function projectPolicy(): Promise<Policy> {
	return PolicySchema.parse(parse(await readFile(path.join(PROJECT_ROOT, REGISTRY_PATHS.policy), 'utf8')));
}

/**
 * Writes a registry into `root`: models.yaml, one file per role, the project's policy with `registry.policy`
 * applied, and the cases through the miner's own writer. Validated with the schemas first, so a mistake
 * here fails with the schema's message rather than as a confusing build error.
 */
export async function writeRegistry(root: string, registry: WorkspaceRegistry): Promise<void> {
	for (const model of registry.models) ModelSchema.parse(model);
	for (const role of registry.roles) RoleSchema.parse(role);
	await mkdir(path.join(root, REGISTRY_PATHS.roles), { recursive: true });
	await mkdir(path.join(root, REGISTRY_PATHS.reports), { recursive: true });
	await writeFile(path.join(root, REGISTRY_PATHS.models), stringify(registry.models));
	for (const name of await readdir(path.join(root, REGISTRY_PATHS.roles))) await rm(path.join(root, REGISTRY_PATHS.roles, name));
	for (const role of registry.roles) await writeFile(path.join(root, REGISTRY_PATHS.roles, `${role.role}.yaml`), stringify(role));
	const policy = parse(await readFile(path.join(PROJECT_ROOT, REGISTRY_PATHS.policy), 'utf8')) as Record<string, unknown>;
	registry.policy?.(policy);
	PolicySchema.parse(policy);
	await writeFile(path.join(root, REGISTRY_PATHS.policy), stringify(policy));
	await rm(path.join(root, REGISTRY_PATHS.cases), { recursive: true, force: true });
	await writeCases(registry.cases, path.join(root, REGISTRY_PATHS.cases), { dryRun: false, force: false });
}

/** A temporary folder with only a registry and an empty reports/: enough for the pipeline, not for a build. */
export async function registryWorkspace(prefix: string, registry: WorkspaceRegistry): Promise<ProjectCopy> {
	const root = await makeScratch(prefix);
	try {
		await writeRegistry(root, registry);
	} catch (error) {
		await removeScratch(root);
		throw error;
	}
	return { root, dispose: () => removeScratch(root) };
}

/**
 * A temporary copy of the project (site and all, packages linked) whose registry is `registry` and
 * whose reports/ holds no report: what `astro build` runs on.
 */
export async function siteWorkspace(prefix: string, registry: WorkspaceRegistry): Promise<ProjectCopy> {
	const project = await copyProject(prefix);
	trackScratch(project.root);
	try {
		await writeRegistry(project.root, registry);
		for (const name of await readdir(path.join(project.root, REGISTRY_PATHS.reports))) {
			if (name.startsWith('local-model-benchmark-')) await rm(path.join(project.root, REGISTRY_PATHS.reports, name));
		}
	} catch (error) {
		await removeScratch(project.root);
		throw error;
	}
	return { root: project.root, dispose: () => removeScratch(project.root) };
}

/**
 * Turns turbo escalation off, and drops the chain's Ollama steps (the registry check wants their model
 * in models.yaml even when escalation is off): for workspaces whose registry is only the models measured.
 */
export function withoutEscalation(policy: Record<string, unknown>): void {
	const escalation = policy.escalation as { enabled: boolean; chain: { provider: string }[] };
	escalation.enabled = false;
	escalation.chain = escalation.chain.filter((step) => step.provider !== 'ollama');
}
