import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Every command-line entry point ends the same way: usage and 0 on --help, the problem, the usage and 2 on
// a bad option, `<name> failed: <cause>` and 1 on a failure. Each runs as `npm run <script>` runs it (the
// same Node), from a scratch folder that is not a project, so nothing of this project is read or written.
const ROOT = path.resolve(import.meta.dirname, '../..');
const SCRIPTS = ['check-registry', 'bench', 'mine', 'promote', 'page-weight', 'demo'] as const;
let scratch: string;

/** Runs a script to its end. One at a time: each starts Node and loads the pipeline, slow on a loaded machine. */
function run(script: string, args: string[], cwd = scratch): Promise<{ status: number | null; stdout: string; stderr: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [path.join(ROOT, 'scripts', `${script}.ts`), ...args], {
			cwd,
			env: { ...process.env, OLLAMA_HOST: 'http://127.0.0.1:9', ANTHROPIC_API_KEY: '' },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
		child.on('error', reject);
		child.on('close', (status) => resolve({ status, stdout, stderr }));
	});
}

beforeAll(() => {
	scratch = mkdtempSync(path.join(tmpdir(), 'lmb-scripts-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('every script in scripts/', () => {
	it.each(SCRIPTS)('%s prints its usage on --help and exits 0', async (script) => {
		const result = await run(script, ['--help']);
		expect(result.stderr).toBe('');
		expect(result.status).toBe(0);
		expect(result.stdout).toMatch(/^usage: npm run /);
	});

	it.each(SCRIPTS)('%s refuses an unknown option with the problem and the usage, and exits 2', async (script) => {
		const result = await run(script, ['--frobnicate']);
		expect(result.status).toBe(2);
		expect(result.stderr).toContain("Unknown option '--frobnicate'");
		expect(result.stderr).toMatch(/\n\nusage: npm run /);
		expect(result.stdout).toBe('');
	});
});

describe('failures', () => {
	it('check exits 1 with every problem of a folder that holds no registry', async () => {
		const result = await run('check-registry', []);
		expect(result.status).toBe(1);
		expect(result.stderr).toMatch(/^The benchmark registry has \d+ problems?:/);
		expect(result.stderr).toContain('benchmarks/models.yaml');
	});

	it('bench exits 2 on a repeat count it cannot use', async () => {
		const result = await run('bench', ['--repeats', '0']);
		expect(result.status).toBe(2);
		expect(result.stderr).toContain('--repeats is "0"; expected a whole number from 1 to 20.');
	});

	it('promote exits 1 and says what to do when there is no report', async () => {
		const result = await run('promote', []);
		expect(result.status).toBe(1);
		expect(result.stderr).toBe(
			'promote failed: There is no report in reports/ yet.\n  hint: run the benchmark first (npm run build with Ollama running).\n',
		);
	});

	it('promote exits 1 with the path and the cause when reports/ cannot be listed', async () => {
		const root = mkdtempSync(path.join(scratch, 'file-for-folder-'));
		writeFileSync(path.join(root, 'reports'), 'not a folder\n');
		const result = await run('promote', [], root);
		expect(result.status).toBe(1);
		expect(result.stderr).toContain(`promote failed: Failed to list the reports in ${path.join(root, 'reports')}: ENOTDIR`);
		expect(result.stderr).not.toContain('    at ');
	});

	it('weight exits 2 when the folder holds no built site, and 2 for a second folder', async () => {
		const empty = path.join(scratch, 'empty-dist');
		mkdirSync(empty, { recursive: true });
		const missing = await run('page-weight', [empty]);
		expect(missing.status).toBe(2);
		expect(missing.stderr).toContain(`${empty} holds no built site (no index.html)`);
		expect((await run('page-weight', ['a', 'b'])).stderr).toContain('expected at most one folder, got 2: a b.');
	});
});
