import type { Case } from '../schema/case.ts';
import type { RunOptions } from '../schema/policy.ts';
import type { CaseResult } from '../schema/report.ts';
import { type AnswerSettings, type GradeContext, type Prompt, promptTokens, taskFor } from '../tasks/index.ts';
import { type AnswerCache, type CachedAnswer, cacheKey } from './answer-cache.ts';
import { CallFailure, type CallOptions, type ChatAnswer, type ModelClient, asCallFailure } from './model-client.ts';

/** Where progress goes: the integration's logger or the CLI's console. */
export interface ProgressLogger {
	info(message: string): void;
	warn(message: string): void;
}

/** The options sent with every chat call: policy.yaml's run options, and the model's own `think` if it has one. */
export function callOptions(run: RunOptions, modelThink?: CallOptions['think']): CallOptions {
	return {
		num_ctx: run.num_ctx,
		num_predict: run.num_predict,
		temperature: run.temperature,
		seed: run.seed,
		think: modelThink ?? run.think,
	};
}

/** What the engine knows about the result it hands to a result hook. */
export interface ResultContext {
	testCase: Case;
	/** The Ollama that answered: a hook's own Ollama calls go through the same server. */
	client: ModelClient;
	/** Whether a cached answer may be used (false with `--no-cache` and with repeats). */
	readCache: boolean;
	/** Whether a new answer is stored (false with repeats, which bypass the cache). */
	writeCache: boolean;
	/** The case set answers are graded in. */
	gradeContext: GradeContext;
}

/**
 * Called by the engine after each graded result, before the next case. Turbo escalation is one: it may
 * add to the result (a record, a tag) but never changes its own grade.
 */
export interface ResultHook {
	afterResult(result: CaseResult, context: ResultContext): Promise<void>;
}

/** One question: a model, a case, the options, and how the cache may be used. */
export interface AskRequest {
	client: ModelClient;
	model: string;
	/** The model's digest from /api/tags: the cache key names the weights, not the tag. */
	digest: string;
	testCase: Case;
	/** How the policy asks for answers (the coder's answer format): part of the prompt, so of the cache key. */
	settings?: AnswerSettings;
	options: CallOptions;
	run: Pick<RunOptions, 'call_timeout_s' | 'stall_timeout_s'>;
	cache: AnswerCache;
	readCache: boolean;
	writeCache: boolean;
	/** The version of the Ollama asked (/api/version), stored with a new answer; null when it did not say. */
	serverVersion: string | null;
	/**
	 * Whether a cached answer another Ollama version gave (or one that did not record its version) is asked
	 * again (policy.yaml `run.reask_after_upgrade`); a new answer replaces it in the cache. @default false
	 */
	reaskOtherVersions?: boolean;
	/**
	 * Runs before a model call, never before a cached answer: the engine loads the model here, so a rebuild
	 * with every answer cached loads nothing. Returns the load time (ms, null when nothing was loaded);
	 * a `CallFailure` it throws is the answer's failure.
	 */
	beforeCall?: () => Promise<number | null>;
	/** Applied to every answer, cached or new, before it is stored or returned (escalation redacts keys). */
	rewrite?: (answer: ChatAnswer) => ChatAnswer;
	/** A cache write failed: the answer stands, and it will be asked again next run. */
	onCacheWriteFailed(error: unknown): void;
}

/**
 * The answer, or why there is none. `called` says whether a chat request was sent (cached answers and
 * refusals are not calls); `stage` where a failure came from: the prompt refused before any call, the
 * model's load (`beforeCall`), or the chat itself.
 */
export type Asked =
	| {
			ok: true;
			key: string;
			prompt: Prompt;
			answer: ChatAnswer;
			loadMs: number | null;
			cached: boolean;
			called: boolean;
			/** The Ollama version that gave the answer; null for a cached answer that did not record it. */
			ollamaVersion: string | null;
	  }
	| { ok: false; key: string; prompt: Prompt; failure: CallFailure; called: boolean; stage: 'prompt' | 'load' | 'chat' };

