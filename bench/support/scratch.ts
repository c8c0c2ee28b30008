import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

// Every scratch folder the benchmarks make, so an interrupted `npm run perf` (Ctrl-C) still removes
// them: the `finally` blocks that normally do it never run when the process is killed by a signal.
const live = new Set<string>();

/** A new folder under the system's temporary folder, removed by `removeScratch` or on interruption. */
export async function makeScratch(prefix: string): Promise<string> {
	const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
	live.add(dir);
	return dir;
}

/** Counts an existing folder (made by someone else, e.g. `copyProject`) as scratch. */
export function trackScratch(dir: string): void {
	live.add(dir);
}

/** Stops counting a folder as scratch (it was moved somewhere kept). */
export function untrackScratch(dir: string): void {
	live.delete(dir);
}

/** Removes a scratch folder. */
export async function removeScratch(dir: string): Promise<void> {
	await rm(dir, { recursive: true, force: true });
	live.delete(dir);
}

/** Removes every scratch folder still there, synchronously: for a signal handler on the way out. */
export function removeAllScratchSync(): void {
	for (const dir of live) rmSync(dir, { recursive: true, force: true });
	live.clear();
}
