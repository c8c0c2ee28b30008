import { describeError } from '../errors/describe-error.ts';
import type { RunOptions } from '../schema/policy.ts';
import { type CaseResult, type ManifestModel, NOT_RUN_REASON_TEXT, type NotRunCase } from '../schema/report.ts';
import type { Task } from '../schema/case.ts';
import { type GradeContext, taskFor } from '../tasks/index.ts';
import type { AnswerCache } from './answer-cache.ts';
import { type Asked, type ProgressLogger, type ResultHook, askModel, cachedAnswer, callOptions, sameServer } from './ask-model.ts';
import { type CaseOrders, cachedFirst } from './case-order.ts';
import { type Evaluation, evaluateAnswer, hardFailure, resultOf } from './evaluate-answer.ts';
import { CallFailure, type CallOptions, type ModelClient, type ModelIdentity, asCallFailure, normalizeTag } from './model-client.ts';
import { type ModelPlan, type PlanItem, byHost } from './plan-run.ts';
import { probeOllama } from './probe-ollama.ts';
import { type RetryClock, type RetryPolicy, type TransientFault, realClock, retryPolicy, retryTransient } from './retry.ts';
import { type WorkQueue, createWorkQueue } from './work-queue.ts';

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
	/** Called after each result (turbo escalation of the review incumbent's rejections); absent when off. */
	afterResult?: ResultHook;
	/** The case set each task's answers are graded in (the registry's cases, whatever the run's filters). */
	gradeContext(task: Task): GradeContext;
	/** The clock retries wait on. @default real time */
	clock?: RetryClock;
	/** `evidence.sequential`: the rule asked before each unit, and where the run writes the order it asks in. Absent: every case is asked. */
	sequential?: SequentialRun;
}

/**
 * What the run asks of `evidence.sequential` (the policy stage's stop rule): go on with this model in this
 * role? The run keeps no statistics; it tells the rule every result and every case it could not serve.
 */
export interface GoOnRule {
	goOn(role: string, model: string): boolean;
	observe(result: CaseResult): void;
	skip(role: string, model: string, caseId: string): void;
}

export interface SequentialRun {
	rule: GoOnRule;
	/** Filled by the run with each model's order per role (cached answers first) before its first result. */
	orders: CaseOrders;
}

/** Units of one model in one role that were not asked because the rule said its verdict was settled. */
export interface NotAsked {
	role: string;
	model: string;
	/** Cases × repeats never asked (no result, no not-run record): each one a model call saved. */
	units: number;
}

/** What a run produced, before metrics and the report. */
export interface RunOutcome {
	results: CaseResult[];
	/** The cases the server could not serve after the retries, in plan order: no result, no grade, asked again next run. */
	notRun: NotRunCase[];
	models: ManifestModel[];
	ollama: { host: string; version: string | null }[];
	/** Chat calls made for cases, retries included (load and unload requests excluded). */
	modelCalls: number;
	/** Cached answers used that another Ollama version gave, or that did not record their version. */
	answersFromOlderOllama: number;
	/** Per role and model, what `evidence.sequential` left unasked, sorted; empty (or absent) without it. */
	notAsked?: NotAsked[];
}

/** Ollama stopped answering during a run: the run stops instead of failing every remaining model. */
export class OllamaGoneError extends Error {
	override name = 'OllamaGoneError';
}

/** One result to produce: a case of a model's plan, one repeat; `cached` when its answer is in the cache (it costs no call). */
interface Unit {
	item: PlanItem;
	repeat: number;
	cached: boolean;
}

/** One host as the run sees it. */
interface HostState {
	host: string;
	client: ModelClient;
	installed: Map<string, ModelIdentity>;
	/** /api/version; null when the host did not say. */
	version: string | null;
	/** Why the host was given up on mid-run, once it was. */
	gone?: string;
}

