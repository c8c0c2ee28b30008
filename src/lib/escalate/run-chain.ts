import { hashOf } from '../files/stable-json.ts';
import type { Registry } from '../registry/load-registry.ts';
import { describeError } from '../errors/describe-error.ts';
import type { AnswerCache, CachedAnswer } from '../run/answer-cache.ts';
import { type ProgressLogger, type ResultContext, type ResultHook, askModel, callOptions } from '../run/ask-model.ts';
import {
	type CallOptions,
	type ChatAnswer,
	type ModelClient,
	type ModelIdentity,
	asCallFailure,
	normalizeTag,
} from '../run/model-client.ts';
import type { Case } from '../schema/case.ts';
import { ESCALATION_TAG, type EscalationRecord, type EscalationStepRecord } from '../schema/escalation.ts';
import type { EscalationStepSchema, RunOptions } from '../schema/policy.ts';
import type { CaseResult } from '../schema/report.ts';
import { taskFor } from '../tasks/index.ts';
import type { z } from 'astro/zod';
import { callMessagesApi, chatAnswerOf } from './anthropic-messages.ts';
import { ollamaStepFailure } from './classify-failure.ts';
import { judgeEscalatedAnswer } from './judge-answer.ts';
import { redactSecrets } from './redact.ts';
import { type EscalationPolicy, triggersEscalation } from './trigger.ts';

type ChainStep = z.infer<typeof EscalationStepSchema>;
type OllamaStep = Extract<ChainStep, { provider: 'ollama' }>;
type FrontierStep = Extract<ChainStep, { provider: 'anthropic' }>;

/** Runs the chain for the results that trigger it. One per run: the frontier budget and the once-only notes live here. */
export type EscalationRunner = ResultHook;

export interface EscalationRunnerOptions {
	policy: EscalationPolicy;
	run: RunOptions;
	/** The escalation role's incumbent, whose rejections are escalated. */
	incumbent: string | undefined;
	/** A model's own `think` from models.yaml, sent instead of run.think as the engine does. */
	thinkOf?: (model: string) => CallOptions['think'] | undefined;
	/** Where API keys are read from: injected, never `process.env` here. */
	env: Readonly<Record<string, string | undefined>>;
	cache: AnswerCache;
	logger: ProgressLogger;
	/** The frontier step's fetch; tests may pass their own. */
	fetch?: typeof fetch;
}

/**
 * The runner for one run, from the registry: undefined when escalation is off. Keys come from `env`.
 */
export function escalationRunnerFor(
	registry: Pick<Registry, 'policy' | 'roles' | 'models'>,
	deps: Pick<EscalationRunnerOptions, 'env' | 'cache' | 'logger' | 'fetch'>,
): EscalationRunner | undefined {
	const policy = registry.policy.escalation;
	if (!policy.enabled) return undefined;
	const catalog = new Map(registry.models.map((model) => [model.id, model]));
	return createEscalationRunner({
		policy,
		run: registry.policy.run,
		incumbent: registry.roles.find((entry) => entry.role.role === policy.role)?.role.incumbent,
		thinkOf: (model) => catalog.get(model)?.think,
		...deps,
	});
}

/**
 * A runner that tries the chain in order until a step answers with a verdict. Ollama steps go through
 * the incumbent's `ModelClient` with the case's own prompt and options; frontier steps through the
 * Messages API. Answers (not failures) are cached under their own keys, so an unchanged rebuild asks
 * nothing it was already told; a failure is asked again next run, since a sign-in or a quota may have
 * changed. A cached answer is used even without a key and costs no budget: it is not a call.
 */
