import path from 'node:path';
import { BASELINE_TEMPERATURE_NOTE, type BaselineOutcome, askBaseline, prepareBaseline } from '../baseline/run-baseline.ts';
import { escalationRunnerFor } from '../escalate/run-chain.ts';
import { summarizeEscalations, withStableEscalation } from '../escalate/summarize-escalations.ts';
import { BenchmarkError, describeError } from '../errors/describe-error.ts';
import { hashOf } from '../files/stable-json.ts';
import { computeMetrics } from '../metrics/compute-metrics.ts';
import { type Registry, loadRegistry } from '../registry/load-registry.ts';
import { REGISTRY_PATHS } from '../registry/paths.ts';
import { registryGaps } from '../registry/registry-gaps.ts';
import { harnessCommit, runtimeInfo } from '../report/harness-info.ts';
import { readRecentReports } from '../report/read-reports.ts';
import { decideRun } from '../policy/decide-run.ts';
import { type StopRule, createStopRule } from '../policy/sequential-stop.ts';
import { roleCosts, routeRun } from '../policy/route-run.ts';
import { type RunHistory, historyDepth } from '../policy/propose-changes.ts';
import { notMeasured, notMeasuredLine, notRunLine, summarizeNotRun } from '../report/not-run.ts';
import { renderReport } from '../report/render-report.ts';
import { writeNewReport } from '../report/write-report.ts';
import { createFileCache } from '../run/answer-cache.ts';
import { type ModelClient, createOllamaClient } from '../run/model-client.ts';
import { resolveOllamaHost } from '../run/ollama-host.ts';
import { type PlanFilters, byHost, planRun } from '../run/plan-run.ts';
import { probeOllama } from '../run/probe-ollama.ts';
import type { ProgressLogger } from '../run/ask-model.ts';
import { type SequentialRun, runBenchmark } from '../run/run-benchmark.ts';
import { createCaseOrders } from '../run/case-order.ts';
import { savedSentence, summarizeSequential } from '../report/sequential-summary.ts';
import type { Severity } from '../schema/common.ts';
import type { Case } from '../schema/case.ts';
import type { ManifestModel, Report } from '../schema/report.ts';
import { gradeContexts, taskFor } from '../tasks/index.ts';
import type { GraderValidity } from '../schema/validity.ts';
import { invalidRoles, measureGraderValidity } from '../validity/measure-validity.ts';
import { createExecutor } from '../execute/executor.ts';
import { executionPromotionBlocks } from '../execute/promotion-evidence.ts';

export interface PipelineOptions {
	root: string;
	env: NodeJS.ProcessEnv;
	logger: ProgressLogger;
	filters?: PlanFilters;
	/** Overrides run.repeats from policy.yaml. */
	repeats?: number;
	/** False with `--no-cache`. @default true */
	useCache?: boolean;
	/** Print the plan and the calls it would make; call nothing, write nothing. */
	dryRun?: boolean;
	/** The clock; tests pin it. */
	now?: () => Date;
	clientFor?: (host: string) => ModelClient;
	/**
	 * Whether a missing Ollama is an error (`npm run bench`, or a build with `BENCH_REQUIRED=1`) rather
	 * than a skipped benchmark. @default env.BENCH_REQUIRED === '1'
	 */
	requireOllama?: boolean;
	/** Said after "benchmark skipped: …": what happens instead (the build: the site is built from the reports). */
	whenSkipped?: string;
	/** The frontier baseline's fetch and wait between retries; tests pass their own. */
	baseline?: { fetch?: typeof fetch; sleep?: (ms: number) => Promise<void> };
}

export type PipelineResult =
	| { status: 'skipped'; reason: string }
	| { status: 'dry-run'; calls: number }
	| { status: 'unchanged'; latest: string }
	| { status: 'written'; stem: string; report: Report; file: string; results: string; modelCalls: number };

/** Where answers are cached, relative to the project root (ignored by git). */
export const CACHE_DIR = '.cache/answers';

/**
 * The whole benchmark, stage after stage: registry → plan → run (cached model calls) → metrics →
 * report. Shared by the build integration and `npm run bench`; they only choose the options.
 * Throws `RegistryError` on a bad registry before any model call.
 */
