import { createHash } from 'node:crypto';
import path from 'node:path';
import { runBenchmarkPipeline } from '../src/lib/pipeline/benchmark-pipeline.ts';
import { listReports } from '../src/lib/report/read-reports.ts';
import type { Case } from '../src/lib/schema/case.ts';
import { type FakeModel, faults } from './fake-ollama/server.ts';
import { type CommandResult, astroBuild, runCommand } from './project-copy.ts';
import { type Behaviour, caseOf, rightAnswer, scriptedResponder, wrongAnswer } from './workspace.ts';

// Three runs of the seed registry's models on the fixture cases, as a real history could go: a draft
// incumbent regresses after a re-pull and a challenger gets the one draft case right (one case shows
// nothing at the policy's confidence, so it is held for more evidence), a challenger that never answers
// is retired, the proposals are applied, and a third run measures the new registry. Small enough for a
// browser test to play; `npm run demo` plays the larger scenario of demo-scenario.ts.

/** The fixture cases the scripts name. */
export const CASE_IDS = {
	draft: 'draft-commit-message-4479e1f0e5a2',
	reason: 'reason-change-localization-27445c028e38',
	reviewApprove: 'review-code-review-6436e71d6d67',
	reviewReject: 'review-code-review-6abd12283709',
	security: 'review-security-review-e9577da0d61b',
	coder: 'coder-implement-change-8c0a68756b41',
} as const;

/** How one model behaves in one run: its answers per case, a digest version (a re-pull changes it) and its speed. */
export interface ModelScript {
	behaviours?: Record<string, Behaviour>;
	/** Bumped when the model is re-pulled: a new digest, so cached answers no longer apply. */
	version?: number;
	/** Wait before the first token, ms: gives each model its own latency. */
	delayMs?: number;
}

/** The scripts of the three runs, by model id. */
export const SITE_RUNS: Record<string, ModelScript>[] = [
	{
		'gemma4:latest': { delayMs: 120 },
		'llama3.1:8b': { delayMs: 60, behaviours: { [CASE_IDS.draft]: 'wrong' } },
		'granite3.3:8b': {
			behaviours: { [CASE_IDS.draft]: faults.streamError('CUDA error: out of memory', 2, { content: 'Strip diacritics' }) },
		},
		'deepseek-r1:14b': { delayMs: 250 },
		'gemma4:26b': { delayMs: 200, behaviours: { [CASE_IDS.reviewApprove]: 'wrong' } },
		'qwen2.5-coder:14b': { delayMs: 90 },
		'gpt-oss:120b-cloud': {},
	},
	{
		// Re-pulled: the incumbent regresses, the challenger now writes the message the author wrote.
		'gemma4:latest': { version: 2, delayMs: 120, behaviours: { [CASE_IDS.draft]: 'wrong' } },
		'llama3.1:8b': { version: 2, delayMs: 60 },
		'granite3.3:8b': {
			version: 2,
			behaviours: { [CASE_IDS.draft]: faults.streamError('CUDA error: out of memory', 2, { content: 'Strip diacritics' }) },
		},
		'deepseek-r1:14b': { delayMs: 250 },
		'gemma4:26b': { delayMs: 200, behaviours: { [CASE_IDS.reviewApprove]: 'wrong' } },
		'qwen2.5-coder:14b': { delayMs: 90 },
		'gpt-oss:120b-cloud': {},
	},
	{
		'gemma4:latest': { version: 2, delayMs: 120, behaviours: { [CASE_IDS.draft]: 'wrong' } },
		'llama3.1:8b': { version: 2, delayMs: 60 },
		'granite3.3:8b': { version: 2 },
		'deepseek-r1:14b': { version: 2, delayMs: 300, behaviours: { [CASE_IDS.reason]: 'wrong' } },
		'gemma4:26b': { version: 2, delayMs: 180 },
		'qwen2.5-coder:14b': { version: 2, delayMs: 140 },
		'gpt-oss:120b-cloud': {},
	},
];

/** A stable 64-hex digest per model and version, as `ollama pull` would give a new one after an update. */
export function digestOf(model: string, version = 1): string {
	return createHash('sha256').update(`${model}#${version}`).digest('hex');
}

/** The fake models of one run. `wrap` lets a caller change an answer (the hostile test adds payloads). */
export function fakeModelsFor(
	run: Record<string, ModelScript>,
	cases: readonly Case[],
	wrap: (
		model: string,
		reply: ReturnType<ReturnType<typeof scriptedResponder>>,
		testCase: Case,
	) => ReturnType<ReturnType<typeof scriptedResponder>> = (_model, reply) => reply,
): FakeModel[] {
	return Object.entries(run).map(([name, script]) => {
		const responder = scriptedResponder(cases, script.behaviours ?? {});
		return {
			name,
			digest: digestOf(name, script.version),
			respond: (request) => {
				const reply = responder(request);
				const withDelay = script.delayMs && !('fault' in reply) ? { ...reply, firstTokenDelayMs: script.delayMs } : reply;
				return wrap(name, withDelay, caseOf(request, cases));
			},
		};
	});
}

/** Applies the newest report's proposals in `root`, as the owner does with `npm run promote`. */
export function applyLatestProposals(root: string): Promise<CommandResult> {
	return runCommand(process.execPath, [path.join(root, 'scripts', 'promote.ts')], root);
}

/**
 * Plays the three runs in `root` against `fake` and builds the site: the first two through the pipeline
 * itself (as the demo plays its earlier runs), the third by `astro build`, which runs the benchmark and
 * renders the site from all three reports; the proposals are applied after the second run with the
 * owner's command. Throws with the output on a failure.
 */
export async function buildThreeRuns(
	root: string,
	fake: { url: string; setModels(models: FakeModel[]): void },
	cases: readonly Case[],
	env: NodeJS.ProcessEnv = {},
): Promise<void> {
	const runEnv = { OLLAMA_HOST: fake.url, ANTHROPIC_API_KEY: '', ...env };
	const silent = { info: () => {}, warn: () => {} };
	for (const [index, run] of SITE_RUNS.entries()) {
		fake.setModels(fakeModelsFor(run, cases));
		if (index < SITE_RUNS.length - 1) {
			const result = await runBenchmarkPipeline({ root, env: runEnv, logger: silent });
			if (result.status !== 'written') throw new Error(`run ${index + 1} wrote no report (${result.status})`);
		} else {
			const build = await astroBuild(root, runEnv);
			if (build.code !== 0) throw new Error(`build of run ${index + 1} failed:\n${build.output}`);
			if (!/report written: reports\//.test(build.output)) throw new Error(`build of run ${index + 1} wrote no report:\n${build.output}`);
		}
		if (index === 1) {
			const applied = await applyLatestProposals(root);
			if (applied.code !== 0) throw new Error(`npm run promote failed:\n${applied.output}`);
		}
	}
}

/** The report ids (file names without `.md`) in a workspace, oldest first. */
export async function runIdsIn(root: string): Promise<string[]> {
	return (await listReports(path.join(root, 'reports'))).map((name) => name.replace(/\.md$/, ''));
}

export { rightAnswer, wrongAnswer };
