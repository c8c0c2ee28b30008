import path from 'node:path';
import type { Registry } from '../../src/lib/registry/load-registry.ts';
import { type AnswerCache, type CachedAnswer, createFileCache } from '../../src/lib/run/answer-cache.ts';
import { createOllamaClient } from '../../src/lib/run/model-client.ts';
import { planRun } from '../../src/lib/run/plan-run.ts';
import { callOptions } from '../../src/lib/run/ask-model.ts';
import { runBenchmark } from '../../src/lib/run/run-benchmark.ts';
import { ModelSchema } from '../../src/lib/schema/model.ts';
import { RoleSchema } from '../../src/lib/schema/role.ts';
import { gradeContexts, taskFor } from '../../src/lib/tasks/index.ts';
import { bareChatLoop } from './bare-loop.ts';
import { startFakeOllamaProcess } from './fake-ollama-process.ts';
import { generateCases } from './generated-cases.ts';
import { median } from './measure.ts';
import { ROLES, projectPolicy } from './perf-workspace.ts';
import { makeScratch, removeScratch } from './scratch.ts';

/**
 * What is timed, from the least to the most of the harness:
 * - `bare`: one `ollama` client, `chat({ stream: true })` on each prompt, the stream read to the end;
 * - `client`: the engine's model client alone (timeouts, stall watch, NDJSON check) on the same prompts;
 * - `engineMemory`: the whole engine with an in-memory answer cache;
 * - `engine`: the whole engine as a build runs it, its answer cache on disk.
 */
export const VARIANTS = ['bare', 'client', 'engineMemory', 'engine'] as const;
export type Variant = (typeof VARIANTS)[number];

/** One variant's timings over the rounds. */
export interface VariantFigures {
	/** Wall time of each round, ms. */
	wallMs: number[];
	/** CPU time of this process in each round, ms (the fake runs in its own process). */
	cpuMs: number[];
	/** Of that CPU time, the kernel's (system calls: sockets, files), ms. */
	systemMs: number[];
	/** Median wall, CPU and kernel time per call, ms. */
	wallMsPerCall: number;
	cpuMsPerCall: number;
	systemMsPerCall: number;
	/** Median over the rounds of this variant's wall time ÷ the bare loop's in the same round. */
	ratio: number;
}

/** Harness overhead: the engine against a bare loop over the same prompts on the same fake. */
export interface OverheadFigures {
	calls: number;
	rounds: number;
	variants: Record<Variant, VariantFigures>;
	/** The engine's model calls in a round, and how many results were accepted (every answer is right). */
	engineCalls: number;
	accepted: number;
}

const MODEL = 'perf-model:8b';

/** An answer cache in memory: the engine without its disk. */
function memoryCache(): AnswerCache {
	const answers = new Map<string, CachedAnswer>();
	return { get: async (key) => answers.get(key), set: async (key, value) => void answers.set(key, value) };
}

/**
 * `calls` uncached calls through the whole engine (`runBenchmark`: plan, cache lookup and store,
 * the streaming client with its timers and NDJSON check, grading, progress lines; plus the run's own
 * version, list, load and unload requests, and the cache's compaction at the end) against a bare loop that sends the same prompts with the same
 * options through one `ollama` client and reads each stream, with two steps in between to show where
 * the difference goes. The fake runs in its own process, as Ollama does, and answers at once, so what is
 * left is what each side adds. Every variant is warmed up, then timed `rounds` times in a rotating order;
 * each round's ratio compares variants timed seconds apart, which keeps a busy machine's drift out of it.
 */
