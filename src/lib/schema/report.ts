import { z } from 'astro/zod';
import { ExecutionRecordSchema } from './execution.ts';
import { DateSchema, ModelIdSchema, SeveritySchema, SlugSchema, TimestampSchema } from './common.ts';
import { EscalationRecordSchema, EscalationSummarySchema } from './escalation.ts';
import { GraderValiditySchema } from './validity.ts';
import { SEQUENTIAL_MODES } from './policy.ts';

/**
 * Why a call produced no usable answer. `context-overflow` is the harness's (a prompt that did not fit
 * `num_ctx`, refused before the call or cut or refused by the server); `repetition` is the model's (a
 * generation Ollama stopped for repeating one token: the stream ends after tokens with no done chunk);
 * `refusal` is a frontier model's (stop_reason `refusal`: it declined to answer).
 */
export const HARD_FAILURE_CLASSES = [
	'transport',
	'timeout',
	'stall',
	'model-missing',
	'empty',
	'thinking-exhausted',
	'length',
	'unparseable',
	'server-error',
	'context-overflow',
	'repetition',
	'malformed-edit',
	'refusal',
] as const;
export const HardFailureClassSchema = z.enum(HARD_FAILURE_CLASSES);
export type HardFailureClass = z.infer<typeof HardFailureClassSchema>;

/**
 * Why the server could not serve a case — the host's state, not the model's answer: `busy` (503, its queue
 * is full), `rate-limited` (429), `reset` (the connection dropped before the first token), `out-of-memory`
 * (a load that did not fit, 500 with Ollama's out-of-memory text), `no-first-token` (silence before the first
 * token for `run.stall_timeout_s`: Ollama holds a request beyond `OLLAMA_NUM_PARALLEL` without a byte until a
 * slot frees, so a queued request and a stall look alike there; after the first token a stall is the model's).
 */
export const NOT_RUN_REASONS = ['busy', 'rate-limited', 'reset', 'out-of-memory', 'no-first-token'] as const;
export const NotRunReasonSchema = z.enum(NOT_RUN_REASONS);
export type NotRunReason = z.infer<typeof NotRunReasonSchema>;
/** How the log, the report and the site name each reason. */
export const NOT_RUN_REASON_TEXT: Record<NotRunReason, string> = {
	busy: 'server busy',
	'rate-limited': 'rate limited (429)',
	reset: 'connection reset before the first token',
	'out-of-memory': 'out of memory',
	'no-first-token': 'no first token within run.stall_timeout_s (queued behind other requests, or still reading the prompt)',
};

/** One check of one answer. */
export const CheckResultSchema = z.strictObject({
	name: z.string(),
	required: z.boolean(),
	pass: z.boolean(),
	detail: z.string(),
});

/** accepted: every required check passed; rejected: answered, a required check failed; hard-failure: no usable answer. */
export const OutcomeSchema = z.enum(['accepted', 'rejected', 'hard-failure']);
export type Outcome = z.infer<typeof OutcomeSchema>;

/** One model's answer to one case (one repeat), graded; the sidecar of a report holds all of them. */
export const CaseResultSchema = z.strictObject({
	role: SlugSchema,
	model: ModelIdSchema,
	case_id: z.string(),
	task: z.string(),
	severity: SeveritySchema,
	/** 0-based repeat number. */
	repeat: z.number().int().min(0),
	outcome: OutcomeSchema,
	failure_class: HardFailureClassSchema.nullable(),
	failure_message: z.string().nullable(),
	checks: z.array(CheckResultSchema),
	quality: z.number().min(0).max(1),
	/** The model's answer as text (thinking excluded). */
	output: z.string(),
	thinking_chars: z.number().int().min(0),
	latency_ms: z.number().nullable(),
	ttft_ms: z.number().nullable(),
	eval_count: z.number().int().min(0),
	eval_duration_ns: z.number().min(0),
	prompt_eval_count: z.number().int().min(0),
	/** Ollama's `prompt_eval_duration`, ns: with load and eval time, the GPU time the answer took. Absent in older reports. */
	prompt_eval_duration_ns: z.number().min(0).optional(),
	load_ms: z.number().nullable(),
	/** True when the answer came from the cache rather than a model call in this run. */
	cached: z.boolean(),
	cache_key: z.string().nullable(),
	/** The Ollama that answered (a model served by a pool of hosts shares its cases among them); absent in older reports. */
	host: z.string().optional(),
	/**
	 * The version of the Ollama that gave the answer: for a cached answer, the one that answered then (null
	 * when the cache did not record it). Absent in older reports and on results no model answered.
	 */
	ollama_version: z.string().nullable().optional(),
	/** e.g. `turbo-escalation`. */
	tags: z.array(z.string()).default([]),
	/** Turbo escalation: the chain's second opinion on an incumbent rejection; never part of this result's own grade. */
	escalation: EscalationRecordSchema.optional(),
	/** implement-change: the run of the case's tests on this answer (tests, passed, failed, time, isolation). */
	execution: ExecutionRecordSchema.optional(),
});
export type CaseResult = z.infer<typeof CaseResultSchema>;

