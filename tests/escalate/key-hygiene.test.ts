import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Report, ReportSchema } from '../../src/lib/schema/report.ts';
import type { Case } from '../../src/lib/schema/case.ts';
import { type FakeOllama, faults, startFakeOllama } from '../../testing/fake-ollama/server.ts';
import { type CommandResult, type ProjectCopy, astroBuild } from '../../testing/project-copy.ts';
import { fixtureCases, fixtureWorkspace, rightAnswer } from '../../testing/workspace.ts';
import { type FakeAnthropic, anthropicErrors, startFakeAnthropic } from '../../testing/fake-anthropic.ts';
import { BUG_CASES, CLOUD, frontierScript, pointFrontierAt, seedModels } from './support.ts';
import { pageText } from '../../testing/page-text.ts';

// Distinctive enough that finding any of it anywhere can only mean a leak.
const KEY = 'sk-ant-api03-HYGIENE-7d1e0c55f00dfeed-Zq9XwV2r';
const FRAGMENTS = [KEY, 'HYGIENE-7d1e0c55', '0c55f00dfeed', 'Zq9XwV2r'];

let cases: Case[];
let ollama: FakeOllama;
let frontier: FakeAnthropic;
let workspace: ProjectCopy;
let build: CommandResult;

/** Every file under `dir`, without following links (node_modules is a link to the project's). */
async function filesUnder(dir: string): Promise<string[]> {
	const files: string[] = [];
	for (const entry of await readdir(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isSymbolicLink()) continue;
		if (entry.isDirectory()) files.push(...(await filesUnder(full)));
		else if (entry.isFile()) files.push(full);
	}
	return files;
}

beforeAll(async () => {
	cases = await fixtureCases();
	workspace = await fixtureWorkspace('lmb-key-hygiene-');
	ollama = await startFakeOllama({ models: [...seedModels(cases), { name: CLOUD, respond: () => faults.cloudUnauthorized() }] });
	// One case answers with an error that echoes the key, as a careless proxy might, and another with a
	// normal answer that echoes it: both must be redacted wherever the answer is stored or shown.
	const echoing = JSON.parse(rightAnswer(cases.find((testCase) => testCase.id === BUG_CASES[1])!)) as { findings: { message: string }[] };
	echoing.findings[0]!.message = `Request header was x-api-key: ${KEY}; the check below is wrong.`;
	frontier = await startFakeAnthropic({
		apiKey: KEY,
		respond: frontierScript(cases, {
			[BUG_CASES[0]!]: anthropicErrors.invalid(`could not parse header x-api-key: ${KEY}`),
			[BUG_CASES[1]!]: { text: JSON.stringify(echoing), inputTokens: 1000, outputTokens: 50 },
		}),
	});
	await pointFrontierAt(workspace.root, frontier.url);
	build = await astroBuild(workspace.root, { OLLAMA_HOST: ollama.url, ANTHROPIC_API_KEY: KEY });
}, 300_000);
afterAll(async () => {
	await ollama?.close();
	await frontier?.close();
	await workspace?.dispose();
});

describe('the API key during a build that escalates', () => {
	let report: Report;

	beforeAll(async () => {
		expect(build.code, build.output).toBe(0);
		const name = (await readdir(path.join(workspace.root, 'reports'))).find((file) => /^local-model-benchmark-.*\.md$/.test(file))!;
		report = ReportSchema.parse(
			parse(/^---\n([\s\S]*?)\n---\n/.exec(await readFile(path.join(workspace.root, 'reports', name), 'utf8'))![1]!),
		);
	});

	it('was really used: the frontier API got it on every escalation', () => {
		expect(frontier.requests).toHaveLength(3);
		expect(frontier.requests.every((request) => request.key === 'accepted')).toBe(true);
		expect(frontier.violations).toEqual([]);
		expect(report.escalations).toMatchObject({ escalations: 3, resolved: 2, overturned: 1, frontier: { calls: 3 } });
		expect(report.escalations!.steps[1]!.outcomes).toEqual({ answered: 2, error: 1 });
	});

	it('is redacted from an answer that echoed it, which still counts as answered', async () => {
		const name = (await readdir(path.join(workspace.root, 'reports'))).find((file) => file.endsWith('.results.json'))!;
		const { results } = JSON.parse(await readFile(path.join(workspace.root, 'reports', name), 'utf8')) as {
			results: { case_id: string; escalation?: { steps: { outcome: string; output: string }[] } }[];
		};
		const step = results.find((result) => result.case_id === BUG_CASES[1] && result.escalation)!.escalation!.steps[1]!;
		expect(step.outcome).toBe('answered');
		expect(step.output).toContain('Request header was x-api-key: [redacted]; the check below is wrong.');
	});

	it('appears in no file the build wrote: reports, results, cache, site', async () => {
		const files = await filesUnder(workspace.root);
		const written = files.map((file) => path.relative(workspace.root, file));
		// The search really covers what the build wrote.
		expect(written.some((file) => file.startsWith(`.cache${path.sep}answers`))).toBe(true);
		expect(written.some((file) => file.startsWith(`dist${path.sep}`))).toBe(true);
		expect(written.filter((file) => file.startsWith(`reports${path.sep}local-model-benchmark-`))).toHaveLength(2);
		const leaks: string[] = [];
		for (const file of files) {
			const bytes = await readFile(file);
			for (const fragment of FRAGMENTS)
				if (bytes.includes(fragment)) leaks.push(`${path.relative(workspace.root, file)} contains ${fragment}`);
		}
		expect(leaks).toEqual([]);
	});

	it('appears nowhere in the build’s output, even where the server echoed it', () => {
		for (const fragment of FRAGMENTS) {
			expect(build.stdout).not.toContain(fragment);
			expect(build.stderr).not.toContain(fragment);
		}
		expect(build.output).toContain('turbo escalation · review · gemma4:26b');
	});

	it('shows the live escalation numbers in the Methodology section, as static markup', async () => {
		const html = await readFile(path.join(workspace.root, 'dist', 'index.html'), 'utf8');
		const text = pageText(html);
		expect(text).toContain(
			'3 of the 3 code-review or security-review results of gemma4:26b, the review incumbent, were rejections (100 %), and each was escalated.',
		);
		expect(text).toContain(
			'The chain gave a verdict on 2 of them and overturned 1 (50 %): 1 on a change the history shows was clean, 0 on a change a later commit had to fix.',
		);
		expect(text).toContain('The frontier API was called 3 times (budget 20 per run), for 2000 input and 100 output tokens.');
		// Each step: its outcomes in words, its calls, its tokens.
		expect(text).toMatch(
			/Step Answered (Not authorized |Over quota |Unavailable |Error |Skipped \(no key\) |Skipped \(budget\) )+Calls Tokens in \/ out/,
		);
		expect(text).toMatch(/1\. gpt-oss:120b-cloud \(ollama\) 0 3 0 \d+ 0 \/ 0/);
		const component = html.slice(
			html.indexOf('class="escalation-summary'),
			html.indexOf('</table>', html.indexOf('class="escalation-summary')),
		);
		expect(component).toContain('In the latest run');
		expect(component).not.toMatch(/<script|\son[a-z]+=/i);
		const methodology = text.indexOf('Methodology');
		expect(methodology).toBeGreaterThan(-1);
		expect(text.indexOf('In the latest run')).toBeGreaterThan(methodology);
	});
});
