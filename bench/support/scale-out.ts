import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Registry } from '../../src/lib/registry/load-registry.ts';
import { createFileCache } from '../../src/lib/run/answer-cache.ts';
import { callOptions } from '../../src/lib/run/ask-model.ts';
import { createOllamaClient } from '../../src/lib/run/model-client.ts';
import { planRun } from '../../src/lib/run/plan-run.ts';
import { runBenchmark } from '../../src/lib/run/run-benchmark.ts';
import { ModelSchema } from '../../src/lib/schema/model.ts';
import { RoleSchema } from '../../src/lib/schema/role.ts';
import { gradeContexts, taskFor } from '../../src/lib/tasks/index.ts';
import { PROJECT_ROOT } from '../../testing/project-copy.ts';
import { type FakeOllamaProcess, startFakeOllamaProcess } from './fake-ollama-process.ts';
import { generateCases } from './generated-cases.ts';
import { median, runNodeMeasured } from './measure.ts';
import { projectPolicy, registryWorkspace, withoutEscalation } from './perf-workspace.ts';
import { makeScratch, removeScratch } from './scratch.ts';

const MODEL = 'perf-model:8b';
/** The roles measured: every task but implement-change, whose grading runs tests in a sandbox (not the engine's cost). */
const ROLES = ['draft', 'reason', 'review'] as const;

/** One layout of hosts and slots, timed. */
export interface LayoutFigures {
	hosts: number;
	parallel: number;
	calls: number;
	/** Wall time of the run, ms (median of the rounds). */
	wallMs: number;
	/**
	 * The ideal: the models' time ÷ the slots (hosts × parallel), ms. The models' time is the sum of the
	 * calls' own latencies as the client saw them (the fake's fixed wait plus its serving and the network),
	 * so what is left above 1 is the engine's time between calls and slots left idle.
	 */
	idealMs: number;
	/** The models' time per call, ms: the fixed latency plus what serving a call costs on this machine. */
	modelMsPerCall: number;
	/** wallMs ÷ idealMs: 1 is perfect scaling. */
	ratio: number;
	/** wallMs ÷ the one-host, one-slot layout's wallMs. */
	ofSequential: number;
	/** Cases each host answered (work stealing spreads them). */
	perHost: number[];
}

export interface ScaleOutFigures {
	latencyMs: number;
	rounds: number;
	layouts: LayoutFigures[];
}

/** Cases the engine can grade without running anything, as many as asked for, and the count to generate them from. */
async function gradableCases(count: number) {
	// generateCases clones the six fixtures round-robin; one in six is an implement-change case.
	const generated = Math.ceil((count * 6) / 5) + 6;
	const all = await generateCases(generated);
	return { generated, all, cases: all.filter((testCase) => testCase.task !== 'implement-change').slice(0, count) };
}

/**
 * The engine on `calls` uncached cases against fake Ollamas (each in its own process, as Ollama is) whose
 * model answers after a fixed `latencyMs`: one host with one slot (a sequential run), one host with
 * four slots, three hosts with two slots each. Each layout's wall time is compared with the ideal
 * (the models' time divided by the slots; median over rounds of each round's ratio) and with the
 * sequential run. The engine's cache is on disk,
 * fresh for each run, as in a first build.
 */
export async function measureScaleOut(options: {
	calls: number;
	latencyMs: number;
	rounds: number;
	log?: (line: string) => void;
}): Promise<ScaleOutFigures> {
	const log = options.log ?? (() => {});
	const { generated, all, cases } = await gradableCases(options.calls);
	const policy = await projectPolicy();
	const root = await makeScratch('lmb-perf-scale-out-');
	const fakes: FakeOllamaProcess[] = [];
	try {
		for (let index = 0; index < 3; index++) fakes.push(await startFakeOllamaProcess(generated, [MODEL], { latencyMs: options.latencyMs }));
		const gradeContext = gradeContexts(all);
		let runs = 0;
		const timeLayout = async (hosts: number, parallel: number) => {
			const registry: Pick<Registry, 'models' | 'roles' | 'cases'> = {
				models: [
					ModelSchema.parse({
						id: MODEL,
						family: 'perf',
						...(hosts === 1 ? { host: fakes[0]!.url } : { hosts: fakes.slice(0, hosts).map((fake) => fake.url) }),
						parallel,
					}),
				],
				roles: ROLES.map((role) => ({
					file: `${role}.yaml`,
					role: RoleSchema.parse({ role, description: 'Harness benchmark role.', incumbent: MODEL }),
				})),
				cases: cases.map((testCase) => ({ file: `${testCase.id}.json`, case: testCase })),
			};
			const cache = createFileCache(path.join(root, `cache-${runs++}`));
			const started = performance.now();
			const outcome = await runBenchmark(
				planRun(registry, fakes[0]!.url),
				{
					clientFor: (host) => createOllamaClient(host),
					cache,
					gradeContext,
					logger: { info: () => {}, warn: (line) => log(`scale-out warning: ${line}`) },
				},
				{ run: policy.run, repeats: 1, useCache: true },
			);
			await cache.close?.();
			const wallMs = performance.now() - started;
			if (outcome.modelCalls !== cases.length)
				throw new Error(`the engine made ${outcome.modelCalls} model calls, expected ${cases.length}.`);
			const perHost = fakes.slice(0, hosts).map((fake) => outcome.results.filter((result) => result.host === fake.url).length);
			const modelMs = outcome.results.reduce((sum, result) => sum + (result.latency_ms ?? 0), 0);
			for (const fake of fakes) await fake.clearLog();
			return { wallMs, perHost, modelMs };
		};
		const layouts: [number, number][] = [
			[1, 1],
			[1, 4],
			[3, 2],
		];
		log(`scale-out: warming up`);
		await timeLayout(3, 2);
		const walls = new Map<string, number[]>();
		const ratios = new Map<string, number[]>();
		const modelTimes = new Map<string, number[]>();
		const spread = new Map<string, number[]>();
		const push = (map: Map<string, number[]>, key: string, value: number) => map.set(key, [...(map.get(key) ?? []), value]);
		for (let round = 0; round < options.rounds; round++) {
			for (const [hosts, parallel] of layouts) {
				const { wallMs, perHost, modelMs } = await timeLayout(hosts, parallel);
				const key = `${hosts}x${parallel}`;
				push(walls, key, wallMs);
				push(ratios, key, wallMs / (modelMs / (hosts * parallel)));
				push(modelTimes, key, modelMs / cases.length);
				spread.set(key, perHost);
			}
			log(
				`scale-out: round ${round + 1}/${options.rounds}: ${[...walls].map(([layout, values]) => `${layout} ${values.at(-1)!.toFixed(0)} ms`).join(', ')}`,
			);
		}
		const sequential = median(walls.get('1x1')!);
		return {
			latencyMs: options.latencyMs,
			rounds: options.rounds,
			layouts: layouts.map(([hosts, parallel]) => {
				const key = `${hosts}x${parallel}`;
				const wallMs = median(walls.get(key)!);
				const modelMsPerCall = median(modelTimes.get(key)!);
				return {
					hosts,
					parallel,
					calls: cases.length,
					wallMs,
					idealMs: (modelMsPerCall * cases.length) / (hosts * parallel),
					modelMsPerCall,
					ratio: median(ratios.get(key)!),
					ofSequential: wallMs / sequential,
					perHost: spread.get(key)!,
				};
			}),
		};
	} finally {
		await Promise.all(fakes.map((fake) => fake.close()));
		await removeScratch(root);
	}
}