/**
 * A case (one repeat) the server could not serve after the run's retries: not a result — no grade, no
 * metric, no gate — never cached, and asked again by the next run. The results sidecar lists each.
 */
export const NotRunCaseSchema = z.strictObject({
	role: SlugSchema,
	model: ModelIdSchema,
	case_id: z.string(),
	task: z.string(),
	severity: SeveritySchema,
	/** 0-based repeat number. */
	repeat: z.number().int().min(0),
	reason: NotRunReasonSchema,
	/** `load`: the model's load request failed, so the case was never sent; `chat`: the case's own request. */
	stage: z.enum(['load', 'chat']),
	/** The server's last answer, e.g. `HTTP 503: server busy, please try again.  maximum pending requests exceeded`. */
	message: z.string(),
	/** Requests sent for it: the first and every retry. */
	attempts: z.number().int().min(1),
	/** The Ollama that could not serve it. */
	host: z.string().optional(),
});
export type NotRunCase = z.infer<typeof NotRunCaseSchema>;

/** Per role × model, the results the run could not get, and why. A model whose every result is here was not measured. */
export const NotRunSummarySchema = z.strictObject({
	role: SlugSchema,
	model: ModelIdSchema,
	/** Results not run (cases × repeats). */
	count: z.number().int().min(1),
	reasons: z.partialRecord(NotRunReasonSchema, z.number().int().min(1)),
	/** True when the model's load failed on every host that tried it: none of these was asked. */
	load_failed: z.boolean(),
	/** The server's last message, as it said it. */
	message: z.string(),
});
export type NotRunSummary = z.infer<typeof NotRunSummarySchema>;

/** A rate with its 95 % Wilson score interval. */
export const RateSchema = z.strictObject({
	value: z.number().min(0).max(1),
	low: z.number().min(0).max(1),
	high: z.number().min(0).max(1),
});

/** What the run knew about one model. */
export const ManifestModelSchema = z.strictObject({
	id: ModelIdSchema,
	/** Digest from Ollama's /api/tags, or null when the model was missing. */
	digest: z.string().nullable(),
	family: z.string().nullable(),
	parameter_size: z.string().nullable(),
	quantization: z.string().nullable(),
	host: z.string(),
	/** Every host that served the model when it had a pool (`hosts:`); each result names its own. */
	hosts: z.array(z.string()).optional(),
	/**
	 * Requests sent to the model at once on each host. Above 1 Ollama may batch them, and answers can
	 * differ from those asked one at a time. Absent in older reports (1).
	 */
	parallel: z.number().int().min(1).optional(),
	/** The options sent with every call. */
	options: z.record(z.string(), z.unknown()),
	/**
	 * The context length the model was trained for, as Ollama reports it. `options.num_ctx` is capped at it
	 * (Ollama would cap it anyway, without a word). Absent in older reports and when the server did not say.
	 */
	context_length: z.number().int().min(1).optional(),
});

export type ManifestModel = z.infer<typeof ManifestModelSchema>;