export async function runBenchmarkPipeline(options: PipelineOptions): Promise<PipelineResult> {
	const { root, env, logger } = options;
	const now = options.now ?? (() => new Date());
	const registry = await loadRegistry(root);
	logger.info(`registry: ${registry.models.length} models, ${registry.roles.length} roles, ${registry.cases.length} cases`);
	for (const gap of registryGaps({
		...registry,
		roles: registry.roles.map((entry) => entry.role),
		cases: registry.cases.map((entry) => entry.case),
	}))
		logger.warn(gap);

	const requiredByEnv = env.BENCH_REQUIRED === '1';
	const required = options.requireOllama ?? requiredByEnv;
	const then = options.whenSkipped ? ` ${options.whenSkipped}` : '';
	if (env.BENCH === '0') {
		if (requiredByEnv) throw new BenchmarkError('BENCH=0 and BENCH_REQUIRED=1 contradict each other.', { hint: 'unset one of them.' });
		return skipped(logger, `benchmark skipped: BENCH=0.${then}`, false);
	}

	const defaultHost = resolveOllamaHost(env.OLLAMA_HOST);
	const plans = planRun(registry, defaultHost, options.filters);
	const repeats = options.repeats ?? registry.policy.run.repeats;
	const planned = plans.reduce((sum, plan) => sum + plan.items.length, 0) * repeats;
	if (options.dryRun) {
		for (const plan of plans)
			logger.info(
				`plan: ${plan.hosts.join(' + ')} · ${plan.model} · ${plan.items.length} case(s) × ${repeats} repeat(s)${plan.parallel > 1 ? `, ${plan.parallel} at once per host` : ''}`,
			);
		const baseline = registry.policy.baseline;
		const baselineCases = registry.roles
			.filter((entry) => entry.role.baseline !== undefined)
			.reduce(
				(sum, entry) =>
					sum + Math.min(baseline?.max_cases_per_role ?? Infinity, registry.cases.filter((c) => c.case.role === entry.role.role).length),
				0,
			);
		if (baseline && baselineCases > 0)
			logger.info(
				`plan: frontier baseline · ${baselineCases} case(s), at most ${Math.min(baselineCases, baseline.max_calls_per_run)} billed call(s)${baseline.budget_usd_per_run === undefined ? '' : ` and $${baseline.budget_usd_per_run}`} (cached answers are free)`,
			);
		logger.info(
			`dry run: at most ${planned} model call(s) (cached answers are reused${registry.policy.evidence.sequential === 'off' ? '' : `; a challenger whose verdict settles early asks fewer, evidence.sequential: ${registry.policy.evidence.sequential}`}), ${plans.length} model load(s); nothing was called or written`,
		);
		return { status: 'dry-run', calls: planned };
	}

	for (const host of new Set([defaultHost, ...byHost(plans).keys()])) {
		const probe = await probeOllama(host, registry.policy.run.probe_timeout_s * 1000);
		if (!probe.reachable) {
			if (required) {
				const byEnv = options.requireOllama === undefined;
				const consequence = byEnv ? 'BENCH_REQUIRED=1 asks for the benchmark, so the build stops' : 'the benchmark cannot run';
				const instead = byEnv ? ', or unset BENCH_REQUIRED to build the site from the reports already in reports/' : '';
				throw new BenchmarkError(`No Ollama at ${host} (${probe.reason}): ${consequence}.`, {
					hint: `start Ollama (\`ollama serve\`) or point OLLAMA_HOST at one${instead}.`,
				});
			}
			return skipped(logger, `benchmark skipped: no Ollama at ${host} (${probe.reason}).${then}`, true);
		}
	}

	if (planned === 0) return skipped(logger, `benchmark skipped: no cases to run (mine some with \`npm run mine\`).${then}`, false);

	const startedAt = now();
	const cache = createFileCache(path.join(root, CACHE_DIR), { warn: (message) => logger.warn(message) });
	const clientFor = options.clientFor ?? ((host: string) => createOllamaClient(host));
	const runCases = [...new Map(plans.flatMap((plan) => plan.items.map((item) => [item.case.id, item.case] as const))).values()];
	// Implement-change answers are graded by running the case's tests: only then is an executor made
	// (it says once in the log which isolation the tests get).
	const executor = runCases.some((testCase) => testCase.task === 'implement-change' && testCase.tests)
		? await createExecutor({
				projectRoot: root,
				settings: registry.policy.coder,
				log: (message) => logger.info(message),
				useCache: options.useCache ?? true,
			})
		: undefined;
	const withheld = executionPromotionBlocks(runCases, executor);
	for (const [role, reason] of withheld) logger.warn(`${role}: no promotion this run: ${reason}`);
	// Every answer is graded in the registry's whole case set, whatever the filters: a grade must not
	// depend on which roles a run happened to include.
	const gradeContext = gradeContexts(
		registry.cases.map((entry) => entry.case),
		{ executor, coderAnswerFormat: registry.policy.coder.answer_format },
	);
	let outcome: Awaited<ReturnType<typeof runBenchmark>>;
	let baseline: BaselineOutcome | undefined;
	const sequential = sequentialRun(registry, repeats);
	try {
		const baselineDeps = {
			env,
			cache,
			logger,
			gradeContext,
			readCache: options.useCache ?? true,
			callTimeoutMs: registry.policy.run.call_timeout_s * 1000,
			...(sequential ? { sequential } : {}),
			...options.baseline,
		};
		// The frontier baseline's sample, identity and cached answers first (no billed call), so the stop rule
		// knows every order before the first result; its questions are asked after the local models, and it is
		// never a challenger (see src/lib/baseline).
		const preparedBaseline = await prepareBaseline(
			{ ...registry, cases: registry.cases.filter((entry) => runCases.some((testCase) => testCase.id === entry.case.id)) },
			baselineDeps,
		);
		outcome = await runBenchmark(
			plans,
			{
				clientFor,
				cache,
				logger,
				gradeContext,
				afterResult: escalationRunnerFor(registry, { env, cache, logger }),
				...(sequential ? { sequential } : {}),
			},
			{ run: registry.policy.run, repeats, useCache: options.useCache ?? true },
		);
		baseline = preparedBaseline && (await askBaseline(preparedBaseline, baselineDeps));
	} finally {
		// Folds this run's answer log into the cache's stores, even after a failed run: what was answered stays.
		await cache
			.close?.()
			.catch((error: unknown) =>
				logger.warn(`compacting the answer cache failed (${describeError(error)}); its log is kept and folded in next run`),
			);
	}
	const validity = await measureGraderValidity(runCases, gradeContext, registry.policy.run);
	for (const entry of validity) if (!entry.valid) logger.warn(`grader not valid on this run's cases: ${entry.reason}`);
	if (executor) logger.info(`coder tests: ${executor.stats.executed} run(s), ${executor.stats.cached} from the cache`);
	const finishedAt = now();

	const reportsDir = path.join(root, REGISTRY_PATHS.reports);
	// Only the runs the rules can look at (and the newest, to compare with): reading every archived
	// report would make each build slower than the last.
	const history = await readRecentReports(reportsDir, historyDepth(registry.policy));
	const report = buildReport(registry, outcome, {
		startedAt,
		finishedAt,
		repeats,
		harness: await harnessCommit(root),
		history: history.map((entry) => entry.report),
		validity,
		runCases,
		withheld,
		baseline,
		...(sequential ? { sequential: sequential.stopRule() } : {}),
	});
	if (report.sequential) logger.info(`evidence.sequential: ${report.sequential.mode}: ${savedSentence(report.sequential)}`);
	for (const summary of report.not_run ?? []) {
		const measured = !notMeasured(report).includes(summary);
		logger.warn(
			`${summary.role} · ${summary.model}: ${measured ? notRunLine(summary) : notMeasuredLine(summary)} — kept out of every metric and gate; asked again next run`,
		);
	}
	const latest = history.at(-1);
	if (latest && latest.report.manifest.evidence_hash === report.manifest.evidence_hash) {
		logger.info(`nothing changed since ${latest.stem} (same cases, policy, models and answers): no report written`);
		return { status: 'unchanged', latest: latest.stem };
	}
	const written = await writeNewReport(
		reportsDir,
		report.date,
		(stem) => {
			report.manifest.results_file = `reports/${stem}.results.json`;
			return renderReport(report);
		},
		outcome.results,
		outcome.notRun,
	);
	const notRunNote = outcome.notRun.length > 0 ? `, ${outcome.notRun.length} not run` : '';
	logger.info(
		`report written: reports/${written.stem}.md (${outcome.results.length} results${notRunNote}, ${outcome.modelCalls} model calls)`,
	);
	return { status: 'written', stem: written.stem, report, file: written.report, results: written.results, modelCalls: outcome.modelCalls };
}

