import { setTimeout as sleepFor } from 'node:timers/promises';
import { type MessagesRequest, type MessagesResult, callMessagesApi, chatAnswerOf, lookUpModel } from '../escalate/anthropic-messages.ts';
import { redactSecrets } from '../escalate/redact.ts';
import { describeError } from '../errors/describe-error.ts';
import { hashOf } from '../files/stable-json.ts';
import { type BilledUsage, billedCost, pricesOf } from '../metrics/cost.ts';
import type { Registry } from '../registry/load-registry.ts';
import type { AnswerCache, CachedAnswer } from '../run/answer-cache.ts';
import type { ProgressLogger } from '../run/ask-model.ts';
import { cachedFirst, stratifiedOrder } from '../run/case-order.ts';
import type { SequentialRun } from '../run/run-benchmark.ts';
import { type Evaluation, evaluateAnswer, hardFailure, resultOf } from '../run/evaluate-answer.ts';
import type { CallOptions, ChatAnswer } from '../run/model-client.ts';
import type { Case } from '../schema/case.ts';
import type { Model } from '../schema/model.ts';
import type { BaselineSettings } from '../schema/policy.ts';
import type { BaselineRun, CaseResult } from '../schema/report.ts';
import { type GradeContext, type Prompt, taskFor } from '../tasks/index.ts';
import { sampleCases } from './sample-cases.ts';

/** The tag every baseline result carries. */
export const BASELINE_TAG = 'frontier-baseline';

/** Attempts per case when the API answers 429 (a passing limit), 529, 5xx or not at all. */
export const MAX_ATTEMPTS = 3;

/** Longest wait between two attempts, whatever `retry-after` says: a run does not sleep for minutes. */
export const MAX_RETRY_WAIT_MS = 60_000;

/** Said in the manifest when the baseline answered: its answers are not at the run's temperature. */
export const BASELINE_TEMPERATURE_NOTE =
	'The frontier baseline is asked without a temperature (models after Claude Opus 4.6 refuse any other than their default), so its answers are sampled at the API default of 1.0, not at run.temperature.';

/** One baseline answer, graded, with what it was billed for. */
export interface BaselineAnswer {
	result: CaseResult;
	usage: BilledUsage;
}

/** What the baseline did for one role. */
export interface BaselineRoleRun {
	role: string;
	/** The role's `baseline:` model id. */
	model: string;
	/** The id the API resolved it to, or null when it was never reached. */
	answeredBy: string | null;
	roleCases: number;
	/** The cases chosen (all, or the stratified sample). */
	sampled: readonly Case[];
	answers: BaselineAnswer[];
	/** Asked, but not scored this run (transient errors after retries, an answer cut at our own max_tokens). */
	notScored: number;
	/** Sampled cases not asked because `evidence.sequential` settled the baseline's verdict: billed calls saved. */
	notAsked: number;
	/** Why this role's baseline answered nothing, when it did not. */
	skipped: string | null;
}

export interface BaselineOutcome {
	roles: BaselineRoleRun[];
	run: BaselineRun;
}

export interface BaselineDeps {
	/** Where the key is read from: injected, never `process.env` here. */
	env: Readonly<Record<string, string | undefined>>;
	cache: AnswerCache;
	logger: ProgressLogger;
	gradeContext: (task: Case['task']) => GradeContext;
	/** Whether cached answers may be used (false with `--no-cache`). @default true */
	readCache?: boolean;
	fetch?: typeof fetch;
	/** The wait between attempts; tests pass a short one. */
	sleep?: (ms: number) => Promise<void>;
	callTimeoutMs: number;
	/** `evidence.sequential`: the rule asked before each billed call, and where the order asked in is written. */
	sequential?: SequentialRun;
}

/** The options the grader sees for a frontier answer: no `num_ctx` check (the API refuses a prompt too long itself). */
const FRONTIER_GRADE_OPTIONS = (maxTokens: number): CallOptions => ({
	num_ctx: Number.MAX_SAFE_INTEGER,
	num_predict: maxTokens,
	temperature: 1,
	seed: 0,
	think: false,
});

/** One sampled case as the baseline is to be asked it: the prompt, its cache key, and the cached answer if any. */
interface Question {
	testCase: Case;
	prompt: Prompt;
	key: string;
	hit: CachedAnswer | undefined;
}