/** Shared by every host and slot of a run. */
interface RunState {
	deps: RunBenchmarkDeps;
	options: RunBenchmarkOptions;
	total: number;
	done: number;
	calls: number;
	/** Cached answers used that another Ollama version gave (or that did not record it). */
	fromOlderOllama: number;
	/** The options each model is asked with (`num_ctx` capped at its trained context) and that context. */
	sent: Map<ModelPlan, { options: CallOptions; contextLength: number | null }>;
	/** The first error that ends the run: every slot stops pulling work. */
	fatal?: unknown;
	queues: Map<ModelPlan, WorkQueue<Unit>>;
	results: CaseResult[];
	notRun: NotRunCase[];
	/** Per role and model (`role\0model`), units the sequential rule left unasked. */
	notAsked: Map<string, number>;
	retry: RetryPolicy;
	clock: RetryClock;
	/** Per model, the hosts whose load of it failed after the retries: its cases go to the others while some are left. */
	loadFailed: Map<ModelPlan, Set<HostState>>;
}

/**
 * Runs every planned case on every planned model. Hosts run at the same time; on one host, models run one
 * after another, each loaded once (a load request first, so load time is apart from case latency) and
 * unloaded when done. A model's cases wait in one queue that all of its hosts pull from, each host with
 * `parallel` requests at once; a host that goes away mid-run puts its case back for the others. Results
 * come back in plan order whoever answered, each naming its host. Answers are cached as they arrive.
 */
export async function runBenchmark(plans: readonly ModelPlan[], deps: RunBenchmarkDeps, options: RunBenchmarkOptions): Promise<RunOutcome> {
	const state: RunState = {
		deps,
		options,
		total: plans.reduce((sum, plan) => sum + plan.items.length, 0) * options.repeats,
		done: 0,
		calls: 0,
		fromOlderOllama: 0,
		sent: new Map(),
		queues: new Map(),
		results: [],
		notRun: [],
		notAsked: new Map(),
		retry: retryPolicy(options.run),
		clock: deps.clock ?? realClock,
		loadFailed: new Map(plans.map((plan) => [plan, new Set<HostState>()])),
	};
	const groups = byHost(plans);
	const hosts = await Promise.all(
		[...groups.keys()].map(async (host): Promise<HostState> => {
			const client = deps.clientFor(host);
			const [version, installed] = await Promise.all([client.version().catch(() => null), client.listModels()]);
			return { host, client, installed, version };
		}),
	);
	const hostByName = new Map(hosts.map((entry) => [entry.host, entry]));
	for (const plan of plans) {
		state.sent.set(
			plan,
			await optionsFor(
				plan,
				plan.hosts.map((host) => hostByName.get(host)!),
				state,
			),
		);
	}
	for (const plan of plans) {
		const hostsOf = plan.hosts.map((host) => hostByName.get(host)!);
		state.queues.set(plan, createWorkQueue(await units(plan, hostsOf, state)));
	}
	const models = plans.map((plan) =>
		manifestModel(
			plan,
			plan.hosts.map((host) => hostByName.get(host)!),
			state,
		),
	);

	// Every host runs to its end even after a fatal error elsewhere (its slots stop pulling work), so
	// nothing is still writing to the cache when the caller closes it.
	const settled = await Promise.allSettled(hosts.map((entry) => runHost(entry, groups.get(entry.host)!, hostByName, state)));
	const failed = settled.find((outcome) => outcome.status === 'rejected');
	if (state.fatal !== undefined) throw state.fatal;
	if (failed) throw failed.reason;
	if (state.fromOlderOllama > 0) {
		deps.logger.warn(
			`${state.fromOlderOllama} cached answer(s) came from another Ollama version than ${hosts.map((entry) => `${entry.version ?? 'unknown'} at ${entry.host}`).join(', ')} (or did not record theirs); the report counts them. Set run.reask_after_upgrade: true in policy.yaml to ask them again.`,
		);
	}
	return {
		// In the report's order (model, role, case, repeat), whatever order they were asked and answered in.
		results: state.results.sort(reportOrder),
		notRun: state.notRun.sort(reportOrder),
		models: models.sort((a, b) => a.id.localeCompare(b.id)),
		ollama: hosts.map(({ host, version }) => ({ host, version })),
		modelCalls: state.calls,
		answersFromOlderOllama: state.fromOlderOllama,
		notAsked: [...state.notAsked]
			.map(([key, units]) => {
				const [role, model] = key.split('\u0000') as [string, string];
				return { role, model, units };
			})
			.sort((a, b) => a.role.localeCompare(b.role) || a.model.localeCompare(b.model)),
	};
}