/**
 * `evidence.sequential` for one run, or undefined when it is `off`: the case orders the run fills and the
 * stop rule it asks. The rule is made at its first use — the first result or question, by when the run has
 * written every order (the local models' once it has read /api/tags, the baseline's once it is prepared) —
 * because it reads the orders when it is made.
 */
function sequentialRun(registry: Registry, repeats: number): (SequentialRun & { stopRule(): StopRule }) | undefined {
	if (registry.policy.evidence.sequential === 'off') return undefined;
	const orders = createCaseOrders();
	let made: StopRule | undefined;
	const stopRule = () => {
		if (!made) {
			orders.seal();
			made = createStopRule({
				roles: registry.roles.map((entry) => entry.role),
				policy: registry.policy,
				catalog: new Map(registry.models.map((model) => [model.id, model])),
				order: (role, model) => orders.get(role, model),
				repeats,
			});
		}
		return made;
	};
	return {
		orders,
		stopRule,
		rule: {
			goOn: (role, model) => stopRule().goOn(role, model),
			observe: (result) => stopRule().observe(result),
			skip: (role, model, caseId) => stopRule().skip(role, model, caseId),
		},
	};
}

function skipped(logger: ProgressLogger, reason: string, warn: boolean): PipelineResult {
	if (warn) logger.warn(reason);
	else logger.info(reason);
	return { status: 'skipped', reason };
}

