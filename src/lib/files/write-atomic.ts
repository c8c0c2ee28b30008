import { randomBytes } from 'node:crypto';
import { link, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const tempName = (target: string) => path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);

/**
 * Writes `data` to `target` through a temporary file in the same folder and a rename, so a reader (or a
 * crash) sees the old file or the new one, never half of one.
 */
export async function writeFileAtomic(target: string, data: string): Promise<void> {
	await mkdir(path.dirname(target), { recursive: true });
	const temp = tempName(target);
	try {
		await writeFile(temp, data);
		await rename(temp, target);
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
