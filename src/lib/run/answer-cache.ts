import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'astro/zod';
import { hashOf } from '../files/stable-json.ts';
import { writeFileAtomic } from '../files/write-atomic.ts';
import type { Prompt } from '../tasks/task-definition.ts';
import type { CallOptions, ChatAnswer } from './model-client.ts';

/**
 * Everything an answer depends on, and nothing else: what was asked. The model is named by its digest, not
 * its tag, so a re-pulled `llama3.1:8b` with new weights is a new model; the prompt is the messages and
 * `format` exactly as sent. Nothing of the grading is in it, so a grader change costs no model call: the
 * cached answers are graded again on every build.
 */
export interface CacheKeyParts {
	digest: string;
	prompt: Prompt;
	options: CallOptions;
}

/** The documented cache key: sha256 of the stable JSON of `CacheKeyParts`. */
export function cacheKey(parts: CacheKeyParts): string {
	return hashOf({ v: 2, ...parts });
}

/** A model's answer as stored: every field the engine and the graders read. */
const ChatAnswerSchema = z.object({
	content: z.string(),
	thinking: z.string(),
	doneReason: z.string(),
	latencyMs: z.number(),
	ttftMs: z.number().nullable(),
	evalCount: z.number(),
	evalDurationNs: z.number(),
	promptEvalCount: z.number(),
	loadDurationNs: z.number(),
}) satisfies z.ZodType<ChatAnswer>;

/** A cached answer: what the model said, with the timings measured when it said it. */
export const CachedAnswerSchema = z.object({
	answer: ChatAnswerSchema,
	/** The model's load time in the run that asked, ms; null when it was already loaded. */
	loadMs: z.number().nullable(),
});
export type CachedAnswer = z.infer<typeof CachedAnswerSchema>;

export interface AnswerCache {
	get(key: string): Promise<CachedAnswer | undefined>;
	set(key: string, value: CachedAnswer): Promise<void>;
}

/**
 * One JSON file per answer under `dir` (`.cache/answers` by default), written atomically as soon as the
 * answer arrives: a run killed halfway resumes where it stopped. Only answers are stored — a call that
 * failed (transport, timeout, stall, server error) is never cached, so it is retried next run. An entry
 * that cannot be read, is not JSON or has the wrong shape is a miss (the answer is asked again and the
 * entry replaced); the first such entry is reported through `warn`, once per cache.
 */
export function createFileCache(dir: string, options: { warn?: (message: string) => void } = {}): AnswerCache {
	const file = (key: string) => path.join(dir, key.slice(0, 2), `${key}.json`);
	// Each of the 256 subfolders is made once, not checked again before every answer.
	const folders = new Map<string, Promise<unknown>>();
	let badEntries = 0;
	const miss = (target: string, problem: string) => {
		// Said once: a cache damaged by some outside tool would otherwise print a line for every case.
		if (badEntries++ === 0) options.warn?.(`ignoring the cached answer ${target} (${problem}); it is asked again, and so is any other unusable entry`);
		return undefined;
	};
	return {
		async get(key) {
			const target = file(key);
			try {
				// Synchronous on purpose: the engine waits for each lookup before it calls the model anyway,
				// and reading (or missing) a small file this way costs a few microseconds against a
				// thread-pool round trip of about a tenth of a millisecond — a miss on every case of a first
				// run. `existsSync` answers a miss without building an exception.
				if (!existsSync(target)) return undefined;
				const entry = CachedAnswerSchema.safeParse(JSON.parse(readFileSync(target, 'utf8')));
				if (!entry.success) {
					const issue = entry.error.issues[0];
					return miss(target, `not a cached answer: ${issue?.path.join('.') || 'the entry'}: ${issue?.message.replace(/^Invalid input: /, '') ?? 'malformed'}`);
				}
				return entry.data;
			} catch (error) {
				// Unreadable or not JSON (say, a disk that filled up mid-write by another tool): call again.
				return miss(target, error instanceof SyntaxError ? 'not JSON' : String((error as Error).message ?? error));
			}
		},
		async set(key, value) {
			const target = file(key);
			const folder = path.dirname(target);
			let made = folders.get(folder);
			if (!made) {
				made = mkdir(folder, { recursive: true });
				folders.set(folder, made);
			}
			try {
				await made;
				await writeFileAtomic(target, `${JSON.stringify(value)}\n`, { createFolder: false });
			} catch (error) {
				// Perhaps the folder was removed during the run: make it again for the next answer.
				folders.delete(folder);
				throw error;
			}
		},
	};
}
