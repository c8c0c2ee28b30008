import type { Case } from '../schema/case.ts';
import type { Executor } from './executor.ts';

/**
 * Roles whose implement-change results may not back a promotion in this run, with why: their tests did
 * not run isolated (no usable sandbox, or `coder.sandbox: none`), or some case carries no tests and would
 * be judged on the file set alone. The pipeline hands this to the policy, which gives such a role
 * `insufficient evidence`. Pure; roles sorted.
 */
export function executionPromotionBlocks(
	cases: readonly Case[],
	executor: Pick<Executor, 'promotionBlock'> | undefined,
): Map<string, string> {
	const byRole = new Map<string, Case[]>();
	for (const testCase of cases) {
		if (testCase.task !== 'implement-change') continue;
		byRole.set(testCase.role, [...(byRole.get(testCase.role) ?? []), testCase]);
	}
	const blocks = new Map<string, string>();
	for (const [role, roleCases] of [...byRole].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
		const untested = roleCases.filter((testCase) => testCase.task === 'implement-change' && !testCase.tests).length;
		if (untested > 0)
			blocks.set(
				role,
				`${untested} of ${roleCases.length} implement-change case(s) carry no tests: file-set checks alone cannot back a promotion`,
			);
		else if (!executor) blocks.set(role, 'coder tests were not run: no test executor');
		else if (executor.promotionBlock) blocks.set(role, executor.promotionBlock);
	}
	return blocks;
}
