import { z } from 'astro/zod';
import { TaskSchema } from './case.ts';

/** How often one sentinel answer was accepted on the task's cases. */
export const SentinelTallySchema = z.strictObject({
	/** The sentinel's name (`reference`, `always-approve`, `names-a-file`, …). */
	name: z.string().min(1),
	/** Cases the sentinel could be made for (another case's subject needs a second case). */
	cases: z.number().int().min(0),
	accepted: z.number().int().min(0),
	/** accepted / cases; 0 when there were none. */
	rate: z.number().min(0).max(1),
});
export type SentinelTally = z.infer<typeof SentinelTallySchema>;

/**
 * Whether a task's grader tells the reference from junk on a case set: the reference must be accepted on
 * at least `reference_floor` of the cases and every junk answer on at most `junk_limit`.
 */
export const GraderValiditySchema = z.strictObject({
	task: TaskSchema,
	/** The grader's version (`graderVersion` of the task definition) that was measured. */
	grader_version: z.number().int().min(1),
	/** Cases of the task in the run's case set. */
	cases: z.number().int().min(0),
	/** The reference answer: the ceiling. */
	reference: SentinelTallySchema,
	/** Every junk answer, by name. */
	junk: z.array(SentinelTallySchema),
	/** The junk accepted most often, or null when the task has none. */
	best_junk: SentinelTallySchema.nullable(),
	/** Least share of cases the reference must be accepted on. */
	reference_floor: z.number().min(0).max(1),
	/** Most share of cases any junk may be accepted on (a two-verdict task: the majority verdict's share + 5 points). */
	junk_limit: z.number().min(0).max(1.05),
	/** A task with few fixed answers (review): the answer right most often and its share — chance level. Null for other tasks. */
	chance: z
		.strictObject({ answer: z.string(), rate: z.number().min(0).max(1) })
		.nullable()
		.default(null),
	valid: z.boolean(),
	/** Why the grader is not valid on these cases, as a sentence; null when it is. */
	reason: z.string().nullable(),
});
export type GraderValidity = z.infer<typeof GraderValiditySchema>;
