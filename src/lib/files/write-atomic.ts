import { randomBytes } from 'node:crypto';
import { rename as renameCallback, writeFile as writeFileCallback } from 'node:fs';
import { link, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

// Unique per process (pid plus a random tag) and per call (a counter): one random draw per process
// rather than per file, which showed in the cost of writing thousands of cached answers.
const processTag = `${process.pid}.${randomBytes(4).toString('hex')}`;
let tempCount = 0;
const tempName = (target: string) =>
	path.join(path.dirname(target), `.${path.basename(target)}.${processTag}.${(tempCount++).toString(36)}.tmp`);

// The callback forms, promisified: `fs/promises` opens a FileHandle per file, which costs several times
// the write itself for the small files the answer cache writes by the thousand.
const writeFileFast = promisify(writeFileCallback);
const renameFast = promisify(renameCallback);

/**
 * Writes `data` to `target` through a temporary file in the same folder and a rename, so a reader (or a
 * crash) sees the old file or the new one, never half of one. The folder is made first, unless the
 * caller knows it exists (`createFolder: false`: a caller writing many files into a few folders).
 */
export async function writeFileAtomic(target: string, data: string, options: { createFolder?: boolean } = {}): Promise<void> {
	if (options.createFolder ?? true) await mkdir(path.dirname(target), { recursive: true });
	const temp = tempName(target);
	try {
		await writeFileFast(temp, data);
		await renameFast(temp, target);
	} catch (cause) {
		await rm(temp, { force: true });
		throw new Error(`Failed to write ${target}.`, { cause });
	}
}

/**
 * Like `writeFileAtomic`, but never replaces an existing file: the new file appears whole under `target`
 * or not at all. Returns false (writing nothing) when `target` already exists.
 */
export async function createFileAtomic(target: string, data: string): Promise<boolean> {
	await mkdir(path.dirname(target), { recursive: true });
	const temp = tempName(target);
	try {
		await writeFile(temp, data);
		// link() fails with EEXIST instead of overwriting, which rename() would do silently.
		await link(temp, target);
		return true;
	} catch (cause) {
		if ((cause as NodeJS.ErrnoException).code === 'EEXIST') return false;
		throw new Error(`Failed to write ${target}.`, { cause });
	} finally {
		await rm(temp, { force: true });
	}
}
