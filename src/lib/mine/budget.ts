import type { Case } from '../schema/case.ts';
import { promptTokens, taskFor } from '../tasks/index.ts';
import type { Budget } from './types.ts';

/**
 * Tokens the run stage's prompt adds around a case's input (instructions, answer format, separators).
 * Kept generous on purpose: an input that barely fits here must still fit once the prompt wraps it, since a
 * prompt that overflows `num_ctx` is truncated silently by Ollama.
 */
export const PROMPT_OVERHEAD_TOKENS = 512;

/** Rough token count: a quarter of the characters, rounded up (close for code and English with BPE vocabularies). */
export function estimateTokens(text: string): number {
	return Math.ceil(text.length / 4);
}

/** Token estimate for several strings shown together. */
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
 * The final word on size: the prompt the run stage will really send for this case, counted with the run
 * stage's own (more conservative) estimate, plus `numPredict`, must fit `numCtx`. The quarter-of-the-
 * characters estimate above only saves reading and building what cannot fit; this check guarantees the
 * engine never refuses a mined case as a context overflow.
 */
export function promptFits(value: Case, budget: Budget): boolean {
	return promptTokens(taskFor(value.task).buildPrompt(value)) + budget.numPredict <= budget.numCtx;
}
