import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../files/write-atomic.ts';
import type { Case } from '../schema/case.ts';
import { stableStringify } from './serialize.ts';

/**
 * What happened to one case file. An existing file with other content is never replaced silently:
 * it is `would-change` unless the caller forces it (`overwritten`).
 */
export type WriteStatus = 'written' | 'unchanged' | 'would-change' | 'overwritten' | 'would-write' | 'would-overwrite';

/** One case file and what happened to it. */
export type WriteOutcome = { id: string; path: string; status: WriteStatus };

/** How `writeCases` treats the disk. */
export type WriteOptions = {
	/** Decide every status, write nothing. */
	dryRun: boolean;
	/** Replace existing files whose content differs. */
	force: boolean;
};

/** `<out>/<role>/<id>.json`. */
export function casePath(outDir: string, value: Pick<Case, 'role' | 'id'>): string {
	return join(outDir, value.role, `${value.id}.json`);
}

async function readExisting(path: string): Promise<string | undefined> {
	try {
		return await readFile(path, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		throw new Error(`Cannot read the existing case ${path}.`, { cause: error });
	}
}

/** The status a case file gets, from its new content and what is on disk. */
export function decideStatus(content: string, existing: string | undefined, options: WriteOptions): WriteStatus {
	if (existing === undefined) return options.dryRun ? 'would-write' : 'written';
	if (existing === content) return 'unchanged';
	if (!options.force) return 'would-change';
	return options.dryRun ? 'would-overwrite' : 'overwritten';
}

/** Writes each case as stable JSON under `<out>/<role>/<id>.json`, in id order. */
export async function writeCases(cases: readonly Case[], outDir: string, options: WriteOptions): Promise<WriteOutcome[]> {
	const outcomes: WriteOutcome[] = [];
	for (const value of [...cases].sort((a, b) => (a.id < b.id ? -1 : 1))) {
		const path = casePath(outDir, value);
		const content = stableStringify(value);
		const status = decideStatus(content, await readExisting(path), options);
		if (status === 'written' || status === 'overwritten') await writeFileAtomic(path, content);
		outcomes.push({ id: value.id, path, status });
	}
	return outcomes;
}