export async function measureHarnessOverhead(options: {
	calls: number;
	rounds: number;
	log?: (line: string) => void;
}): Promise<OverheadFigures> {
	const log = options.log ?? (() => {});
	const root = await makeScratch('lmb-perf-overhead-');
	const cases = await generateCases(options.calls);
	const policy = await projectPolicy();
	// One model serving every role, so one plan of `calls` cases across every task and grader.
	const registry: Pick<Registry, 'models' | 'roles' | 'cases'> = {
		models: [ModelSchema.parse({ id: MODEL, family: 'perf' })],
		roles: ROLES.map((role) => ({
			file: `${role}.yaml`,
			role: RoleSchema.parse({ role, description: 'Harness benchmark role.', incumbent: MODEL }),
		})),
		cases: cases.map((testCase) => ({ file: `${testCase.id}.json`, case: testCase })),
	};
	const fake = await startFakeOllamaProcess(cases.length, [MODEL]);
	try {
		const plans = planRun(registry, fake.url);
		const sent = callOptions(policy.run);
		const gradeContext = gradeContexts(cases);
		const prompts = plans.flatMap((plan) => plan.items.map((item) => taskFor(item.case.task).buildPrompt(item.case)));
		let cacheCount = 0;
		let engineCalls = 0;
		let accepted = 0;

		const engine = async (cache: AnswerCache) => {
			const outcome = await runBenchmark(
				plans,
				{
					clientFor: (host) => createOllamaClient(host),
					cache,
					gradeContext,
					logger: { info: () => {}, warn: (line) => log(`engine warning: ${line}`) },
				},
				{ run: policy.run, repeats: 1, useCache: true },
			);
			if (outcome.modelCalls !== prompts.length)
				throw new Error(`the engine made ${outcome.modelCalls} model calls, expected ${prompts.length}.`);
			engineCalls = outcome.modelCalls;
			accepted = outcome.results.filter((result) => result.outcome === 'accepted').length;
		};
		const bodies: Record<Variant, () => Promise<void>> = {
			bare: () => bareChatLoop(fake.url, MODEL, sent, prompts),
			client: async () => {
				const client = createOllamaClient(fake.url);
				const timeouts = { callTimeoutMs: policy.run.call_timeout_s * 1000, stallTimeoutMs: policy.run.stall_timeout_s * 1000 };
				for (const prompt of prompts)
					await client.chat({
						model: MODEL,
						messages: prompt.messages,
						...(prompt.format ? { format: prompt.format } : {}),
						options: sent,
						...timeouts,
					});
			},
			engineMemory: () => engine(memoryCache()),
			engine: async () => {
				const cache = createFileCache(path.join(root, `cache-${cacheCount}`));
				await engine(cache);
				await cache.close?.();
			},
		};
		// Every round of the engine gets an empty answer cache, so every call is uncached and each answer is
		// written as in a real run (appended to the run's log, folded into the store when the run closes).
		const timed = async (variant: Variant) => {
			const cpu = process.cpuUsage();
			const started = performance.now();
			await bodies[variant]();
			const wall = performance.now() - started;
			const used = process.cpuUsage(cpu);
			if (variant === 'engine') cacheCount++;
			// Outside the timing: drop the fake's request log, so its heap does not grow round after round.
			await fake.clearLog();
			return { wall, cpu: (used.user + used.system) / 1000, system: used.system / 1000 };
		};

		log(`harness overhead: warming up (${prompts.length} calls per variant)`);
		for (const variant of VARIANTS) await timed(variant);
		const wall = Object.fromEntries(VARIANTS.map((variant) => [variant, [] as number[]])) as Record<Variant, number[]>;
		const cpu = Object.fromEntries(VARIANTS.map((variant) => [variant, [] as number[]])) as Record<Variant, number[]>;
		const system = Object.fromEntries(VARIANTS.map((variant) => [variant, [] as number[]])) as Record<Variant, number[]>;
		for (let round = 0; round < options.rounds; round++) {
			// A rotating order, so no variant always runs first (on a fresh heap) or right after the disk work.
			const order = VARIANTS.map((_, index) => VARIANTS[(index + round) % VARIANTS.length]!);
			for (const variant of order) {
				const time = await timed(variant);
				wall[variant].push(time.wall);
				cpu[variant].push(time.cpu);
				system[variant].push(time.system);
			}
			log(
				`harness overhead: round ${round + 1}/${options.rounds}: ${VARIANTS.map((variant) => `${variant} ${wall[variant].at(-1)!.toFixed(0)} ms`).join(', ')}`,
			);
		}
		const figuresOf = (variant: Variant): VariantFigures => ({
			wallMs: wall[variant],
			cpuMs: cpu[variant],
			systemMs: system[variant],
			wallMsPerCall: median(wall[variant]) / prompts.length,
			cpuMsPerCall: median(cpu[variant]) / prompts.length,
			systemMsPerCall: median(system[variant]) / prompts.length,
			ratio: median(wall[variant].map((ms, round) => ms / wall.bare[round]!)),
		});
		return {
			calls: prompts.length,
			rounds: options.rounds,
			variants: Object.fromEntries(VARIANTS.map((variant) => [variant, figuresOf(variant)])) as Record<Variant, VariantFigures>,
			engineCalls,
			accepted,
		};
	} finally {
		await fake.close();
		await removeScratch(root);
	}
}
