import { type Policy, PolicySchema } from '../schema/policy.ts';
import { RegistryError } from './registry-error.ts';
import { readYamlFile } from './yaml-file.ts';
import { parseWithFriendlyIssues } from './zod-issues.ts';

/**
 * One policy file read and validated exactly as the build reads it (the registry's YAML reader and
 * `PolicySchema`), for the tools that need the policy without the whole registry (the miner). A missing
 * file or any invalid field throws a `RegistryError` naming the file, the field, what was found and what
 * is expected. `file` is the name the messages use (e.g. `benchmarks/policy.yaml`).
 */
export async function readPolicyFile(policyPath: string, file: string = policyPath): Promise<Policy> {
	const read = await readYamlFile(policyPath, file);
	if (!read.ok) throw new RegistryError(read.issues);
	if (read.value.data === null || read.value.data === undefined) {
		throw new RegistryError([{ file, field: '(file)', found: 'an empty file', expected: 'the fields the README lists for this file' }]);
	}
	const parsed = parseWithFriendlyIssues(PolicySchema, read.value);
	if (!parsed.ok) throw new RegistryError(parsed.issues);
	return parsed.value;
}
