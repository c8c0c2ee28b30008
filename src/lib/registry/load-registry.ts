import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { type Case, CaseSchema } from '../schema/case.ts';
import { type Model, ModelCatalogSchema } from '../schema/model.ts';
import { type Policy, PolicySchema } from '../schema/policy.ts';
import { type Role, RoleSchema } from '../schema/role.ts';
import { checkRegistry } from './check-registry.ts';
import { REGISTRY_PATHS } from './paths.ts';
import { BOM, RegistryError, type RegistryIssue, bomIssue } from './registry-error.ts';
import { type YamlFile, readYamlFile } from './yaml-file.ts';
import { parseWithFriendlyIssues } from './zod-issues.ts';
import type { z } from 'astro/zod';

type FriendlySchema = Parameters<typeof parseWithFriendlyIssues>[0];

/** A role as loaded, with the file it came from. */
export interface RoleEntry {
	file: string;
	role: Role;
}

/** A case as loaded, with the file it came from. */
export interface CaseEntry {
	file: string;
	case: Case;
}

/** The whole registry, validated: what every later stage starts from. */
export interface Registry {
	root: string;
	models: Model[];
	roles: RoleEntry[];
	policy: Policy;
	cases: CaseEntry[];
}

/**
 * Reads and validates the registry (models, roles, policy) and the mined cases under `root`.
 * Every problem in every file is collected and thrown together as one `RegistryError`, so the owner
 * fixes them in one pass; nothing is written.
 */
export async function loadRegistry(root: string): Promise<Registry> {
	const issues: RegistryIssue[] = [];
	const yamlFiles = new Map<string, YamlFile>();
	const loadYaml = async <S extends FriendlySchema>(file: string, schema: S) => {
		const read = await readYamlFile(path.join(root, file), file);
		if (!read.ok) {
			issues.push(...read.issues);
			return undefined;
		}
		yamlFiles.set(file, read.value);
		if (read.value.data === null || read.value.data === undefined) {
			issues.push({ file, field: '(file)', found: 'an empty file', expected: 'the fields the README lists for this file' });
			return undefined;
		}
		const parsed = parseWithFriendlyIssues(schema, read.value);
		if (!parsed.ok) {
			issues.push(...parsed.issues);
			return undefined;
		}
		return parsed.value as z.infer<S>;
	};

	const models = await loadYaml(REGISTRY_PATHS.models, ModelCatalogSchema);
	const policy = await loadYaml(REGISTRY_PATHS.policy, PolicySchema);

	const roles: RoleEntry[] = [];
	// Only `.yaml`: the site's roles collection reads `*.yaml`, so a `.yml` role would pass here and
	// silently vanish from the page.
	for (const file of (await listFiles(root, REGISTRY_PATHS.roles, (name) => name.endsWith('.yml'))) ?? []) {
		issues.push({
			file,
			field: '(file name)',
			found: 'a role file ending in .yml',
			expected: 'a file ending in .yaml',
			hint: `rename it to ${file.replace(/\.yml$/, '.yaml')}`,
		});
	}
	const roleFiles = await listFiles(root, REGISTRY_PATHS.roles, (name) => name.endsWith('.yaml'));
	if (roleFiles === undefined || roleFiles.length === 0) {
		issues.push({
			file: REGISTRY_PATHS.roles,
			field: '(folder)',
			found: roleFiles === undefined ? 'no such folder' : 'no role files',
			expected: 'one `<role>.yaml` file per routing slot',
			hint: 'add e.g. benchmarks/roles/draft.yaml; the README shows its fields',
		});
	}
	for (const file of roleFiles ?? []) {
		const role = await loadYaml(file, RoleSchema);
		if (role) roles.push({ file, role });
	}

	const cases: CaseEntry[] = [];
	for (const file of (await listFiles(root, REGISTRY_PATHS.cases, (name) => name.endsWith('.json'), true)) ?? []) {
		const loaded = await loadJson(root, file, issues);
		if (loaded === undefined) continue;
		const parsed = parseWithFriendlyIssues(CaseSchema, { file, data: loaded });
		if (parsed.ok) cases.push({ file, case: parsed.value });
		else issues.push(...parsed.issues);
	}

	const roleFileNames = (roleFiles ?? []).map((file) => path.posix.basename(file, '.yaml'));
	issues.push(...checkRegistry({ models, roles, policy, cases, roleFileNames }, (file, at) => yamlFiles.get(file)?.lineOf(at)));
	if (issues.length > 0 || !models || !policy) throw new RegistryError(issues);
	return { root, models, roles, policy, cases };
}

async function loadJson(root: string, file: string, issues: RegistryIssue[]): Promise<unknown> {
	try {
		const text = await readFile(path.join(root, file), 'utf8');
		if (text.startsWith(BOM)) {
			issues.push(
				bomIssue(file, 'cases are written by `npm run mine` without one: save the file as UTF-8 without a BOM, or mine it again'),
			);
			return undefined;
		}
		return JSON.parse(text);
	} catch (cause) {
		issues.push({
			file,
			field: '(file)',
			found: cause instanceof SyntaxError ? `invalid JSON: ${cause.message}` : `unreadable file (${String(cause)})`,
			expected: 'a case written by `npm run mine`',
			hint: 'cases are never edited by hand; mine it again',
		});
		return undefined;
	}
}

/** Files under `dir` (relative to root) that pass `accept`, sorted; undefined when `dir` does not exist. */
async function listFiles(root: string, dir: string, accept: (name: string) => boolean, recursive = false): Promise<string[] | undefined> {
	try {
		const entries = await readdir(path.join(root, dir), { recursive, withFileTypes: true });
		return entries
			.filter((entry) => entry.isFile() && accept(entry.name))
			.map((entry) =>
				path.posix.join(dir, path.relative(path.join(root, dir), path.join(entry.parentPath, entry.name)).split(path.sep).join('/')),
			)
			.sort();
	} catch (cause) {
		if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		throw new Error(`Failed to list ${dir}.`, { cause });
	}
}