export interface WholeProcessFigures {
	calls: number;
	rounds: number;
	/** `npm run bench`'s process (registry, plan, calls, grading, validity, report), seconds per round. */
	engineSeconds: number[];
	/** A process that sends the same prompts through a bare `ollama` client, seconds per round. */
	bareSeconds: number[];
	/** Median over the rounds of engine ÷ bare. */
	ratio: number;
}

/**
 * The whole `npm run bench` process (`node scripts/bench.ts --no-cache` in a workspace of `calls`
 * generated cases, one model in every role, the fake answering at once) against a process that only
 * reads the same prompts from a file and sends them through one `ollama` client. Both start Node, both
 * make `calls` calls; the difference is everything the harness does around them, start-up included.
 */
export async function measureWholeProcess(options: {
	calls: number;
	rounds: number;
	log?: (line: string) => void;
}): Promise<WholeProcessFigures> {
	const log = options.log ?? (() => {});
	const { generated, cases } = await gradableCases(options.calls);
	const workspace = await registryWorkspace('lmb-perf-process-', {
		models: [{ id: MODEL, family: 'perf' }],
		roles: ROLES.map((role) => ({ role, description: 'Harness benchmark role.', incumbent: MODEL })),
		cases,
		policy: withoutEscalation,
	});
	const fake = await startFakeOllamaProcess(generated, [MODEL]);
	try {
		const policy = await projectPolicy();
		const sent = callOptions(policy.run);
		const promptsFile = path.join(workspace.root, 'prompts.json');
		await writeFile(
			promptsFile,
			JSON.stringify({ model: MODEL, options: sent, prompts: cases.map((testCase) => taskFor(testCase.task).buildPrompt(testCase)) }),
		);
		const env = { OLLAMA_HOST: fake.url };
		const engine = () => runNodeMeasured([path.join(PROJECT_ROOT, 'scripts', 'bench.ts'), '--no-cache'], workspace.root, env);
		const bare = () =>
			runNodeMeasured([path.join(PROJECT_ROOT, 'bench', 'support', 'bare-client-process.ts'), fake.url, promptsFile], workspace.root, env);
		const check = (run: Awaited<ReturnType<typeof engine>>, what: string) => {
			if (run.code !== 0) throw new Error(`${what} failed (exit ${run.code}):\n${run.output.split('\n').slice(-20).join('\n')}`);
		};
		log('whole process: warming up');
		check(await engine(), 'the bench process');
		check(await bare(), 'the bare client process');
		const engineSeconds: number[] = [];
		const bareSeconds: number[] = [];
		for (let round = 0; round < options.rounds; round++) {
			const order = round % 2 === 0 ? [engine, bare] : [bare, engine];
			for (const body of order) {
				const run = await body();
				check(run, body === engine ? 'the bench process' : 'the bare client process');
				(body === engine ? engineSeconds : bareSeconds).push(run.seconds);
			}
			await fake.clearLog();
			log(
				`whole process: round ${round + 1}/${options.rounds}: bench ${engineSeconds.at(-1)!.toFixed(2)} s, bare ${bareSeconds.at(-1)!.toFixed(2)} s`,
			);
		}
		return {
			calls: cases.length,
			rounds: options.rounds,
			engineSeconds,
			bareSeconds,
			ratio: median(engineSeconds.map((seconds, round) => seconds / bareSeconds[round]!)),
		};
	} finally {
		await fake.close();
		await workspace.dispose();
	}
}
