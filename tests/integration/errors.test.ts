import { spawn } from 'node:child_process';
import { chmod, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Case } from '../../src/lib/schema/case.ts';
import { type FakeOllama, faults, startFakeOllama } from '../../testing/fake-ollama/server.ts';
import {
	type CommandResult,
	PROJECT_ROOT,
	type ProjectCopy,
	astroBuild,
	closedAddress,
	copyProject,
	runCommand,
} from '../../testing/project-copy.ts';
import { fixtureCases, fixtureWorkspace, scriptedResponder } from '../../testing/workspace.ts';

const SEED_MODELS = ['gemma4:latest', 'llama3.1:8b', 'granite3.3:8b', 'deepseek-r1:14b', 'gemma4:26b', 'qwen2.5-coder:14b'];

/** What a crash of the tool looks like, and a failure the project explains never does. */
function expectNoCrashDump(output: string): void {
	expect(output).not.toContain('An unhandled error occurred');
	expect(output).not.toContain('Stack trace');
	expect(output).not.toMatch(/^\s+at .*(node_modules|node:internal)/m);
}

const bench = (root: string, env: NodeJS.ProcessEnv = {}) => runCommand(process.execPath, ['scripts/bench.ts'], root, env);

/** Runs `astro dev` until it exits, or stops it after `ms` (a dev server that started keeps running). */
function astroDev(root: string, ms: number): Promise<CommandResult & { exited: boolean }> {
	const astro = path.join(PROJECT_ROOT, 'node_modules', 'astro', 'bin', 'astro.mjs');
	return new Promise((resolve) => {
		const child = spawn(process.execPath, [astro, 'dev', '--port', '0'], {
			cwd: root,
			env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
		let exited = true;
		const timer = setTimeout(() => {
			exited = false;
			child.kill('SIGTERM');
		}, ms);
		child.on('close', (code) => {
			clearTimeout(timer);
			resolve({ code: code ?? -1, stdout, stderr, output: stdout + stderr, exited });
		});
	});
}

describe('a build that cannot go on says why, alone, and builds nothing', () => {
	let project: ProjectCopy;
	beforeAll(async () => {
		project = await copyProject('lmb-errors-');
	});
	afterAll(() => project.dispose());

	const expectNothingBuilt = async (result: CommandResult) => {
		expect(result.code).toBe(1);
		expectNoCrashDump(result.output);
		await expect(readFile(path.join(project.root, 'dist', 'index.html'))).rejects.toThrow(/ENOENT/);
	};

	it('a broken registry: the list of problems', async () => {
		const models = path.join(project.root, 'benchmarks', 'models.yaml');
		const original = await readFile(models, 'utf8');
		await writeFile(models, original.replace('family: meta-llama', 'family: Meta Llama'));
		try {
			const result = await astroBuild(project.root);
			await expectNothingBuilt(result);
			expect(result.output).toContain('The benchmark registry has 1 problem:');
			expect(result.output).toContain('family');
		} finally {
			await writeFile(models, original);
		}
	}, 120_000);

	it('BENCH_REQUIRED=1 without Ollama: an error, not a skipped benchmark', async () => {
		const host = await closedAddress();
		const result = await astroBuild(project.root, { OLLAMA_HOST: host, BENCH_REQUIRED: '1' });
		await expectNothingBuilt(result);
		expect(result.output).toContain(
			`No Ollama at ${host} (connection refused): BENCH_REQUIRED=1 asks for the benchmark, so the build stops.`,
		);
		expect(result.output).toContain('hint: start Ollama (`ollama serve`) or point OLLAMA_HOST at one, or unset BENCH_REQUIRED');
		expect(result.output).not.toContain('benchmark skipped');
	}, 120_000);

	it('a bad OLLAMA_HOST', async () => {
		const result = await astroBuild(project.root, { OLLAMA_HOST: 'ftp://gpu-box' });
		await expectNothingBuilt(result);
		expect(result.output).toContain('OLLAMA_HOST is "ftp://gpu-box"; expected an http:// or https:// address.');
		expect(result.output).toContain('hint: fix or unset OLLAMA_HOST.');
	}, 120_000);
});

describe('Ollama going away during a build', () => {
	let cases: Case[];
	let fake: FakeOllama;
	let workspace: ProjectCopy;
	beforeAll(async () => {
		cases = await fixtureCases();
		workspace = await fixtureWorkspace('lmb-errors-gone-');
	});
	afterAll(async () => {
		await fake?.close();
		await workspace.dispose();
	});

	it('stops with the run’s own message and builds nothing', async () => {
		let served = 0;
		const answer = scriptedResponder(cases);
		fake = await startFakeOllama({
			models: SEED_MODELS.map((name) => ({
				name,
				respond: (request) => {
					if (++served < 3) return answer(request);
					setTimeout(() => void fake.stop(), 0);
					return faults.stall(0);
				},
			})),
		});
		const result = await astroBuild(workspace.root, { OLLAMA_HOST: fake.url });
		expect(result.code).toBe(1);
		expectNoCrashDump(result.output);
		expect(result.output).toMatch(
			/Ollama at http:\/\/127\.0\.0\.1:\d+ stopped answering during the run \(connection refused\), after 2 of \d+ results\./,
		);
		await expect(readFile(path.join(workspace.root, 'dist', 'index.html'))).rejects.toThrow(/ENOENT/);
	}, 120_000);
});

describe('npm run bench', () => {
	let cases: Case[];
	let fake: FakeOllama | undefined;
	let workspace: ProjectCopy;
	beforeAll(async () => {
		cases = await fixtureCases();
		workspace = await fixtureWorkspace('lmb-errors-bench-');
	});
	afterEach(async () => {
		await fake?.close();
		fake = undefined;
	});
	afterAll(() => workspace.dispose());

	it('fails without Ollama, since the benchmark did not run, and speaks of no site', async () => {
		const host = await closedAddress();
		const result = await bench(workspace.root, { OLLAMA_HOST: host });
		expect(result.code).toBe(1);
		expect(result.stderr).toContain(`benchmark failed: No Ollama at ${host} (connection refused): the benchmark cannot run.`);
		expect(result.stderr).toContain('hint: start Ollama (`ollama serve`) or point OLLAMA_HOST at one.');
		expect(result.output).not.toContain('site');
	}, 60_000);

	it('says why a report could not be written, not only that it was not', async () => {
		fake = await startFakeOllama({ models: SEED_MODELS.map((name) => ({ name, respond: scriptedResponder(cases) })) });
		const reports = path.join(workspace.root, 'reports');
		await rm(reports, { recursive: true, force: true });
		// A folder this process may not write in: sysfs refuses even root, where a chmod would not.
		if (process.getuid?.() === 0) await symlink('/sys/kernel', reports);
		else {
			const { mkdir } = await import('node:fs/promises');
			await mkdir(reports);
			await chmod(reports, 0o555);
		}
		try {
			const result = await bench(workspace.root, { OLLAMA_HOST: fake.url });
			expect(result.code).toBe(1);
			expect(result.stderr).toMatch(
				/benchmark failed: Failed to write .*reports\/local-model-benchmark-\d{4}-\d{2}-\d{2}\.results\.json: EACCES: permission denied, open /,
			);
			expectNoCrashDump(result.output);
		} finally {
			await rm(reports, { recursive: true, force: true }).catch(() =>
				chmod(reports, 0o755).then(() => rm(reports, { recursive: true, force: true })),
			);
		}
	}, 60_000);
});

describe('npm run dev', () => {
	let project: ProjectCopy;
	beforeAll(async () => {
		project = await copyProject('lmb-errors-dev-');
	});
	afterAll(() => project.dispose());

	it('validates the registry as the build does, with the same message', async () => {
		const models = path.join(project.root, 'benchmarks', 'models.yaml');
		await writeFile(models, (await readFile(models, 'utf8')).replace('cost_tier: free', 'cost_tier: cheap'));
		const result = await astroDev(project.root, 60_000);
		expect(result.exited, result.output).toBe(true);
		expect(result.code).toBe(1);
		expect(result.output).toContain('The benchmark registry has 1 problem:');
		expect(result.output).toContain('expected: one of "free", "paid"');
		expect(result.output).not.toContain('InvalidContentEntryDataError');
		expectNoCrashDump(result.output);
	}, 90_000);
});