interface RunFacts {
	startedAt: Date;
	finishedAt: Date;
	repeats: number;
	harness: { commit: string | null; dirty: boolean };
	/** Earlier reports, oldest first. */
	history: RunHistory;
	/** Per task, whether the grader is valid on the run's cases. */
	validity: GraderValidity[];
	/** The cases this run graded. */
	runCases: readonly Case[];
	/** Roles whose results may not back a promotion this run, with why (see `executionPromotionBlocks`). */
	withheld?: ReadonlyMap<string, string>;
	/** What the frontier baseline answered; undefined when policy.yaml has no `baseline`. */
	baseline?: BaselineOutcome;
	/** The run's stop rule after every result (`evidence.sequential`); undefined when it is `off`. */
	sequential?: StopRule;
}

/** Both reasons a role's verdicts are withheld (an invalid grader, coder tests that could not back a promotion), joined per role. */
function withheldRoles(invalid: ReadonlyMap<string, string>, withheld: ReadonlyMap<string, string> = new Map()): Map<string, string> {
	const joined = new Map(invalid);
	for (const [role, reason] of withheld) joined.set(role, joined.has(role) ? `${joined.get(role)}; ${reason}` : reason);
	return new Map([...joined].sort(([a], [b]) => a.localeCompare(b)));
}

/** Said in the manifest of a run that sent a model several requests at once. */
export const PARALLEL_NOTE =
	'Some models were asked several cases at once (`parallel` above 1 in models.yaml, per model in manifest.models). Ollama may batch such requests, so their answers can differ from answers asked one at a time.';

/** Said in the manifest of a run that asked a model with a smaller `num_ctx` than policy.yaml's. */
export const CONTEXT_CAP_NOTE =
	'Some models were trained for a shorter context than run.num_ctx: they were asked with num_ctx capped at their trained length (manifest.models: options.num_ctx, context_length), as Ollama would have capped it anyway.';

/** What a reader must know about how the answers were asked. */
function manifestNotes(models: readonly ManifestModel[], numCtx: number, baseline?: BaselineOutcome): { notes?: string[] } {
	const notes = [
		...(baseline?.roles.some((role) => role.answers.length > 0) ? [BASELINE_TEMPERATURE_NOTE] : []),
		...(models.some((model) => (model.parallel ?? 1) > 1) ? [PARALLEL_NOTE] : []),
		...(models.some((model) => model.context_length !== undefined && model.context_length < numCtx) ? [CONTEXT_CAP_NOTE] : []),
	];
	return notes.length > 0 ? { notes } : {};
}

