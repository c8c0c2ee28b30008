import { fileURLToPath } from 'node:url';
import type { AstroIntegration, AstroIntegrationLogger } from 'astro';
import { formatFailure } from '../lib/errors/describe-error.ts';
import { runBenchmarkPipeline } from '../lib/pipeline/benchmark-pipeline.ts';
import { loadRegistry } from '../lib/registry/load-registry.ts';
import { assertReportsIntact } from '../lib/report/check-reports.ts';

/**
 * Runs the benchmark in `astro:config:done` — before content sync, so the report it writes is in the
 * same build. Only `astro build` runs it: `astro sync`, `astro check`, `astro dev` and Vitest run the
 * same hooks with another command and must never call a model. `astro dev` validates the registry,
 * the cases and the reports as the build does, so a mistake gets the same message instead of a
 * content-layer error.
 */
export default function benchmarkIntegration(): AstroIntegration {
	let command: string | undefined;
	return {
		name: 'local-model-benchmarks',
		hooks: {
			'astro:config:setup': (options) => {
				command = options.command;
			},
			'astro:config:done': async ({ config, logger }) => {
				if (command !== 'build' && command !== 'dev') return;
				const log = logger.fork('benchmark');
				const root = fileURLToPath(config.root);
				try {
					// A damaged report would otherwise stop Astro's content layer with a parser's stack trace.
					await assertReportsIntact(root);
					if (command === 'dev') await loadRegistry(root);
					else
						await runBenchmarkPipeline({
							root,
							env: process.env,
							logger: log,
							whenSkipped: 'The site is built from the reports already in reports/.',
						});
				} catch (error) {
					stop(log, error);
				}
			},
		},
	};
}

/**
 * Prints the project's own message (with its hint and causes) and ends the process before anything is
 * built, so dist/ stays as it was. Throwing would have Astro print the message inside its own "unhandled
 * error … hook" banner with a stack trace into its internals, which reads like a crash of the tool.
 */
function stop(log: AstroIntegrationLogger, error: unknown): never {
	log.error(formatFailure(error).trimEnd());
	process.exit(1);
}
