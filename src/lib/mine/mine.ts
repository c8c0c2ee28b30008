import type { Case, Task } from '../schema/case.ts';
import type { RepositoryInfo } from './build-cases.ts';
import { approveCandidates, buildApproveCase, cleanCommits, commitCandidates, rejectCandidates } from './candidates.ts';
import type { CoderMining } from './coder-tests.ts';
import { MINED_ROLES, ROLE_TASKS, type MinedRole } from './checks.ts';
import { findIntroducers, type ReviewTask, type SzzResult } from './find-introducers.ts';
import { openRepository, readRemoteUrl } from './git.ts';
import { readHistory } from './history.ts';
import { countSkip, createJudge, takeCases } from './judge.ts';
import { balanceStats, featuresOfCase, matchApproves, type BalanceStats } from './match-approves.ts';
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
	/**
	 * The repository's name in every case's `source.repository` (e.g. `owner/repo`); when absent, the path of
	 * its `origin` remote's URL. Never the folder's name: a clone in another folder must give the same cases.
	 */
	name?: string;
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
	/** Fixes of the range by kind, and how many behavioural ones were security fixes (review only). */
	fixes?: SzzResult['fixes'];
	/** Per review task: size and dates of the reject and the approve cases, and rejects left without an approve. */
	balance: ReviewBalance[];
	/** Coder role only: why candidates could not be run, by reason, and what validating the others cost. */
	coder?: CoderCost;
};

/** What validating implement-change candidates took, and why some could not be run at all. */
export type CoderCost = {
	/** `no-test-command: …` and `environment-error: …` reasons, counted. */
	reasons: Record<string, number>;
	/** Test runs made now and their total time; results taken from the execution cache. */
	runs: { made: number; ms: number; cached: number };
	/** Dependency installs made now and their total time; worktrees given a cached install; refused installs. */
	installs: { made: number; ms: number; linked: number; refused: number };
};

/** How alike a review task's reject and approve cases are, for the summary. */
export type ReviewBalance = { task: ReviewTask; rejects: BalanceStats; approves: BalanceStats; unmatched: number };

/** The tasks the given roles are measured on, in the schema's order. */
export function tasksOfRoles(roles: readonly MinedRole[]): Task[] {
	return MINED_ROLES.filter((role) => roles.includes(role)).flatMap((role) => [...ROLE_TASKS[role]]);
}

/**
 * Mines cases from a repository's history: reads the range, filters commits, builds each selected task's
 * cases (SZZ for review), validates them, drops any holding a secret, and caps each task. Writes nothing.
 */
export async function mineCases(options: MineOptions): Promise<MineResult> {
	if (options.roles.includes('coder') && !options.coder)
		throw new Error('Mining the coder role needs an executor: implement-change cases are written only once their tests are validated.');
	const concurrency = options.concurrency ?? 4;
	const limit = options.maxPerTask ?? Number.POSITIVE_INFINITY;
	const repo = await openRepository(options.repo);
	const remote = await readRemoteUrl(repo);
	const url = browsableUrl(remote);
	const name = options.name ?? repositoryName(url);
	if (name === undefined) {
		throw new Error(
			`Cannot name the repository at '${repo.root}': ${remote === undefined ? 'it has no origin remote' : `its origin remote '${remote}' is not a web URL`}. Pass --name owner/repo (cases must not carry a folder's name).`,
		);
	}
	const repository: RepositoryInfo = { name, ...(url ? { url } : {}) };
	const history = await readHistory(repo, { ...options, concurrency });

	const commitSkips: MineResult['commitSkips'] = {};
	for (const entry of history.commits) if (entry.skip) commitSkips[entry.skip] = (commitSkips[entry.skip] ?? 0) + 1;
	const usable = history.commits.filter((entry) => !entry.skip);

	const tasks = tasksOfRoles(options.roles);
	const tallies = new Map<Task, TaskTally>(tasks.map((task) => [task, { task, found: 0, skipped: {} }]));
	const secrets: SecretFinding[] = [];
	const invalid: MineResult['invalid'] = [];
	const settings = options.coder?.answerFormat === undefined ? {} : { coderAnswerFormat: options.coder.answerFormat };
	const judge = createJudge({ budget: options.budget, settings, tallies, secrets, invalid });
	const cases: Case[] = [];
	const coderReasons: Record<string, number> = {};
	const coder: CoderMining | undefined = options.coder && {
		...options.coder,
		countReason: (reason) => {
			coderReasons[reason] = (coderReasons[reason] ?? 0) + 1;
			options.coder?.countReason?.(reason);
		},
	};
	const before = options.coder && structuredClone(options.coder.executor.stats);

	for (const task of tasks) {
		if (task === 'code-review' || task === 'security-review') continue;
		const candidates = commitCandidates(task, usable, repo, repository, options.budget, coder);
		cases.push(...(await takeCases(candidates, limit, concurrency, task, judge)));
	}

	const balance: ReviewBalance[] = [];
	let fixes: SzzResult['fixes'] | undefined;
	if (options.roles.includes('review')) {
		const szz = await findIntroducers(repo, history, concurrency);
		fixes = szz.fixes;
		for (const skip of szz.skips) countSkip(tallies, skip.task, skip.reason);
		await history.load([...szz.introducers]);
		const clean = cleanCommits(history, szz.introducers, options.cleanAge);
		// Room for the approve cases under the cap: rejects take their share, the matched approves the rest.
		const rejectLimit = Number.isFinite(limit) ? Math.max(1, Math.ceil(limit / (1 + options.cleanRatio))) : limit;
		for (const task of ['code-review', 'security-review'] as const) {
			const rejects = await takeCases(
				rejectCandidates(task, szz.groups, history, repository, options.budget),
				rejectLimit,
				concurrency,
				task,
				judge,
			);
			// As many approves as the ratio asks, each matched to a reject case in size, file types and date, so
			// neither approving everything nor judging by size can score well.
			const wanted = Math.min(Math.ceil(options.cleanRatio * rejects.length), limit - rejects.length);
			const rejectFeatures = rejects.map((value) => ({ id: value.id, severity: value.severity, features: featuresOfCase(value) }));
			const severityOf = new Map(rejectFeatures.map((value) => [value.id, value.severity]));
			const matched = await matchApproves(rejectFeatures, approveCandidates(task, clean), wanted, (candidate, rejectId) =>
				judge(task, buildApproveCase(task, candidate, severityOf.get(rejectId) as Case['severity'], repository, options.budget)),
			);
			const approves = matched.map((entry) => entry.approve);
			cases.push(...rejects, ...approves);
			balance.push({
				task,
				rejects: balanceStats(rejectFeatures.map((value) => value.features)),
				approves: balanceStats(approves.map(featuresOfCase)),
				unmatched: rejects.length - new Set(matched.map((entry) => entry.rejectId)).size,
			});
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
		...(fixes ? { fixes } : {}),
		balance,
		...(options.coder && before ? { coder: coderCost(coderReasons, before, options.coder.executor.stats) } : {}),
	};
}

/** What the executor did between two snapshots of its counters. */
function coderCost(
	reasons: Record<string, number>,
	before: CoderMining['executor']['stats'],
	after: CoderMining['executor']['stats'],
): CoderCost {
	return {
		reasons,
		runs: { made: after.executed - before.executed, ms: after.runMs - before.runMs, cached: after.cached - before.cached },
		installs: {
			made: after.installs.made - before.installs.made,
			ms: after.installs.ms - before.installs.ms,
			linked: after.installs.linked - before.installs.linked,
			refused: after.installs.refused - before.installs.refused,
		},
	};
}
