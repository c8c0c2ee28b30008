import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
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
	promptEvalDurationNs: z.number().optional(),
	loadDurationNs: z.number(),
}) satisfies z.ZodType<ChatAnswer>;

/** A cached answer: what the model said, with the timings measured when it said it, and which server said it. */
export const CachedAnswerSchema = z.object({
	answer: ChatAnswerSchema,
	/** The model's load time in the run that asked, ms; null when it was already loaded. */
	loadMs: z.number().nullable(),
	/**
	 * The version of the Ollama that answered (/api/version). Sampler defaults and the engine change between
	 * versions, so an answer is only the same question's answer on the same server. Absent in entries
	 * written before it was recorded, and when the server did not say.
	 */
	ollamaVersion: z.string().optional(),
	/** A frontier answer: the model the API said answered and the usage it billed (for the dollar figures). */
	frontier: z
		.object({
			model: z.string(),
			input_tokens: z.number(),
			output_tokens: z.number(),
			cache_creation_input_tokens: z.number(),
			cache_read_input_tokens: z.number(),
			service_tier: z.string().nullable(),
		})
		.optional(),
});
export type CachedAnswer = z.infer<typeof CachedAnswerSchema>;

/** One line of a run log or a store: the scope (model digest), the key and the answer. */
const EntrySchema = z.object({ s: z.string(), k: z.string(), v: CachedAnswerSchema });

/**
 * Answers by key. `scope` groups the entries on disk (the model's digest, or a frontier model's name): a
 * run reads only the stores of the models it asks. `close` ends the run's use of the cache (the log is
 * folded into the stores); answers stored before it are kept even when it never runs.
 */
export interface AnswerCache {
	get(key: string, scope?: string): Promise<CachedAnswer | undefined>;
	set(key: string, value: CachedAnswer, scope?: string): Promise<void>;
	close?(): Promise<void>;
}

/** The scope of an entry stored without one. */
const NO_SCOPE = 'unscoped';

/** A log older than this whose process cannot be asked about is taken for the log of a run that died. */
const ORPHAN_AGE_MS = 24 * 3600 * 1000;

/** A compaction lock older than this is left over from a run that died while compacting. */
const STALE_LOCK_MS = 10 * 60 * 1000;

/**
 * The answer cache under `dir` (`.cache/answers` by default), with no file made per answer:
 *
 * - **a run log**: each run appends one JSON line per answer to `log/<pid>-<tag>.jsonl` as the answer
 *   arrives (one write to an open file, no file creation, no rename). A run killed halfway leaves its
 *   log behind; the next run replays it, so it resumes where the killed one stopped. A torn last line
 *   (the kill hit a write) is ignored.
 * - **stores**: `<scope>.jsonl`, one per model digest, one line per answer. At `close` the run's log,
 *   and the logs of runs that died, are folded into the stores (each store written atomically, under a
 *   lock so two runs finishing at once do not lose each other's answers), and the logs deleted.
 * - the per-answer files of earlier versions (`<2 hex>/<key>.json`) are still read, so an existing cache
 *   keeps serving.
 *
 * Only answers are stored — a call that failed is never cached, so it is retried next run. An entry that
 * cannot be read, is not JSON or has the wrong shape is a miss (the answer is asked again and stored
 * anew); the first such entry is reported through `warn`, once per cache. Synchronous file calls on
 * purpose: a lookup or an append of a few kilobytes costs microseconds, less than a thread-pool round trip,
 * and the engine waits for each lookup before it calls the model anyway. No native module: Node and Deno.
 */