/**
 * Asks a model about a case, the one way the harness does it: the task's prompt, the cache key of what is
 * asked (digest, prompt as sent, options), the cache, then a streamed chat with the run's timeouts, and the
 * answer stored as soon as it arrives. A prompt that cannot fit `num_ctx` with room for the answer is refused
 * before any call (`context-overflow`, the harness's failure). Failures are never cached.
 */
export async function askModel(request: AskRequest): Promise<Asked> {
	const { client, options } = request;
	const prompt = taskFor(request.testCase.task).buildPrompt(request.testCase, request.settings);
	const key = cacheKey({ digest: request.digest, prompt, options });
	const rewrite = request.rewrite ?? ((answer: ChatAnswer) => answer);
	const tokens = promptTokens(prompt);
	if (tokens + options.num_predict > options.num_ctx) {
		const failure = new CallFailure(
			'context-overflow',
			`the prompt needs about ${tokens} tokens and the answer ${options.num_predict}, more than num_ctx ${options.num_ctx}`,
		);
		return { ok: false, key, prompt, failure, called: false, stage: 'prompt' };
	}
	const hit = await usableAnswer(request, key);
	if (hit) {
		return {
			ok: true,
			key,
			prompt,
			answer: rewrite(hit.answer),
			loadMs: hit.loadMs,
			cached: true,
			called: false,
			ollamaVersion: hit.ollamaVersion ?? null,
		};
	}

	let loadMs: number | null = null;
	try {
		if (request.beforeCall) loadMs = await request.beforeCall();
	} catch (error) {
		return { ok: false, key, prompt, failure: asCallFailure(error, client.host), called: false, stage: 'load' };
	}
	let answer: ChatAnswer;
	try {
		answer = rewrite(
			await client.chat({
				model: request.model,
				messages: prompt.messages,
				format: prompt.format,
				options,
				callTimeoutMs: request.run.call_timeout_s * 1000,
				stallTimeoutMs: request.run.stall_timeout_s * 1000,
			}),
		);
	} catch (error) {
		return { ok: false, key, prompt, failure: asCallFailure(error, client.host), called: true, stage: 'chat' };
	}
	if (request.writeCache) {
		try {
			const server = request.serverVersion === null ? {} : { ollamaVersion: request.serverVersion };
			await request.cache.set(key, { answer, loadMs, ...server }, request.digest);
		} catch (error) {
			request.onCacheWriteFailed(error);
		}
	}
	return { ok: true, key, prompt, answer, loadMs, cached: false, called: true, ollamaVersion: request.serverVersion };
}

/** What decides whether a question has a cached answer to use. */
export type CacheLookup = Pick<
	AskRequest,
	'digest' | 'testCase' | 'settings' | 'options' | 'cache' | 'readCache' | 'serverVersion' | 'reaskOtherVersions'
>;

/**
 * The cached answer `askModel` would use for this question, if any: the one rule for a cache hit, which
 * the run also uses to put a model's cached answers first in its order (they cost no call).
 */
export async function cachedAnswer(request: CacheLookup): Promise<CachedAnswer | undefined> {
	if (!request.readCache) return undefined;
	const prompt = taskFor(request.testCase.task).buildPrompt(request.testCase, request.settings);
	return usableAnswer(request, cacheKey({ digest: request.digest, prompt, options: request.options }));
}

/** A cached answer under `key`, unless the cache may not be read or it came from another server version that is to be asked again. */
async function usableAnswer(request: CacheLookup, key: string): Promise<CachedAnswer | undefined> {
	const hit = request.readCache ? await request.cache.get(key, request.digest) : undefined;
	const stale = hit !== undefined && request.reaskOtherVersions === true && !sameServer(hit.ollamaVersion, request.serverVersion);
	return stale ? undefined : hit;
}

/**
 * Whether a cached answer came from the server asked now: the same version. An entry that did not record
 * one is from an earlier harness, so from whatever Ollama ran then; a server that does not say its version
 * cannot be told apart, and its answers are kept.
 */
export function sameServer(cached: string | undefined, current: string | null): boolean {
	return current === null || cached === current;
}
