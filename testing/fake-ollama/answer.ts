/** Turning a scripted reply into the chunks and token counts Ollama would stream. */
import type { TextReply } from './types.ts';

const MAX_CHUNKS = 32;

/**
 * The fake's token estimate, `ceil(characters / 4)`: `prompt_eval_count` is this over the prompt text
 * (chat: all message contents; generate: system + prompt), or where Ollama's cut leaves a prompt of
 * `num_ctx` tokens or more ({@link contextShiftPromptLimit}).
 */
export function estimateTokens(text: string): number {
	return Math.ceil(text.length / 4);
}

/**
 * How long a prompt of `num_ctx` tokens or more is after Ollama cuts it (0.30.11 and later,
 * llm/llama_server.go `contextShiftPromptLimit`): the first `numKeep` tokens stay and about half of the
 * rest of the context is freed for the answer.
 */
export function contextShiftPromptLimit(numCtx: number, numKeep: number): number {
	if (numCtx <= 1) return 0;
	const keep = Math.max(0, Math.min(numKeep, numCtx - 1));
	return numCtx - Math.max(Math.floor((numCtx - keep) / 2), 1);
}

/** The 400 a runner that cannot shift its context answers for a prompt longer than `num_ctx` (llm/llama_server.go). */
export const PROMPT_TOO_LONG =
	'the prompt is longer than the context length currently available to the model; shorten the prompt, adjust the context length in settings, or use a model with a longer context length';

/** A streamed chunk's text. */
export interface Piece {
	content: string;
	thinking?: string | undefined;
}

interface Plan {
	pieces: Piece[];
	content: string;
	thinking: string;
	promptEvalCount: number;
	evalCount: number;
	doneReason: string;
	/** The answer came in two passes (format with thinking): the final counts are the second pass's. */
	twoPass: boolean;
}

/** What the request and the model make of a reply. */
interface PlanContext {
	thinks: boolean;
	/** The request sent a `format`: a thinking model then thinks first and answers in a second pass. */
	format: boolean;
	numPredict: number | undefined;
	/** The prompt's tokens as sent. */
	promptTokens: number;
	/** What the server evaluates of a prompt of that many tokens (Ollama cuts one longer than num_ctx). */
	evaluated: (tokens: number) => number;
}

/**
 * Turns a reply into chunks and counts: thinking (only when the request thinks) before content, both cut to
 * `num_predict` tokens if set (then `done_reason` is `length`, as when Ollama's predict limit is hit).
 *
 * With a `format`, a thinking model answers in two passes (server/routes.go ChatHandler): it thinks without
 * the format, and once content starts the server asks again with the format and the thinking appended to
 * the prompt. Each pass has its own `num_predict`; the final chunk is the second pass's, so its
 * `prompt_eval_count` holds the thinking and its `eval_count` leaves it out.
 */
export function planAnswer(reply: TextReply, context: PlanContext): Plan {
	let thinking = context.thinks ? (reply.thinking ?? '') : '';
	let content = reply.content ?? '';
	let truncated = false;
	const passes = context.format && thinking !== '' ? 2 : 1;
	if (context.numPredict !== undefined) {
		const budget = context.numPredict * 4;
		if (thinking.length > budget) {
			thinking = thinking.slice(0, budget);
			content = '';
			truncated = true;
		} else if (passes === 2 && content.length > budget) {
			content = content.slice(0, budget);
			truncated = true;
		} else if (passes === 1 && thinking.length + content.length > budget) {
			content = content.slice(0, budget - thinking.length);
			truncated = true;
		}
	}
	const twoPass = passes === 2 && content !== '';
	const estimated = twoPass ? estimateTokens(content) : estimateTokens(thinking) + estimateTokens(content);
	const pieces: Piece[] = [
		...split(thinking, reply.thinkingChunks).map((text) => ({ content: '', thinking: text })),
		...split(content, reply.chunks).map((text) => ({ content: text })),
	];
	return {
		pieces,
		content,
		thinking,
		promptEvalCount:
			reply.promptEvalCount ?? context.evaluated(twoPass ? context.promptTokens + estimateTokens(thinking) : context.promptTokens),
		evalCount: reply.evalCount ?? (truncated && context.numPredict !== undefined ? context.numPredict : Math.max(1, estimated)),
		doneReason: reply.doneReason ?? (truncated ? 'length' : 'stop'),
		twoPass,
	};
}

/** Splits text into `count` pieces of near-equal length, never inside a surrogate pair. */
export function split(text: string, count?: number): string[] {
	if (text === '') return [];
	const chars = Array.from(text);
	const n = Math.max(1, Math.min(count ?? Math.min(MAX_CHUNKS, estimateTokens(text)), chars.length));
	const pieces: string[] = [];
	for (let i = 0; i < n; i++)
		pieces.push(chars.slice(Math.floor((i * chars.length) / n), Math.floor(((i + 1) * chars.length) / n)).join(''));
	return pieces;
}
