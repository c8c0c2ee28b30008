import { RegistryError } from '../registry/registry-error.ts';
import { readYamlFile } from '../registry/yaml-file.ts';
import { parseWithFriendlyIssues } from '../registry/zod-issues.ts';
import { PolicySchema } from '../schema/policy.ts';
import type { Budget } from './types.ts';

/**
 * The budget every mined input must fit: `run.num_ctx` and `run.num_predict` of the policy the run stage
 * will use, so a mined case never overflows the context it is run with. The policy is read and validated
 * exactly as the build reads it (the registry's YAML reader and `PolicySchema`): a missing file or any
 * invalid field stops mining with a `RegistryError` naming the file, the field, what was found and what is
 * expected. `file` is the name the messages use (e.g. `benchmarks/policy.yaml`). Overrides from the command
 * line win; when both are given the policy is not read at all.
 */
export async function readBudget(policyPath: string, overrides: Partial<Budget> = {}, file: string = policyPath): Promise<Budget> {
	if (overrides.numCtx !== undefined && overrides.numPredict !== undefined) {
		return { numCtx: overrides.numCtx, numPredict: overrides.numPredict };
	}
	const read = await readYamlFile(policyPath, file);
	if (!read.ok) throw new RegistryError(read.issues);
	if (read.value.data === null || read.value.data === undefined) {
		throw new RegistryError([{ file, field: '(file)', found: 'an empty file', expected: 'the fields the README lists for this file' }]);
	}
	const parsed = parseWithFriendlyIssues(PolicySchema, read.value);
	if (!parsed.ok) throw new RegistryError(parsed.issues);
	return {
		numCtx: overrides.numCtx ?? parsed.value.run.num_ctx,
		numPredict: overrides.numPredict ?? parsed.value.run.num_predict,
	};
}
