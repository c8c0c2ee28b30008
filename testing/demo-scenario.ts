import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseDocument } from 'yaml';
import { applyProposals } from '../src/lib/registry/apply-proposals.ts';
import { runBenchmarkPipeline } from '../src/lib/pipeline/benchmark-pipeline.ts';
import type { ProgressLogger } from '../src/lib/run/ask-model.ts';
import type { Case } from '../src/lib/schema/case.ts';
import type { Report } from '../src/lib/schema/report.ts';
import { taskFor } from '../src/lib/tasks/index.ts';
import type { MessagesCall, MessagesReply } from './fake-anthropic.ts';
import { type FakeModel, type FakeReply, type FakeRequest, faults } from './fake-ollama/server.ts';
import { PROJECT_ROOT, type ProjectCopy, linkNodeModules, shareExecuteCache } from './project-copy.ts';
import { digestOf } from './site-runs.ts';
import { readCaseTree, removeReports, rightAnswer, wrongAnswer } from './workspace.ts';

// The scenario `npm run demo` plays: nine local models from seven families on the cases committed in
// benchmarks/cases/ (mined from this repository's own history), over four runs three weeks apart. Every
// model answer is scripted — the reference answer the history gives, or junk — so the numbers are
// simulated and every page says so; the harness, the graders, the policy and the coder tests in
// bubblewrap are the real ones. The runs are written so that each thing the policy can decide happens
// at least once:
//
//   21 days ago  llama3.1:8b beats draft's incumbent gemma4:latest on every draft case, paired: promotion earned.
//                qwen3:14b beats reason's deepseek-r1:14b, but reason would then be all alibaba-qwen:
//                blocked by the family-diversity guard. phi4:14b is ahead on review's few cases, which
//                cannot show it better: hold for more evidence. granite3.3:8b fails hard on every case.
//                gemma4:26b's review rejections escalate to gpt-oss:120b-cloud.
//                → the owner applies the promotion.
//   14 days ago  granite3.3:8b fails hard on every case again: retirement proposed. → applied.
//    7 days ago  deepseek-r1:14b is re-pulled (a new digest) and regresses on reason.
//   today        gemma4:26b is re-pulled and regresses on review; more rejections escalate.
//
// A frontier baseline (claude-sonnet-4-5, answered by the fake Anthropic API under a demo key) is asked
// every case of every role in the first run and served from the cache after. Today: draft stays local
// (llama3.1:8b accepts what the frontier accepts, on every draft case), reason goes to the frontier (it
// accepts 95 % where the regressed deepseek-r1:14b accepts 40 %, with what that costs), review stays local
// with its rejections escalated (cheaper per case than sending every case out), and coder holds: the
// frontier accepts what qwen2.5-coder:14b accepts, but a tie on the few coder cases cannot bound the
// difference under the margin, so the verdict says how many cases would settle it.
//
// Shared by `npm run demo` and tests/e2e/demo.test.ts, so the demo shows what the test checks.

const exec = promisify(execFile);

/** Models the demo registry adds to the project's catalog, so the line-up spans seven families. */
export const DEMO_EXTRA_MODELS = [
	{ id: 'qwen3:14b', family: 'alibaba-qwen', notes: 'Demo registry only: a general Qwen model beside the coder one.' },
	{ id: 'mistral-small3.2:24b', family: 'mistral', notes: 'Demo registry only.' },
	{ id: 'phi4:14b', family: 'microsoft-phi', notes: 'Demo registry only.' },
] as const;

/** The demo registry's roles at the first run: incumbent first, then the challengers. */
export const DEMO_ROLES: Record<string, { incumbent: string; challengers: string[] }> = {
	draft: { incumbent: 'gemma4:latest', challengers: ['llama3.1:8b', 'granite3.3:8b', 'mistral-small3.2:24b'] },
	reason: { incumbent: 'deepseek-r1:14b', challengers: ['qwen3:14b', 'qwen2.5-coder:14b'] },
	review: { incumbent: 'gemma4:26b', challengers: ['phi4:14b', 'mistral-small3.2:24b'] },
	coder: { incumbent: 'qwen2.5-coder:14b', challengers: ['qwen3:14b', 'phi4:14b'] },
};

