import { describeError } from '../errors/describe-error.ts';
import type { EscalationRunner } from '../escalate/run-chain.ts';
import type { RunOptions } from '../schema/policy.ts';
import type { CaseResult, ManifestModel } from '../schema/report.ts';
import type { Task } from '../schema/case.ts';
import { type GradeContext, promptTokens, taskFor } from '../tasks/index.ts';
import { type AnswerCache, type CachedAnswer, cacheKey } from './answer-cache.ts';
import { type Evaluation, evaluateAnswer, hardFailure } from './evaluate-answer.ts';
import { CallFailure, type CallOptions, type ModelClient, type ModelIdentity, normalizeTag } from './model-client.ts';
import { type ModelPlan, type PlanItem, byHost } from './plan-run.ts';
import { probeOllama } from './probe-ollama.ts';

/** Where progress goes: the integration's logger or the CLI's console. */
export interface ProgressLogger {
	info(message: string): void;
	warn(message: string): void;
}

export interface RunBenchmarkOptions {
	run: RunOptions;
	/** Times each case runs per model; above 1 the cache is bypassed. */
	repeats: number;
	/** False with `--no-cache`: every answer is asked again (and stored). */
	useCache: boolean;
}

export interface RunBenchmarkDeps {
	clientFor(host: string): ModelClient;
	cache: AnswerCache;
	logger: ProgressLogger;
	/** Turbo escalation of the review incumbent's rejections; absent when the policy turns it off. */
	escalation?: EscalationRunner;
	/** The case set each task's answers are graded in (the registry's cases, whatever the run's filters). */
	gradeContext(task: Task): GradeContext;
}

/** What a run produced, before metrics and the report. */
export interface RunOutcome {
	results: CaseResult[];
	models: ManifestModel[];
	ollama: { host: string; version: string | null }[];
	/** Chat calls made for cases (load and unload requests excluded). */
	modelCalls: number;
}

/** Ollama stopped answering during a run: the run stops instead of failing every remaining model. */
export class OllamaGoneError extends Error {
	override name = 'OllamaGoneError';
}

/** The options sent with every chat call: policy.yaml's run options, and the model's own `think` if it has one. */
export function callOptions(run: RunOptions, modelThink?: CallOptions['think']): CallOptions {
	return { num_ctx: run.num_ctx, num_predict: run.num_predict, temperature: run.temperature, seed: run.seed, think: modelThink ?? run.think };
}

/**
 * Runs every planned case on every planned model. Hosts run at the same time; on one host, models run
 * one after another, each loaded once (a load request first, so load time is apart from case latency)
 * and unloaded when done. Answers are cached as they arrive.
 */
export async function runBenchmark(plans: readonly ModelPlan[], deps: RunBenchmarkDeps, options: RunBenchmarkOptions): Promise<RunOutcome> {
	const total = plans.reduce((sum, plan) => sum + plan.items.length, 0) * options.repeats;
	const counter = { done: 0, calls: 0 };
	const hosts = [...byHost(plans).entries()];
	const perHost = await Promise.all(hosts.map(([host, hostPlans]) => runHost(host, hostPlans, deps, options, counter, total)));
	return {
		results: perHost.flatMap((outcome) => outcome.results),
		models: perHost.flatMap((outcome) => outcome.models).sort((a, b) => a.id.localeCompare(b.id)),
		ollama: perHost.map((outcome) => outcome.ollama).sort((a, b) => a.host.localeCompare(b.host)),
		modelCalls: counter.calls,
	};
}

interface Counter {
	done: number;
	calls: number;
}