/** Assembles the report data from a run. Pure. */
export function buildReport(registry: Registry, outcome: Awaited<ReturnType<typeof runBenchmark>>, facts: RunFacts): Report {
	const casesPerRole = new Map<string, { id: string; severity: Severity }[]>();
	for (const { case: testCase } of registry.cases) {
		casesPerRole.set(testCase.role, [...(casesPerRole.get(testCase.role) ?? []), { id: testCase.id, severity: testCase.severity }]);
	}
	const metrics = computeMetrics(outcome.results, casesPerRole, registry.policy.severity_weights, facts.repeats);
	const policyHash = hashOf(registry.policy);
	const casesHash = hashOf(registry.cases.map((entry) => entry.case).sort((a, b) => a.id.localeCompare(b.id)));
	const date = facts.startedAt.toISOString().slice(0, 10);
	// What the verdicts rest on: an unchanged rebuild (same inputs, same cached answers) hashes the same.
	const graders = Object.fromEntries(
		[...new Set(facts.runCases.map((testCase) => testCase.task))].sort().map((task) => [task, taskFor(task).graderVersion]),
	);
	const notRun = summarizeNotRun(outcome.notRun);
	const evidenceHash = hashOf({
		validity: facts.validity,
		policyHash,
		casesHash,
		roles: registry.roles.map((entry) => entry.role),
		// The trained context a model reports is not evidence; the num_ctx it was asked with (in its options) is.
		// A model is its digest and options: the server's address, however it is spelled (127.0.0.1 or
		// localhost, one host or a pool), is not evidence.
		models: outcome.models.map(({ context_length: _contextLength, host: _host, hosts: _hosts, ...model }) => model),
		// Neither where an answer came from (the cache, which host of a pool, which server version) changes the evidence.
		// …nor how long the server took to read the prompt (kept since the frontier baseline; older reports lack it).
		results: outcome.results.map(
			({ cached: _cached, host: _host, ollama_version: _version, prompt_eval_duration_ns: _promptNs, ...result }) =>
				withStableEscalation(result),
		),
		// Which cases were not run and why, not the server's words or the attempts (a memory figure or a
		// retry count that differs is no new evidence). Absent when every case ran, so such hashes are as before.
		...(outcome.notRun.length > 0
			? { notRun: outcome.notRun.map((entry) => [entry.role, entry.model, entry.case_id, entry.repeat, entry.reason, entry.stage]) }
			: {}),
		// The baseline's graded answers (absent without a baseline, so older reports hash as before).
		...(facts.baseline
			? {
					baseline: facts.baseline.roles.map((role) => ({
						role: role.role,
						by: role.answeredBy,
						results: role.answers.map(({ result: { cached: _cached, latency_ms: _latency, ...result } }) => result),
					})),
				}
			: {}),
	});
	const manifest: Report['manifest'] = {
		started_at: facts.startedAt.toISOString(),
		finished_at: facts.finishedAt.toISOString(),
		harness: facts.harness,
		ollama: outcome.ollama,
		models: outcome.models,
		policy_hash: policyHash,
		cases_hash: casesHash,
		runtime: runtimeInfo(),
		repeats: facts.repeats,
		model_calls: outcome.modelCalls,
		answers_from_older_ollama: outcome.answersFromOlderOllama,
		evidence_hash: evidenceHash,
		results_file: '',
		...manifestNotes(outcome.models, registry.policy.run.num_ctx, facts.baseline),
		graders,
	};
	const decision = decideRun({
		roles: registry.roles.map((entry) => entry.role),
		models: registry.models,
		casesPerRole: new Map([...casesPerRole].map(([role, list]) => [role, list.length])),
		metrics,
		results: outcome.results,
		policy: registry.policy,
		history: facts.history,
		manifest,
		invalidRoles: withheldRoles(invalidRoles(facts.runCases, facts.validity), facts.withheld),
		notRun: outcome.notRun,
		notMeasured: notMeasuredByRole(metrics, notRun),
		...(facts.sequential ? { sequential: facts.sequential } : {}),
	});
	const escalations = summarizeEscalations(registry, outcome.results);
	return {
		title: `Local model benchmark ${date}`,
		date,
		manifest,
		metrics,
		...decision,
		escalations,
		grader_validity: facts.validity,
		...(notRun.length > 0 ? { not_run: notRun } : {}),
		routing: routeRun({
			roles: registry.roles.map((entry) => entry.role),
			models: registry.models,
			cases: facts.runCases,
			results: outcome.results,
			baseline: facts.baseline,
			policy: registry.policy,
			...(escalations ? { escalations } : {}),
			...(facts.sequential ? { sequential: facts.sequential } : {}),
		}),
		...(facts.baseline ? { baseline_run: facts.baseline.run } : {}),
		...(facts.sequential && facts.sequential.mode !== 'off'
			? {
					sequential: summarizeSequential({
						mode: facts.sequential.mode,
						stops: facts.sequential.stops(),
						notAsked: outcome.notAsked ?? [],
						results: outcome.results,
						modelCalls: outcome.modelCalls,
						...(facts.baseline ? { baseline: facts.baseline } : {}),
						catalog: new Map(registry.models.map((model) => [model.id, model])),
					}),
				}
			: {}),
		costs: roleCosts({ models: registry.models, results: outcome.results, baseline: facts.baseline, policy: registry.policy }),
	};
}

/** Per role, the models none of whose cases ran, with the line that says why. */
function notMeasuredByRole(metrics: Report['metrics'], notRun: NonNullable<Report['not_run']>): Map<string, Map<string, string>> {
	const byRole = new Map<string, Map<string, string>>();
	for (const summary of notMeasured({ metrics, not_run: notRun })) {
		byRole.set(summary.role, (byRole.get(summary.role) ?? new Map<string, string>()).set(summary.model, notMeasuredLine(summary)));
	}
	return byRole;
}