/** A role's baseline before it is asked: the run record and, per role that can be asked, its questions in order. */
export interface PreparedBaseline {
	settings: BaselineSettings;
	catalog: ReadonlyMap<string, Model>;
	outcomes: BaselineRoleRun[];
	run: BaselineRun;
	/** Per role that is asked: the model's cache scope and the questions, cached answers first. */
	questions: Map<string, { scope: string; questions: Question[] }>;
	apiKey: string | null;
}

/**
 * Asks every role's `baseline:` model its cases (all, or a seeded sample stratified by severity) through
 * the Messages API, one at a time, with the same prompts and graders as the local models. Answers are
 * cached under the provider, the id the API resolves the model to, the prompt and the options, so a
 * rebuild costs nothing. Stops asking when `max_calls_per_run` billed calls are made, when the next call
 * could pass `budget_usd_per_run`, or when the API says the budget is spent (402, a spend-cap 429);
 * retries a passing 429, 529 and 5xx within the attempts and never scores them. Without the key it asks
 * nothing and says so once. Never throws for the API's sake.
 *
 * The sample is asked in the seeded order stratified by severity, cached answers first; under
 * `evidence.sequential` a role whose baseline verdict is settled makes no further billed call.
 */
export async function runBaseline(
	registry: Pick<Registry, 'policy' | 'roles' | 'models' | 'cases'>,
	deps: BaselineDeps,
): Promise<BaselineOutcome | undefined> {
	const prepared = await prepareBaseline(registry, deps);
	return prepared && askBaseline(prepared, deps);
}

/**
 * The first half of `runBaseline`, which makes no billed call: the sample, the model's identity from the
 * API (an unbilled lookup), the cached answers, and each role's order (cached answers first) written for
 * the sequential rule. The pipeline runs it before the local models, so every order is known before any
 * result arrives; a role that cannot be asked is marked skipped, with why.
 */