async function runHost(host: string, plans: readonly ModelPlan[], deps: RunBenchmarkDeps, options: RunBenchmarkOptions, counter: Counter, total: number) {
	const client = deps.clientFor(host);
	const version = await client.version().catch(() => null);
	const installed = await client.listModels();
	const results: CaseResult[] = [];
	const models: ManifestModel[] = [];
	for (const plan of plans) {
		const identity = installed.get(normalizeTag(plan.model));
		models.push({
			id: plan.model,
			digest: identity?.digest ?? null,
			family: identity?.family ?? null,
			parameter_size: identity?.parameterSize ?? null,
			quantization: identity?.quantization ?? null,
			host,
			options: { ...callOptions(options.run, plan.think) },
		});
		results.push(...(await runModel(plan, identity, client, deps, options, counter, total)));
	}
	return { results, models, ollama: { host, version } };
}

async function runModel(
	plan: ModelPlan,
	identity: ModelIdentity | undefined,
	client: ModelClient,
	deps: RunBenchmarkDeps,
	options: RunBenchmarkOptions,
	counter: Counter,
	total: number,
): Promise<CaseResult[]> {
	const sent = callOptions(options.run, plan.think);
	const results: CaseResult[] = [];
	const record = (item: PlanItem, repeat: number, evaluation: Evaluation, extra: Partial<CaseResult> = {}) => {
		const result = toResult(plan.model, item, repeat, evaluation, extra);
		results.push(result);
		counter.done++;
		const seconds = result.latency_ms === null ? '' : ` ${(result.latency_ms / 1000).toFixed(1)} s`;
		const what = result.outcome === 'hard-failure' ? `hard failure (${result.failure_class})` : result.outcome;
		deps.logger.info(`[${counter.done}/${total}] ${item.role} · ${plan.model} · ${item.case.id} → ${what}${seconds}${result.cached ? ' (cached)' : ''}`);
		return result;
	};

	if (!identity) {
		deps.logger.warn(`${plan.model} is not installed on ${client.host}: its ${plan.items.length * options.repeats} result(s) are hard failures (model-missing). Pull it with \`ollama pull ${plan.model}\`.`);
		for (const item of plan.items) for (let repeat = 0; repeat < options.repeats; repeat++) record(item, repeat, hardFailure('model-missing', `${plan.model} is not in /api/tags on ${client.host}`));
		return results;
	}

	// Each answer's cache write starts the moment the answer arrives, but the run does not wait for the
	// disk before grading and asking the next case: on a fast model, waiting for each file to be written
	// was most of the harness's own cost per call. Every write is awaited before the model is unloaded.
	// A write that fails costs a model call next run, never this run's result.
	const pendingWrites: Promise<void>[] = [];
	const storeAnswer = (key: string, answer: CachedAnswer, item: PlanItem) => {
		const write = deps.cache.set(key, answer).catch((error: unknown) => {
			deps.logger.warn(`caching ${plan.model}'s answer to ${item.case.id} failed (${describeError(error)}); it will be asked again next run`);
		});
		pendingWrites.push(write);
	};

	let loaded: { loadMs: number } | CallFailure | undefined;
	const ensureLoaded = async () => {
		if (loaded) return loaded;
		try {
			loaded = { loadMs: await client.load(plan.model, sent, options.run.call_timeout_s * 1000) };
		} catch (error) {
			loaded = error instanceof CallFailure ? error : new CallFailure('transport', String(error), { cause: error });
			await stopIfGone(client, loaded, counter, total);
		}
		return loaded;
	};

	try {
		for (const item of plan.items) {
			const task = taskFor(item.case.task);
			const prompt = task.buildPrompt(item.case as never);
			const key = cacheKey({ digest: identity.digest, prompt, options: sent });
			for (let repeat = 0; repeat < options.repeats; repeat++) {
				const tokens = promptTokens(prompt);
				if (tokens + sent.num_predict > sent.num_ctx) {
					record(item, repeat, hardFailure('context-overflow', `the prompt needs about ${tokens} tokens and the answer ${sent.num_predict}, more than num_ctx ${sent.num_ctx}`));
					continue;
				}
				const cacheable = options.repeats === 1;
				let cached: CachedAnswer | undefined = cacheable && options.useCache ? await deps.cache.get(key) : undefined;
				let fromCache = cached !== undefined;
				if (!cached) {
					const load = await ensureLoaded();
					if (load instanceof CallFailure) {
						record(item, repeat, hardFailure(load.failureClass, `loading ${plan.model} failed: ${load.message}`));
						continue;
					}
					try {
						counter.calls++;
						const answer = await client.chat({
							model: plan.model,
							messages: prompt.messages,
							format: prompt.format,
							options: sent,
							callTimeoutMs: options.run.call_timeout_s * 1000,
							stallTimeoutMs: options.run.stall_timeout_s * 1000,
						});
						cached = { answer, loadMs: load.loadMs };
					} catch (error) {
						const failure = error instanceof CallFailure ? error : new CallFailure('transport', String(error), { cause: error });
						await stopIfGone(client, failure, counter, total);
						record(item, repeat, hardFailure(failure.failureClass, failure.message));
						continue;
					}
					if (cacheable) storeAnswer(key, cached, item);
					fromCache = false;
				}
				const { answer, loadMs } = cached;
				const context = deps.gradeContext(item.case.task);
				const result = record(item, repeat, await evaluateAnswer(item.case, task, answer, sent, context), {
					output: answer.content,
					thinking_chars: answer.thinking.length,
					latency_ms: round(answer.latencyMs),
					ttft_ms: answer.ttftMs === null ? null : round(answer.ttftMs),
					eval_count: answer.evalCount,
					eval_duration_ns: answer.evalDurationNs,
					prompt_eval_count: answer.promptEvalCount,
					load_ms: loadMs === null ? null : round(loadMs),
					cached: fromCache,
					cache_key: cacheable ? key : null,
				});
				await deps.escalation?.afterResult(result, { testCase: item.case, client, readCache: cacheable && options.useCache, writeCache: cacheable, gradeContext: context });
			}
		}
	} finally {
		await Promise.all(pendingWrites);
		if (loaded && !(loaded instanceof CallFailure)) {
			// Free the memory for the next model on this host; a failure here costs nothing but memory.
			await client.unload(plan.model).catch((error: unknown) => deps.logger.warn(`unloading ${plan.model} failed: ${String(error)}`));
		}
	}
	return results;
}

