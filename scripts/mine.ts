/**
 * The case miner's command line: `npm run mine -- --help`. Only wires the stages in src/lib/mine:
 * options → budget → mine → write → summary. Exits 2 on a bad option, 1 on any other failure.
 * Whichever repository it mines, it reads this project's policy and writes into this project's cases: the
 * project is the folder this script belongs to, not the mined repository.
 */
import { join, relative, resolve } from 'node:path';
import { createExecutor, EXECUTE_CACHE_DIR } from '../src/lib/execute/executor.ts';
import { PROMPT_OVERHEAD_TOKENS } from '../src/lib/mine/budget.ts';
import { MINED_ROLES } from '../src/lib/mine/checks.ts';
import { DEFAULT_MIN_CHANGED_LINES } from '../src/lib/mine/filters.ts';
import { openRepository } from '../src/lib/mine/git.ts';
import { DEFAULT_CLEAN_AGE, DEFAULT_CLEAN_RATIO, mineCases } from '../src/lib/mine/mine.ts';
import { formatSummary } from '../src/lib/mine/report.ts';
import { writeCases } from '../src/lib/mine/write-cases.ts';
import { REGISTRY_PATHS } from '../src/lib/registry/paths.ts';
import { readPolicyFile } from '../src/lib/registry/read-policy.ts';
import { UsageError, listOption, numberOption, parseCommandLine, runCommand, textOption, wholeNumberOption } from './command-line.ts';

const usage = `usage: npm run mine -- [options]

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

Exits 2 on a bad option, 1 when mining fails.`;

/** This project's root: the folder above scripts/. */
const PROJECT_ROOT = resolve(import.meta.dirname, '..');

const args = parseCommandLine(usage, {
	repo: { type: 'string' },
	name: { type: 'string' },
	since: { type: 'string' },
	until: { type: 'string' },
	roles: { type: 'string' },
	'max-per-task': { type: 'string' },
	out: { type: 'string' },
	'dry-run': { type: 'boolean', default: false },
	force: { type: 'boolean', default: false },
	policy: { type: 'string' },
	'num-ctx': { type: 'string' },
	'num-predict': { type: 'string' },
	'clean-age': { type: 'string' },
	'clean-ratio': { type: 'string' },
	'min-changed-lines': { type: 'string' },
});

/** `--name`: a name as a forge shows it (`owner/repo`, `group/sub/repo`): no spaces, no leading or trailing slash. */
function repositoryNameOption(value: string | undefined): string | undefined {
	if (value !== undefined && !/^[\w.-]+(\/[\w.-]+)*$/.test(value)) {
		throw new UsageError(`--name is ${JSON.stringify(value)}; expected a repository name such as owner/repo.`);
	}
	return value;
}

await runCommand({ name: 'mine', usage }, async () => {
	const options = {
		repo: textOption('repo', args.repo) ?? '.',
		name: repositoryNameOption(args.name),
		since: textOption('since', args.since),
		until: textOption('until', args.until),
		roles: listOption('roles', args.roles, MINED_ROLES),
		maxPerTask: wholeNumberOption('max-per-task', args['max-per-task'], 1),
		cleanAge: wholeNumberOption('clean-age', args['clean-age'], 0) ?? DEFAULT_CLEAN_AGE,
		cleanRatio: numberOption('clean-ratio', args['clean-ratio'], 0) ?? DEFAULT_CLEAN_RATIO,
		minChangedLines: wholeNumberOption('min-changed-lines', args['min-changed-lines'], 0) ?? DEFAULT_MIN_CHANGED_LINES,
	};
	const out = textOption('out', args.out);
	const policyOption = textOption('policy', args.policy);
	const numCtx = wholeNumberOption('num-ctx', args['num-ctx'], 512);
	const numPredict = wholeNumberOption('num-predict', args['num-predict'], 16);
	const dryRun = args['dry-run'];

	const repo = await openRepository(options.repo);
	const policyPath = policyOption ? resolve(policyOption) : join(PROJECT_ROOT, REGISTRY_PATHS.policy);
	const policyFile = policyOption ?? relative(process.cwd(), policyPath);
	// Read as the build reads it, so a mined case never overflows the context it is run with; a budget
	// given whole on the command line needs no policy, unless coder cases need its settings.
	const needsPolicy = numCtx === undefined || numPredict === undefined || options.roles.includes('coder');
	const policy = needsPolicy ? await readPolicyFile(policyPath, policyFile) : undefined;
	const budget = { numCtx: numCtx ?? policy!.run.num_ctx, numPredict: numPredict ?? policy!.run.num_predict };
	if (budget.numPredict + PROMPT_OVERHEAD_TOKENS >= budget.numCtx) {
		throw new UsageError(
			`num_predict (${budget.numPredict}) plus the prompt (${PROMPT_OVERHEAD_TOKENS}) leaves no room for an input in num_ctx (${budget.numCtx}); raise num_ctx or lower num_predict.`,
		);
	}
	const outDir = out ? resolve(out) : join(PROJECT_ROOT, REGISTRY_PATHS.cases);
	// Coder cases are written only once their tests are validated: that needs the executor (and says which
	// isolation the tests get). It runs the mined repository's commits; its cache is this project's.
	let coder;
	if (policy && options.roles.includes('coder')) {
		const settings = policy.coder;
		const executor = await createExecutor({
			projectRoot: repo.root,
			settings: { ...settings, repository: '.' },
			log: (line) => process.stdout.write(`${line}\n`),
			cacheDir: join(PROJECT_ROOT, EXECUTE_CACHE_DIR),
		});
		coder = {
			executor,
			log: (line: string) => process.stdout.write(`  ${line}\n`),
			answerFormat: settings.answer_format,
			...(settings.test_command === undefined ? {} : { testCommand: settings.test_command }),
		};
	}
	const started = performance.now();
	const result = await mineCases({ ...options, repo: repo.root, budget, ...(coder ? { coder } : {}) });
	const outcomes = await writeCases(result.cases, outDir, { dryRun, force: args.force });
	for (const line of formatSummary(result, outcomes, { budget, dryRun, outDir })) process.stdout.write(`${line}\n`);
	const seconds = ((performance.now() - started) / 1000).toFixed(1);
	process.stdout.write(`Mining took ${seconds} s.\n`);
});