/** Everything needed to say what produced a report. */
export const ManifestSchema = z.strictObject({
	/** When the run started, ISO 8601 UTC. */
	started_at: TimestampSchema,
	finished_at: TimestampSchema,
	harness: z.strictObject({ commit: z.string().nullable(), dirty: z.boolean() }),
	ollama: z.array(z.strictObject({ host: z.string(), version: z.string().nullable() })),
	models: z.array(ManifestModelSchema),
	policy_hash: z.string(),
	cases_hash: z.string(),
	runtime: z.strictObject({ name: z.string(), version: z.string() }),
	repeats: z.number().int().min(1),
	/** Model calls this run made (cached answers excluded). */
	model_calls: z.number().int().min(0),
	/**
	 * Cached answers this run used that another Ollama version gave — an older one, after an upgrade — or
	 * that did not record their version (policy.yaml `run.reask_after_upgrade` asks them again). Absent in
	 * older reports.
	 */
	answers_from_older_ollama: z.number().int().min(0).optional(),
	/** Hash of everything the verdicts rest on (inputs and graded results); an unchanged rebuild writes no report. */
	evidence_hash: z.string(),
	/** The sidecar file with every case result. */
	results_file: z.string(),
	/** What a reader must know about how the answers were asked (e.g. parallel requests may batch). */
	notes: z.array(z.string()).optional(),
	/** The grader version of every task the run graded (grades are recomputed on every build; this says which grading made the numbers). */
	graders: z.record(z.string(), z.number().int().min(1)).default({}),
});

/** Metrics for one model in one role, over the cases it ran (a case the server could not serve is not one of them). */
export const RoleMetricsSchema = z.strictObject({
	role: SlugSchema,
	model: ModelIdSchema,
	/** Cases with at least one result: the role's cases less those not run. */
	cases: z.number().int().min(0),
	accepted: z.number().int().min(0),
	rejected: z.number().int().min(0),
	hard_failures: z.number().int().min(0),
	acceptance_rate: RateSchema,
	severity_weighted_pass: z.strictObject({ value: z.number().min(0), max: z.number().min(0), share: z.number().min(0).max(1) }),
	review_pain: z.number().min(0).max(1),
	hard_failure_rate: RateSchema,
	hard_failures_by_class: z.partialRecord(HardFailureClassSchema, z.number().int().min(0)),
	latency_ms: z.strictObject({ p50: z.number().nullable(), p95: z.number().nullable() }),
	ttft_ms_p50: z.number().nullable(),
	tokens_per_s: z.number().nullable(),
	load_ms: z.number().nullable(),
	/** With repeats k > 1: share of cases accepted in all k runs. */
	pass_k: z.number().min(0).max(1).nullable().default(null),
	/**
	 * implement-change: of the answers that reached the parser (accepted, rejected, or refused as
	 * `malformed-edit` or `unparseable`), how many parsed and applied — the share Aider's leaderboards call
	 * "well formed". Null for a role without implement-change results (and in older reports).
	 */
	well_formed_edits: z
		.strictObject({
			well_formed: z.number().int().min(0),
			answered: z.number().int().min(0),
			rate: RateSchema,
		})
		.nullable()
		.default(null),
});
export type RoleMetrics = z.infer<typeof RoleMetricsSchema>;

/**
 * `hold: not enough evidence`: nothing shows the challenger worse, it is ahead on some metric, but the
 * cases cannot yet show it better at the policy's confidence.
 */
export const VERDICT_OUTCOMES = [
	'promote',
	'hold',
	'hold: not enough evidence',
	'blocked: diversity',
	'blocked: cost',
	'insufficient evidence',
] as const;

/** One gate of one verdict, with both values and, for a metric gate, the paired test behind it. */
export const GateResultSchema = z.strictObject({
	gate: z.string(),
	challenger: z.union([z.number(), z.string()]).nullable(),
	incumbent: z.union([z.number(), z.string()]).nullable(),
	pass: z.boolean(),
	/** The paired test that decided the gate, e.g. `exact sign test (McNemar) on …`. */
	test: z.string().optional(),
	/** What the test counted, e.g. `challenger better on 5 cases, incumbent on 1, 34 tied`. */
	detail: z.string().optional(),
	/** One-sided p-value of "the challenger is worse" on this metric. */
	p_worse: z.number().min(0).max(1).optional(),
	/** One-sided p-value of "the challenger is better" on this metric (for `strictly_better`, the smallest). */
	p_better: z.number().min(0).max(1).optional(),
});
export type GateResult = z.infer<typeof GateResultSchema>;

