import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { pageTypeOf } from '../../src/lib/site/page-weight.ts';
import { PROJECT_ROOT } from '../../testing/project-copy.ts';

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
	if (values.length === 0) throw new Error('median of no values');
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A command run to completion, with its wall time and the peak memory of its process tree. */
export interface MeasuredRun {
	code: number;
	output: string;
	seconds: number;
	/** Peak resident set size in bytes: GNU time's maximum over the command and its children, else the polled VmHWM. */
	peakRssBytes: number | null;
	/** How the peak was measured. */
	peakRssBy: 'gnu-time' | 'proc-poll' | 'none';
}

const GNU_TIME = '/usr/bin/time';

/**
 * Runs `node <args>` on the pinned Node in `cwd` without a shell, and measures wall time and peak memory.
 * Memory comes from GNU time (`-v`: the maximum RSS of the process and its descendants) where it exists,
 * else from polling `/proc/<pid>/status` for VmHWM, the kernel's own high-water mark of that process.
 */
export function runNodeMeasured(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 900_000): Promise<MeasuredRun> {
	const useTime = existsSync(GNU_TIME);
	// Colours off, and never the developer's frontier key: a harness benchmark must not spend real tokens.
	const fullEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ANTHROPIC_API_KEY: '', ...env };
	const command = useTime ? GNU_TIME : process.execPath;
	const commandArgs = useTime ? ['-v', process.execPath, ...args] : [...args];
	return new Promise((resolve, reject) => {
		const started = performance.now();
		const child = spawn(command, commandArgs, { cwd, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
		const chunks: Buffer[] = [];
		child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
		child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
		let polledKb = 0;
		const poll = useTime
			? undefined
			: setInterval(() => {
					readFile(`/proc/${child.pid}/status`, 'utf8')
						.then((status) => {
							const match = /^VmHWM:\s+(\d+) kB/m.exec(status);
							if (match) polledKb = Math.max(polledKb, Number(match[1]));
						})
						.catch((error: NodeJS.ErrnoException) => {
							// The process ended between two polls; any other failure is the harness's and must show.
							if (error.code !== 'ENOENT' && error.code !== 'ESRCH') throw error;
						});
				}, 100);
		const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
		child.on('error', (error) => {
			clearTimeout(timer);
			if (poll) clearInterval(poll);
			reject(error);
		});
		child.on('close', (code) => {
			clearTimeout(timer);
			if (poll) clearInterval(poll);
			const seconds = (performance.now() - started) / 1000;
			let output = Buffer.concat(chunks).toString('utf8');
			let peakRssBytes: number | null = polledKb > 0 ? polledKb * 1024 : null;
			if (useTime) {
				const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(output);
				peakRssBytes = match ? Number(match[1]) * 1024 : null;
				// GNU time appends its report to stderr; keep it out of the command's own output.
				output = output.replace(/\n?\tCommand being timed:[\s\S]*$/, '\n');
			}
			resolve({ code: code ?? 1, output, seconds, peakRssBytes, peakRssBy: useTime ? 'gnu-time' : polledKb > 0 ? 'proc-poll' : 'none' });
		});
	});
}

/** `astro build` in `root` on the pinned Node, measured (see `runNodeMeasured`). */
export function astroBuildMeasured(root: string, env: NodeJS.ProcessEnv): Promise<MeasuredRun> {
	return runNodeMeasured([path.join(PROJECT_ROOT, 'node_modules', 'astro', 'bin', 'astro.mjs'), 'build'], root, env);
}

/** The largest file of one kind in a built site. */
export interface LargestFile {
	file: string | null;
	bytes: number;
	/** Files of that kind, and how many are over the limit. */
	count: number;
	over: number;
}

/** What a built site weighs: the largest `.html` and `.json`, how many exceed the limit, the largest files overall. */
export interface SiteFiles {
	html: LargestFile;
	json: LargestFile;
	/** The ten largest files of any kind, biggest first, relative to the site's folder. */
	largest: { file: string; bytes: number }[];
	/** Per kind of page (`case`, `run`…, see `pageTypeOf`) and of JSON file (`api/cases/*.json`…): how many, and the largest. */
	byKind: Record<string, { count: number; largest: string; bytes: number }>;
	totalBytes: number;
	files: number;
}

/** Weighs the built site in `dir`: the largest `.html` and `.json`, and how many of each exceed `limitBytes`. */
export async function largestFiles(dir: string, limitBytes: number): Promise<SiteFiles> {
	const html: LargestFile = { file: null, bytes: 0, count: 0, over: 0 };
	const json: LargestFile = { file: null, bytes: 0, count: 0, over: 0 };
	const all: { file: string; bytes: number }[] = [];
	const byKind: SiteFiles['byKind'] = {};
	let totalBytes = 0;
	for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
		if (!entry.isFile()) continue;
		const file = path.join(entry.parentPath, entry.name);
		const { size } = await stat(file);
		totalBytes += size;
		all.push({ file: path.relative(dir, file), bytes: size });
		const kind = entry.name.endsWith('.html') ? html : entry.name.endsWith('.json') ? json : undefined;
		if (!kind) continue;
		const relative = path.relative(dir, file).split(path.sep).join('/');
		const group = kind === html ? `${pageTypeOf(relative)} pages` : relative.replace(/\/[^/]+\.json$/, '/*.json');
		const known = byKind[group];
		if (!known) byKind[group] = { count: 1, largest: relative, bytes: size };
		else {
			known.count++;
			if (size > known.bytes) Object.assign(known, { largest: relative, bytes: size });
		}
		kind.count++;
		if (size > limitBytes) kind.over++;
		if (size > kind.bytes) {
			kind.bytes = size;
			kind.file = path.relative(dir, file);
		}
	}
	all.sort((a, b) => b.bytes - a.bytes || a.file.localeCompare(b.file));
	return { html, json, largest: all.slice(0, 10), byKind, totalBytes, files: all.length };
}

/** `1.2 MB`, `340 kB`, `12 B` (decimal units, as the goals are written). */
export function formatBytes(bytes: number): string {
	if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
	if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(2)} MB`;
	if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(0)} kB`;
	return `${bytes} B`;
}
