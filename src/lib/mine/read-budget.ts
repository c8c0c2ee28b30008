import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { RunOptionsSchema } from '../schema/policy.ts';
import { DEFAULT_BUDGET } from './budget.ts';
import type { Budget } from './types.ts';

const BudgetFieldsSchema = RunOptionsSchema.pick({ num_ctx: true, num_predict: true }).partial();

/**
 * Reads `run.num_ctx` and `run.num_predict` from a policy file, when it exists. Only those two fields are
 * read (with the policy schema's own rules), so a policy that is still being written does not stop mining;
 * a missing file gives the defaults. A value that breaks the schema stops with the file and field named.
 */
export async function readBudget(policyPath: string, overrides: Partial<Budget> = {}): Promise<Budget> {
	let text: string | undefined;
	try {
		text = await readFile(policyPath, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
			throw new Error(`Cannot read ${policyPath}.`, { cause: error });
		}
	}
	let fromFile: { num_ctx?: number; num_predict?: number } = {};
	if (text !== undefined) {
		let document: unknown;
		try {
			document = parse(text);
		} catch (error) {
			throw new Error(`${policyPath} is not valid YAML: ${(error as Error).message}`, { cause: error });
		}
		const run = (document as { run?: Record<string, unknown> } | null)?.run;
		if (run !== undefined && (run === null || typeof run !== 'object' || Array.isArray(run))) {
			throw new Error(`${policyPath}: \`run\` is invalid: expected a mapping, found ${JSON.stringify(run)}.`);
		}
		// Only the two fields the miner needs are checked; the rest of `run` belongs to the run stage.
		const parsed = BudgetFieldsSchema.safeParse({ num_ctx: run?.num_ctx, num_predict: run?.num_predict });
		if (!parsed.success) {
			const issue = parsed.error.issues[0];
			const field = ['run', ...(issue?.path ?? [])].join('.');
			throw new Error(`${policyPath}: \`${field}\` is invalid: ${issue?.message}.`);
		}
		fromFile = parsed.data;
	}
	return {
		numCtx: overrides.numCtx ?? fromFile.num_ctx ?? DEFAULT_BUDGET.numCtx,
		numPredict: overrides.numPredict ?? fromFile.num_predict ?? DEFAULT_BUDGET.numPredict,
	};
}