/**
 * The options a model is asked with: the run's, with `num_ctx` capped at the context the model was trained
 * for. Ollama caps a larger `num_ctx` itself, silently (server/sched.go), so sending it would record, and
 * check prompts against, a window the model never had. The trained length comes from /api/tags (Ollama
 * 0.30 and later) or else /api/show; a cap is said in a warning and recorded in the manifest.
 */
async function optionsFor(
	plan: ModelPlan,
	hosts: HostState[],
	state: RunState,
): Promise<{ options: CallOptions; contextLength: number | null }> {
	const options = callOptions(state.options.run, plan.think);
	const host = hosts.find((entry) => entry.installed.has(normalizeTag(plan.model)));
	if (!host) return { options, contextLength: null };
	const contextLength =
		host.installed.get(normalizeTag(plan.model))!.contextLength ?? (await host.client.trainedContext(plan.model).catch(() => null));
	if (contextLength !== null && options.num_ctx > contextLength) {
		state.deps.logger.warn(
			`${plan.model} was trained for a context of ${contextLength} tokens: it is asked with num_ctx ${contextLength}, not run.num_ctx ${options.num_ctx} (Ollama would cap it without a word); a prompt that does not fit is context-overflow.`,
		);
		return { options: { ...options, num_ctx: contextLength }, contextLength };
	}
	return { options, contextLength };
}

/** The order of the report: model, role, case, repeat (the order the plan once asked them in). */
function reportOrder(
	a: Pick<CaseResult, 'model' | 'role' | 'case_id' | 'repeat'>,
	b: Pick<CaseResult, 'model' | 'role' | 'case_id' | 'repeat'>,
): number {
	return a.model.localeCompare(b.model) || a.role.localeCompare(b.role) || a.case_id.localeCompare(b.case_id) || a.repeat - b.repeat;
}

/**
 * A model's units in the order it is asked: per role, the plan's order with the cases whose answer
 * is cached first (`cachedAnswer`, the rule `askModel` uses, with the digest and options of the first host
 * that has the model). Under `evidence.sequential` that order is written for the stop rule to read in.
 */
async function units(plan: ModelPlan, hosts: HostState[], state: RunState): Promise<Unit[]> {
	const { options, deps } = state;
	const host = hosts.find((entry) => entry.installed.has(normalizeTag(plan.model)));
	const readCache = options.repeats === 1 && options.useCache && host !== undefined && deps.sequential !== undefined;
	const cached = new Set<PlanItem>();
	if (readCache) {
		for (const item of plan.items) {
			const hit = await cachedAnswer({
				digest: host.installed.get(normalizeTag(plan.model))!.digest,
				testCase: item.case,
				settings: deps.gradeContext(item.case.task),
				options: state.sent.get(plan)!.options,
				cache: deps.cache,
				readCache,
				serverVersion: host.version,
				reaskOtherVersions: options.run.reask_after_upgrade ?? false,
			});
			if (hit) cached.add(item);
		}
	}
	const roles = [...new Set(plan.items.map((item) => item.role))];
	const ordered = roles.flatMap((role) => {
		const items = cachedFirst(
			plan.items.filter((item) => item.role === role),
			(item) => cached.has(item),
		);
		deps.sequential?.orders.set(
			role,
			plan.model,
			items.map((item) => item.case.id),
		);
		return items;
	});
	return ordered.flatMap((item) => Array.from({ length: options.repeats }, (_, repeat) => ({ item, repeat, cached: cached.has(item) })));
}

