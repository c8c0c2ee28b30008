import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';
import { runBenchmarkPipeline } from '../lib/pipeline/benchmark-pipeline.ts';

/**
 * Runs the benchmark in `astro:config:done` — before content sync, so the report it writes is in the
 * same build. Only `astro build` runs it: `astro sync`, `astro check`, `astro dev` and Vitest run the
 * same hooks with another command and must never call a model.
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
				if (command !== 'build') return;
				await runBenchmarkPipeline({ root: fileURLToPath(config.root), env: process.env, logger: logger.fork('benchmark') });
			},
		},
	};
}