export function createEscalationRunner(options: EscalationRunnerOptions): EscalationRunner {
	const { policy, run, cache, logger, env } = options;
	let frontierCalls = 0;
	const missingKeyNoted = new Set<string>();
	const modelsByHost = new Map<string, Map<string, ModelIdentity>>();
	const versionByHost = new Map<string, Promise<string | null>>();
	const keys = () => policy.chain.flatMap((step) => (step.provider === 'anthropic' ? [keyOf(step)] : []));
	const scrub = (text: string) => redactSecrets(text, keys());

	/** An answer with every key it echoes redacted: it is stored, graded and rendered as it is here. */
	const scrubbed = (answer: ChatAnswer): ChatAnswer => ({ ...answer, content: scrub(answer.content), thinking: scrub(answer.thinking) });

	/**
	 * A cache that cannot be written (read-only, full) costs a call next run, as in the engine's own loop;
	 * it never ends the step or the run after a paid call was answered.
	 */
	function warnCacheWrite(error: unknown, step: ChainStep, testCase: Case): void {
		logger.warn(
			scrub(
				`caching ${step.model}'s escalation answer to ${testCase.id} failed (${describeError(error)}); it will be asked again next run`,
			),
		);
	}

	async function store(key: string, value: CachedAnswer, step: FrontierStep, testCase: Case): Promise<void> {
		try {
			await cache.set(key, value, frontierScope(step));
		} catch (error) {
			warnCacheWrite(error, step, testCase);
		}
	}

	function keyOf(step: FrontierStep): string | undefined {
		const value = env[step.api_key_env]?.trim();
		return value ? value : undefined;
	}

	/** The Ollama version of a host, asked once: every cached answer records the server that gave it. */
	async function versionOf(client: ModelClient): Promise<string | null> {
		let version = versionByHost.get(client.host);
		if (!version) versionByHost.set(client.host, (version = client.version().catch(() => null)));
		return version;
	}

	async function installedOn(client: ModelClient): Promise<Map<string, ModelIdentity>> {
		const known = modelsByHost.get(client.host);
		if (known) return known;
		const models = await client.listModels();
		modelsByHost.set(client.host, models);
		return models;
	}

	async function answered(
		step: ChainStep,
		context: ResultContext,
		answer: ChatAnswer,
		cutOff: string | null,
		cached: boolean,
	): Promise<EscalationStepRecord> {
		const judged = await judgeEscalatedAnswer(context.testCase, answer.content, cutOff, context.gradeContext);
		return {
			provider: step.provider,
			model: step.model,
			outcome: judged.usable ? 'answered' : 'error',
			detail: judged.usable ? null : scrub(`${step.model}: ${judged.detail}`),
			latency_ms: round(answer.latencyMs),
			input_tokens: answer.promptEvalCount,
			output_tokens: answer.evalCount,
			cached,
			verdict: judged.usable ? judged.verdict : null,
			accepted: judged.usable ? judged.accepted : null,
			output: answer.content,
		};
	}

	function notAnswered(
		step: ChainStep,
		failure: { outcome: EscalationStepRecord['outcome']; detail: string },
		latencyMs: number | null,
	): EscalationStepRecord {
		return {
			provider: step.provider,
			model: step.model,
			outcome: failure.outcome,
			detail: scrub(failure.detail),
			latency_ms: latencyMs === null ? null : round(latencyMs),
			input_tokens: 0,
			output_tokens: 0,
			cached: false,
			verdict: null,
			accepted: null,
			output: '',
		};
	}

	async function ollamaStep(step: OllamaStep, context: ResultContext): Promise<EscalationStepRecord> {
		const { testCase, client } = context;
		let identity: ModelIdentity | undefined;
		try {
			identity = (await installedOn(client)).get(normalizeTag(step.model));
		} catch (error) {
			return notAnswered(
				step,
				{
					outcome: 'unavailable',
					detail: `${step.model}: could not list the models on ${client.host} (${asCallFailure(error, client.host).message})`,
				},
				null,
			);
		}
		// A model missing from /api/tags would only answer 404: say how to get it, without a request.
		if (!identity) {
			const signIn = /[-:]cloud$/i.test(step.model) ? ' (and `ollama signin` for a cloud model)' : '';
			return notAnswered(
				step,
				{
					outcome: 'unavailable',
					detail: `${step.model} is not on the Ollama at ${client.host}: pull it with \`ollama pull ${step.model}\`${signIn}`,
				},
				null,
			);
		}
		// Asked exactly as the engine asks, under the engine's own key: the same model on the same case with
		// the same options is the same answer, whether it was asked as a challenger or as an escalation.
		const sent = callOptions(run, options.thinkOf?.(step.model));
		const started = performance.now();
		const asked = await askModel({
			client,
			model: step.model,
			digest: identity.digest,
			testCase,
			settings: context.gradeContext,
			options: sent,
			run,
			cache,
			readCache: context.readCache,
			writeCache: context.writeCache,
			serverVersion: await versionOf(client),
			reaskOtherVersions: run.reask_after_upgrade ?? false,
			rewrite: scrubbed,
			onCacheWriteFailed: (error) => warnCacheWrite(error, step, testCase),
		});
		if (!asked.ok)
			return notAnswered(step, ollamaStepFailure(asked.failure, step.model), asked.called ? performance.now() - started : null);
		const cutOff = asked.answer.doneReason === 'length' ? `cut off at num_predict ${sent.num_predict} tokens (done_reason length)` : null;
		return answered(step, context, asked.answer, cutOff, asked.cached);
	}

	async function frontierStep(step: FrontierStep, context: ResultContext): Promise<EscalationStepRecord> {
		const { testCase } = context;
		const prompt = taskFor(testCase.task).buildPrompt(testCase, context.gradeContext);
		const temperature = run.temperature;
		// Everything the answer depends on; never the key, which does not change the answer.
		const key = hashOf({
			v: 2,
			provider: step.provider,
			baseUrl: step.base_url,
			model: step.model,
			maxTokens: step.max_tokens,
			temperature,
			prompt,
		});
		const cutOffOf = (answer: ChatAnswer) =>
			answer.doneReason === 'max_tokens' ? `cut off at max_tokens ${step.max_tokens} (stop_reason max_tokens)` : null;
		const hit = context.readCache ? await cache.get(key, frontierScope(step)) : undefined;
		if (hit) return answered(step, context, scrubbed(hit.answer), cutOffOf(hit.answer), true);

		const apiKey = keyOf(step);
		if (!apiKey) {
			if (!missingKeyNoted.has(step.api_key_env)) {
				missingKeyNoted.add(step.api_key_env);
				logger.info(
					`turbo escalation: ${step.api_key_env} is not set, so the ${step.provider} step (${step.model}) is skipped for this run (skipped-no-key)`,
				);
			}
			return notAnswered(step, { outcome: 'skipped-no-key', detail: `${step.api_key_env} is not set` }, null);
		}
		if (frontierCalls >= policy.max_frontier_calls_per_run) {
			return notAnswered(
				step,
				{ outcome: 'skipped-budget', detail: `max_frontier_calls_per_run (${policy.max_frontier_calls_per_run}) reached` },
				null,
			);
		}
		frontierCalls++;
		const result = await callMessagesApi({
			baseUrl: step.base_url,
			apiKey,
			model: step.model,
			maxTokens: step.max_tokens,
			temperature,
			prompt,
			timeoutMs: run.call_timeout_s * 1000,
			...(options.fetch ? { fetch: options.fetch } : {}),
		});
		if (!result.ok) return notAnswered(step, { ...result.failure, detail: `${step.model}: ${result.failure.detail}` }, result.latencyMs);
		const { answer: reply } = result;
		// A misbehaving server or proxy may echo the key in a normal answer, not only in an error.
		const answer = chatAnswerOf(reply, scrub, false);
		if (context.writeCache) await store(key, { answer, loadMs: null }, step, testCase);
		return answered(step, context, answer, cutOffOf(answer), false);
	}

	return {
		async afterResult(result, context) {
			if (!triggersEscalation(policy, options.incumbent, result, context.testCase)) return;
			const reference = (context.testCase.reference as { verdict?: 'approve' | 'reject' }).verdict;
			if (reference === undefined) return;
			const steps: EscalationStepRecord[] = [];
			for (const step of policy.chain) {
				const record = step.provider === 'ollama' ? await ollamaStep(step, context) : await frontierStep(step, context);
				steps.push(record);
				if (record.outcome === 'answered') break;
			}
			const decided = steps.find((step) => step.outcome === 'answered');
			const escalation: EscalationRecord = {
				steps,
				decided_by: decided?.model ?? null,
				verdict: decided?.verdict ?? null,
				overturned: decided?.verdict === 'approve',
				reference_verdict: reference,
			};
			result.escalation = escalation;
			result.tags = [...result.tags.filter((tag) => tag !== ESCALATION_TAG), ESCALATION_TAG];
			logger.info(scrub(describeEscalation(result, escalation)));
		},
	};
}

/** Where a frontier model's answers are kept in the cache: one store per provider and model. */
function frontierScope(step: FrontierStep): string {
	return `${step.provider}-${step.model}`;
}

/** One progress line per escalation; a skipped-no-key step is left to the once-only note. */
function describeEscalation(result: CaseResult, escalation: EscalationRecord): string {
	const steps = escalation.steps
		.filter((step) => step.outcome !== 'skipped-no-key')
		.map((step) => `${step.model} ${step.outcome}${step.cached ? ' (cached)' : ''}`);
	const end =
		escalation.verdict === null
			? 'no escalated verdict'
			: `${escalation.verdict}${escalation.overturned ? ', overturning the rejection' : ', upholding the rejection'}`;
	return `  turbo escalation · ${result.role} · ${result.model} · ${result.case_id}: ${[...steps, end].join(' → ')}`;
}

function round(value: number): number {
	return Math.round(value * 10) / 10;
}
