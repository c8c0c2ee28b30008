import type { Case } from '../schema/case.ts';
import type { CheckResult, GradeContext, Prompt, TaskDefinition } from '../tasks/task-definition.ts';
import { estimateTokens, promptTokens } from '../tasks/tokens.ts';
import type { ExecutionRecord } from '../schema/execution.ts';
import type { CaseResult, HardFailureClass, Outcome } from '../schema/report.ts';
import type { CallOptions, ChatAnswer } from './model-client.ts';

/** How one answer was judged. */
export interface Evaluation {
	outcome: Outcome;
	failureClass: HardFailureClass | null;
	failureMessage: string | null;
	checks: CheckResult[];
	/** Quality in [0, 1]; 0 for a hard failure, so it counts 1 in review_pain. */
	quality: number;
	/** The test run behind the grade, for tasks that run tests. */
	execution?: ExecutionRecord;
}

/** A hard failure of the given class. */
export function hardFailure(failureClass: HardFailureClass, message: string): Evaluation {
	return { outcome: 'hard-failure', failureClass, failureMessage: message, checks: [], quality: 0 };
}

/**
 * Where Ollama (0.30.11 and later, `contextShiftPromptLimit` in llm/llama_server.go) cuts a prompt longer
 * than `num_ctx`: it keeps the first `num_keep` tokens and drops about half of the rest, so the prompt it
 * evaluates is `num_ctx − ⌊(num_ctx − num_keep) / 2⌋` tokens long, without a word.
 */
export function contextShiftPromptLimit(numCtx: number, numKeep: number): number {
	if (numCtx <= 1) return 0;
	const keep = Math.max(0, Math.min(numKeep, numCtx - 1));
	return numCtx - Math.max(Math.floor((numCtx - keep) / 2), 1);
}

/** `num_keep` up to this is taken as a cut: Ollama's default is 4 (5 with the BOS token); a Modelfile rarely sets more. */
const MAX_NUM_KEEP = 64;

/** A cut prompt is counted at least this much below the harness's estimate (which over-counts: 3.5 characters a token). */
const CUT_RATIO = 0.8;

/** What the server counted of the prompt it answered, read for what it means. */
export interface PromptCount {
	/** The prompt's own tokens as the server counted them (the thought taken out after a two-pass answer). */
	prompt: number;
	/** The harness's estimate of the same. */
	estimate: number;
	/**
	 * With `format`, a thinking model answers in two passes: it thinks, then answers again under the format
	 * with its thinking appended to the prompt. The final chunk then counts the thinking in
	 * `prompt_eval_count` and leaves it out of `eval_count` (server/routes.go, ChatHandler).
	 */
	twoPass: boolean;
	/** The server cut the prompt to fit `num_ctx` (its count sits where Ollama's cut leaves a prompt, well below what was sent). */
	cut: boolean;
}

/** What is known of a prompt the server did not count. */
const NO_COUNT: PromptCount = { prompt: 0, estimate: 0, twoPass: false, cut: false };

/** Reads `prompt_eval_count` against what was sent. Pure. */
export function readPromptCount(answer: ChatAnswer, prompt: Prompt, options: Pick<CallOptions, 'num_ctx'>): PromptCount {
	const twoPass = prompt.format !== undefined && answer.thinking.trim() !== '' && answer.content !== '';
	const thought = twoPass ? estimateTokens(answer.thinking) : 0;
	const estimate = promptTokens(prompt);
	const counted = answer.promptEvalCount;
	// The count of the last pass: after two, the prompt it evaluated held the thinking as well.
	const sentToLastPass = estimate + thought;
	const cut =
		counted >= contextShiftPromptLimit(options.num_ctx, 0) &&
		counted <= contextShiftPromptLimit(options.num_ctx, MAX_NUM_KEEP) &&
		counted <= CUT_RATIO * sentToLastPass;
	return { prompt: Math.max(0, counted - thought), estimate, twoPass, cut };
}

/**
 * Judges a complete answer: first whether it is usable at all (a prompt the server cut or that left no room
 * for the answer, empty, thinking only, cut off), then parses it and grades it against the case, in the
 * case set `context` holds. `prompt` is what was sent (built from the case when not given). Pure for every
 * task whose grader runs no code.
 */
export async function evaluateAnswer(
	testCase: Case,
	task: TaskDefinition,
	answer: ChatAnswer,
	options: CallOptions,
	context: GradeContext,
	prompt?: Prompt,
): Promise<Evaluation> {
	const content = answer.content.trim();
	// Ollama cuts an oversized prompt silently, to about half of num_ctx: an answer to half a prompt is not
	// the model's answer to the case. That, and a prompt that took the room kept for the answer, is the
	// harness's failure, not the model's. Without a count (a sentinel, a provider that gives none) there
	// is nothing to read, and no prompt to build.
	const count = answer.promptEvalCount > 0 ? readPromptCount(answer, prompt ?? task.buildPrompt(testCase), options) : NO_COUNT;
	if (count.cut) {
		return hardFailure(
			'context-overflow',
			`Ollama cut the prompt to fit num_ctx ${options.num_ctx}: it evaluated ${answer.promptEvalCount} tokens, where a cut leaves about half of num_ctx, of about ${count.estimate}${count.twoPass ? ' plus the thinking' : ''} sent`,
		);
	}
	if (count.prompt >= options.num_ctx - options.num_predict) {
		return hardFailure(
			'context-overflow',
			`the prompt used ${count.prompt} tokens of num_ctx ${options.num_ctx}${count.twoPass ? ' (thinking not counted)' : ''}, leaving no room for the ${options.num_predict}-token answer`,
		);
	}
	// Thinking used the whole budget only when generation was cut off; a model that thought and then
	// stopped of its own accord gave an empty answer.
	if (!content && answer.thinking.trim() && answer.doneReason === 'length') {
		return hardFailure(
			'thinking-exhausted',
			`only thinking (${answer.thinking.length} characters), no answer; done_reason ${answer.doneReason}`,
		);
	}
	if (!content) {
		const thought = answer.thinking.trim() ? ` after ${answer.thinking.length} characters of thinking` : '';
		return hardFailure('empty', `an empty answer${thought}; done_reason ${answer.doneReason}`);
	}
	if (answer.doneReason === 'length') {
		return hardFailure('length', `cut off at num_predict ${options.num_predict} tokens (done_reason length)`);
	}
	const parsed = task.parse(answer.content, testCase, context);
	if (!parsed.ok) return hardFailure(parsed.failureClass ?? 'unparseable', parsed.reason);
	const grade = await task.grade(testCase, parsed.value, context);
	const accepted = grade.checks.every((check) => !check.required || check.pass);
	return {
		outcome: accepted ? 'accepted' : 'rejected',
		failureClass: null,
		failureMessage: null,
		checks: grade.checks,
		quality: Math.min(1, Math.max(0, grade.quality)),
		...(grade.execution ? { execution: grade.execution } : {}),
	};
}

/**
 * A graded answer as the results sidecar holds it: the case, the model, the evaluation, and whatever the
 * asking measured (`extra`: the answer, its timings and tokens, the cache key). Shared by the local run and
 * the frontier baseline, so both record a result the same way. Pure.
 */
export function resultOf(
	model: string,
	item: { role: string; case: Pick<Case, 'id' | 'task' | 'severity'> },
	repeat: number,
	evaluation: Evaluation,
	extra: Partial<CaseResult>,
): CaseResult {
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
		quality: Math.round(evaluation.quality * 1e4) / 1e4,
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
