import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration, AstroIntegrationLogger } from 'astro';
import { loadRegistry } from '../lib/registry/load-registry.ts';
import { REGISTRY_PATHS } from '../lib/registry/paths.ts';
import { resolveOllamaHost } from '../lib/run/ollama-host.ts';
import { probeOllama } from '../lib/run/probe-ollama.ts';
import { REPORT_FILE_PATTERN } from '../lib/schema/report.ts';

/**
 * Runs the benchmark before content is loaded, so the report it writes is in the same build.
 * Only `astro build` runs it: `astro sync`, `astro check`, `astro dev` and Vitest run the same config
 * hooks with another command and must never call a model.
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
				await prepareBuild({ root: fileURLToPath(config.root), logger: logger.fork('benchmark'), env: process.env });
			},
		},
	};
}

interface PrepareOptions {
	root: string;
	logger: AstroIntegrationLogger;
	env: NodeJS.ProcessEnv;
}

async function prepareBuild({ root, logger, env }: PrepareOptions): Promise<void> {
	// Validate first: Astro reports content errors only after these hooks, and no model call should be
	// spent on a registry that cannot be rendered.
	const registry = await loadRegistry(root);
	logger.info(`registry: ${registry.models.length} models, ${registry.roles.length} roles, ${registry.cases.length} cases`);

	const required = env.BENCH_REQUIRED === '1';
	if (env.BENCH === '0') {
		if (required) throw new Error('BENCH=0 and BENCH_REQUIRED=1 contradict each other: unset one of them.');
		logger.info('benchmark skipped: BENCH=0. The site is built from the reports already in reports/.');
		return;
	}
	const host = resolveOllamaHost(env.OLLAMA_HOST);
	const probe = await probeOllama(host, registry.policy.run.probe_timeout_s * 1000);
	if (!probe.reachable) {
		const existing = await countReports(root);
		const message = `benchmark skipped: no Ollama at ${host} (${probe.reason}). The site is built from the ${existing} report(s) already in reports/.`;
		if (required) throw new Error(`${message} BENCH_REQUIRED=1 makes this an error; start Ollama or set OLLAMA_HOST.`);
		logger.warn(message);
		return;
	}
	logger.info(`Ollama ${probe.version} at ${host}`);
}

async function countReports(root: string): Promise<number> {
	try {
		return (await readdir(path.join(root, REGISTRY_PATHS.reports))).filter((name) => REPORT_FILE_PATTERN.test(name)).length;
	} catch {
		return 0;
	}
}
