import { z } from 'astro/zod';
import { HttpUrlSchema, ModelIdSchema, SlugSchema } from './common.ts';
import { TASKS } from './case.ts';

/**
 * A setting that no longer exists, kept only so an old policy.yaml gets a message saying why instead
 * of "unknown key": the metric gates are decided by paired tests at `evidence.alpha`, which replace the
 * point-estimate margins.
 */
const Removed = (why: string) =>
	z
		.unknown()
		.optional()
		.refine((value) => value === undefined, why);

const REMOVED_METRIC_GATE =
	'no such key: the metric gates are fixed (acceptance_rate and hard_failure_rate by the exact sign test, review_pain by the paired sign-flip test) and judged at `evidence.alpha`; their `tolerance` margins were removed. Delete this key';

/** The promotion gates. The metric gates (acceptance_rate, review_pain, hard_failure_rate) are fixed: see `METRIC_GATES` in src/lib/policy. */
export const GatesSchema = z.strictObject({
	/** Removed: a non-empty value is an error that says so. */
	acceptance_rate: Removed(REMOVED_METRIC_GATE),
	/** Removed: a non-empty value is an error that says so. */
	review_pain: Removed(REMOVED_METRIC_GATE),
	/** Removed: a non-empty value is an error that says so. */
	hard_failure_rate: Removed(REMOVED_METRIC_GATE),
	/** `free-unless-incumbent-paid`: a paid challenger can only replace a paid incumbent. */
	cost_tier: z.enum(['free-unless-incumbent-paid']),
	/** Require the data to show the challenger better on at least one of the three metrics. @default true */
	strictly_better_on_one: z.boolean().default(true),
});

/** Family-diversity guard. */
export const DiversitySchema = z.strictObject({
	/** Fewest distinct families a role may keep across incumbent + challengers after a promotion. @default 2 */
	min_families: z.number().int('a whole number').min(1, 'at least 1').max(20, 'at most 20').default(2),
});

/** How a challenger's cases may stop early: see `evidence.sequential`. */
export const SEQUENTIAL_MODES = ['off', 'curtail', 'anytime'] as const;
export type SequentialMode = (typeof SEQUENTIAL_MODES)[number];

/** How much evidence a verdict needs. */
export const EvidenceSchema = z.strictObject({
	/** Below this many cases in a role, every verdict there is `insufficient evidence`. @default 1 */
	min_cases_per_role: z.number().int('a whole number').min(1, 'at least 1').default(1),
	/**
	 * Significance level of the paired tests: a metric gate fails when the data show the challenger
	 * worse with p ≤ alpha, and "strictly better" needs p ≤ alpha for better. @default 0.05
	 */
	alpha: z.number().gt(0, 'a level above 0, such as 0.05').max(0.5, 'a level of at most 0.5, such as 0.05').default(0.05),
	/** A promotion must win in this many consecutive runs before it is proposed (1 = this run alone). @default 1 */
	confirm_runs: z.number().int('a whole number').min(1, 'at least 1').max(20, 'at most 20').default(1),
	/**
	 * When a challenger (or the frontier baseline) stops answering a role's cases: `off` — every case;
	 * `curtail` — as soon as no outcome of its remaining cases could change its verdict (the verdict is the
	 * full run's by construction); `anytime` — when an anytime-valid sequential test settles it, for success
	 * or futility, at `alpha`. Incumbents answer every case in every mode. @default 'curtail'
	 */
	sequential: z.enum(SEQUENTIAL_MODES).default('curtail'),
});

const Weight = z.number().positive('a weight above 0').max(100, 'a weight of at most 100');
/** Points a case is worth in severity_weighted_pass, by severity. */
export const SeverityWeightsSchema = z.strictObject({
	low: Weight.default(1),
	medium: Weight.default(2),
	high: Weight.default(3),
	critical: Weight.default(5),
});