/** The demo's frontier baseline, as the fake Anthropic API knows it (an alias and the dated id it resolves to). */
export const DEMO_BASELINE = 'claude-sonnet-4-5';
export const DEMO_BASELINE_ID = 'claude-sonnet-4-5-20250929';
/** The environment variable the demo's baseline key is read from: never ANTHROPIC_API_KEY, which the escalation chain uses. */
export const DEMO_FRONTIER_KEY_ENV = 'DEMO_FRONTIER_KEY';
/** The key the fake Anthropic API accepts: a demo value, no secret. */
export const DEMO_FRONTIER_KEY = 'demo-frontier-key-not-a-secret';

/**
 * The baseline's script, the same in every run (its answers are cached after the first): on draft it
 * accepts exactly the cases llama3.1:8b accepts; on reason 95 % of the cases; on review the cases
 * gemma4:26b accepted before its regression; on coder every case, as qwen2.5-coder:14b does. Every role
 * listed here names the baseline in the demo registry.
 */
const FRONTIER_RIGHT: Record<string, { model: string; share: number }> = {
	draft: { model: 'llama3.1:8b', share: 0.86 },
	reason: { model: DEMO_BASELINE, share: 0.95 },
	review: { model: 'gemma4:26b', share: 0.6 },
	coder: { model: 'qwen2.5-coder:14b', share: 1 },
};

/** The fake Anthropic API's script for the demo: each case right or wrong as `FRONTIER_RIGHT` says. */
export function demoFrontier(cases: readonly Case[]): (call: MessagesCall) => MessagesReply {
	const byPrompt = new Map<string, Case>();
	for (const testCase of cases) {
		const prompt = taskFor(testCase.task).buildPrompt(testCase);
		const system = prompt.messages.filter((message) => message.role === 'system').map((message) => message.content);
		const rest = prompt.messages.filter((message) => message.role !== 'system').map((message) => message.content);
		byPrompt.set([system.join('\n\n'), ...rest].join('\n'), testCase);
	}
	const right = new Set<string>();
	for (const [role, roleCases] of Map.groupBy(cases, (testCase) => testCase.role)) {
		const script = FRONTIER_RIGHT[role];
		if (script) for (const id of casesAnsweredRight(script.model, roleCases, script.share)) right.add(id);
	}
	return (call) => {
		const testCase = byPrompt.get([call.system, ...call.messages.map((message) => message.content)].join('\n'));
		if (!testCase) throw new Error(`the demo has no case for a frontier prompt: ${call.messages[0]?.content.slice(0, 120)}`);
		return { text: right.has(testCase.id) ? rightAnswer(testCase) : wrongAnswer(testCase), delayMs: 5 };
	};
}

/** How one model behaves in one run. */
export interface DemoModelScript {
	/** Share of each role's cases answered with the reference (the rest get junk); 1 when a role is not listed. */
	acceptance?: Record<string, number>;
	/** Every call fails this way instead (a model that cannot run on the machine). */
	fault?: FakeReply;
	/** Bumped when the model is re-pulled: a new digest, so no cached answer applies. @default 1 */
	version?: number;
	/** Wait before the first token, ms: each model its own latency. */
	delayMs: number;
	/** Generation speed reported by the fake. */
	tokensPerSecond: number;
	/** What `ollama show` reports. */
	parameterSize: string;
}

/** One run of the scenario: when, what happened, and every model's script. */
export interface DemoRun {
	daysAgo: number;
	/** One line for the demo's log. */
	story: string;
	models: Record<string, DemoModelScript>;
	/** Apply the run's proposals afterwards, as the owner would with `npm run promote`, and commit them. */
	applyAfter: boolean;
}

const OOM = faults.streamError('CUDA error: out of memory', 1, { content: 'Add' });

const baseline: Record<string, DemoModelScript> = {
	'gemma4:latest': { acceptance: { draft: 0.6 }, delayMs: 18, tokensPerSecond: 62, parameterSize: '8.0B' },
	'llama3.1:8b': { acceptance: { draft: 0.86 }, delayMs: 12, tokensPerSecond: 71, parameterSize: '8.0B' },
	'granite3.3:8b': { fault: OOM, delayMs: 10, tokensPerSecond: 66, parameterSize: '8.2B' },
	'mistral-small3.2:24b': { acceptance: { draft: 0.56, review: 0.6 }, delayMs: 30, tokensPerSecond: 28, parameterSize: '24.0B' },
	'deepseek-r1:14b': { acceptance: { reason: 0.62 }, delayMs: 40, tokensPerSecond: 34, parameterSize: '14.8B' },
	'qwen3:14b': { acceptance: { reason: 0.85, coder: 0.5 }, delayMs: 25, tokensPerSecond: 38, parameterSize: '14.8B' },
	'qwen2.5-coder:14b': { acceptance: { reason: 0.5, coder: 1 }, delayMs: 22, tokensPerSecond: 40, parameterSize: '14.8B' },
	'gemma4:26b': { acceptance: { review: 0.6 }, delayMs: 35, tokensPerSecond: 24, parameterSize: '25.2B' },
	'phi4:14b': { acceptance: { review: 1, coder: 0.5 }, delayMs: 20, tokensPerSecond: 42, parameterSize: '14.7B' },
	'gpt-oss:120b-cloud': { delayMs: 15, tokensPerSecond: 90, parameterSize: '116.8B' },
};

