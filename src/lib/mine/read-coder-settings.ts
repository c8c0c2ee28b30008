import { RegistryError } from '../registry/registry-error.ts';
import { readYamlFile } from '../registry/yaml-file.ts';
import { parseWithFriendlyIssues } from '../registry/zod-issues.ts';
import { type CoderSettings, PolicySchema } from '../schema/policy.ts';

/**
 * The policy's `coder` section (sandbox, test command, limits, installs), for validating coder cases. The
 * policy is read and validated exactly as the build reads it, like the budget: any invalid field stops
 * mining with a `RegistryError` naming the file, the field, what was found and what is expected. `file`
 * is the name the messages use.
 */
export async function readCoderSettings(policyPath: string, file: string = policyPath): Promise<CoderSettings> {
	const read = await readYamlFile(policyPath, file);
	if (!read.ok) throw new RegistryError(read.issues);
	if (read.value.data === null || read.value.data === undefined) {
		throw new RegistryError([{ file, field: '(file)', found: 'an empty file', expected: 'the fields the README lists for this file' }]);
	}
	const parsed = parseWithFriendlyIssues(PolicySchema, read.value);
	if (!parsed.ok) throw new RegistryError(parsed.issues);
	return parsed.value.coder;
}
