// `npm run demo`: the scenario of testing/demo-scenario.ts — nine simulated models on the cases
// committed in benchmarks/cases/, four runs over three weeks — played by the real pipeline against the
// test suite's fake Ollama in a scratch git clone of the project, then the resulting site served locally.
// Every page says its data is simulated. Nothing is written into this project's reports/ or benchmarks/:
// the workspace is a scratch folder, deleted on exit (the coder cases' package installs and test results
// are kept in the project's .cache/execute, as a build's are, for the next demo).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { BenchmarkError } from '../src/lib/errors/describe-error.ts';
import {
	DEMO_BASELINE,
	DEMO_BASELINE_ID,
	DEMO_FRONTIER_KEY,
	DEMO_RUNS,
	committedCases,
	demoEnv,
	demoFrontier,
	demoModels,
	demoWorkspace,
	playEarlierRuns,
} from '../testing/demo-scenario.ts';
import { startFakeAnthropic } from '../testing/fake-anthropic.ts';
import { startFakeOllama } from '../testing/fake-ollama/server.ts';
import { PROJECT_ROOT } from '../testing/project-copy.ts';
import { serveStatic } from '../testing/static-server.ts';
import { parseCommandLine, runCommand, wholeNumberOption } from './command-line.ts';

const usage = `usage: npm run demo [-- --port N]

Plays four simulated runs against a fake Ollama in a scratch clone of the project, builds the site and
serves it until Ctrl-C, then deletes the scratch folder. Nothing of this project is written but its
coder cache (.cache/execute: package installs and test results), which later demos reuse.
  --port N   where the site is served (default 4321; 0 picks a free one)
Exits 2 on a bad option, 1 when a run, the build or the server fails, 0 after Ctrl-C.`;

const args = parseCommandLine(usage, { port: { type: 'string', default: '4321' } });

await runCommand({ name: 'demo', usage }, async () => {
	const port = wholeNumberOption('port', args.port, 0, 65_535) as number;
	// Ctrl-C ends the demo at any point: what was made so far is cleaned up, and the exit is 0.
	const stopped = new Promise<void>((resolve) => {
		process.once('SIGINT', () => resolve());
		process.once('SIGTERM', () => resolve());
	});
	const say = (message: string) => console.log(`[demo] ${message}`);
	const started = Date.now();
	const now = new Date();
	const cases = await committedCases();
	// The frontier baseline's fake API first: its address goes into the demo registry's policy.yaml.
	const frontier = await startFakeAnthropic({
		apiKey: DEMO_FRONTIER_KEY,
		respond: demoFrontier(cases),
		models: { [DEMO_BASELINE]: DEMO_BASELINE_ID },
	});
	const workspace = await demoWorkspace('lmb-demo-', now, frontier.url).catch(async (error: unknown) => {
		await frontier.close();
		throw error;
	});
	const fake = await startFakeOllama({ models: [] });
	let server: Awaited<ReturnType<typeof serveStatic>> | undefined;

	const play = async (): Promise<void> => {
		say(
			`workspace ${workspace.root}: a git clone of the project at ${workspace.projectCommit.slice(0, 12)}${workspace.projectDirty ? ' (with its uncommitted changes)' : ''}, a demo registry and no reports`,
		);
		say(`fake Ollama at ${fake.url}: every model answer is scripted (the history's answer or junk) — simulated data`);
		say(`fake Anthropic API at ${frontier.url}: the frontier baseline's answers are scripted too`);
		server = await serveStatic(path.join(workspace.root, 'dist'), port).catch((error: NodeJS.ErrnoException) => {
			if (error.code === 'EADDRINUSE')
				throw new BenchmarkError(`Port ${port} is in use.`, {
					hint: 'pass another with `npm run demo -- --port N` (0 picks a free one).',
					cause: error,
				});
			throw error;
		});
		const url = server.url;

		// The earlier runs, dated three, two and one week ago, with the owner applying proposals in between.
		const logger = { info: (message: string) => say(message), warn: (message: string) => say(`warning: ${message}`) };
		await playEarlierRuns(workspace.root, fake, cases, logger, now);

		// The last run is today's, made by the build itself, as `npm run build` does with Ollama running.
		const today = DEMO_RUNS.at(-1)!;
		say(`run ${DEMO_RUNS.length} of ${DEMO_RUNS.length}, today, by astro build: ${today.story}`);
		fake.setModels(demoModels(today, cases));
		const astro = path.join(PROJECT_ROOT, 'node_modules', 'astro', 'bin', 'astro.mjs');
		const code = await new Promise<number>((resolve, reject) => {
			const child = spawn(process.execPath, [astro, 'build'], {
				cwd: workspace.root,
				stdio: ['ignore', 'inherit', 'inherit'],
				// No API key: the escalation chain must never reach a real frontier API from the demo.
				env: { ...process.env, ...demoEnv(fake.url), LMB_DEMO: '1', SITE_URL: url, BENCH: '1', BENCH_REQUIRED: '1' },
			});
			child.on('error', reject);
			child.on('exit', (exitCode) => resolve(exitCode ?? 1));
		});
		if (code !== 0) throw new BenchmarkError(`astro build failed (exit ${code}).`, { hint: 'its output is above.' });

		say(`four runs and the site built in ${Math.round((Date.now() - started) / 1000)} s`);
		say(`Demo site: ${url}/ (demo data from a simulated model server)`);
		say('Press Ctrl-C to stop the server and delete the workspace.');
		await stopped;
	};

	const playing = play();
	// After Ctrl-C the run may still fail as its workspace goes away: no longer news, and not a failure.
	playing.catch(() => {});
	try {
		await Promise.race([playing, stopped]);
	} finally {
		await server?.close();
		await fake.close();
		await frontier.close();
		await workspace.dispose();
		say(`stopped; ${workspace.root} was deleted.`);
	}
});