export async function prepareBaseline(
	registry: Pick<Registry, 'policy' | 'roles' | 'models' | 'cases'>,
	deps: BaselineDeps,
): Promise<PreparedBaseline | undefined> {
	const settings = registry.policy.baseline;
	if (!settings) return undefined;
	const catalog = new Map(registry.models.map((model) => [model.id, model]));
	const roles = registry.roles
		.map((entry) => entry.role)
		.filter((role) => role.baseline !== undefined)
		.sort((a, b) => a.role.localeCompare(b.role));
	const run: BaselineRun = {
		stopped: null,
		billed_calls: 0,
		max_calls_per_run: settings.max_calls_per_run,
		spent_usd: 0,
		budget_usd_per_run: settings.budget_usd_per_run ?? null,
	};
	const casesOf = (role: string) => registry.cases.map((entry) => entry.case).filter((testCase) => testCase.role === role);
	const outcomes: BaselineRoleRun[] = roles.map((role) => {
		const all = casesOf(role.role);
		return {
			role: role.role,
			model: role.baseline!,
			answeredBy: null,
			roleCases: all.length,
			sampled: sampleCases(all, settings.max_cases_per_role, registry.policy.run.seed),
			answers: [],
			notScored: 0,
			notAsked: 0,
			skipped: null,
		};
	});
	const seed = registry.policy.run.seed;
	// The seeded order, until the API says which model answers and the cached answers can be put first.
	for (const outcome of outcomes)
		deps.sequential?.orders.set(
			outcome.role,
			outcome.model,
			stratifiedOrder(outcome.sampled, seed).map((testCase) => testCase.id),
		);
	const prepared: PreparedBaseline = { settings, catalog, outcomes, run, questions: new Map(), apiKey: null };
	if (roles.length === 0) return prepared;

	const apiKey = deps.env[settings.api_key_env]?.trim();
	if (!apiKey) {
		const why = `baseline skipped: no ${settings.api_key_env}`;
		deps.logger.info(`${why} (set it to compare the roles with their frontier baseline)`);
		for (const outcome of outcomes) outcome.skipped = why;
		return { ...prepared, run: { ...run, stopped: why } };
	}
	prepared.apiKey = apiKey;
	const scrub = (text: string) => redactSecrets(text, [apiKey]);
	const resolved = new Map<string, { ok: true; id: string } | { ok: false; detail: string }>();

	for (const outcome of outcomes) {
		const model = catalog.get(outcome.model)!;
		const prices = pricesOf(model);
		if (run.budget_usd_per_run !== null && (prices.in === undefined || prices.out === undefined)) {
			outcome.skipped = `baseline.budget_usd_per_run is set, but ${model.id} has no price_per_mtok_in/out in benchmarks/models.yaml, so no call can be kept within it`;
			deps.logger.warn(`${outcome.role}: ${outcome.skipped}`);
			continue;
		}
		if (!resolved.has(model.id)) {
			const lookup = await lookUpModel({
				baseUrl: settings.base_url,
				apiKey,
				model: model.id,
				timeoutMs: deps.callTimeoutMs,
				...(deps.fetch ? { fetch: deps.fetch } : {}),
			});
			resolved.set(
				model.id,
				lookup.ok
					? lookup
					: {
							ok: false,
							detail:
								lookup.status === 404
									? `the API does not know the model ${model.id} (HTTP 404): check its id in benchmarks/models.yaml`
									: scrub(`the API could not say which model ${model.id} is: ${lookup.detail}`),
						},
			);
		}
		const identity = resolved.get(model.id)!;
		if (!identity.ok) {
			outcome.skipped = `baseline not asked: ${identity.detail}`;
			deps.logger.warn(`${outcome.role}: ${outcome.skipped}`);
			continue;
		}
		outcome.answeredBy = identity.id;
		const scope = `${model.provider}-${identity.id}`;
		const questions = await Promise.all(
			stratifiedOrder(outcome.sampled, seed).map(async (testCase) => {
				// The prompt exactly as the local models get it, with the same answer settings (coder.answer_format).
				const prompt = taskFor(testCase.task).buildPrompt(testCase, deps.gradeContext(testCase.task));
				// Everything the answer depends on; never the key. The model is the id the API resolved, so an alias
				// that moves to a new snapshot is a new model.
				const key = hashOf({
					v: 1,
					kind: 'frontier-baseline',
					provider: model.provider,
					baseUrl: settings.base_url,
					model: identity.id,
					maxTokens: settings.max_tokens,
					prompt,
				});
				const hit = deps.readCache === false ? undefined : await deps.cache.get(key, scope).catch(() => undefined);
				return { testCase, prompt, key, hit: hit?.frontier ? hit : undefined };
			}),
		);
		const ordered = cachedFirst(questions, (question) => question.hit !== undefined);
		deps.sequential?.orders.set(
			outcome.role,
			outcome.model,
			ordered.map((question) => question.testCase.id),
		);
		prepared.questions.set(outcome.role, { scope, questions: ordered });
	}
	return prepared;
}

/**
 * The second half of `runBaseline`: asks each prepared role its questions in order, within the run's
 * limits and, under `evidence.sequential`, only while the rule goes on with it.
 */