/** The manifest's record of a model: identity from the first host that has it, the hosts and the slots. */
function manifestModel(plan: ModelPlan, hosts: HostState[], state: RunState): ManifestModel {
	const having = hosts.filter((entry) => entry.installed.has(normalizeTag(plan.model)));
	const identity = having[0]?.installed.get(normalizeTag(plan.model));
	const digests = new Set(having.map((entry) => entry.installed.get(normalizeTag(plan.model))!.digest));
	if (digests.size > 1) {
		// Different weights under one tag: each answer is cached under its host's digest, but the report names one.
		state.deps.logger.warn(
			`${plan.model} has different digests on its hosts (${having.map((entry) => `${entry.host}: ${entry.installed.get(normalizeTag(plan.model))!.digest.slice(0, 12)}`).join(', ')}); pull the same weights on each.`,
		);
	}
	return {
		id: plan.model,
		digest: identity?.digest ?? null,
		family: identity?.family ?? null,
		parameter_size: identity?.parameterSize ?? null,
		quantization: identity?.quantization ?? null,
		host: having[0]?.host ?? plan.hosts[0]!,
		...(plan.hosts.length > 1 ? { hosts: [...plan.hosts] } : {}),
		parallel: plan.parallel,
		options: { ...state.sent.get(plan)!.options },
		...(state.sent.get(plan)!.contextLength === null ? {} : { context_length: state.sent.get(plan)!.contextLength! }),
	};
}

/** One host: its models one after another; for each, `parallel` slots pull from the model's queue. */
async function runHost(host: HostState, hostPlans: readonly ModelPlan[], hosts: Map<string, HostState>, state: RunState): Promise<void> {
	for (const plan of hostPlans) {
		if (state.fatal !== undefined) return;
		const queue = state.queues.get(plan)!;
		const serving = plan.hosts.filter((name) => hosts.get(name)!.installed.has(normalizeTag(plan.model))).map((name) => hosts.get(name)!);
		if (serving.length === 0) {
			// Missing everywhere: the first host says so once and records every result.
			if (host.host === plan.hosts[0]) recordMissing(plan, host, queue, state);
			continue;
		}
		if (!serving.includes(host)) continue;
		if (host.gone !== undefined) {
			// This host went away during an earlier model: a later model that no other host can serve would
			// otherwise be left out of the report without a word.
			if (serving.every((other) => other.gone !== undefined)) {
				stopRun(state, goneError(host, state));
				return;
			}
			continue;
		}
		try {
			await serveModel(plan, host, serving, queue, state);
		} catch (error) {
			stopRun(state, error);
			return;
		}
	}
}

function recordMissing(plan: ModelPlan, host: HostState, queue: WorkQueue<Unit>, state: RunState): void {
	const where = plan.hosts.length > 1 ? `any of its hosts (${plan.hosts.join(', ')})` : host.host;
	state.deps.logger.warn(
		`${plan.model} is not installed on ${where}: its ${plan.items.length * state.options.repeats} result(s) are hard failures (model-missing). Pull it with \`ollama pull ${plan.model}\`.`,
	);
	for (let unit = queue.take(); unit; unit = queue.take()) {
		record(state, plan, unit, hardFailure('model-missing', `${plan.model} is not in /api/tags on ${where}`), {});
		queue.finish();
	}
}

/**
 * Serves one model on one host until its queue is empty and no host has a case of it in flight (a host
 * that goes away puts its case back, and the others must still be there to take it). Loads the model on
 * the first uncached case, unloads it at the end.
 */
