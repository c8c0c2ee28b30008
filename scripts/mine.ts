/**
 * The case miner's command line: `node scripts/mine.ts --help`. Only wires the stages in src/lib/mine:
 * options → budget → mine → write → summary. Exits 2 on a bad option, 1 on any other failure.
 * Whichever repository it mines, it reads this project's policy and writes into this project's cases: the
 * project is the folder this script belongs to, not the mined repository.
 */
import { join, relative, resolve } from 'node:path';
import { createExecutor, EXECUTE_CACHE_DIR } from '../src/lib/execute/executor.ts';
import { parseMineArgs, USAGE, UsageError } from '../src/lib/mine/cli-options.ts';
import { openRepository } from '../src/lib/mine/git.ts';
import { mineCases } from '../src/lib/mine/mine.ts';
import { readBudget } from '../src/lib/mine/read-budget.ts';
import { readPolicyFile } from '../src/lib/registry/read-policy.ts';
import { formatSummary } from '../src/lib/mine/report.ts';
import { PROMPT_OVERHEAD_TOKENS } from '../src/lib/mine/budget.ts';
import { writeCases } from '../src/lib/mine/write-cases.ts';
import { REGISTRY_PATHS } from '../src/lib/registry/paths.ts';
import { RegistryError } from '../src/lib/registry/registry-error.ts';

/** This project's root: the folder above scripts/. */
const PROJECT_ROOT = resolve(import.meta.dirname, '..');

async function main(argv: string[]): Promise<number> {
	let options;
	try {
		options = parseMineArgs(argv);
	} catch (error) {
		if (!(error instanceof UsageError)) throw error;
		process.stderr.write(`mine: ${error.message}\n\n${USAGE}`);
		return 2;
	}
	if (options.help) {
		process.stdout.write(USAGE);
		return 0;
	}
	const repo = await openRepository(options.repo);
	const policyPath = options.policy ? resolve(options.policy) : join(PROJECT_ROOT, REGISTRY_PATHS.policy);
	const budget = await readBudget(policyPath, { numCtx: options.numCtx, numPredict: options.numPredict }, options.policy ?? relative(process.cwd(), policyPath));
	if (budget.numPredict + PROMPT_OVERHEAD_TOKENS >= budget.numCtx) {
		process.stderr.write(
			`mine: num_predict (${budget.numPredict}) plus the prompt (${PROMPT_OVERHEAD_TOKENS}) leaves no room for an input in num_ctx (${budget.numCtx}); raise num_ctx or lower num_predict.\n`,
		);
		return 2;
	}
	const outDir = options.out ? resolve(options.out) : join(PROJECT_ROOT, REGISTRY_PATHS.cases);
	// Coder cases are written only once their tests are validated: that needs the executor (and says which
	// isolation the tests get). It runs the mined repository's commits; its cache is this project's.
	let coder;
	if (options.roles.includes('coder')) {
		const settings = (await readPolicyFile(policyPath, options.policy ?? relative(process.cwd(), policyPath))).coder;
		const executor = await createExecutor({
			projectRoot: repo.root,
			settings: { ...settings, repository: '.' },
			log: (line) => process.stdout.write(`${line}\n`),
			cacheDir: join(PROJECT_ROOT, EXECUTE_CACHE_DIR),
		});
		coder = { executor, log: (line: string) => process.stdout.write(`  ${line}\n`), ...(settings.test_command === undefined ? {} : { testCommand: settings.test_command }) };
	}
	const started = performance.now();
	const result = await mineCases({ ...options, repo: repo.root, budget, ...(coder ? { coder } : {}) });
	const outcomes = await writeCases(result.cases, outDir, { dryRun: options.dryRun, force: options.force });
	for (const line of formatSummary(result, outcomes, { budget, dryRun: options.dryRun, outDir })) process.stdout.write(`${line}\n`);
	const seconds = ((performance.now() - started) / 1000).toFixed(1);
	const runs = coder ? `; coder validation: ${coder.executor.stats.executed} test run(s), ${coder.executor.stats.cached} from the cache` : '';
	process.stdout.write(`Mining took ${seconds} s${runs}.\n`);
	return 0;
}

try {
	process.exitCode = await main(process.argv.slice(2));
} catch (error) {
	if (error instanceof RegistryError) process.stderr.write(`mine: cannot read the policy.\n${error.message}`);
	else process.stderr.write(`mine: ${(error as Error).message}\n`);
	const cause = (error as Error).cause;
	if (cause instanceof Error) process.stderr.write(`  cause: ${cause.message}\n`);
	process.exitCode = 1;
}
