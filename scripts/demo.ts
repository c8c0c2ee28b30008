// `npm run demo`: the whole pipeline against the test suite's fake Ollama, in a temporary copy of the
// project, then the resulting site served locally. Every page says its data is simulated. Nothing is
// written into this project's reports/ or benchmarks/: the workspace is a scratch folder, deleted on exit.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseCommandLine } from './command-line.ts';
import { runBenchmarkPipeline } from '../src/lib/pipeline/benchmark-pipeline.ts';
import { formatFailure } from '../src/lib/errors/describe-error.ts';
import { applyProposals } from '../src/lib/registry/apply-proposals.ts';
import { startFakeOllama } from '../tests/fake-ollama/server.ts';
import { PROJECT_ROOT } from '../tests/support/project-copy.ts';
import { SITE_RUNS, fakeModelsFor } from '../tests/support/site-runs.ts';
import { serveStatic } from '../tests/support/static-server.ts';
import { fixtureCases, fixtureWorkspace } from '../tests/support/workspace.ts';

const usage = 'usage: npm run demo [-- --port N]   (default port 4321; 0 picks a free one)';
const args = parseCommandLine(usage, { port: { type: 'string', default: '4321' } });
const port = Number(args.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
	console.error(`--port is ${JSON.stringify(args.port)}; expected a port number from 0 to 65535.\n${usage}`);
	process.exit(2);
}

const DAY = 24 * 60 * 60 * 1000;
const say = (message: string) => console.log(`[demo] ${message}`);
const cases = await fixtureCases();
const workspace = await fixtureWorkspace('lmb-demo-');
const fake = await startFakeOllama({ models: [] });
let server: Awaited<ReturnType<typeof serveStatic>> | undefined;

let stopping = false;
async function stop(code: number): Promise<never> {
	if (!stopping) {
		stopping = true;
		await server?.close();
		await fake.close();
		await workspace.dispose();
		say(`stopped; ${workspace.root} was deleted.`);
	}
	process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
	say(`workspace ${workspace.root}: a copy of the project with the fixture cases and no reports`);
	say(`fake Ollama at ${fake.url}, serving the seed registry's models with scripted answers`);
	server = await serveStatic(path.join(workspace.root, 'dist'), port).catch((error: NodeJS.ErrnoException) => {
		if (error.code === 'EADDRINUSE') throw new Error(`port ${port} is in use; pass another with \`npm run demo -- --port N\` (0 picks a free one).`);
		throw error;
	});

	// Two earlier runs, dated a fortnight and a week ago, so the trends have a history.
	const logger = { info: (message: string) => say(message), warn: (message: string) => say(`warning: ${message}`) };
	for (const [index, daysAgo] of [14, 7].entries()) {
		fake.setModels(fakeModelsFor(SITE_RUNS[index]!, cases));
		const when = new Date(Date.now() - daysAgo * DAY);
		const result = await runBenchmarkPipeline({ root: workspace.root, env: { OLLAMA_HOST: fake.url }, logger, now: () => when });
		if (result.status !== 'written') throw new Error(`demo run ${index + 1} wrote no report (${result.status}).`);
		if (index === 1 && result.report.proposals.length > 0) {
			// As the owner would with `npm run promote`.
			for (const change of await applyProposals(workspace.root, result.report.proposals, { date: result.report.date, report: result.stem })) say(`promote: ${change.note}`);
		}
	}

	// The third run is today's, made by the build itself, as `npm run build` does with Ollama running.
	fake.setModels(fakeModelsFor(SITE_RUNS[2]!, cases));
	const astro = path.join(PROJECT_ROOT, 'node_modules', 'astro', 'bin', 'astro.mjs');
	const code = await new Promise<number>((resolve, reject) => {
		const child = spawn(process.execPath, [astro, 'build'], {
			cwd: workspace.root,
			stdio: ['ignore', 'inherit', 'inherit'],
			// No API key: the escalation chain must never reach a real frontier API from the demo.
			env: { ...process.env, OLLAMA_HOST: fake.url, LMB_DEMO: '1', SITE_URL: server!.url, BENCH: '1', BENCH_REQUIRED: '1', ANTHROPIC_API_KEY: '' },
		});
		child.on('error', reject);
		child.on('exit', (exitCode) => resolve(exitCode ?? 1));
	});
	if (code !== 0) throw new Error(`astro build failed (exit ${code}); its output is above.`);

	say(`Demo site: ${server.url}/ (demo data from a simulated model server)`);
	say('Press Ctrl-C to stop the server and delete the workspace.');
} catch (error) {
	console.error(`[demo] ${formatFailure(error)}`);
	await stop(1);
}
