import { resolve } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { LOG_FORMAT } from './parse-log.ts';

/**
 * The only module that runs git. Every call is an argument array (simple-git spawns git without a shell)
 * and every listing is NUL-separated; parsing lives in the pure modules. Options that a user's git config
 * could change (diff algorithm, context, prefixes, colour, signatures, ignored blame revisions) are pinned
 * on each call, so the same history gives the same text on every machine.
 */
export type Repository = { root: string; git: SimpleGit };

function client(baseDir: string): SimpleGit {
	return simpleGit({ baseDir, maxConcurrentProcesses: 4, trimmed: false, config: ['core.quotepath=false'] });
}

/** Opens the repository that holds `path`, at its top level. Fails with the path named when there is none. */
export async function openRepository(path: string): Promise<Repository> {
	const absolute = resolve(path);
	let root: string;
	try {
		root = (await client(absolute).raw(['rev-parse', '--show-toplevel'])).trim();
	} catch (error) {
		throw new Error(`'${absolute}' is not inside a git repository.`, { cause: error });
	}
	const git = client(root);
	try {
		await git.raw(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
	} catch (error) {
		throw new Error(`The repository at '${root}' has no commits yet.`, { cause: error });
	}
	return { root, git };
}

/** Raw `git log` of HEAD for the range, newest first in topological order (stable for the same history). */
export async function readLog(repo: Repository, range: { since?: string; until?: string }): Promise<string> {
	const args = ['log', '-z', '--topo-order', '--no-show-signature', `--format=${LOG_FORMAT}`];
	if (range.since !== undefined) args.push(`--since=${range.since}`);
	if (range.until !== undefined) args.push(`--until=${range.until}`);
	args.push('HEAD', '--');
	return repo.git.raw(args);
}

/** Raw `git log` of exactly the given commits (no walk), in the order given. */
export async function readCommits(repo: Repository, shas: string[]): Promise<string> {
	if (shas.length === 0) return '';
	return repo.git.raw(['log', '-z', '--no-walk=unsorted', '--no-show-signature', `--format=${LOG_FORMAT}`, ...shas, '--']);
}

/** Context lines for a diff that holds whole files: more than any file has lines. */
const WHOLE_FILE_CONTEXT = 1_000_000_000;

/**
 * The unified diff from `parent` to `commit`, with the options pinned (see the module comment). With
 * `wholeFiles`, limited to `paths` and with unlimited context, so both sides of each file can be rebuilt.
 */
export async function readDiff(repo: Repository, parent: string, commit: string, wholeFiles?: { paths: string[] }): Promise<string> {
	return repo.git.raw([
		'diff',
		'--no-color',
		'--no-ext-diff',
		'--no-textconv',
		'--no-relative',
		'--diff-algorithm=myers',
		'--indent-heuristic',
		`--unified=${wholeFiles ? WHOLE_FILE_CONTEXT : 3}`,
		'--inter-hunk-context=0',
		// The `index` line's abbreviation otherwise grows with the object count: re-mining an old commit in a
		// bigger repository would change its case.
		'--abbrev=12',
		'-M',
		'--src-prefix=a/',
		'--dst-prefix=b/',
		parent,
		commit,
		'--',
		...(wholeFiles ? wholeFiles.paths.map((path) => `:(literal)${path}`) : []),
	]);
}

/** Every file path at a revision, NUL-separated. */
export async function readTree(repo: Repository, rev: string): Promise<string> {
	return repo.git.raw(['ls-tree', '-r', '-z', '--name-only', '--full-tree', rev]);
}

/** A file's content at a revision. */
export async function readBlob(repo: Repository, rev: string, path: string): Promise<string> {
	return repo.git.raw(['cat-file', 'blob', `${rev}:${path}`]);
}

/**
 * A file's content at a revision, or undefined when the revision has no such file. Asked with `ls-tree`
 * first, not by catching `cat-file`'s failure: any other git failure must surface, not read as "no file".
 */
export async function readBlobIfPresent(repo: Repository, rev: string, path: string): Promise<string | undefined> {
	const listed = await repo.git.raw(['ls-tree', '-z', '--full-tree', rev, '--', path]);
	return listed === '' ? undefined : readBlob(repo, rev, path);
}

/**
 * `git blame --porcelain` of the given line ranges of `path` at `rev`: `-w` ignores whitespace changes,
 * `-M -C` follow lines moved within the file and copied from other files of the same commit, so a line is
 * blamed on the commit that wrote it rather than the one that moved it.
 */
export async function readBlame(repo: Repository, rev: string, path: string, rangeArgs: string[]): Promise<string> {
	return repo.git.raw([
		'blame',
		'--porcelain',
		'-w',
		'-M',
		'-C',
		// An empty name clears any blame.ignoreRevsFile from the user's config.
		'--ignore-revs-file=',
		...rangeArgs,
		rev,
		'--',
		path,
	]);
}

/** The `origin` remote's URL, if the repository has one. */
export async function readRemoteUrl(repo: Repository): Promise<string | undefined> {
	try {
		const url = (await repo.git.raw(['config', '--get', 'remote.origin.url'])).trim();
		return url === '' ? undefined : url;
	} catch {
		return undefined;
	}
}
