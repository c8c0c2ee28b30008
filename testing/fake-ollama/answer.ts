/** Turning a scripted reply into the chunks and token counts Ollama would stream. */
import type { TextReply } from './types.ts';

const MAX_CHUNKS = 32;

/**
 * The fake's token estimate, `ceil(characters / 4)`: `prompt_eval_count` is this over the prompt text
 * (chat: all message contents; generate: system + prompt), capped at the context size, so a harness can
 * tell a silently truncated prompt (`prompt_eval_count` = `num_ctx`) from one that fit.
 */
export function estimateTokens(text: string): number {
	return Math.ceil(text.length / 4);
}

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
}

/**
 * Turns a reply into chunks and counts: thinking (only when the request thinks) before content, both cut to
 * `num_predict` tokens if set (then `done_reason` is `length`, as when Ollama's predict limit is hit).
 */
export function planAnswer(reply: TextReply, context: { thinks: boolean; numPredict: number | undefined; promptTokens: number }): Plan {
	let thinking = context.thinks ? (reply.thinking ?? '') : '';
	let content = reply.content ?? '';
	let truncated = false;
	if (context.numPredict !== undefined) {
		const budget = context.numPredict * 4;
		if (thinking.length > budget) {
			thinking = thinking.slice(0, budget);
			content = '';
			truncated = true;
		} else if (thinking.length + content.length > budget) {
			content = content.slice(0, budget - thinking.length);
			truncated = true;
		}
	}
	const estimated = estimateTokens(thinking) + estimateTokens(content);
	const pieces: Piece[] = [
		...split(thinking, reply.thinkingChunks).map((text) => ({ content: '', thinking: text })),
		...split(content, reply.chunks).map((text) => ({ content: text })),
	];
	return {
		pieces,
		content,
		thinking,
		promptEvalCount: reply.promptEvalCount ?? context.promptTokens,
		evalCount: reply.evalCount ?? (truncated && context.numPredict !== undefined ? context.numPredict : Math.max(1, estimated)),
		doneReason: reply.doneReason ?? (truncated ? 'length' : 'stop'),
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
