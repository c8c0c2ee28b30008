import { z } from 'astro/zod';
import { SlugSchema } from './common.ts';

// Turbo escalation as recorded: one record on each escalated case result (the results sidecar), and one
// summary per report (its frontmatter). Kept apart from report.ts, which imports both.

/** The tag every escalated case result carries. */
export const ESCALATION_TAG = 'turbo-escalation';

/**
 * What became of one step of the chain:
 * - `answered`: a usable answer came back (from the call, or from the cache);
 * - `unauthorized`: the credentials were refused (Ollama not signed in to ollama.com: 401; a refused API key: 401/403);
 * - `quota`: a usage or rate limit (429);
 * - `unavailable`: the model could not be reached or served (cloud disabled: 403; 502/503/504/529;
 *   connection refused; a model not pulled on this Ollama);
 * - `error`: anything else (a 400 or 500, a timeout, an answer that was empty, cut off or unparseable);
 * - `skipped-no-key`: the frontier step's API key is not in the environment;
 * - `skipped-budget`: the run already made `max_frontier_calls_per_run` frontier calls.
 */
export const ESCALATION_OUTCOMES = [
	'answered',
	'unauthorized',
	'quota',
	'unavailable',
	'error',
	'skipped-no-key',
	'skipped-budget',
] as const;
export const EscalationOutcomeSchema = z.enum(ESCALATION_OUTCOMES);
export type EscalationOutcome = z.infer<typeof EscalationOutcomeSchema>;

/** Who serves a step: the same Ollama as the incumbent, or a frontier API. */
export const EscalationProviderSchema = z.enum(['ollama', 'anthropic']);

const ReviewVerdictSchema = z.enum(['approve', 'reject']);

/** One step of one escalation. */
export const EscalationStepRecordSchema = z.strictObject({
	provider: EscalationProviderSchema,
	model: z.string().min(1),
	outcome: EscalationOutcomeSchema,
	/** Why the step did not answer, in the harness's own words (never a request header); null when it answered. */
	detail: z.string().nullable(),
	/** Wall time of the request, ms; null when no request was made (skipped, or the model is not on this Ollama). */
	latency_ms: z.number().min(0).nullable(),
	/** Prompt tokens the provider counted (Ollama `prompt_eval_count`, Anthropic `usage.input_tokens`). */
	input_tokens: z.number().int().min(0),
	/** Answer tokens (Ollama `eval_count`, Anthropic `usage.output_tokens`). */
	output_tokens: z.number().int().min(0),
	/** True when the answer came from the answer cache rather than a request in this run. */
	cached: z.boolean(),
	/** The verdict of a usable answer, else null. */
	verdict: ReviewVerdictSchema.nullable(),
	/** Whether that answer passed every required check of the case, as any model's answer is graded; null without one. */
	accepted: z.boolean().nullable(),
	/** The answer text ('' when there was none). */
	output: z.string(),
});
export type EscalationStepRecord = z.infer<typeof EscalationStepRecordSchema>;

/** The turbo escalation of one case result: the incumbent rejected, and the chain was asked. */
export const EscalationRecordSchema = z.strictObject({
	/** The steps tried, in chain order, up to the first that answered. */
	steps: z.array(EscalationStepRecordSchema).min(1),
	/** The model whose answer settled the escalation, or null when no step answered. */
	decided_by: z.string().nullable(),
	/** The escalated verdict, or null when no step answered. */
	verdict: ReviewVerdictSchema.nullable(),
	/** True when the escalated verdict approves what the incumbent rejected. */
	overturned: z.boolean(),
	/** What the history says (the case's reference verdict): a rejection is right on a change a later commit had to fix. */
	reference_verdict: ReviewVerdictSchema,
});
export type EscalationRecord = z.infer<typeof EscalationRecordSchema>;

const Count = z.number().int().min(0);
const Share = z.number().min(0).max(1).nullable();

/** One chain step over the whole run. */
export const EscalationStepSummarySchema = z.strictObject({
	provider: EscalationProviderSchema,
	model: z.string().min(1),
	/** How often each outcome happened (outcomes that never happened are left out). */
	outcomes: z.partialRecord(EscalationOutcomeSchema, Count),
	/** Requests made in this run (cached answers and skipped steps excluded). */
	calls: Count,
	/** Answers served from the cache. */
	cached: Count,
	input_tokens: Count,
	output_tokens: Count,
});
export type EscalationStepSummary = z.infer<typeof EscalationStepSummarySchema>;

/** Turbo-escalation accounting of one run, in the report's frontmatter. The incumbent's metrics never include it. */
export const EscalationSummarySchema = z.strictObject({
	role: SlugSchema,
	/** The role's incumbent, whose rejections were escalated; null when the role has none in this run. */
	incumbent: z.string().nullable(),
	tasks: z.array(z.string()),
	/** The incumbent's results on those tasks: what an escalation could have been triggered by. */
	results: Count,
	/** Results escalated (the incumbent's verdict was `reject`). */
	escalations: Count,
	/** escalations / results, or null without results. */
	escalation_rate: Share,
	/** Escalations where some step answered with a verdict. */
	resolved: Count,
	/** Escalations whose verdict approves what the incumbent rejected. */
	overturned: Count,
	/** overturned / resolved, or null when nothing was resolved. */
	overturn_rate: Share,
	/** Overturns of a change the history shows was clean: the local rejection was a false alarm. */
	overturned_right: Count,
	/** Overturns of a change a later commit had to fix: the escalation approved a real bug. */
	overturned_wrong: Count,
	/** One row per chain step, in chain order. */
	steps: z.array(EscalationStepSummarySchema),
	/** The frontier-API steps together. */
	frontier: z.strictObject({
		/** Requests made in this run (counted against the budget). */
		calls: Count,
		/** Answers served from the cache (no request, no budget). */
		cached: Count,
		/** Tokens of every frontier answer in this report, cached ones included (they were paid for once). */
		input_tokens: Count,
		output_tokens: Count,
		/** `max_frontier_calls_per_run` from the policy. */
		budget: Count,
	}),
});
export type EscalationSummary = z.infer<typeof EscalationSummarySchema>;
