import { isFixCommit } from './build-cases.ts';
import { codeMentionsSecurity, mentionsSecurity, touchedCode } from './classify.ts';
import { authoredFiles } from './filters.ts';
import { classifyFix, type FixKind } from './fix-kinds.ts';
import { readBlame, type Repository } from './git.ts';
import type { AnalyzedCommit, History } from './history.ts';
import { pathKind } from './path-kinds.ts';
import { mapWithLimit } from './pool.ts';
import { blameRangeArgs, groupByIntroducer, linesToBlame, MAX_FIX_LINES, parseBlamePorcelain, type BlameLine } from './szz.ts';
import type { FileDiff, RawCommit, SkipReason } from './types.ts';

/** The two tasks review cases go to. */
export type ReviewTask = 'code-review' | 'security-review';

/** A commit SZZ blamed for lines that later fixes (of one kind) touched. */
export type IntroducerGroup = {
	task: ReviewTask;
	/** The introducing commit. */
	sha: string;
	/** The fixes whose deleted or changed lines it wrote, newest first. */
	fixes: RawCommit[];
	/** Per path in the introducing commit, its new-file line numbers those fixes touched. */
	lines: Map<string, Set<number>>;
};

/** What SZZ found: introducers per task, every introducer sha, and the fixes it could not use. */
export type SzzResult = {
	groups: IntroducerGroup[];
	introducers: Set<string>;
	skips: Array<{ task: ReviewTask; reason: SkipReason }>;
	/** Every fix of the range by kind (traced or not), and how many behavioural fixes were security fixes. */
	fixes: { byKind: Partial<Record<FixKind, number>>; security: number };
};

/** A fix is security work when its message mentions a security concern or the code it touched names one. */
export function fixTask(commit: RawCommit, files: FileDiff[]): ReviewTask {
	return mentionsSecurity(commit.message) || codeMentionsSecurity(touchedCode(authoredFiles(files))) ? 'security-review' : 'code-review';
}

/**
 * Commits of the range that count as fixes: read (not a merge, bot, root or revert of revert), with a fix
 * word, `Fixes:` trailer or revert message, and not a revert that was itself reverted.
 */
export function fixCommits(history: History): AnalyzedCommit[] {
	return history.commits.filter(
		(entry) =>
			!entry.metadataSkip &&
			entry.files !== undefined &&
			isFixCommit(entry.commit) &&
			!history.reverts.revertedReverts.has(entry.commit.sha),
	);
}

/**
 * The files of a fix whose old lines can be blamed: authored code files (not tests, docs, CI or tooling: the
 * commit that wrote a test a fix adjusted shipped no bug) that existed at the parent. A deleted file counts:
 * a revert of an added file deletes it, and those are exactly the lines the reverted commit wrote
 * (MAX_FIX_LINES keeps a wholesale deletion from passing for a fix).
 */
function blamableFiles(files: FileDiff[]): FileDiff[] {
	return authoredFiles(files).filter((file) => file.oldPath !== null && !file.binary && pathKind(file.oldPath) === 'code');
}

async function blameFix(repo: Repository, fix: AnalyzedCommit): Promise<BlameLine[] | SkipReason> {
	const targets = blamableFiles(fix.files ?? [])
		.map((file) => ({ path: file.oldPath as string, lines: linesToBlame(file) }))
		.filter((target) => target.lines.length > 0);
	const total = targets.reduce((sum, target) => sum + target.lines.length, 0);
	if (total === 0) return 'fix-adds-only';
	if (total > MAX_FIX_LINES) return 'fix-too-broad';
	const parent = fix.commit.parents[0] as string;
	const blamed: BlameLine[] = [];
	for (const target of targets) {
		try {
			blamed.push(...parseBlamePorcelain(await readBlame(repo, parent, target.path, blameRangeArgs(target.lines))));
		} catch (error) {
			throw new Error(`Failed to blame ${target.path} at ${parent} (parent of fix ${fix.commit.sha}).`, { cause: error });
		}
	}
	return blamed;
}

/**
 * SZZ over the range's fixes: classify each fix (`classifyFix`) and leave the non-behavioural ones out, with
 * their kind as the skip reason; blame each behavioural fix's deleted or changed code lines at its parent and
 * group the lines by the commit that wrote them, one group per introducer and task (a fix's task decides it).
 */
export async function findIntroducers(repo: Repository, history: History, concurrency: number): Promise<SzzResult> {
	const skips: SzzResult['skips'] = [];
	const fixes: SzzResult['fixes'] = { byKind: {}, security: 0 };
	const behavioural = fixCommits(history).filter((fix) => {
		const kind = classifyFix(fix.commit, authoredFiles(fix.files ?? []));
		fixes.byKind[kind] = (fixes.byKind[kind] ?? 0) + 1;
		if (kind === 'behavioural') return true;
		skips.push({ task: fixTask(fix.commit, fix.files ?? []), reason: `fix-${kind}` });
		return false;
	});
	const blamed = await mapWithLimit(behavioural, concurrency, (fix) => blameFix(repo, fix));
	const groups = new Map<string, IntroducerGroup>();
	behavioural.forEach((fix, at) => {
		const task = fixTask(fix.commit, fix.files ?? []);
		if (task === 'security-review') fixes.security += 1;
		const result = blamed[at] as BlameLine[] | SkipReason;
		if (typeof result === 'string') {
			skips.push({ task, reason: result });
			return;
		}
		for (const [sha, byPath] of groupByIntroducer(result)) {
			const key = `${task} ${sha}`;
			let group = groups.get(key);
			if (!group) groups.set(key, (group = { task, sha, fixes: [], lines: new Map() }));
			group.fixes.push(fix.commit);
			for (const [path, numbers] of byPath) {
				const into = group.lines.get(path) ?? new Set<number>();
				for (const number of numbers) into.add(number);
				group.lines.set(path, into);
			}
		}
	});
	const sorted = [...groups.values()].sort((a, b) => (a.task + a.sha < b.task + b.sha ? -1 : 1));
	return { groups: sorted, introducers: new Set(sorted.map((group) => group.sha)), skips, fixes };
}
