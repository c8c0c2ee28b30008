import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNewReport } from '../../src/lib/report/write-report.ts';
import type { Case } from '../../src/lib/schema/case.ts';
import { type FakeOllama, type FakeRequest, startFakeOllama } from '../../testing/fake-ollama/server.ts';
import { type CommandResult, type ProjectCopy, runCommand } from '../../testing/project-copy.ts';
import { fixtureCases, fixtureWorkspace, scriptedResponder } from '../../testing/workspace.ts';

const SEED_MODELS = ['gemma4:latest', 'llama3.1:8b', 'granite3.3:8b', 'deepseek-r1:14b', 'gemma4:26b', 'qwen2.5-coder:14b'];

/**
 * Holds each question until the other process asks the same one, so the two runs go in lock-step and
 * reach the report at the same moment — the worst case for choosing its name.
 */
function lockStep(answer: (request: FakeRequest) => ReturnType<ReturnType<typeof scriptedResponder>>) {
	const waiting = new Map<string, () => void>();
	return async (request: FakeRequest) => {
		const key = `${request.model}\n${request.messages.map((message) => message.content).join('\n')}`;
		const twin = waiting.get(key);
		if (twin) {
			waiting.delete(key);
			twin();
		} else {
			await new Promise<void>((resolve) => {
				waiting.set(key, resolve);
				// Never wait forever: a process that already died must not hang the other one.
				setTimeout(resolve, 60_000).unref();
			});
		}
		return answer(request);
	};
}

describe('two npm run bench at once on one checkout', () => {
	let cases: Case[];
	let fake: FakeOllama;
	let workspace: ProjectCopy;
	let runs: CommandResult[];

	beforeAll(async () => {
		cases = await fixtureCases();
		workspace = await fixtureWorkspace('lmb-concurrent-');
		const respond = lockStep(scriptedResponder(cases));
		fake = await startFakeOllama({ models: SEED_MODELS.map((name) => ({ name, respond })) });
		const bench = () => runCommand(process.execPath, ['scripts/bench.ts'], workspace.root, { OLLAMA_HOST: fake.url });
		runs = await Promise.all([bench(), bench()]);
	}, 240_000);
	afterAll(async () => {
		await fake?.close();
		await workspace?.dispose();
	});

	it('both finish, each with a report of its own', async () => {
		for (const run of runs) {
			expect(run.code, run.output).toBe(0);
			expect(run.output).toMatch(/report written: reports\/local-model-benchmark-\d{4}-\d{2}-\d{2}(-2)?\.md/);
		}
		const names = (await readdir(path.join(workspace.root, 'reports'))).filter((name) => name.startsWith('local-model-benchmark-')).sort();
		expect(names).toHaveLength(4);
		const stems = [...new Set(names.map((name) => name.replace(/\.(md|results\.json)$/, '')))];
		expect(stems).toHaveLength(2);
		// Each report names its own results file, and each results file its own report.
		for (const stem of stems) {
			expect(await readFile(path.join(workspace.root, 'reports', `${stem}.md`), 'utf8')).toContain(
				`results_file: reports/${stem}.results.json`,
			);
			expect(JSON.parse(await readFile(path.join(workspace.root, 'reports', `${stem}.results.json`), 'utf8')).report).toBe(stem);
		}
		// Every question was really asked by both: neither run was a cached copy of the other.
		const asked = new Map<string, number>();
		for (const request of fake.requests) {
			if (request.endpoint !== 'chat' || (request.body?.messages?.length ?? 0) === 0) continue;
			const key = `${request.model}\n${JSON.stringify(request.body?.messages)}`;
			asked.set(key, (asked.get(key) ?? 0) + 1);
		}
		expect(asked.size).toBeGreaterThan(0);
		expect([...new Set(asked.values())]).toEqual([2]);
	});
});

describe('writing reports that finish at the same moment', () => {
	it('gives each its own name, in the order they claimed it', async () => {
		const dir = await mkdtemp(path.join(os.tmpdir(), 'lmb-names-'));
		try {
			const written = await Promise.all(
				[1, 2, 3].map((n) => writeNewReport(dir, '2026-11-26', (stem) => `---\nrun: ${n}\nstem: ${stem}\n---\n`, [])),
			);
			expect(written.map((entry) => entry.stem).sort()).toEqual([
				'local-model-benchmark-2026-11-26',
				'local-model-benchmark-2026-11-26-2',
				'local-model-benchmark-2026-11-26-3',
			]);
			for (const entry of written) expect(await readFile(entry.report, 'utf8')).toContain(`stem: ${entry.stem}`);
			expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
		} finally {
			await rm(dir, { recursive: true, force: true });
		}
	});
});