async function serveModel(plan: ModelPlan, host: HostState, serving: HostState[], queue: WorkQueue<Unit>, state: RunState): Promise<void> {
	const { deps, options } = state;
	const sent = state.sent.get(plan)!.options;
	const identity = host.installed.get(normalizeTag(plan.model))!;
	const cacheable = options.repeats === 1;
	const stopRetrying = () => state.fatal !== undefined || host.gone !== undefined;
	let loading: Promise<number> | undefined;
	let loadAttempts = 1;
	const ensureLoaded = () => {
		loading ??= (async () => {
			// Shared by the slots: one load per host, retried here (never again by each case that waits on it).
			const retried = await retryTransient(
				() =>
					host.client.load(plan.model, sent, options.run.call_timeout_s * 1000).then(
						(ms) => ({ ok: true as const, ms }),
						(error: unknown) => ({ ok: false as const, failure: asCallFailure(error, host.host) }),
					),
				(outcome) => (outcome.ok ? undefined : transientOnHost(host, outcome.failure)),
				state.retry,
				state.clock,
				{ stop: stopRetrying, onRetry: (fault, waitMs, retry) => sayRetry(`loading ${plan.model}`, fault, waitMs, retry) },
			);
			loadAttempts = retried.attempts;
			if (retried.outcome.ok) return retried.outcome.ms;
			const { failure } = retried.outcome;
			if (retried.exhausted)
				deps.logger.warn(`loading ${plan.model} on ${host.host} failed after ${retried.attempts} attempt(s): ${failure.message}.`);
			throw new CallFailure(failure.failureClass, `loading ${plan.model} failed: ${failure.message}`, {
				cause: failure,
				...(failure.transient ? { transient: failure.transient } : {}),
			});
		})();
		return loading;
	};
	const sayRetry = (what: string, fault: TransientFault, waitMs: number, retry: number) =>
		deps.logger.info(
			`${what} on ${host.host}: ${NOT_RUN_REASON_TEXT[fault.reason]}; retry ${retry} of ${state.retry.retries} in ${(waitMs / 1000).toFixed(1)} s${fault.retryAfterMs === undefined ? '' : ' (Retry-After)'}`,
		);

	const slot = async () => {
		while (state.fatal === undefined && host.gone === undefined) {
			const unit = queue.take();
			if (!unit) {
				if (queue.inFlight === 0) return;
				await queue.changed();
				continue;
			}
			try {
				// A settled verdict: the model's uncached cases in this role are not asked (a cached answer is free, so
				// it is still read: a rebuild then reads exactly what the run that asked it read).
				if (!unit.cached && deps.sequential && !deps.sequential.rule.goOn(unit.item.role, plan.model)) {
					recordNotAsked(state, plan, unit);
					continue;
				}
				const served = await serveUnit(unit);
				if (served === 'load-failed') {
					// Another host of the pool may still load it: this one hands its cases over and leaves the model.
					queue.giveBack(unit);
					deps.logger.warn(
						`${plan.model} could not be loaded on ${host.host}; its remaining cases go to ${loadableHosts()
							.map((other) => other.host)
							.join(', ')}.`,
					);
					return;
				}
				if (served === 'gone') {
					queue.giveBack(unit);
					if (!serving.some((other) => other.gone === undefined)) throw goneError(host, state);
					deps.logger.warn(
						`Ollama at ${host.host} stopped answering (${host.gone}); its remaining cases of ${plan.model} go to ${serving
							.filter((other) => other.gone === undefined)
							.map((other) => other.host)
							.join(', ')}.`,
					);
					return;
				}
			} catch (error) {
				// Said before this slot's item is finished, so no waiting slot anywhere takes another item.
				stopRun(state, error);
				throw error;
			} finally {
				queue.finish();
			}
		}
	};

	/** The hosts of the pool still there that have not failed to load the model. */
	const loadableHosts = () => serving.filter((other) => other.gone === undefined && !state.loadFailed.get(plan)!.has(other));

	/**
	 * Asks, grades and records one unit. `gone`: the host turned out to be gone; `load-failed`: it could not
	 * load the model and another host may; either way the unit is not done and goes back to the queue.
	 */
	const serveUnit = async (unit: Unit): Promise<'done' | 'gone' | 'load-failed'> => {
		const { item } = unit;
		const readCache = cacheable && options.useCache;
		const context = deps.gradeContext(item.case.task);
		const retried = await retryTransient(
			async () => {
				const outcome = await askModel({
					client: host.client,
					model: plan.model,
					digest: identity.digest,
					testCase: item.case,
					settings: context,
					options: sent,
					run: options.run,
					cache: deps.cache,
					readCache,
					writeCache: cacheable,
					serverVersion: host.version,
					reaskOtherVersions: options.run.reask_after_upgrade ?? false,
					beforeCall: ensureLoaded,
					onCacheWriteFailed: (error) =>
						deps.logger.warn(
							`caching ${plan.model}'s answer to ${item.case.id} failed (${describeError(error)}); it will be asked again next run`,
						),
				});
				if (outcome.called) state.calls++;
				return outcome;
			},
			// A failed load was retried by `ensureLoaded` already; a case is retried only for its own request.
			(outcome: Asked) => (outcome.ok || outcome.stage !== 'chat' ? undefined : transientOnHost(host, outcome.failure)),
			state.retry,
			state.clock,
			{ stop: stopRetrying, onRetry: (fault, waitMs, retry) => sayRetry(`${plan.model} · ${item.case.id}`, fault, waitMs, retry) },
		);
		const asked = retried.outcome;
		const where = { host: host.host };
		if (!asked.ok) {
			const { failure } = asked;
			if (host.gone !== undefined && (failure.failureClass === 'transport' || failure.transient)) return 'gone';
			// What the server could not serve after the retries is not the model's answer: not run, never a result.
			const fault = retried.exhausted ?? (asked.stage === 'load' ? failure.transient : undefined);
			if (fault) {
				if (asked.stage === 'load') {
					state.loadFailed.get(plan)!.add(host);
					if (loadableHosts().length > 0) return 'load-failed';
				}
				const attempts = asked.stage === 'load' ? loadAttempts : retried.attempts;
				recordNotRun(state, plan, unit, {
					reason: fault.reason,
					stage: asked.stage === 'load' ? 'load' : 'chat',
					message: failure.message,
					attempts,
					host: host.host,
				});
				return 'done';
			}
			record(state, plan, unit, hardFailure(failure.failureClass, failure.message), where);
			return 'done';
		}
		const { answer, loadMs } = asked;
		if (asked.cached && !sameServer(asked.ollamaVersion ?? undefined, host.version)) state.fromOlderOllama++;
		const result = record(
			state,
			plan,
			unit,
			await evaluateAnswer(item.case, taskFor(item.case.task), answer, sent, context, asked.prompt),
			{
				output: answer.content,
				thinking_chars: answer.thinking.length,
				latency_ms: round(answer.latencyMs),
				ttft_ms: answer.ttftMs === null ? null : round(answer.ttftMs),
				eval_count: answer.evalCount,
				eval_duration_ns: answer.evalDurationNs,
				prompt_eval_count: answer.promptEvalCount,
				...(answer.promptEvalDurationNs === undefined ? {} : { prompt_eval_duration_ns: answer.promptEvalDurationNs }),
				load_ms: loadMs === null ? null : round(loadMs),
				cached: asked.cached,
				cache_key: cacheable ? asked.key : null,
				ollama_version: asked.ollamaVersion,
				...where,
			},
		);
		await deps.afterResult?.afterResult(result, {
			testCase: item.case,
			client: host.client,
			readCache,
			writeCache: cacheable,
			gradeContext: context,
		});
		return 'done';
	};

	try {
		// Every slot ends before the model is unloaded or the error goes up: none is left calling in the background.
		const slots = await Promise.allSettled(Array.from({ length: plan.parallel }, slot));
		const failed = slots.find((outcome) => outcome.status === 'rejected');
		if (failed) throw failed.reason;
	} finally {
		if (loading && host.gone === undefined) {
			// Free the memory for the next model on this host; a failure here costs nothing but memory.
			const loaded = await loading.then(
				() => true,
				() => false,
			);
			if (loaded)
				await host.client
					.unload(plan.model)
					.catch((error: unknown) => deps.logger.warn(`unloading ${plan.model} failed: ${String(error)}`));
		}
	}
}

