import type { Case } from '../schema/case.ts';
import { type AnswerSettings, estimateTokens, promptTokens, taskFor } from '../tasks/index.ts';
import type { Budget } from './types.ts';

/**
 * Tokens the run stage's prompt adds around a case's input (instructions, answer format, separators).
 * Kept generous on purpose: an input that barely fits here must still fit once the prompt wraps it, since a
 * prompt that overflows `num_ctx` is truncated silently by Ollama.
 */
export const PROMPT_OVERHEAD_TOKENS = 512;

/**
 * Token estimate for several strings shown together, with the run stage's own estimate (`estimateTokens`
 * of src/lib/tasks), so the miner never sizes an input differently from the engine that refuses it.
 */
export function estimateTokensOfAll(texts: readonly string[]): number {
	return texts.reduce((sum, text) => sum + estimateTokens(text), 0);
}

/**
 * True when an input of `inputTokens` fits the context with the prompt around it and `numPredict` tokens left
 * for the answer; when the expected answer is known (implement-change writes whole files), it must fit
 * `numPredict` too.
 */
export function fitsBudget(inputTokens: number, budget: Budget, answerTokens = 0): boolean {
	return inputTokens + PROMPT_OVERHEAD_TOKENS + budget.numPredict <= budget.numCtx && answerTokens <= budget.numPredict;
}

/**
 * The final word on size: the prompt the run stage will really send for this case, plus `numPredict`,
 * must fit `numCtx`. `fitsBudget` above only saves reading and building what cannot fit (its prompt
 * overhead is a guess); this check guarantees the engine never refuses a mined case as a context overflow.
 */
export function promptFits(value: Case, budget: Budget, settings?: AnswerSettings): boolean {
	return promptTokens(taskFor(value.task).buildPrompt(value, settings)) + budget.numPredict <= budget.numCtx;
}

/**
 * Room an edit answer needs beyond the reference's edits as the miner writes them (three lines of context
 * around each change, as the prompt asks for "a few"): a quarter more, for the sentences and fences a
 * model writes around its blocks and the context it chooses.
 */
export const EDIT_ANSWER_MARGIN = 1.25;

/** Lines of unchanged context around each change when the miner sizes an edit answer. */
export const EDIT_ANSWER_CONTEXT = 3;
