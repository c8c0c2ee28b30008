import { parseArgs } from 'node:util';
import { MINED_ROLES, type MinedRole } from './checks.ts';
import { DEFAULT_MIN_CHANGED_LINES } from './filters.ts';
import { DEFAULT_CLEAN_AGE, DEFAULT_CLEAN_RATIO } from './mine.ts';

/** The `--help` text; also printed after a usage error. */
export const USAGE = `Usage: node scripts/mine.ts [options]

Mines benchmark cases from a repository's git history into <out>/<role>/<id>.json.

Cases are written into this project's benchmarks/cases and sized by this project's
benchmarks/policy.yaml, whichever repository is mined.

Options:
  --repo PATH            repository to mine (default: the repository holding the current folder)
  --name NAME            the repository's name in every case, e.g. owner/repo (default: from its origin remote's URL;
                         required when it has no web remote)
  --since DATE           only commits after DATE (any date git understands, e.g. 2024-01-01, "6 months ago")
  --until DATE           only commits before DATE
  --roles LIST           comma-separated roles: ${MINED_ROLES.join(',')} (default: all)
  --max-per-task N       at most N cases per task, newest first (default: no limit)
  --out DIR              output folder (default: this project's benchmarks/cases)
  --dry-run              print what would be written, write nothing
  --force                overwrite case files whose content changed (default: report them, keep them)
  --policy FILE          policy to read run.num_ctx and run.num_predict from (default: this project's benchmarks/policy.yaml)
  --num-ctx N            context window every input must fit (overrides the policy)
  --num-predict N        tokens kept free for the answer (overrides the policy)
  --clean-age K          a change needs K later commits before it can be an approve case (default: ${DEFAULT_CLEAN_AGE})
  --clean-ratio R        approve cases per reject case in each review task (default: ${DEFAULT_CLEAN_RATIO})
  --min-changed-lines N  commits changing fewer lines are skipped as tiny (default: ${DEFAULT_MIN_CHANGED_LINES})
  --help                 show this help
`;

/** A mistake on the command line: the message says which option and what it expects. */
export class UsageError extends Error {
	override name = 'UsageError';
}

/** The command line, parsed and checked; absent values fall back later (policy file, repository paths). */
export type CliOptions = {
	repo: string;
	name?: string;
	since?: string;
	until?: string;
	roles: MinedRole[];
	maxPerTask?: number;
	out?: string;
	dryRun: boolean;
	force: boolean;
	policy?: string;
	numCtx?: number;
	numPredict?: number;
	cleanAge: number;
	cleanRatio: number;
	minChangedLines: number;
	help: boolean;
};

function wholeNumber(option: string, value: string | undefined, min: number): number | undefined {
	if (value === undefined) return undefined;
	if (!/^\d+$/.test(value) || Number(value) < min) {
		throw new UsageError(`--${option} expects a whole number of at least ${min}, got '${value}'.`);
	}
	return Number(value);
}

function nonEmpty(option: string, value: string | undefined): string | undefined {
	if (value !== undefined && value.trim() === '') throw new UsageError(`--${option} expects a value, got an empty string.`);
	return value;
}

/** `--name`: a name as a forge shows it (`owner/repo`, `group/sub/repo`): no spaces, no leading or trailing slash. */
export function repositoryNameOption(value: string | undefined): string | undefined {
	if (value === undefined) return undefined;
	if (!/^[\w.-]+(\/[\w.-]+)*$/.test(value)) {
		throw new UsageError(`--name expects a repository name such as owner/repo, got '${value}'.`);
	}
	return value;
}

/** The roles of `--roles a,b`; unknown or repeated names are refused. */
export function parseRoles(value: string | undefined): MinedRole[] {
	if (value === undefined) return [...MINED_ROLES];
	const names = value.split(',').map((name) => name.trim());
	const unknown = names.filter((name) => !(MINED_ROLES as string[]).includes(name));
	if (unknown.length > 0 || names.length === 0) {
		throw new UsageError(`--roles: unknown role '${unknown[0] ?? value}'; expected a comma-separated list of ${MINED_ROLES.join(', ')}.`);
	}
	return MINED_ROLES.filter((role) => names.includes(role));
}

/** Parses the miner's command line. Throws a UsageError naming the option for anything it cannot use. */
export function parseMineArgs(argv: string[]): CliOptions {
	let parsed;
	try {
		parsed = parseArgs({
			args: argv,
			strict: true,
			allowPositionals: false,
			options: {
				repo: { type: 'string' },
				name: { type: 'string' },
				since: { type: 'string' },
				until: { type: 'string' },
				roles: { type: 'string' },
				'max-per-task': { type: 'string' },
				out: { type: 'string' },
				'dry-run': { type: 'boolean' },
				force: { type: 'boolean' },
				policy: { type: 'string' },
				'num-ctx': { type: 'string' },
				'num-predict': { type: 'string' },
				'clean-age': { type: 'string' },
				'clean-ratio': { type: 'string' },
				'min-changed-lines': { type: 'string' },
				help: { type: 'boolean', short: 'h' },
			},
		});
	} catch (error) {
		throw new UsageError((error as Error).message);
	}
	const values = parsed.values;
	const cleanRatioText = values['clean-ratio'];
	let cleanRatio = DEFAULT_CLEAN_RATIO;
	if (cleanRatioText !== undefined) {
		cleanRatio = Number(cleanRatioText);
		if (cleanRatioText.trim() === '' || !Number.isFinite(cleanRatio) || cleanRatio < 0) {
			throw new UsageError(`--clean-ratio expects a number of at least 0, got '${cleanRatioText}'.`);
		}
	}
	return {
		repo: nonEmpty('repo', values.repo) ?? '.',
		name: repositoryNameOption(values.name),
		since: nonEmpty('since', values.since),
		until: nonEmpty('until', values.until),
		roles: parseRoles(values.roles),
		maxPerTask: wholeNumber('max-per-task', values['max-per-task'], 1),
		out: nonEmpty('out', values.out),
		dryRun: values['dry-run'] ?? false,
		force: values.force ?? false,
		policy: nonEmpty('policy', values.policy),
		numCtx: wholeNumber('num-ctx', values['num-ctx'], 512),
		numPredict: wholeNumber('num-predict', values['num-predict'], 16),
		cleanAge: wholeNumber('clean-age', values['clean-age'], 0) ?? DEFAULT_CLEAN_AGE,
		cleanRatio,
		minChangedLines: wholeNumber('min-changed-lines', values['min-changed-lines'], 0) ?? DEFAULT_MIN_CHANGED_LINES,
		help: values.help ?? false,
	};
}