/**
 * Whether a failure is worth asking again: the server's transient state. A transport failure first probes
 * the host: one that no longer answers is gone (the run's "host went away" path), never retried.
 */
async function transientOnHost(host: HostState, failure: CallFailure): Promise<TransientFault | undefined> {
	if (failure.failureClass === 'transport') {
		const probe = await probeOllama(host.host, 2000);
		if (!probe.reachable) {
			host.gone ??= probe.reason;
			return undefined;
		}
	}
	return failure.transient;
}

/** Records the error that ends the run and wakes every waiting slot, so each stops pulling work. */
function stopRun(state: RunState, error: unknown): void {
	state.fatal ??= error;
	for (const queue of state.queues.values()) queue.wake();
}

function goneError(host: HostState, state: RunState): OllamaGoneError {
	return new OllamaGoneError(
		`Ollama at ${host.host} stopped answering during the run (${host.gone}), after ${state.done} of ${state.total} results. ` +
			'Every answer received so far is cached: start Ollama and run the build again to resume. No report was written.',
	);
}

function record(state: RunState, plan: ModelPlan, unit: Unit, evaluation: Evaluation, extra: Partial<CaseResult>): CaseResult {
	const result = resultOf(plan.model, unit.item, unit.repeat, evaluation, extra);
	state.results.push(result);
	state.deps.sequential?.rule.observe(result);
	state.done++;
	const seconds = result.latency_ms === null ? '' : ` ${(result.latency_ms / 1000).toFixed(1)} s`;
	const what = result.outcome === 'hard-failure' ? `hard failure (${result.failure_class})` : result.outcome;
	const where = plan.hosts.length > 1 && result.host !== undefined ? ` @ ${result.host}` : '';
	state.deps.logger.info(
		`[${state.done}/${state.total}] ${unit.item.role} · ${plan.model} · ${unit.item.case.id} → ${what}${seconds}${result.cached ? ' (cached)' : ''}${where}`,
	);
	return result;
}

