import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/project-copy.ts';

// `npm run demo` end to end: the pipeline against the fake Ollama in a scratch copy, a served site
// marked as demo data on every page, and nothing written into this project's reports/ or benchmarks/.

const BANNER = 'demo data from a simulated model server';

/** Every file under the folders, with size and modification time: what the demo must leave as it was. */
async function snapshot(folders: string[]): Promise<Record<string, string>> {
	const state: Record<string, string> = {};
	for (const folder of folders) {
		const root = path.join(PROJECT_ROOT, folder);
		if (!existsSync(root)) continue;
		for (const file of await readdir(root, { recursive: true })) {
			const info = await stat(path.join(root, file));
			state[`${folder}/${file}`] = info.isDirectory() ? 'dir' : `${info.size} ${info.mtimeMs}`;
		}
	}
	return state;
}

let child: ChildProcess | undefined;
afterAll(() => {
	if (child && child.exitCode === null) child.kill('SIGKILL');
});

describe('npm run demo', () => {
	it('serves a populated site marked as demo data, cleans up on Ctrl-C and never touches reports/ or benchmarks/', async () => {
		const scripts = JSON.parse(await readFile(path.join(PROJECT_ROOT, 'package.json'), 'utf8')).scripts;
		expect(scripts.demo).toBe('node scripts/demo.ts');
		const before = await snapshot(['reports', 'benchmarks']);

		const demo = spawn(process.execPath, ['scripts/demo.ts', '--port', '0'], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
		child = demo;
		let output = '';
		demo.stdout!.on('data', (chunk) => (output += chunk));
		demo.stderr!.on('data', (chunk) => (output += chunk));
		const exited = new Promise<number | null>((resolve) => demo.on('exit', (code) => resolve(code)));
		const url = await new Promise<string>((resolve, reject) => {
			const timer = setInterval(() => {
				const match = /Demo site: (http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
				if (match) {
					clearInterval(timer);
					resolve(match[1]!);
				} else if (demo.exitCode !== null) {
					clearInterval(timer);
					reject(new Error(`the demo exited early:\n${output}`));
				}
			}, 100);
		});
		const workspace = /workspace (\S+):/.exec(output)?.[1];
		expect(workspace).toBeDefined();
		expect(existsSync(workspace!)).toBe(true);

		const html = async (pathname: string) => {
			const response = await fetch(`${url}${pathname}`);
			expect(response.status, pathname).toBe(200);
			return response.text();
		};
		const index = await html('/');
		expect(index).toContain(BANNER);
		expect(index).not.toContain('No archived runs yet');
		const runs = (await (await fetch(`${url}/api/runs.json`)).json()) as { demo: boolean; runs: { id: string; date: string }[] };
		expect(runs.demo).toBe(true);
		expect(runs.runs).toHaveLength(3);
		// A history: two earlier runs, a week apart, then today's.
		expect(new Set(runs.runs.map((run) => run.date)).size).toBe(3);
		for (const pathname of ['/runs/', `/runs/${runs.runs[0]!.id}/`, '/roles/draft/', '/models/llama3-1-8b/', '/cases/draft-commit-message-4479e1f0e5a2/']) {
			expect(await html(pathname), pathname).toContain(BANNER);
		}
		expect(await html('/rss.xml')).toContain(BANNER);

		demo.kill('SIGINT');
		expect(await exited).toBe(0);
		expect(output).toContain('was deleted');
		expect(existsSync(workspace!)).toBe(false);
		expect(await snapshot(['reports', 'benchmarks'])).toEqual(before);
	}, 300_000);
});
