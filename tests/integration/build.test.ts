import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, type ProjectCopy, astroBuild, copyProject, runCommand } from '../../testing/project-copy.ts';

let project: ProjectCopy;

beforeAll(async () => {
	project = await copyProject();
});
afterAll(() => project.dispose());

const html = () => readFile(path.join(project.root, 'dist', 'index.html'), 'utf8');
const text = (page: string) =>
	page
		.replace(/<style[^>]*>[\s\S]*?<\/style>/g, ' ')
		.replace(/<[^>]+>/g, ' ')
		.replace(/&amp;/g, '&')
		.replace(/&#39;/g, "'")
		.replace(/\s+/g, ' ');

describe('npm run build without Ollama', () => {
	let output = '';

	beforeAll(async () => {
		const result = await astroBuild(project.root);
		output = result.output;
		expect(result.code, output).toBe(0);
	}, 300_000);

	it('says once that the benchmark was skipped, and why', () => {
		const skipped = output.split('\n').filter((line) => line.includes('benchmark skipped'));
		expect(skipped).toHaveLength(1);
		expect(skipped[0]).toMatch(
			/no Ollama at http:\/\/127\.0\.0\.1:\d+ \(connection refused\)\. The site is built from the reports already in reports\//,
		);
	});

	it('warns of nothing else on a fresh clone, which has no report yet', async () => {
		expect((await readdir(path.join(project.root, 'reports'))).filter((name) => name.startsWith('local-model-benchmark-'))).toEqual([]);
		expect(output.split('\n').filter((line) => /\bWARN\b|warn/i.test(line))).toEqual([expect.stringContaining('benchmark skipped')]);
		expect(output).not.toContain('does not exist or is empty');
		expect(output).not.toContain('No files found matching');
		const sync = await runCommand(
			process.execPath,
			[path.join(PROJECT_ROOT, 'node_modules', 'astro', 'bin', 'astro.mjs'), 'sync'],
			project.root,
		);
		expect(sync.code, sync.output).toBe(0);
		expect(sync.output).not.toMatch(/WARN/);
	}, 120_000);

	it('renders a card per role with its incumbent and challengers', async () => {
		const page = text(await html());
		// The counts are the mined cases committed under benchmarks/cases/<role>/.
		for (const role of ['draft', 'reason', 'review', 'coder']) {
			const count = (await readdir(path.join(project.root, 'benchmarks', 'cases', role)).catch(() => [])).filter((name) =>
				name.endsWith('.json'),
			).length;
			expect(page).toContain(`${role} ${count === 1 ? '1 case' : `${count} cases`}`);
		}
		expect(page).toContain('gemma4:latest · google-gemma · free');
		expect(page).toContain('llama3.1:8b · meta-llama · free');
		expect(page).toContain('granite3.3:8b · ibm-granite · free');
		expect(page).toContain('deepseek-r1:14b · deepseek · free');
		expect(page).toContain('gemma4:26b · google-gemma · free');
		expect(page).toContain('qwen2.5-coder:14b · alibaba-qwen · free');
		expect(page.match(/No active challengers\./g)).toHaveLength(3);
	});

	it('shows the sections in order, the empty run state and the policy from policy.yaml', async () => {
		const page = text(await html());
		const order = [
			'Local Model Benchmarks',
			'Evidence-driven local routing.',
			'Roles & incumbents',
			'Latest run',
			'Promotion policy',
			'Methodology',
			'Last updated',
		];
		const positions = order.map((heading) => page.indexOf(heading));
		expect(positions.every((position) => position >= 0)).toBe(true);
		expect([...positions].sort((a, b) => a - b)).toEqual(positions);
		expect(page).toContain('No archived runs yet. Check back after the next benchmark.');
		expect(page).toContain('fewer than 2 distinct family values');
		expect(page).toMatch(/Last updated \d{4}-\d{2}-\d{2}/);
	});

	it('ships no client JavaScript', async () => {
		expect(await html()).not.toMatch(/<script/i);
	});
});

describe('npm run build with a broken registry', () => {
	it('exits non-zero naming the file and field, and leaves the previous dist/ as it was', async () => {
		const before = await html();
		const beforeTime = (await stat(path.join(project.root, 'dist', 'index.html'))).mtimeMs;
		const role = path.join(project.root, 'benchmarks', 'roles', 'draft.yaml');
		await writeFile(role, (await readFile(role, 'utf8')).replace('incumbent: gemma4:latest', 'incumbent: mistral:7b'));

		const result = await astroBuild(project.root);

		expect(result.code).not.toBe(0);
		expect(result.output).toContain('benchmarks/roles/draft.yaml:13 — incumbent');
		expect(result.output).toContain('"mistral:7b", which is not in benchmarks/models.yaml');
		expect(await html()).toBe(before);
		expect((await stat(path.join(project.root, 'dist', 'index.html'))).mtimeMs).toBe(beforeTime);
	}, 300_000);
});