/** The policy's decision on one challenger. */
export const VerdictSchema = z.strictObject({
	role: SlugSchema,
	challenger: ModelIdSchema,
	incumbent: ModelIdSchema,
	outcome: z.enum(VERDICT_OUTCOMES),
	/** The gate that decided the outcome, as a readable sentence. */
	reason: z.string(),
	gates: z.array(GateResultSchema),
	/** The policy's `evidence.alpha` the paired tests were judged at. */
	alpha: z.number().gt(0).lt(1).optional(),
	/**
	 * For `hold: not enough evidence` and `insufficient evidence`: how many more cases would settle it —
	 * at the observed rates for the former, up to the policy's minimum for the latter.
	 */
	more_evidence: z.strictObject({ cases: z.number().int().min(1) }).optional(),
});
export type Verdict = z.infer<typeof VerdictSchema>;

/** A registry change the run proposes; `--apply` writes it. */
export const ProposalSchema = z.strictObject({
	kind: z.enum(['promote', 'retire']),
	role: SlugSchema,
	model: ModelIdSchema,
	/** For a promotion, the incumbent it replaces. */
	replaces: ModelIdSchema.optional(),
	reason: z.string(),
});
export type Proposal = z.infer<typeof ProposalSchema>;

/** A proposal the run did not make because the registry after all of them would fail the diversity guard. */
export const HeldProposalSchema = z.strictObject({
	proposal: ProposalSchema,
	/** Why it is held, as a sentence. */
	reason: z.string(),
});
export type HeldProposal = z.infer<typeof HeldProposalSchema>;

/** Tokens, time and dollars over one model's answers to a role's cases; a dollar figure is null when a price is not set. */
export const CostSummarySchema = z.strictObject({
	cases: z.number().int().min(0),
	accepted: z.number().int().min(0),
	tokens_in: z.number().int().min(0),
	tokens_out: z.number().int().min(0),
	/** Mean wall time per answered case, ms. */
	wall_ms_per_case: z.number().min(0).nullable(),
	/** Local models: GPU hours from Ollama's load, prompt-eval and eval durations; null for a frontier model. */
	gpu_hours: z.number().min(0).nullable(),
	/** Null: "price not set" (never 0). */
	usd: z.number().min(0).nullable(),
	usd_per_case: z.number().min(0).nullable(),
	usd_per_accepted: z.number().min(0).nullable(),
});
export type CostSummary = z.infer<typeof CostSummarySchema>;

/** Where a role's work goes: `local` (stay local), `frontier` (the frontier is better), `hold` (not enough evidence), `none` (no baseline). */
export const ROUTES = ['local', 'frontier', 'hold', 'none'] as const;
export const ROUTE_OUTCOMES = [
	'stay local',
	'local, escalate rejections',
	'frontier is better',
	'hold: not enough evidence',
	'no baseline',
] as const;

/**
 * The routing verdict of one role: the incumbent against the frontier baseline on the cases both
 * answered, by a paired non-inferiority test on acceptance. Never a promotion verdict.
 */