/** The four runs, oldest first; the last is today's, made by the build itself. */
export const DEMO_RUNS: DemoRun[] = [
	{
		daysAgo: 21,
		story: 'a promotion earned, a diversity block, a hold for evidence, escalations, a model failing hard',
		models: baseline,
		applyAfter: true,
	},
	{ daysAgo: 14, story: 'granite3.3:8b fails hard on every case again: its retirement is proposed', models: baseline, applyAfter: true },
	{
		daysAgo: 7,
		story: 'deepseek-r1:14b, re-pulled, regresses on reason',
		models: { ...baseline, 'deepseek-r1:14b': { ...baseline['deepseek-r1:14b']!, version: 2, acceptance: { reason: 0.4 } } },
		applyAfter: false,
	},
	{
		daysAgo: 0,
		story: 'gemma4:26b, re-pulled, regresses on review',
		models: {
			...baseline,
			'deepseek-r1:14b': { ...baseline['deepseek-r1:14b']!, version: 2, acceptance: { reason: 0.4 } },
			'gemma4:26b': { ...baseline['gemma4:26b']!, version: 2, acceptance: { review: 0.4 } },
		},
		applyAfter: false,
	},
];

/** Reads every case committed in `benchmarks/cases/` of `root`, validated. */
export function committedCases(root: string = PROJECT_ROOT): Promise<Case[]> {
	return readCaseTree(path.join(root, 'benchmarks', 'cases'));
}

/** The order in which `model` gets a role's cases right: by a hash of model and case, so stable and model-specific. */
function rank(model: string, caseId: string): string {
	return createHash('sha256').update(`${model}\0${caseId}`).digest('hex');
}

/**
 * The ids of the cases `model` answers with the reference: the first round(share × n) of the role's
 * cases in the model's own hashed order. Deterministic, and nested — a lower share keeps a subset of
 * the cases a higher one got right, as a regression would. Pure.
 */
export function casesAnsweredRight(model: string, roleCases: readonly Case[], share: number): Set<string> {
	const ordered = [...roleCases].sort((a, b) => rank(model, a.id).localeCompare(rank(model, b.id)));
	return new Set(ordered.slice(0, Math.round(share * roleCases.length)).map((testCase) => testCase.id));
}

/** Finds the case a request is about by the prompt the harness builds for it (draft and review share diffs). */
function caseIndex(cases: readonly Case[]): (request: FakeRequest) => Case {
	const byPrompt = new Map<string, Case>();
	for (const testCase of cases) {
		const prompt = taskFor(testCase.task).buildPrompt(testCase);
		byPrompt.set(prompt.messages.map((message) => message.content).join('\n'), testCase);
	}
	return (request) => {
		const found = byPrompt.get(request.messages.map((message) => message.content).join('\n'));
		if (!found) throw new Error(`the demo has no case for a ${request.model} prompt: ${request.prompt.slice(0, 120)}`);
		return found;
	};
}

/** The fake Ollama models of one run: each answers every case right or wrong by its script. */
export function demoModels(run: DemoRun, cases: readonly Case[]): FakeModel[] {
	const caseOf = caseIndex(cases);
	const byRole = Map.groupBy(cases, (testCase) => testCase.role);
	return Object.entries(run.models).map(([name, script]) => {
		const right = new Set<string>();
		for (const [role, roleCases] of byRole) {
			for (const id of casesAnsweredRight(name, roleCases, script.acceptance?.[role] ?? 1)) right.add(id);
		}
		return {
			name,
			digest: digestOf(name, script.version),
			parameterSize: script.parameterSize,
			quantization: 'Q4_K_M',
			respond: (request: FakeRequest): FakeReply => {
				const testCase = caseOf(request);
				if (script.fault) return script.fault;
				const content = right.has(testCase.id) ? rightAnswer(testCase) : wrongAnswer(testCase);
				const evalCount = Math.max(8, Math.ceil(content.length / 4));
				return {
					content,
					evalCount,
					evalDurationMs: Math.round((evalCount / script.tokensPerSecond) * 1000),
					firstTokenDelayMs: script.delayMs,
				};
			},
		};
	});
}

