import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
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

/** A cached answer: what the model said, with the timings measured when it said it. */
export interface CachedAnswer {
	answer: ChatAnswer;
	loadMs: number | null;
}

export interface AnswerCache {
	get(key: string): Promise<CachedAnswer | undefined>;
	set(key: string, value: CachedAnswer): Promise<void>;
}

/**
 * One JSON file per answer under `dir` (`.cache/answers` by default), written atomically as soon as the
 * answer arrives: a run killed halfway resumes where it stopped. Only answers are stored — a call that
 * failed (transport, timeout, stall, server error) is never cached, so it is retried next run.
 */
export function createFileCache(dir: string): AnswerCache {
	const file = (key: string) => path.join(dir, key.slice(0, 2), `${key}.json`);
	// Each of the 256 subfolders is made once, not checked again before every answer.
	const folders = new Map<string, Promise<unknown>>();
	return {
		async get(key) {
			const target = file(key);
			try {
				// Synchronous on purpose: the engine waits for each lookup before it calls the model anyway,
				// and reading (or missing) a small file this way costs a few microseconds against a
				// thread-pool round trip of about a tenth of a millisecond — a miss on every case of a first
				// run. `existsSync` answers a miss without building an exception.
				if (!existsSync(target)) return undefined;
				return JSON.parse(readFileSync(target, 'utf8')) as CachedAnswer;
			} catch {
				// Missing or unreadable (say, a disk that filled up): treat as not cached and call again.
				return undefined;
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
