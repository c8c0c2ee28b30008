import type { CaseInput, CaseTests } from '../schema/case.ts';
import type { CoderAnswerFormat } from '../schema/policy.ts';
import type { Execution, Executor } from '../execute/executor.ts';
import {
	type CommandRefusal,
	commandFromPolicy,
	detectTestCommand,
	isBrowserTest,
	isTestEntry,
	type TestCommand,
} from '../execute/test-runners.ts';
import { pathKind } from './path-kinds.ts';
import type { CandidateOutcome, FileText } from './build-cases.ts';
import type { SkipReason } from './types.ts';

/** What mining the coder role needs: the executor that validates each case, and the policy's command, if any. */
export type CoderMining = {
	executor: Executor;
	/** `coder.test_command` from the policy; detected from package.json when absent. */
	testCommand?: string;
	/** `coder.answer_format` from the policy: what must fit `num_predict` (the change's edits, or the whole files after). @default 'edit' */
	answerFormat?: CoderAnswerFormat;
	/** Told why each validated candidate was skipped, with the run's own words. */
	log?: (message: string) => void;
	/**
	 * Told, for each candidate that could not be run, why in a few words (`no-test-command: browser tests
	 * (karma)`, `environment-error: needs a git dependency`): the mining summary counts them.
	 */
	countReason?: (reason: string) => void;
};

/** True for a path the miner counts as a test (`pathKind`): test files and the helpers and fixtures beside them. */
export function isTestPath(path: string): boolean {
	return pathKind(path) === 'test';
}

/**
 * A commit's authored paths split into the code the model sees and the tests it never sees (written into
 * every worktree, so helpers and fixtures the tests need come along). Sorted.
 */
export function splitTestPaths(paths: readonly string[]): { code: string[]; tests: string[] } {
	return {
		code: paths.filter((path) => !isTestPath(path)).sort(),
		tests: paths.filter((path) => isTestPath(path)).sort(),
	};
}

/** The command a commit's tests run with: the policy's, else the one its package.json at the commit implies, else why none. */
export function testCommandOf(policyCommand: string | undefined, packageJson: string | undefined): TestCommand | CommandRefusal {
	return policyCommand === undefined ? detectTestCommand(packageJson) : commandFromPolicy(policyCommand);
}

/** The few words of an environment error worth counting: the dependency problem, or the first clause of the detail. */
function environmentReason(run: Execution): string {
	const detail = run.detail.replace(/^dependencies: /, '');
	return detail
		.replace(/\s*\(.*$/, '')
		.replace(/:.*$/, '')
		.slice(0, 80);
}

/** Why a run at the commit shows the case cannot be used, or undefined when its tests passed there. */
function afterSkip(run: Execution): SkipReason | undefined {
	if (run.status === 'timeout') return 'timeout';
	if (run.status === 'error' || (!run.reported && run.runner !== 'exit-code')) return 'environment-error';
	if (run.status === 'failed') return 'fails-after';
	return undefined;
}

/** Why a run at the parent (with the commit's tests) shows the case cannot be used, or undefined when the tests failed as they should. */
function beforeSkip(run: Execution): SkipReason | undefined {
	if (run.status === 'timeout') return 'timeout';
	if (run.status === 'error') return 'environment-error';
	if (run.status === 'passed') return 'passes-before';
	return undefined;
}

/**
 * Validates an implement-change candidate as SWE-bench does: the commit's tests must pass at the commit,
 * and fail at the parent with only the test files brought over, so they test this very change. Runs at the
 * commit first (a broken environment shows there, and it is the cheaper rejection). The tests, their
 * command and the counts are added to the case; any other outcome is a skip with its reason.
 */
export async function validateImplementChange(
	candidate: CaseInput,
	tests: { files: FileText[]; command: TestCommand },
	coder: CoderMining,
): Promise<CandidateOutcome> {
	const { executor } = coder;
	const skip = (reason: SkipReason, where: string, run: Execution): CandidateOutcome => {
		coder.log?.(`${candidate.id}: ${reason} (${where}: ${run.detail})`);
		if (reason === 'environment-error') coder.countReason?.(`environment-error: ${environmentReason(run)}`);
		return { skip: reason };
	};
	const entries = tests.files.filter((file) => isTestEntry(file.path, file.content, tests.command.runner));
	const run = entries.filter((file) => !isBrowserTest(file.content)).map((file) => file.path);
	if (run.length === 0) {
		if (entries.length > 0) coder.countReason?.('no-tests: browser tests only');
		return { skip: 'no-tests' };
	}
	const { commit, parent } = candidate.source;
	const request = { runner: tests.command.runner, command: tests.command.command, run };
	const after = await executor.execute({ ...request, rev: commit, files: [] });
	const afterReason = afterSkip(after);
	if (afterReason) return skip(afterReason, 'at the commit', after);
	const before = await executor.execute({ ...request, rev: parent, files: tests.files });
	const beforeReason = beforeSkip(before);
	if (beforeReason) return skip(beforeReason, 'at the parent with the tests', before);
	const caseTests: CaseTests = {
		runner: tests.command.runner,
		command: tests.command.command,
		run,
		files: tests.files,
		count: after.tests,
		failed_before: before.reported ? before.failed : null,
	};
	return { candidate: { ...candidate, tests: caseTests } as CaseInput };
}