/** After a transport failure, asks whether Ollama is still there; if not, the run stops. */
async function stopIfGone(client: ModelClient, failure: CallFailure, counter: Counter, total: number): Promise<void> {
	if (failure.failureClass !== 'transport') return;
	const probe = await probeOllama(client.host, 2000);
	if (probe.reachable) return;
	throw new OllamaGoneError(
		`Ollama at ${client.host} stopped answering during the run (${probe.reason}), after ${counter.done} of ${total} results. ` +
			'Every answer received so far is cached: start Ollama and run the build again to resume. No report was written.',
		{ cause: failure },
	);
}

function toResult(model: string, item: PlanItem, repeat: number, evaluation: Evaluation, extra: Partial<CaseResult>): CaseResult {
	return {
		role: item.role,
		model,
		case_id: item.case.id,
		task: item.case.task,
		severity: item.case.severity,
		repeat,
		outcome: evaluation.outcome,
		failure_class: evaluation.failureClass,
		failure_message: evaluation.failureMessage,
		checks: evaluation.checks,
		quality: round(evaluation.quality, 4),
		output: '',
		thinking_chars: 0,
		latency_ms: null,
		ttft_ms: null,
		eval_count: 0,
		eval_duration_ns: 0,
		prompt_eval_count: 0,
		load_ms: null,
		cached: false,
		cache_key: null,
		tags: [],
		...(evaluation.execution ? { execution: evaluation.execution } : {}),
		...extra,
	};
}

function round(value: number, digits = 1): number {
	const factor = 10 ** digits;
	return Math.round(value * factor) / factor;
}
