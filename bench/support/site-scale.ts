import { createHash } from 'node:crypto';
import { cp, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildReport } from '../../src/lib/pipeline/benchmark-pipeline.ts';
import { loadRegistry } from '../../src/lib/registry/load-registry.ts';
import { REGISTRY_PATHS } from '../../src/lib/registry/paths.ts';
import { renderReport } from '../../src/lib/report/render-report.ts';
import { writeNewReport } from '../../src/lib/report/write-report.ts';
import { type Evaluation, evaluateAnswer, hardFailure } from '../../src/lib/run/evaluate-answer.ts';
import type { ChatAnswer } from '../../src/lib/run/model-client.ts';
import { planRun } from '../../src/lib/run/plan-run.ts';
import { callOptions } from '../../src/lib/run/ask-model.ts';
import type { Case } from '../../src/lib/schema/case.ts';
import { type CaseResult, CaseResultSchema, type ManifestModel, type Report } from '../../src/lib/schema/report.ts';
import { type GradeContext, gradeContexts, taskFor } from '../../src/lib/tasks/index.ts';
import { rightAnswer, wrongAnswer } from '../../testing/workspace.ts';
import { generateCases } from './generated-cases.ts';
import { type LargestFile, type SiteFiles, astroBuildMeasured, largestFiles } from './measure.ts';
import { PROJECT_ROOT, type ProjectCopy } from '../../testing/project-copy.ts';
import { untrackScratch } from './scratch.ts';
import { ROLES, siteWorkspace, withoutEscalation } from './perf-workspace.ts';
import { seededRandom } from '../../src/lib/metrics/seeded-random.ts';

/** The built site at scale. */
export interface SiteScaleFigures {
	cases: number;
	models: number;
	runs: number;
	/** Results per run, and over every run. */
	resultsPerRun: number;
	results: number;
	/** Seconds to generate the workspace (cases, registry, reports): not part of the build. */
	generateSeconds: number;
	/** Bytes of the reports and their results sidecars. */
	reportBytes: number;
	buildSeconds: number;
	buildOk: boolean;
	/** The build's last lines when it failed. */
	buildTail: string | null;
	peakRssBytes: number | null;
	peakRssBy: string;
	html: LargestFile;
	json: LargestFile;
	/** The largest files of any kind, biggest first. */
	largest: { file: string; bytes: number }[];
	/** Per kind of page and of JSON file: how many, and the largest. */
	byKind: SiteFiles['byKind'];
	distFiles: number;
	distBytes: number;
}