export async function askBaseline(prepared: PreparedBaseline, deps: BaselineDeps): Promise<BaselineOutcome> {
	const { settings, catalog, outcomes, run, apiKey } = prepared;
	const sleep = deps.sleep ?? ((ms: number) => sleepFor(ms));
	const scrub = (text: string) => (apiKey === null ? text : redactSecrets(text, [apiKey]));
	for (const outcome of outcomes) {
		const asking = prepared.questions.get(outcome.role);
		if (!asking || apiKey === null || outcome.answeredBy === null) continue;
		const { scope } = asking;
		const model = catalog.get(outcome.model)!;
		const prices = pricesOf(model);
		const identity = { id: outcome.answeredBy };
		const rule = deps.sequential?.rule;
		const answer = (entry: BaselineAnswer) => {
			outcome.answers.push(entry);
			rule?.observe(entry.result);
		};
		for (const { testCase, prompt, key, hit } of asking.questions) {
			if (hit) {
				answer(await graded(outcome.role, model.id, testCase, hit, key, true, settings, deps.gradeContext));
				continue;
			}
			if (run.stopped !== null) continue;
			if (rule && !rule.goOn(outcome.role, outcome.model)) {
				if (outcome.notAsked++ === 0)
					deps.logger.info(
						`baseline · ${outcome.role} · ${model.id}: verdict settled (evidence.sequential), the rest of its sample is not asked`,
					);
				continue;
			}
			if (run.billed_calls >= settings.max_calls_per_run) {
				run.stopped = `baseline.max_calls_per_run (${settings.max_calls_per_run}) reached`;
				deps.logger.info(`baseline: ${run.stopped}; the cases left are asked next run`);
				continue;
			}
			if (run.budget_usd_per_run !== null) {
				const worst = billedCost(
					{
						input_tokens: inputTokensAtMost(prompt),
						output_tokens: settings.max_tokens,
						cache_creation_input_tokens: 0,
						cache_read_input_tokens: 0,
					},
					prices,
				)!;
				if ((run.spent_usd ?? 0) + worst > run.budget_usd_per_run) {
					run.stopped = `baseline.budget_usd_per_run ($${run.budget_usd_per_run}) reached: the next call could cost up to $${worst.toFixed(4)} with $${(run.spent_usd ?? 0).toFixed(4)} spent`;
					deps.logger.info(`baseline: ${run.stopped}; the cases left are asked next run`);
					continue;
				}
			}
			const asked = await askWithRetries(
				{
					baseUrl: settings.base_url,
					apiKey,
					model: model.id,
					maxTokens: settings.max_tokens,
					prompt,
					timeoutMs: deps.callTimeoutMs,
					...(deps.fetch ? { fetch: deps.fetch } : {}),
				},
				sleep,
			);
			if (asked.kind !== 'answer') {
				if (asked.kind === 'stop') {
					run.stopped = scrub(`${model.id}: ${asked.detail}`);
					deps.logger.warn(`baseline stopped for this run: ${run.stopped}`);
					continue;
				}
				outcome.notScored++;
				rule?.skip(outcome.role, outcome.model, testCase.id);
				deps.logger.warn(
					scrub(`baseline · ${outcome.role} · ${model.id} · ${testCase.id}: not scored (${asked.detail}); asked again next run`),
				);
				continue;
			}
			const { answer: reply } = asked.result;
			run.billed_calls++;
			const usage: BilledUsage = {
				input_tokens: reply.usage.inputTokens,
				output_tokens: reply.usage.outputTokens,
				cache_creation_input_tokens: reply.usage.cacheCreationInputTokens,
				cache_read_input_tokens: reply.usage.cacheReadInputTokens,
			};
			const cost = billedCost(usage, prices);
			run.spent_usd = run.spent_usd === null || cost === null ? null : run.spent_usd + cost;
			if (reply.model !== null && reply.model !== identity.id)
				deps.logger.warn(`baseline: asked ${identity.id}, the API says ${reply.model} answered; its answers are kept under ${identity.id}`);
			const entry: CachedAnswer = {
				answer: chatAnswerOf(reply, scrub, true),
				loadMs: null,
				frontier: { model: reply.model ?? identity.id, ...usage, service_tier: reply.usage.serviceTier },
			};
			if (reply.stopReason === 'max_tokens') {
				// Thinking counts inside max_tokens: a cut there is our sizing, not the model's failure.
				outcome.notScored++;
				rule?.skip(outcome.role, outcome.model, testCase.id);
				deps.logger.warn(
					`baseline · ${outcome.role} · ${model.id} · ${testCase.id}: not scored, cut at baseline.max_tokens ${settings.max_tokens} (raise it in policy.yaml)`,
				);
				continue;
			}
			await deps.cache
				.set(key, entry, scope)
				.catch((error: unknown) =>
					deps.logger.warn(
						`caching the baseline answer to ${testCase.id} failed (${describeError(error)}); it will be asked again next run`,
					),
				);
			answer(await graded(outcome.role, model.id, testCase, entry, key, false, settings, deps.gradeContext));
		}
		// In case order, as the report has them, whatever order they were asked in.
		outcome.answers.sort((a, b) => a.result.case_id.localeCompare(b.result.case_id));
		deps.logger.info(
			`baseline · ${outcome.role} · ${model.id} (${identity.id}): ${outcome.answers.length} of ${outcome.sampled.length} sampled case(s) answered (${outcome.roleCases} in the role)`,
		);
	}
	return { roles: outcomes, run: { ...run, spent_usd: run.spent_usd === null ? null : Math.round(run.spent_usd * 1e6) / 1e6 } };
}

