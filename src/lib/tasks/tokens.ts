import type { Prompt } from './task-definition.ts';

/**
 * Characters per token assumed by `estimateTokens`. BPE vocabularies average about four characters per
 * token on English and code; 3.5 over-counts on purpose, because the estimate is used to refuse prompts
 * that would overflow `num_ctx` (Ollama truncates silently), and an over-estimate only refuses a prompt
 * that would barely have fit, where an under-estimate would let a truncated prompt through.
 */
export const CHARS_PER_TOKEN = 3.5;

/**
 * Tokens a chat template adds around each message (role markers, separators). Templates differ between
 * model families; eight is above what the common ones (Llama 3, Qwen, Gemma, Mistral) use.
 */
export const MESSAGE_OVERHEAD_TOKENS = 8;

/**
 * A conservative token count for `text`: `ceil(characters / 3.5)`, counted in UTF-16 code units.
 * Not a tokenizer — an upper-leaning estimate for deciding whether a prompt fits the context.
 */
export function estimateTokens(text: string): number {
	return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/**
 * The conservative token count of a whole prompt as the model sees it: every message's content plus the
 * chat template's overhead per message. The `format` schema is not counted: Ollama applies it as a
 * sampling grammar, not as prompt text (the prompts describe the answer's shape in words as well).
 */
export function promptTokens(prompt: Prompt): number {
	return prompt.messages.reduce((sum, message) => sum + estimateTokens(message.content) + MESSAGE_OVERHEAD_TOKENS, 0);
}
