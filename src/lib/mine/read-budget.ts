import { readPolicyFile } from '../registry/read-policy.ts';
import type { Budget } from './types.ts';

/**
 * The budget every mined input must fit: `run.num_ctx` and `run.num_predict` of the policy the run stage
 * will use, so a mined case never overflows the context it is run with. The policy is read as the build
 * reads it (`readPolicyFile`): a missing or invalid policy stops mining with the file and field named.
 * Overrides from the command line win; when both are given the policy is not read at all.
 */
export async function readBudget(policyPath: string, overrides: Partial<Budget> = {}, file: string = policyPath): Promise<Budget> {
	if (overrides.numCtx !== undefined && overrides.numPredict !== undefined) {
		return { numCtx: overrides.numCtx, numPredict: overrides.numPredict };
	}
	const policy = await readPolicyFile(policyPath, file);
	return {
		numCtx: overrides.numCtx ?? policy.run.num_ctx,
		numPredict: overrides.numPredict ?? policy.run.num_predict,
	};
}