export const RouteVerdictSchema = z.strictObject({
	role: SlugSchema,
	route: z.enum(ROUTES),
	outcome: z.enum(ROUTE_OUTCOMES),
	/** The routing line, e.g. `stays local: llama3.1:8b is within 5 points of claude-… on 57 cases (upper bound 3.1 points)`. */
	reason: z.string(),
	incumbent: ModelIdSchema,
	/** The role's `baseline:` model, or null when it names none. */
	baseline: ModelIdSchema.nullable(),
	/** The model the API said answered (an alias resolves to a dated id); null when it answered nothing this run. */
	answered_by: z.string().nullable(),
	/** Cases both the incumbent and the baseline answered (results not run or not scored are left out). */
	cases: z.number().int().min(0),
	/** The paired table: both accepted, only the frontier, only the local model, neither. */
	pairs: z.strictObject({
		both: z.number().int().min(0),
		only_frontier: z.number().int().min(0),
		only_local: z.number().int().min(0),
		neither: z.number().int().min(0),
	}),
	/** Frontier − local acceptance on the paired cases, with its one-sided confidence bounds at `alpha`; null without pairs. */
	difference: z.strictObject({ value: z.number(), low: z.number(), high: z.number() }).nullable(),
	/** The non-inferiority margin (baseline.margin), as a share: 0.05 = 5 points. */
	margin: z.number().gt(0),
	alpha: z.number().gt(0).lt(1),
	/** The interval behind the verdict. */
	test: z.string(),
	/** For `hold`: how many paired cases in all would settle it at the observed rates (null: more than can be projected). */
	more_cases: z.number().int().min(1).nullable(),
	/** How many of the role's cases the baseline was given and answered this run. */
	baseline_cases: z.strictObject({
		role_cases: z.number().int().min(0),
		sampled: z.number().int().min(0),
		answered: z.number().int().min(0),
		/** Asked but not scored: transient API errors after retries, or an answer cut at our own max_tokens. */
		not_scored: z.number().int().min(0),
	}),
	cost: z.strictObject({ local: CostSummarySchema, frontier: CostSummarySchema.nullable() }),
	/** New cases per 30 days in this repository's history (from the cases' author dates); null with too few. */
	cases_per_month: z.number().min(0).nullable(),
	/** What sending every case of a month to the frontier would cost, minus what the local model costs; null without prices. */
	frontier_extra_usd_per_month: z.number().nullable(),
	/** Review role: what the escalation chain already measures (overturned local rejections, frontier tokens). */
	escalation: z.string().optional(),
	/**
	 * Review role: the incumbent with its rejections escalated (a case counts accepted when the chain's
	 * deciding answer was), against the frontier on the same cases, and what that costs per case.
	 */
	with_escalation: z
		.strictObject({
			pairs: z.strictObject({
				both: z.number().int().min(0),
				only_frontier: z.number().int().min(0),
				only_local: z.number().int().min(0),
				neither: z.number().int().min(0),
			}),
			difference: z.strictObject({ value: z.number(), low: z.number(), high: z.number() }).nullable(),
			/** Local GPU time plus the escalation's frontier tokens at models.yaml prices; null when a price is not set. */
			usd_per_case: z.number().min(0).nullable(),
		})
		.optional(),
});
export type RouteVerdict = z.infer<typeof RouteVerdictSchema>;

/** One model's tokens, time and dollars in one role this run (local models: GPU time at the policy's rate). */
export const RoleCostSchema = z.strictObject({
	role: SlugSchema,
	model: ModelIdSchema,
	/** `local` for a model served by Ollama, `frontier` for the role's baseline. */
	kind: z.enum(['local', 'frontier']),
	cost: CostSummarySchema,
});
export type RoleCost = z.infer<typeof RoleCostSchema>;

/** What the frontier baseline did in one run. */
export const BaselineRunSchema = z.strictObject({
	/** Why the baseline asked nothing new this run (no key, budget reached, spend cap), or null. */
	stopped: z.string().nullable(),
	/** Frontier calls the API billed this run (cached answers are free). */
	billed_calls: z.number().int().min(0),
	max_calls_per_run: z.number().int().min(0),
	/** Dollars spent this run, null when a price is not set. */
	spent_usd: z.number().min(0).nullable(),
	budget_usd_per_run: z.number().min(0).nullable(),
});
export type BaselineRun = z.infer<typeof BaselineRunSchema>;

/**
 * One challenger (or the frontier baseline) in one role under `evidence.sequential`: how many of the role's
 * cases it answered, how many the sequential test read when it decided, and why it stopped.
 */