export function createFileCache(dir: string, options: { warn?: (message: string) => void } = {}): AnswerCache {
	const logDir = path.join(dir, 'log');
	const answers = new Map<string, CachedAnswer>();
	const loadedScopes = new Set<string>();
	/** Scopes this run appended to, so `close` rewrites only those stores (plus dead runs' scopes). */
	const written = new Set<string>();
	let logsReplayed = false;
	let log: { fd: number; file: string } | undefined;
	let badEntries = 0;
	const miss = (where: string, problem: string) => {
		// Said once: a cache damaged by some outside tool would otherwise print a line for every case.
		if (badEntries++ === 0)
			options.warn?.(`ignoring the cached answer ${where} (${problem}); it is asked again, and so is any other unusable entry`);
		return undefined;
	};
	const problemOf = (error: z.ZodError) => {
		const issue = error.issues[0];
		return `not a cached answer: ${issue?.path.join('.') || 'the entry'}: ${issue?.message.replace(/^Invalid input: /, '') ?? 'malformed'}`;
	};

	/** Entries of a JSONL file, in order; a bad line is a warning and a miss, a torn last line of a log is nothing. */
	const readEntries = (file: string, isLog: boolean): z.infer<typeof EntrySchema>[] => {
		let text: string;
		try {
			text = readFileSync(file, 'utf8');
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'ENOENT') miss(file, String((error as Error).message ?? error));
			return [];
		}
		const lines = text.split('\n');
		const entries: z.infer<typeof EntrySchema>[] = [];
		lines.forEach((line, index) => {
			if (!line.trim()) return;
			// The last line of a log without its newline was cut by a kill mid-write: expected, not damage.
			if (isLog && index === lines.length - 1) return;
			let json: unknown;
			try {
				json = JSON.parse(line);
			} catch {
				miss(`${file}:${index + 1}`, 'not JSON');
				return;
			}
			const entry = EntrySchema.safeParse(json);
			if (entry.success) entries.push(entry.data);
			else miss(`${file}:${index + 1}`, problemOf(entry.error));
		});
		return entries;
	};

	const storeFile = (scope: string) => path.join(dir, `${scope.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120)}.jsonl`);

	const logFiles = () => {
		try {
			return readdirSync(logDir)
				.filter((name) => name.endsWith('.jsonl'))
				.map((name) => path.join(logDir, name));
		} catch {
			return [];
		}
	};

	/** Logs of earlier or concurrent runs: answers they received are answers this run need not ask for. */
	const replayLogs = () => {
		if (logsReplayed) return;
		logsReplayed = true;
		for (const file of logFiles()) for (const entry of readEntries(file, true)) answers.set(entry.k, entry.v);
	};

	const loadScope = (scope: string) => {
		if (loadedScopes.has(scope)) return;
		loadedScopes.add(scope);
		// A store's entries never override a log's: the logs are newer.
		for (const entry of readEntries(storeFile(scope), false)) if (!answers.has(entry.k)) answers.set(entry.k, entry.v);
	};

	/** The per-answer file of earlier versions of the cache. */
	const legacyEntry = (key: string): CachedAnswer | undefined => {
		const target = path.join(dir, key.slice(0, 2), `${key}.json`);
		try {
			// `existsSync` answers a miss without building an exception: a miss on every case of a first run.
			if (!existsSync(target)) return undefined;
			const entry = CachedAnswerSchema.safeParse(JSON.parse(readFileSync(target, 'utf8')));
			return entry.success ? entry.data : miss(target, problemOf(entry.error));
		} catch (error) {
			return miss(target, error instanceof SyntaxError ? 'not JSON' : String((error as Error).message ?? error));
		}
	};

	return {
		async get(key, scope = NO_SCOPE) {
			replayLogs();
			loadScope(scope);
			return answers.get(key) ?? legacyEntry(key);
		},
		async set(key, value, scope = NO_SCOPE) {
			if (!log) {
				mkdirSync(logDir, { recursive: true });
				const file = path.join(logDir, `${process.pid}-${randomBytes(4).toString('hex')}.jsonl`);
				log = { fd: openSync(file, 'a'), file };
			}
			// One write of one whole line: a kill can cut only the last line, which the replay ignores.
			writeSync(log.fd, `${JSON.stringify({ s: scope, k: key, v: value })}\n`);
			answers.set(key, value);
			written.add(scope);
		},
		async close() {
			if (!log) return;
			const own = log;
			log = undefined;
			closeSync(own.fd);
			const lock = path.join(dir, 'compact.lock');
			if (!(await takeLock(lock))) return; // another run is compacting: the log stays and is folded in later
			try {
				const logs = [own.file, ...logFiles().filter((file) => file !== own.file && isOrphan(file))];
				const byScope = new Map<string, Map<string, CachedAnswer>>();
				for (const file of logs) {
					for (const entry of readEntries(file, true)) {
						let entries = byScope.get(entry.s);
						if (!entries) byScope.set(entry.s, (entries = new Map()));
						entries.set(entry.k, entry.v);
					}
				}
				for (const [scope, entries] of byScope) {
					// The store as it is now on disk (another run may have compacted since this one read it).
					const merged = new Map(readEntries(storeFile(scope), false).map((entry) => [entry.k, entry.v] as const));
					for (const [key, value] of entries) merged.set(key, value);
					const text = [...merged].map(([key, value]) => `${JSON.stringify({ s: scope, k: key, v: value })}\n`).join('');
					await writeFileAtomic(storeFile(scope), text, { createFolder: false });
				}
				// Only once every store holding their answers is written: a crash before this replays them again.
				for (const file of logs) rmSync(file, { force: true });
			} finally {
				await unlink(lock).catch(() => {});
			}
		},
	};
}

/** Takes the compaction lock (a file made exclusively); a lock left by a run that died long ago is taken over. */
async function takeLock(lock: string): Promise<boolean> {
	for (let attempt = 0; attempt < 2; attempt++) {
		try {
			await (await open(lock, 'wx')).close();
			return true;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			try {
				if (Date.now() - statSync(lock).mtimeMs < STALE_LOCK_MS) return false;
				rmSync(lock, { force: true });
			} catch {
				return false;
			}
		}
	}
	return false;
}

/**
 * Whether a log belongs to a run that is over (killed, crashed): its process is gone. A log of a run still
 * going is left alone, since that run keeps appending to it. Where a process cannot be asked about, a log
 * untouched for a day is taken as orphaned.
 */
function isOrphan(file: string): boolean {
	const pid = Number(path.basename(file).split('-')[0]);
	if (Number.isInteger(pid) && pid > 0) {
		try {
			process.kill(pid, 0);
			return false;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
		}
	}
	try {
		return Date.now() - statSync(file).mtimeMs > ORPHAN_AGE_MS;
	} catch {
		return false;
	}
}
