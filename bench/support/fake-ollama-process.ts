import { fork } from 'node:child_process';
import { once } from 'node:events';

/** A fake Ollama running in a child process (see fake-ollama-child.ts). */
export interface FakeOllamaProcess {
	url: string;
	/** Drops the fake's request log, so a long benchmark does not grow the child's heap. */
	clearLog(): Promise<void>;
	close(): Promise<void>;
}

/**
 * Starts the fake Ollama in a child process on the pinned Node, serving `models`, each answering the
 * first `cases` generated cases (`generateCases(cases)`) right: at once, or after `latencyMs` (a model's
 * fixed time per answer; requests at once overlap, as on an Ollama with enough parallel slots).
 */
export async function startFakeOllamaProcess(
	cases: number,
	models: readonly string[],
	options: { latencyMs?: number } = {},
): Promise<FakeOllamaProcess> {
	const child = fork(new URL('./fake-ollama-child.ts', import.meta.url), [String(cases), String(options.latencyMs ?? 0), ...models], {
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
	const reply = (type: string) =>
		new Promise<{ type: string; url?: string }>((resolve, reject) => {
			const onMessage = (message: { type: string; url?: string }) => {
				if (message.type !== type) return;
				child.off('exit', onExit);
				child.off('message', onMessage);
				resolve(message);
			};
			const onExit = (code: number | null) =>
				reject(new Error(`the fake Ollama process exited with code ${code} before answering '${type}'.`));
			child.on('message', onMessage);
			child.once('exit', onExit);
		});
	const { url } = await reply('ready');
	return {
		url: url!,
		async clearLog() {
			const cleared = reply('cleared');
			child.send({ type: 'clear-log' });
			await cleared;
		},
		async close() {
			if (child.exitCode !== null) return;
			const exited = once(child, 'exit');
			child.send({ type: 'close' });
			await exited;
		},
	};
}