export const SequentialStopSchema = z.strictObject({
	role: SlugSchema,
	model: ModelIdSchema,
	/** `challenger` for a local challenger, `baseline` for the role's frontier baseline. */
	kind: z.enum(['challenger', 'baseline']),
	/** Cases of the role it answered this run, cached answers included. */
	answered: z.number().int().min(0),
	/** Cases the sequential test had read, in the fixed order, when it decided (answers still in flight then are kept, not read). */
	read: z.number().int().min(0),
	/** Cases it would have answered without stopping (the role's cases, or the baseline's sample). */
	planned: z.number().int().min(0),
	/** True when it stopped before its last planned case. */
	stopped: z.boolean(),
	/** Why, as a person reads it: `settled: shown worse on acceptance_rate after 23 cases`, or `ran every case`. */
	reason: z.string(),
	/** The sequential test behind the stop. */
	test: z.string(),
});
export type SequentialStop = z.infer<typeof SequentialStopSchema>;

/** What `evidence.sequential` did in one run and what it saved against asking every case. */
export const SequentialSummarySchema = z.strictObject({
	mode: z.enum(SEQUENTIAL_MODES),
	stops: z.array(SequentialStopSchema),
	saved: z.strictObject({
		/** Model calls not made (cases × repeats never asked because a verdict was settled). */
		calls: z.number().int().min(0),
		/** Calls a run of every case would have made for the same models. */
		full_calls: z.number().int().min(0),
		/** Local GPU seconds not spent: each stopped model's measured GPU seconds per call × its calls saved; null when none was measured. */
		gpu_s: z.number().min(0).nullable(),
		/** Frontier dollars not spent: the baseline's cost per call × its calls saved; null without a price or a baseline stop. */
		usd: z.number().min(0).nullable(),
	}),
});
export type SequentialSummary = z.infer<typeof SequentialSummarySchema>;

/** Frontmatter of `reports/local-model-benchmark-YYYY-MM-DD[-N].md`. */
export const ReportSchema = z.strictObject({
	title: z.string(),
	/** Run date, YYYY-MM-DD (UTC). */
	date: DateSchema,
	manifest: ManifestSchema,
	metrics: z.array(RoleMetricsSchema),
	verdicts: z.array(VerdictSchema).default([]),
	proposals: z.array(ProposalSchema).default([]),
	/** Proposals held back because, applied together with the others, they would leave a role below the diversity guard. */
	held_proposals: z.array(HeldProposalSchema).default([]),
	/** Turbo-escalation accounting; absent when escalation was turned off for the run. */
	escalations: EscalationSummarySchema.optional(),
	/** Per task: the reference's and every junk answer's acceptance on this run's cases, and whether the grader is valid on them. */
	grader_validity: z.array(GraderValiditySchema).default([]),
	/**
	 * Per role × model, the cases the server could not serve after the run's retries: in no metric and no
	 * gate, asked again next run. Absent when every case ran.
	 */
	not_run: z.array(NotRunSummarySchema).optional(),
	/** Per role: stay local, frontier is better, hold, or no baseline (absent in older reports). */
	routing: z.array(RouteVerdictSchema).optional(),
	/** The frontier baseline's calls and spend this run; absent when policy.yaml has no `baseline`. */
	baseline_run: BaselineRunSchema.optional(),
	/** Per role × model: tokens in and out, wall time, GPU time, cost per case and per accepted answer (absent in older reports). */
	costs: z.array(RoleCostSchema).optional(),
	/** Which challengers stopped early and what that saved; absent in older reports. */
	sequential: SequentialSummarySchema.optional(),
});
export type Report = z.infer<typeof ReportSchema>;

/** The sidecar beside a report: every case result of the run. */
export const ResultsFileSchema = z.strictObject({
	report: z.string(),
	results: z.array(CaseResultSchema),
	/** Every case the server could not serve, with why; absent when there was none. */
	not_run: z.array(NotRunCaseSchema).optional(),
});
export type ResultsFile = z.infer<typeof ResultsFileSchema>;

/** File names reports are written under. */
export const REPORT_FILE_PATTERN = /^local-model-benchmark-(\d{4}-\d{2}-\d{2})(-\d+)?\.md$/;
