// `npm run bench`: the build's benchmark on its own, with a few knobs. Same engine, same report.
import { parseCommandLine, runCommand, wholeNumberOption } from './command-line.ts';
import { runBenchmarkPipeline } from '../src/lib/pipeline/benchmark-pipeline.ts';
import { applyProposals } from '../src/lib/registry/apply-proposals.ts';

const usage = `usage: npm run bench -- [--role ROLE]... [--model MODEL]... [--repeats N] [--no-cache] [--dry-run] [--apply]

  --role ROLE     run only this role (repeatable)
  --model MODEL   run only this model (repeatable)
  --repeats N     run each case N times (default: run.repeats in policy.yaml); above 1 bypasses the cache
  --no-cache      ask every model again instead of reusing cached answers
  --dry-run       print the plan and how many model calls it would make; call and write nothing
  --apply         write the new report's proposals into benchmarks/roles/*.yaml (as npm run promote does)

Exits 2 on a bad option, 1 when the benchmark fails or Ollama does not answer (the benchmark did not run).

Environment: OLLAMA_HOST (default http://127.0.0.1:11434), ANTHROPIC_API_KEY for the frontier step of the turbo-escalation chain (skipped without it).`;

const args = parseCommandLine(usage, {
	role: { type: 'string', multiple: true },
	model: { type: 'string', multiple: true },
	repeats: { type: 'string' },
	'no-cache': { type: 'boolean', default: false },
	'dry-run': { type: 'boolean', default: false },
	apply: { type: 'boolean', default: false },
});

// One line per event, no cursor tricks: readable in a CI log.
const stamp = () => new Date().toISOString().slice(11, 19);
const logger = {
	info: (message: string) => console.log(`${stamp()} ${message}`),
	warn: (message: string) => console.warn(`${stamp()} warning: ${message}`),
};

await runCommand({ name: 'benchmark', usage }, async () => {
	const repeats = wholeNumberOption('repeats', args.repeats, 1, 20);
	const result = await runBenchmarkPipeline({
		root: process.cwd(),
		env: process.env,
		logger,
		filters: { roles: args.role, models: args.model },
		repeats,
		useCache: !args['no-cache'],
		dryRun: args['dry-run'],
		// A run asked for by name that cannot happen is a failure (a cron job must see it); only the build
		// may skip the benchmark and go on to render the site.
		requireOllama: true,
	});
	if (args.apply && result.status === 'written') {
		const changes = await applyProposals(process.cwd(), result.report.proposals, { date: result.report.date, report: result.stem });
		if (changes.length === 0) logger.info('--apply: the report proposes no registry change');
		for (const change of changes) logger.info(`--apply: ${change.applied ? 'applied' : 'skipped'}: ${change.file}: ${change.note}`);
	}
});