async function git(root: string, args: string[]): Promise<string> {
	const { stdout } = await exec('git', args, { cwd: root, maxBuffer: 64 * 1024 * 1024 });
	return stdout.trim();
}

/** Commits everything in the workspace as the demo's owner, so each run records the harness commit it ran on. */
async function commitAll(root: string, message: string, when: Date): Promise<string> {
	await git(root, ['add', '-A']);
	const date = when.toISOString();
	await exec(
		'git',
		[
			'-c',
			'user.name=Local Model Benchmarks demo',
			'-c',
			'user.email=demo@localhost',
			'-c',
			'commit.gpgsign=false',
			'commit',
			'-q',
			'--no-verify',
			'-m',
			message,
		],
		{
			cwd: root,
			env: { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
		},
	);
	return git(root, ['rev-parse', 'HEAD']);
}

/** What the demo copies over the clone: the project's working tree, uncommitted edits included. */
const WORKING_FILES = ['astro.config.mjs', 'tsconfig.json', 'package.json', 'package-lock.json', 'src', 'scripts', 'benchmarks'];

/** A demo workspace: a git clone of the project with the demo registry committed on top. */
export interface DemoWorkspace extends ProjectCopy {
	/** The project's own commit the workspace starts from. */
	projectCommit: string;
	/** Whether the project had uncommitted changes (they are in the workspace's first commit). */
	projectDirty: boolean;
}

/**
 * A scratch git clone of this project (sharing its objects, so the coder cases' commits are there for
 * their tests), with the working tree's files copied over it, no reports, and the demo registry. That is
 * committed on top of the project's HEAD, so every report names a real harness commit whose parent is
 * the project's own. Throws when the project is not a git checkout: the coder cases need its history.
 */
export async function demoWorkspace(prefix = 'lmb-demo-', now: Date = new Date(), frontierUrl?: string): Promise<DemoWorkspace> {
	const root = await mkdtemp(path.join(os.tmpdir(), prefix));
	const dispose = () => rm(root, { recursive: true, force: true });
	try {
		const projectCommit = await git(PROJECT_ROOT, ['rev-parse', 'HEAD']).catch((cause: unknown) => {
			throw new Error(`the demo needs ${PROJECT_ROOT} to be a git checkout: its cases are commits of this repository`, { cause });
		});
		await exec('git', ['clone', '--quiet', '--shared', PROJECT_ROOT, root]);
		await git(root, ['checkout', '--quiet', '--detach', projectCommit]);
		for (const entry of WORKING_FILES) {
			await rm(path.join(root, entry), { recursive: true, force: true });
			cpSync(path.join(PROJECT_ROOT, entry), path.join(root, entry), { recursive: true });
		}
		// The installed packages are borrowed, package by package; git must not see the links (the manifest would call the tree dirty).
		await linkNodeModules(root);
		await writeFile(path.join(root, '.git', 'info', 'exclude'), '/node_modules\n');
		// The coder cases' old lockfiles are installed, and their tests run, once, into the project's cache: not once per demo.
		await shareExecuteCache(path.join(root, '.cache', 'execute'));
		const projectDirty = (await git(root, ['status', '--porcelain'])).length > 0;

		await removeReports(root);
		await writeDemoRegistry(root, frontierUrl);
		const first = new Date(now.getTime() - (DEMO_RUNS[0]!.daysAgo + 1) * DAY);
		await commitAll(
			root,
			[
				'Demo registry: nine simulated models on the committed cases',
				'',
				`The project at ${projectCommit}${projectDirty ? ' with its uncommitted changes' : ''}, its reports removed, and a`,
				'demo line-up in benchmarks/models.yaml and benchmarks/roles/. The models are scripted by a fake',
				'Ollama server: every number the runs report is simulated.',
			].join('\n'),
			first,
		);
		return { root, dispose, projectCommit, projectDirty };
	} catch (error) {
		await dispose();
		throw error;
	}
}

/**
 * Writes the demo line-up: the extra models appended to models.yaml, the roles rewritten with their
 * comments kept; with `frontierUrl`, the frontier baseline too (its model with demo prices, `baseline:`
 * on every role of `FRONTIER_RIGHT`, and policy.yaml's `baseline` section pointing at that fake API).
 */
async function writeDemoRegistry(root: string, frontierUrl?: string): Promise<void> {
	const models = path.join(root, 'benchmarks', 'models.yaml');
	const extra = DEMO_EXTRA_MODELS.map(
		(model) =>
			`\n- id: ${model.id}\n  family: ${model.family}\n  cost_tier: free\n  provider: ollama\n  notes: ${JSON.stringify(model.notes)}\n`,
	).join('');
	const frontier = frontierUrl
		? `\n- id: ${DEMO_BASELINE}\n  family: anthropic-claude\n  cost_tier: paid\n  provider: anthropic\n  price_per_mtok_in: 3\n  price_per_mtok_out: 15\n  notes: "Demo registry only: the frontier baseline, answered by a fake API at demo prices."\n`
		: '';
	await writeFile(models, `${(await readFile(models, 'utf8')).trimEnd()}\n${extra}${frontier}`);
	if (frontierUrl) {
		const policyFile = path.join(root, 'benchmarks', 'policy.yaml');
		const policy = parseDocument(await readFile(policyFile, 'utf8'));
		policy.set(
			'baseline',
			policy.createNode({
				base_url: frontierUrl,
				api_key_env: DEMO_FRONTIER_KEY_ENV,
				// Every case of every role in the first run (the committed set has a few hundred).
				max_calls_per_run: 1000,
				local_cost_per_gpu_hour: 0.2,
			}),
		);
		await writeFile(policyFile, policy.toString());
	}
	for (const [role, line] of Object.entries(DEMO_ROLES)) {
		const file = path.join(root, 'benchmarks', 'roles', `${role}.yaml`);
		const doc = parseDocument(await readFile(file, 'utf8'));
		doc.set('incumbent', line.incumbent);
		const challengers = doc.createNode(line.challengers);
		challengers.flow = false;
		doc.set('challengers', challengers);
		doc.set('retired', doc.createNode([]));
		if (frontierUrl && role in FRONTIER_RIGHT) doc.set('baseline', DEMO_BASELINE);
		await writeFile(file, doc.toString());
	}
}

const DAY = 24 * 60 * 60 * 1000;

/** The date of a run `daysAgo` days before `now`. */
export function runDate(now: Date, daysAgo: number): Date {
	return new Date(now.getTime() - daysAgo * DAY);
}

/**
 * The environment every demo run gets: the fake Ollama, never a real frontier API key (the escalation
 * chain's `ANTHROPIC_API_KEY` is empty), and the demo key the fake Anthropic API accepts for the baseline.
 */
export function demoEnv(ollamaUrl: string): NodeJS.ProcessEnv {
	return { OLLAMA_HOST: ollamaUrl, ANTHROPIC_API_KEY: '', [DEMO_FRONTIER_KEY_ENV]: DEMO_FRONTIER_KEY };
}

/**
 * Plays every run but the last (today's, which the build makes) in `workspace` against `fake`: the real
 * pipeline with a pinned clock, then — where the scenario says so — the proposals applied as
 * `npm run promote` does and committed, as the owner would. Returns each written report.
 */
export async function playEarlierRuns(
	workspace: string,
	fake: { url: string; setModels(models: FakeModel[]): void },
	cases: readonly Case[],
	logger: ProgressLogger,
	now: Date = new Date(),
): Promise<{ stem: string; report: Report }[]> {
	const written: { stem: string; report: Report }[] = [];
	for (const [index, run] of DEMO_RUNS.slice(0, -1).entries()) {
		logger.info(`run ${index + 1} of ${DEMO_RUNS.length}, ${run.daysAgo} days ago: ${run.story}`);
		fake.setModels(demoModels(run, cases));
		const when = runDate(now, run.daysAgo);
		const result = await runBenchmarkPipeline({ root: workspace, env: demoEnv(fake.url), logger, now: () => when });
		if (result.status !== 'written') throw new Error(`demo run ${index + 1} wrote no report (${result.status}).`);
		written.push({ stem: result.stem, report: result.report });
		if (run.applyAfter && result.report.proposals.length > 0) {
			const changes = await applyProposals(workspace, result.report.proposals, { date: result.report.date, report: result.stem });
			for (const change of changes) logger.info(`promote: ${change.note}`);
			const applied = new Date(when.getTime() + 60 * 60 * 1000);
			await commitAll(
				workspace,
				`Apply the proposals of ${result.stem}\n\n${changes.map((change) => `- ${change.note}`).join('\n')}`,
				applied,
			);
		}
	}
	return written;
}