function recordNotRun(
	state: RunState,
	plan: ModelPlan,
	unit: Unit,
	why: Pick<NotRunCase, 'reason' | 'stage' | 'message' | 'attempts' | 'host'>,
): void {
	const { item } = unit;
	const entry: NotRunCase = {
		role: item.role,
		model: plan.model,
		case_id: item.case.id,
		task: item.case.task,
		severity: item.case.severity,
		repeat: unit.repeat,
		...why,
	};
	state.notRun.push(entry);
	state.deps.sequential?.rule.skip(item.role, plan.model, item.case.id);
	state.done++;
	// A progress line like any result's; the server's words are said once, with the load or in the run's summary.
	const reason =
		why.stage === 'load'
			? `load failed (${NOT_RUN_REASON_TEXT[why.reason]})`
			: `${NOT_RUN_REASON_TEXT[why.reason]} after ${why.attempts} attempts`;
	state.deps.logger.info(`[${state.done}/${state.total}] ${item.role} · ${plan.model} · ${item.case.id} → not run: ${reason}`);
}

/** A unit the sequential rule left unasked: counted (a call saved), said once per role and model. */
function recordNotAsked(state: RunState, plan: ModelPlan, unit: Unit): void {
	const key = `${unit.item.role}\u0000${plan.model}`;
	const before = state.notAsked.get(key) ?? 0;
	state.notAsked.set(key, before + 1);
	state.done++;
	if (before === 0)
		state.deps.logger.info(
			`[${state.done}/${state.total}] ${unit.item.role} · ${plan.model}: verdict settled (evidence.sequential), its remaining uncached cases in ${unit.item.role} are not asked`,
		);
}

function round(value: number, digits = 1): number {
	const factor = 10 ** digits;
	return Math.round(value * factor) / factor;
}