/** Nine local models of six families. */
const MODELS = [
	{ id: 'deepseek-r1:14b', family: 'deepseek' },
	{ id: 'gemma4:26b', family: 'google-gemma' },
	{ id: 'gemma4:latest', family: 'google-gemma' },
	{ id: 'granite3.3:8b', family: 'ibm-granite' },
	{ id: 'llama3.1:8b', family: 'meta-llama' },
	{ id: 'mistral-small3.2:24b', family: 'mistral' },
	{ id: 'phi4:14b', family: 'microsoft-phi' },
	{ id: 'qwen2.5-coder:14b', family: 'alibaba-qwen' },
	{ id: 'qwen3:8b', family: 'alibaba-qwen' },
];

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Generates a workspace of `cases` cases × `models` models (every model in every role) × `runs` reports
 * with their results sidecars, through the project's own writers and schemas, then runs `BENCH=0 astro
 * build` on it and measures time, peak memory and the largest files. The results are synthetic — each
 * model answers right or wrong with its own skill, or fails hard now and then, and every answer is graded
 * by the real graders — and live only in the temporary folder: a harness benchmark, never evidence.
 */
export async function measureSiteScale(options: ScaleOptions): Promise<SiteScaleFigures> {
	const log = options.log ?? (() => {});
	const started = performance.now();
	const { workspace, reportBytes } =
		options.keepIn === undefined ? await createScaleWorkspace(options) : await keptScaleWorkspace(options, options.keepIn);
	try {
		const generateSeconds = (performance.now() - started) / 1000;
		log(
			`site scale: workspace ready in ${generateSeconds.toFixed(0)} s (${(reportBytes / 1e6).toFixed(0)} MB of reports); building with BENCH=0`,
		);
		const build = await astroBuildMeasured(workspace.root, { BENCH: '0' });
		const dist = path.join(workspace.root, 'dist');
		const files = build.code === 0 ? await largestFiles(dist, 1_000_000) : undefined;
		const resultsPerRun = options.cases * options.models;
		return {
			cases: options.cases,
			models: options.models,
			runs: options.runs,
			resultsPerRun,
			results: resultsPerRun * options.runs,
			generateSeconds,
			reportBytes,
			buildSeconds: build.seconds,
			buildOk: build.code === 0,
			buildTail: build.code === 0 ? null : build.output.split('\n').slice(-40).join('\n'),
			peakRssBytes: build.peakRssBytes,
			peakRssBy: build.peakRssBy,
			html: files?.html ?? { file: null, bytes: 0, count: 0, over: 0 },
			json: files?.json ?? { file: null, bytes: 0, count: 0, over: 0 },
			largest: files?.largest ?? [],
			byKind: files?.byKind ?? {},
			distFiles: files?.files ?? 0,
			distBytes: files?.totalBytes ?? 0,
		};
	} finally {
		await workspace.dispose();
	}
}

/** The size of a scale workspace. */
export interface ScaleOptions {
	cases: number;
	/** At most nine. */
	models: number;
	runs: number;
	/**
	 * A folder that keeps the workspace between measurements: generated there when it holds none of this
	 * size, reused (with the project's current site code copied in) when it does. Not removed afterwards.
	 */
	keepIn?: string;
	log?: (line: string) => void;
}

/** What a kept workspace records about itself, in `SCALE_MARKER`. */
interface ScaleMarker {
	cases: number;
	models: number;
	runs: number;
	reportBytes: number;
}

/** The file that marks a folder as a complete kept scale workspace; written last, so a half-made one has none. */
const SCALE_MARKER = '.lmb-scale-workspace.json';

/**
 * A scale workspace kept in `dir`. Generating one takes minutes and its reports do not depend on the site
 * code, so a kept one of the same size is reused: its site code (`src`, the config) is replaced by the
 * project's current one, and the last build's output and Astro's content store are removed so the build
 * starts as cold as in a fresh copy. `dispose` keeps the folder.
 */
async function keptScaleWorkspace(options: ScaleOptions, dir: string): Promise<{ workspace: ProjectCopy; reportBytes: number }> {
	const log = options.log ?? (() => {});
	const root = path.resolve(dir);
	const marker = await readFile(path.join(root, SCALE_MARKER), 'utf8').then(
		(text) => JSON.parse(text) as ScaleMarker,
		() => undefined,
	);
	if (marker && marker.cases === options.cases && marker.models === options.models && marker.runs === options.runs) {
		for (const entry of SITE_CODE) {
			await rm(path.join(root, entry), { recursive: true, force: true });
			await cp(path.join(PROJECT_ROOT, entry), path.join(root, entry), { recursive: true });
		}
		for (const built of ['dist', '.astro', 'node_modules/.astro', 'node_modules/.vite'])
			await rm(path.join(root, built), { recursive: true, force: true });
		log(`site scale: reusing the workspace kept in ${root} (site code copied from the project)`);
		return { workspace: { root, dispose: async () => {} }, reportBytes: marker.reportBytes };
	}
	if ((await readdir(root).catch(() => [])).length > 0) {
		throw new Error(
			`--scale-workspace ${root} is not empty and holds no scale workspace of ${options.cases} cases × ${options.models} models × ${options.runs} runs; expected an empty or missing folder, or one kept by an earlier run of that size.`,
		);
	}
	const { workspace, reportBytes } = await createScaleWorkspace(options);
	await mkdir(path.dirname(root), { recursive: true });
	await rm(root, { recursive: true, force: true });
	// A rename when both are on one file system; a copy otherwise.
	await rename(workspace.root, root).catch(async () => {
		await cp(workspace.root, root, { recursive: true, verbatimSymlinks: true });
		await workspace.dispose();
	});
	untrackScratch(workspace.root);
	await writeFile(
		path.join(root, SCALE_MARKER),
		`${JSON.stringify({ cases: options.cases, models: options.models, runs: options.runs, reportBytes } satisfies ScaleMarker)}\n`,
	);
	log(`site scale: workspace kept in ${root}`);
	return { workspace: { root, dispose: async () => {} }, reportBytes };
}

/** What a kept workspace takes anew from the project before each build: the site's code, not its data. */
const SITE_CODE = ['src', 'astro.config.mjs', 'tsconfig.json', 'package.json'];

/**
 * A copy of the project whose registry has `models` models, each in every role, `cases` generated
 * cases, and `runs` weekly reports with their results sidecars. The caller disposes of it.
 */
export async function createScaleWorkspace(options: ScaleOptions): Promise<{ workspace: ProjectCopy; reportBytes: number }> {
	if (options.models > MODELS.length) throw new Error(`a scale workspace has at most ${MODELS.length} models, not ${options.models}.`);
	const models = MODELS.slice(0, options.models);
	const cases = await generateCases(options.cases);
	const workspace = await siteWorkspace('lmb-perf-scale-', {
		models: models.map((model) => ({ ...model, cost_tier: 'free', provider: 'ollama' })),
		roles: ROLES.map((role, index) => {
			const incumbent = models[index % models.length]!.id;
			return {
				role,
				description: `The ${role} slot.`,
				incumbent,
				challengers: models.map((model) => model.id).filter((id) => id !== incumbent),
			};
		}),
		cases,
		policy: withoutEscalation,
	});
	try {
		return { workspace, reportBytes: await writeRuns(workspace.root, options.runs, options.log ?? (() => {})) };
	} catch (error) {
		await workspace.dispose();
		throw error;
	}
}

/** Writes `runs` weekly reports with their results sidecars into `root/reports`; returns their bytes. */
async function writeRuns(root: string, runs: number, log: (line: string) => void): Promise<number> {
	const registry = await loadRegistry(root);
	const host = 'http://127.0.0.1:11434';
	const plans = planRun(registry, host);
	const sent = callOptions(registry.policy.run);
	const rand = seededRandom(20261126);
	// Each case graded once per kind of answer: the graders are the real ones, the runs only choose.
	const graded = new Map<string, { right: Graded; wrong: Graded }>();
	const contexts = gradeContexts(registry.cases.map((entry) => entry.case));
	for (const { case: testCase } of registry.cases) {
		const context = contexts(testCase.task);
		graded.set(testCase.id, {
			right: await grade(testCase, rightAnswer(testCase), sent, context),
			wrong: await grade(testCase, wrongAnswer(testCase), sent, context),
		});
	}
	const modelIndex = new Map(registry.models.map((model, index) => [model.id, index]));
	const history: Report[] = [];
	let bytes = 0;
	for (let run = 0; run < runs; run++) {
		const startedAt = new Date(Date.UTC(2026, 0, 5) + run * 7 * DAY_MS);
		const results: CaseResult[] = [];
		const manifestModels: ManifestModel[] = [];
		for (const plan of plans) {
			const index = modelIndex.get(plan.model) ?? 0;
			// A re-pull every fourth run gives a model a new digest, as `ollama pull` would.
			const digest = sha256(`${plan.model}#${Math.floor((run + index) / 4)}`);
			manifestModels.push({
				id: plan.model,
				digest,
				family: registry.models[index]?.family ?? null,
				parameter_size: '8.0B',
				quantization: 'Q4_K_M',
				host,
				options: { ...sent },
			});
			const skill = Math.min(0.95, 0.5 + index * 0.04 + run * 0.01);
			const loadMs = Math.round(800 + rand() * 4000);
			for (const item of plan.items) {
				const roll = rand();
				const kind = roll < 0.03 ? 'hard' : roll < 0.03 + skill ? 'right' : 'wrong';
				const latency = Math.round(300 + rand() * 6000);
				const answer = kind === 'hard' ? undefined : graded.get(item.case.id)![kind];
				const evaluation: Evaluation = answer?.evaluation ?? hardFailure('timeout', 'the call took longer than run.call_timeout_s');
				const evalCount = answer ? Math.ceil(answer.content.length / 4) : 0;
				results.push({
					role: item.role,
					model: plan.model,
					case_id: item.case.id,
					task: item.case.task,
					severity: item.case.severity,
					repeat: 0,
					outcome: evaluation.outcome,
					failure_class: evaluation.failureClass,
					failure_message: evaluation.failureMessage,
					checks: evaluation.checks,
					quality: Math.round(evaluation.quality * 1e4) / 1e4,
					output: answer?.content ?? '',
					thinking_chars: 0,
					latency_ms: answer ? latency : null,
					ttft_ms: answer ? Math.round(latency / 5) : null,
					eval_count: evalCount,
					eval_duration_ns: evalCount * 25_000_000,
					prompt_eval_count: answer ? 600 : 0,
					load_ms: loadMs,
					cached: false,
					cache_key: sha256(`${digest}:${item.case.id}`),
					tags: [],
				});
			}
		}
		if (run === 0) for (const result of results.slice(0, 50)) CaseResultSchema.parse(result);
		const finishedAt = new Date(startedAt.getTime() + results.length * 2500);
		const outcome = {
			results,
			notRun: [],
			models: manifestModels.sort((a, b) => a.id.localeCompare(b.id)),
			ollama: [{ host, version: '0.12.6' }],
			modelCalls: results.length,
			answersFromOlderOllama: 0,
		};
		const report = buildReport(registry, outcome, {
			startedAt,
			finishedAt,
			repeats: 1,
			harness: { commit: null, dirty: false },
			history,
			validity: [],
			runCases: registry.cases.map((entry) => entry.case),
		});
		const reportsDir = path.join(root, REGISTRY_PATHS.reports);
		let markdown = '';
		const { stem } = await writeNewReport(
			reportsDir,
			report.date,
			(name) => {
				report.manifest.results_file = `${REGISTRY_PATHS.reports}/${name}.results.json`;
				markdown = renderReport(report);
				return markdown;
			},
			results,
		);
		bytes += Buffer.byteLength(markdown) + (await stat(path.join(reportsDir, `${stem}.results.json`))).size;
		history.push(report);
		log(`site scale: wrote ${stem} (${results.length} results)`);
	}
	return bytes;
}

interface Graded {
	content: string;
	evaluation: Evaluation;
}

/** Grades `content` as an answer to `testCase`, with the real parser and grader. */
async function grade(testCase: Case, content: string, sent: ReturnType<typeof callOptions>, context: GradeContext): Promise<Graded> {
	const answer: ChatAnswer = {
		content,
		thinking: '',
		doneReason: 'stop',
		latencyMs: 1000,
		ttftMs: 200,
		evalCount: 40,
		evalDurationNs: 4e8,
		promptEvalCount: 600,
		loadDurationNs: 0,
	};
	return { content, evaluation: await evaluateAnswer(testCase, taskFor(testCase.task), answer, sent, context) };
}