/** What every model call sends, and how long the harness waits. */
export const RunOptionsSchema = z.strictObject({
	/** Context window sent as `num_ctx` on every call (Ollama's default is small and truncates silently). */
	num_ctx: z.number().int('a whole number').min(512, 'at least 512 tokens').max(1_048_576, 'at most 1048576 tokens'),
	/** Most tokens a model may generate per answer, sent as `num_predict`. */
	num_predict: z.number().int('a whole number').min(16, 'at least 16 tokens'),
	/** Sampling temperature; 0 makes answers repeatable. @default 0 */
	temperature: z.number().min(0, 'between 0 and 2').max(2, 'between 0 and 2').default(0),
	/** Sampling seed sent on every call. */
	seed: z.number().int('a whole number'),
	/** `think` sent to models that support it: false, true, or an effort level (`max` needs Ollama 0.21.3 or later). @default false */
	think: z.union([z.boolean(), z.enum(['low', 'medium', 'high', 'max'])]).default(false),
	/** Longest a single call may take, in seconds, load excluded. */
	call_timeout_s: z.number().positive('more than 0 seconds').max(3600, 'at most 3600 seconds'),
	/** Longest the stream may stay silent (no token) before the call counts as stalled, in seconds. */
	stall_timeout_s: z.number().positive('more than 0 seconds').max(3600, 'at most 3600 seconds'),
	/** How long the build waits for Ollama to answer its first probe, in seconds. @default 3 */
	probe_timeout_s: z.number().positive('more than 0 seconds').max(60, 'at most 60 seconds').default(3),
	/** Times each case is run per model; above 1 the report adds pass^k and repeats bypass the cache. @default 1 */
	repeats: z.number().int('a whole number').min(1, 'at least 1').max(20, 'at most 20').default(1),
	/**
	 * Most retries of one request the server could not serve — 503 busy, 429, a connection reset before the
	 * first token, out of memory on load: the host's state, not the model's answer. When they run out the
	 * case is not run (kept out of every metric, asked again next run). 0 never retries. @default 5
	 */
	retries: z.number().int('a whole number').min(0, 'at least 0').max(50, 'at most 50').default(5),
	/**
	 * The first wait before a retry, in seconds; each later one doubles, with jitter. A `Retry-After` the
	 * server sends is used instead. @default 1
	 */
	retry_initial_s: z.number().positive('more than 0 seconds').max(600, 'at most 600 seconds').default(1),
	/** Longest one request may spend on retries, its attempts and waits together, in seconds: no retry starts later. @default 120 */
	retry_total_s: z.number().positive('more than 0 seconds').max(3600, 'at most 3600 seconds').default(120),
	/**
	 * Ask again the cached answers another Ollama version gave (or that did not record their version):
	 * after an upgrade, every answer is asked of the new server. Off, they are reused and the report counts
	 * them (`manifest.answers_from_older_ollama`). Left out of the policy when unset, so adding it changes
	 * no policy hash. @default false
	 */
	reask_after_upgrade: z.boolean().optional(),
});

/** When a retirement is proposed. */
export const RetirementSchema = z.strictObject({
	/** Propose retiring a challenger that failed hard on every case in this many consecutive runs. @default 2 */
	all_hard_failures_runs: z.number().int('a whole number').min(1, 'at least 1').default(2),
	/** Propose retiring a challenger whose model was missing from Ollama in this many consecutive runs. @default 3 */
	missing_model_runs: z.number().int('a whole number').min(1, 'at least 1').default(3),
});

/** One step of the escalation chain. */
export const EscalationStepSchema = z.discriminatedUnion('provider', [
	z.strictObject({
		/** A model served by the same Ollama (a `-cloud` model goes through Ollama's cloud). */
		provider: z.literal('ollama'),
		model: ModelIdSchema,
	}),
	z.strictObject({
		/** Anthropic's Messages API. */
		provider: z.literal('anthropic'),
		/** Model name sent to the API. */
		model: z.string().min(1),
		/** Most tokens the answer may use. */
		max_tokens: z.number().int('a whole number').min(1, 'at least 1').max(64_000, 'at most 64000'),
		/** Environment variable holding the API key; without it the step is skipped. @default 'ANTHROPIC_API_KEY' */
		api_key_env: z
			.string()
			.regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name')
			.default('ANTHROPIC_API_KEY'),
		/** API base URL; change it only to point at a test server. @default 'https://api.anthropic.com' */
		base_url: HttpUrlSchema.default('https://api.anthropic.com'),
	}),
]);

/** Turbo escalation: re-check the review incumbent's rejections with bigger models. */
export const EscalationSchema = z.strictObject({
	/** Turn escalation on or off. @default true */
	enabled: z.boolean().default(true),
	/** Role whose incumbent's rejections are escalated. @default 'review' */
	role: SlugSchema.default('review'),
	/** Tasks whose rejections are escalated. */
	tasks: z.array(z.enum(TASKS)).min(1, 'at least one task'),
	/** Tried in order until one answers. */
	chain: z.array(EscalationStepSchema).min(1, 'at least one step'),
	/** Most frontier-API calls in one run; further escalations are `skipped-budget`. */
	max_frontier_calls_per_run: z.number().int('a whole number').min(0, 'at least 0'),
});