type Asked = { kind: 'answer'; result: Extract<MessagesResult, { ok: true }> } | { kind: 'transient' | 'stop'; detail: string };

/**
 * One case, asked until it answers or the attempts run out. A passing 429 (it says `retry-after`), 529,
 * 5xx, a timeout or a network error is transient: wait and ask again, and never score it. A spent budget
 * (402, a 429 with `enforced_spend_limit_reached`, a 400 "reached your specified API usage limits"), a
 * refused key and any other refusal of the request stop the baseline for the run: asking again would fail
 * the same way.
 */
async function askWithRetries(request: MessagesRequest, sleep: (ms: number) => Promise<void>): Promise<Asked> {
	let last = '';
	for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
		const result = await callMessagesApi(request);
		if (result.ok) return { kind: 'answer', result };
		const { facts, failure } = result;
		last = failure.detail;
		const spent =
			facts.status === 402 ||
			facts.errorCode === 'enforced_spend_limit_reached' ||
			(facts.status === 400 && /reached your specified (workspace )?API usage limits/i.test(facts.message ?? ''));
		if (spent)
			return { kind: 'stop', detail: `the API says the spend limit is reached (${failure.detail}); no more baseline calls this run` };
		const transient = facts.status === null || facts.status === 429 || facts.status === 529 || facts.status >= 500;
		if (!transient) return { kind: 'stop', detail: failure.detail };
		if (attempt < MAX_ATTEMPTS)
			await sleep(Math.min(MAX_RETRY_WAIT_MS, facts.retryAfterS !== null ? facts.retryAfterS * 1000 : 1000 * 2 ** attempt));
	}
	return { kind: 'transient', detail: `${MAX_ATTEMPTS} attempts: ${last}` };
}

/** A cached or fresh frontier answer, graded like any model's. */
async function graded(
	role: string,
	model: string,
	testCase: Case,
	entry: CachedAnswer,
	key: string,
	cached: boolean,
	settings: BaselineSettings,
	gradeContext: BaselineDeps['gradeContext'],
): Promise<BaselineAnswer> {
	const usage = entry.frontier!;
	// The grader reads no prompt count from a frontier answer: the API refuses a prompt that does not fit.
	const answer: ChatAnswer = { ...entry.answer, promptEvalCount: 0 };
	const evaluation: Evaluation =
		entry.answer.doneReason === 'refusal'
			? hardFailure('refusal', 'the model declined to answer (stop_reason refusal)')
			: entry.answer.doneReason === 'model_context_window_exceeded'
				? hardFailure(
						'context-overflow',
						'the prompt and the answer did not fit the model’s context window (stop_reason model_context_window_exceeded)',
					)
				: await evaluateAnswer(
						testCase,
						taskFor(testCase.task),
						answer,
						FRONTIER_GRADE_OPTIONS(settings.max_tokens),
						gradeContext(testCase.task),
					);
	return {
		result: resultOf(model, { role, case: testCase }, 0, evaluation, {
			output: entry.answer.content,
			thinking_chars: entry.answer.thinking.length,
			latency_ms: Math.round(entry.answer.latencyMs * 10) / 10,
			eval_count: usage.output_tokens,
			prompt_eval_count: usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens,
			cached,
			cache_key: key,
			tags: [BASELINE_TAG],
		}),
		usage,
	};
}

/** Tokens the API can bill for a message's framing (role markers), at most: generous, so the bound holds. */
const MESSAGE_FRAMING_TOKENS = 16;

/**
 * An upper bound of the input tokens a prompt can be billed for: every token covers at least one byte of
 * UTF-8, so no tokenizer makes more tokens than the text has bytes. The budget check uses it, so a run
 * never passes `budget_usd_per_run` however the model tokenizes. Pure.
 */
export function inputTokensAtMost(prompt: Prompt): number {
	return prompt.messages.reduce((sum, message) => sum + Buffer.byteLength(message.content, 'utf8') + MESSAGE_FRAMING_TOKENS, 0);
}
