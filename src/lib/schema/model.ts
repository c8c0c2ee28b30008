import { z } from 'astro/zod';
import { DateSchema, HttpUrlSchema, ModelIdSchema, SlugSchema } from './common.ts';

/** What a model costs to call: `free` runs on the owner's hardware, `paid` is billed per call or token. */
export const CostTierSchema = z.enum(['free', 'paid']);
export type CostTier = z.infer<typeof CostTierSchema>;

/** One entry of `benchmarks/models.yaml`: a model tag and what the policy needs to know about it. */
export const ModelSchema = z.strictObject({
	/** The Ollama tag, exactly as `ollama pull` takes it. */
	id: ModelIdSchema.describe('the Ollama tag, e.g. llama3.1:8b'),
	/** Training family (`google-gemma`, `meta-llama`…): the diversity guard counts distinct families per role. */
	family: SlugSchema.describe('training family, e.g. meta-llama'),
	/** `free` or `paid`; a paid challenger may only replace a paid incumbent. @default 'free' */
	cost_tier: CostTierSchema.default('free'),
	/** Who serves it: a local Ollama, Ollama's cloud models through the same server, or a frontier API. @default 'ollama' */
	provider: z.enum(['ollama', 'ollama-cloud', 'anthropic']).default('ollama'),
	/** Ollama server for this model when it is not `OLLAMA_HOST`; models on different hosts run at the same time. */
	host: HttpUrlSchema.optional(),
	/**
	 * Several Ollama servers that all serve this model, instead of `host`: its cases are shared among them
	 * (each pulls the next case when it has a free slot), each loads it once, and a server that goes away
	 * mid-run leaves its remaining cases to the others.
	 */
	hosts: z.array(HttpUrlSchema).min(1).optional(),
	/**
	 * How many requests for this model each of its hosts answers at once (Ollama's `OLLAMA_NUM_PARALLEL`
	 * on that server should be at least this). Above 1, Ollama may batch requests together, and answers
	 * can differ slightly from those asked one at a time. @default 1
	 */
	parallel: z.number().int().min(1).max(64).optional(),
	/**
	 * `think` sent to this model instead of run.think in policy.yaml: Ollama refuses `think: true` for a
	 * model that cannot think, and a reasoning model may need it on.
	 */
	think: z.union([z.boolean(), z.enum(['low', 'medium', 'high', 'max'])]).optional(),
	/**
	 * The day the model was released (YYYY-MM-DD). Cases from commits before it may have been in its
	 * training data; the model and role pages show its acceptance before and after this date.
	 */
	released: DateSchema.optional(),
	/**
	 * US dollars per million input tokens, as the provider bills them (a paid model): with it the report
	 * shows cost per case and per accepted answer; without it, "price not set", never 0.
	 */
	price_per_mtok_in: z.number().min(0, 'a price of at least 0').optional(),
	/** US dollars per million output tokens (thinking tokens are billed as output). */
	price_per_mtok_out: z.number().min(0, 'a price of at least 0').optional(),
	/** US dollars per million input tokens written to the provider's prompt cache; needed only when the usage reports some. */
	price_per_mtok_cache_write: z.number().min(0, 'a price of at least 0').optional(),
	/** US dollars per million input tokens read from the provider's prompt cache; needed only when the usage reports some. */
	price_per_mtok_cache_read: z.number().min(0, 'a price of at least 0').optional(),
	/** Free text for the person reading the registry. */
	notes: z.string().optional(),
});
export type Model = z.infer<typeof ModelSchema>;
export type ModelInput = z.input<typeof ModelSchema>;

/** `benchmarks/models.yaml`: a list of models, each id once. */
export const ModelCatalogSchema = z.array(ModelSchema);