/** The frontier baseline: how many cases it is asked, what a run may spend, and the routing verdict's margin. */
export const BaselineSchema = z.strictObject({
	/**
	 * Most cases per role the baseline is asked: above it, a sample drawn with `run.seed`, stratified by
	 * severity, the same every run while the cases stay the same. Unset: every case.
	 */
	max_cases_per_role: z.number().int('a whole number').min(1, 'at least 1').optional(),
	/** Most billed frontier calls in one run (cached answers are free); the rest wait for the next run. */
	max_calls_per_run: z.number().int('a whole number').min(0, 'at least 0'),
	/** Most US dollars one run may spend on the baseline, from models.yaml prices; asking stops when the next call could pass it. */
	budget_usd_per_run: z.number().positive('more than 0 dollars').optional(),
	/**
	 * Non-inferiority margin, in points of acceptance (0.05 = 5 points): the work stays local when the
	 * upper confidence bound of (frontier − local) acceptance is below it. @default 0.05
	 */
	margin: z.number().gt(0, 'a margin above 0, such as 0.05').max(0.5, 'a margin of at most 0.5').default(0.05),
	/** Most tokens one frontier answer may use, thinking included. @default 4096 */
	max_tokens: z.number().int('a whole number').min(16, 'at least 16').max(128_000, 'at most 128000').default(4096),
	/** Environment variable holding the API key; without it the baseline is skipped. @default 'ANTHROPIC_API_KEY' */
	api_key_env: z
		.string()
		.regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name')
		.default('ANTHROPIC_API_KEY'),
	/** API base URL; change it only to point at a test server. @default 'https://api.anthropic.com' */
	base_url: HttpUrlSchema.default('https://api.anthropic.com'),
	/** What an hour of local GPU time costs you, in US dollars (power, hardware); 0 counts it free. @default 0 */
	local_cost_per_gpu_hour: z.number().min(0, 'at least 0').default(0),
});
export type BaselineSettings = z.infer<typeof BaselineSchema>;

/**
 * How implement-change answers are tested: each answer is written into a throwaway worktree at the case's
 * parent with the commit's own tests, and the tests run there, isolated.
 */
export const CoderSchema = z.strictObject({
	/**
	 * `bubblewrap`: every test run gets no network, a read-only view outside its worktree and its own pid
	 * namespace; where bubblewrap cannot run, no test runs and the coder role gets `insufficient evidence`.
	 * `none`: tests run without isolation, on purpose (model-written code then runs as you); the role still
	 * gets `insufficient evidence`, never a promotion. @default 'bubblewrap'
	 */
	sandbox: z.enum(['bubblewrap', 'none']).default('bubblewrap'),
	/**
	 * The test command, `{files}` standing for the commit's test files (e.g. `npx vitest run {files}`). Read
	 * by the miner; by default read from package.json's test script (see the README's Coder tests).
	 */
	test_command: z.string().regex(/\S/, 'a command such as "npx vitest run {files}"').optional(),
	/** Longest one test run may take, in seconds; a run cut off counts as failed. @default 120 */
	test_timeout_s: z.number().positive('more than 0 seconds').max(3600, 'at most 3600 seconds').default(120),
	/** Most writable memory per test process, in MB (RLIMIT_DATA through prlimit; Node 24 needs 1024 just to start). @default 4096 */
	memory_mb: z
		.number()
		.int('a whole number')
		.min(1024, 'at least 1024 MB (Node does not start with less)')
		.max(262_144, 'at most 262144 MB')
		.default(4096),
	/** Install the dependencies of a lockfile that differs from the project's, once per lockfile, under `.cache/`. @default true */
	install: z.boolean().default(true),
	/** Longest one dependency install may take, in seconds. @default 600 */
	install_timeout_s: z.number().positive('more than 0 seconds').max(7200, 'at most 7200 seconds').default(600),
	/** The git repository holding the cases' commits, relative to the project. @default '.' */
	repository: z.string().min(1, 'a path').default('.'),
	/**
	 * How a coder answer is written. `edit`: search/replace blocks, as in Aider's `diff` edit format, applied
	 * to the files shown (a block that does not apply is a `malformed-edit` hard failure); the miner keeps
	 * every commit whose change fits `num_predict`. `whole`: the whole new content of every changed file, as
	 * JSON; the miner keeps only commits whose changed files fit `num_predict`. @default 'edit'
	 */
	answer_format: z.enum(['edit', 'whole']).default('edit'),
});
export type CoderSettings = z.infer<typeof CoderSchema>;
/** How a coder answer is written: search/replace edits or whole files. */
export type CoderAnswerFormat = CoderSettings['answer_format'];

/** `benchmarks/policy.yaml`. */
export const PolicySchema = z.strictObject({
	gates: GatesSchema,
	diversity: DiversitySchema,
	evidence: EvidenceSchema,
	severity_weights: SeverityWeightsSchema,
	run: RunOptionsSchema,
	retirement: RetirementSchema,
	escalation: EscalationSchema,
	/** Test execution for the coder role; every field has a default. */
	coder: CoderSchema.prefault({}),
	/** The frontier baseline per role (roles name it with `baseline:`); absent, no baseline is asked. */
	baseline: BaselineSchema.optional(),
});
export type Policy = z.infer<typeof PolicySchema>;
export type PolicyInput = z.input<typeof PolicySchema>;
export type RunOptions = z.infer<typeof RunOptionsSchema>;
