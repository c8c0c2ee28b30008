import { z } from 'astro/zod';
import { DateSchema, ModelIdSchema, SlugSchema } from './common.ts';

/** A model that served or challenged a role and was taken out of it. */
export const RetiredModelSchema = z.strictObject({
	/** The model tag that left the role. */
	model: ModelIdSchema.describe('the model id that left the role'),
	/** Why it left, in a sentence (the deciding gate or rule). */
	reason: z.string().min(1).describe('why it left, in a sentence'),
	/** When it left, YYYY-MM-DD. */
	date: DateSchema.describe('the day it left, YYYY-MM-DD'),
	/** The report that decided it, e.g. `local-model-benchmark-2026-11-26`. */
	report: z.string().optional(),
});
export type RetiredModel = z.infer<typeof RetiredModelSchema>;

/** One routing slot, `benchmarks/roles/<role>.yaml`. */
export const RoleSchema = z.strictObject({
	/** The role's name; must equal the file name without `.yaml`. */
	role: SlugSchema.describe('the file name without .yaml'),
	/** What work this slot routes, in a sentence. */
	description: z.string().min(1).describe('what work this slot routes, in a sentence'),
	/** The model that serves the role today. */
	incumbent: ModelIdSchema.describe('a model id from benchmarks/models.yaml'),
	/** Models run against the incumbent on the same cases every run. @default [] */
	challengers: z.array(ModelIdSchema).default([]),
	/** Models that left the role, newest last. @default [] */
	retired: z.array(RetiredModelSchema).default([]),
	/**
	 * A frontier model (a models.yaml entry with `provider: anthropic` or `ollama-cloud`, `cost_tier: paid`)
	 * asked the role's cases so the report can say whether the work may stay local. Never a challenger, never promoted.
	 */
	baseline: ModelIdSchema.optional(),
});
export type Role = z.infer<typeof RoleSchema>;
export type RoleInput = z.input<typeof RoleSchema>;
