import type { Case, Task } from '../schema/case.ts';
import type { RepositoryInfo } from './build-cases.ts';
import { approveCandidates, cleanCommits, commitCandidates, rejectCandidates } from './candidates.ts';
import type { CoderMining } from './coder-tests.ts';
import { MINED_ROLES, ROLE_TASKS, type MinedRole } from './checks.ts';
import { findIntroducers } from './find-introducers.ts';
import { openRepository, readRemoteUrl } from './git.ts';
import { readHistory } from './history.ts';
import { countSkip, createJudge, takeCases } from './judge.ts';
import { browsableUrl, repositoryName } from './repository.ts';
import type { Budget, SecretFinding, SkipReason, TaskTally } from './types.ts';

/** Minimum later commits a change needs before it counts as clean. @default 10 */
export const DEFAULT_CLEAN_AGE = 10;
/** Approve cases per reject case in each review task. @default 1 */
export const DEFAULT_CLEAN_RATIO = 1;

/** What to mine and how; the CLI fills it from its options, tests pass it directly. */
export type MineOptions = {
	/** Any path inside the repository to mine. */
	repo: string;
	since?: string;
	until?: string;
	roles: readonly MinedRole[];
	/** Most cases per task; unlimited when absent. */
	maxPerTask?: number;
	budget: Budget;
	/** Later commits a change needs (in the range) before it can be an approve case. */
	cleanAge: number;
	/** Approve cases allowed per reject case in a review task, so "approve everything" cannot win. */
	cleanRatio: number;
	minChangedLines: number;
	/** Git processes and case builds in flight. @default 4 */
	concurrency?: number;
	/** Validates implement-change cases by running their tests; required to mine the coder role. */
	coder?: CoderMining;
};

/** Everything mining found; nothing is written yet. */
export type MineResult = {
	repository: RepositoryInfo;
	/** Valid, secret-free cases, sorted by id. */
	cases: Case[];
	/** Per mined task: cases kept and candidates skipped by reason. */
	tallies: TaskTally[];
	/** Commits of the range left out before any task looked at them, by reason. */
	commitSkips: Partial<Record<SkipReason, number>>;
	commitsRead: number;
	secrets: SecretFinding[];
	/** Cases the schema refused (a miner bug, reported rather than written). */
	invalid: Array<{ caseId: string; message: string }>;
};

/** The tasks the given roles are measured on, in the schema's order. */
export function tasksOfRoles(roles: readonly MinedRole[]): Task[] {
	return MINED_ROLES.filter((role) => roles.includes(role)).flatMap((role) => [...ROLE_TASKS[role]]);
}

/** Alternates two lists (a, b, a, b, …), then appends what is left of the longer one. */
export function interleave<T>(first: readonly T[], second: readonly T[]): T[] {
	const result: T[] = [];
	for (let at = 0; at < Math.max(first.length, second.length); at++) {
		if (at < first.length) result.push(first[at] as T);
		if (at < second.length) result.push(second[at] as T);
	}
	return result;
}

/**
 * Mines cases from a repository's history: reads the range, filters commits, builds each selected task's
 * cases (SZZ for review), validates them, drops any holding a secret, and caps each task. Writes nothing.
 */
export async function mineCases(options: MineOptions): Promise<MineResult> {
	if (options.roles.includes('coder') && !options.coder) throw new Error('Mining the coder role needs an executor: implement-change cases are written only once their tests are validated.');
	const concurrency = options.concurrency ?? 4;
	const limit = options.maxPerTask ?? Number.POSITIVE_INFINITY;
	const repo = await openRepository(options.repo);
	const url = browsableUrl(await readRemoteUrl(repo));
	const repository: RepositoryInfo = { name: repositoryName(repo.root, url), ...(url ? { url } : {}) };
	const history = await readHistory(repo, { ...options, concurrency });

	const commitSkips: MineResult['commitSkips'] = {};
	for (const entry of history.commits) if (entry.skip) commitSkips[entry.skip] = (commitSkips[entry.skip] ?? 0) + 1;
	const usable = history.commits.filter((entry) => !entry.skip);

	const tasks = tasksOfRoles(options.roles);
	const tallies = new Map<Task, TaskTally>(tasks.map((task) => [task, { task, found: 0, skipped: {} }]));
	const secrets: SecretFinding[] = [];
	const invalid: MineResult['invalid'] = [];
	const judge = createJudge({ budget: options.budget, tallies, secrets, invalid });
	const cases: Case[] = [];

	for (const task of tasks) {
		if (task === 'code-review' || task === 'security-review') continue;
		const candidates = commitCandidates(task, usable, repo, repository, options.budget, options.coder);
		cases.push(...(await takeCases(candidates, limit, concurrency, task, judge)));
	}

	if (options.roles.includes('review')) {
		const szz = await findIntroducers(repo, history, concurrency);
		for (const skip of szz.skips) countSkip(tallies, skip.task, skip.reason);
		await history.load([...szz.introducers]);
		const clean = cleanCommits(history, szz.introducers, options.cleanAge);
		for (const task of ['code-review', 'security-review'] as const) {
			const rejects = await takeCases(rejectCandidates(task, szz.groups, history, repository, options.budget), limit, concurrency, task, judge);
			// Approves are capped by the rejects found, so a model that approves everything cannot score well.
			const approveLimit = Math.min(limit, Math.ceil(options.cleanRatio * rejects.length));
			const approves = await takeCases(approveCandidates(task, clean, repository, options.budget), approveLimit, concurrency, task, judge);
			cases.push(...interleave(rejects, approves).slice(0, limit));
		}
	}

	// Ids are `<role>-<task>-<sha12>`: one case per commit and task, whichever way it was found.
	const unique = [...new Map(cases.map((value) => [value.id, value])).values()].sort((a, b) => (a.id < b.id ? -1 : 1));
	for (const value of unique) (tallies.get(value.task) as TaskTally).found += 1;
	return {
		repository,
		cases: unique,
		tallies: [...tallies.values()],
		commitSkips,
		commitsRead: history.commits.length,
		secrets,
		invalid,
	};
}
