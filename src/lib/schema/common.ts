import { z } from 'astro/zod';
import { modelNameProblem } from './model-name.ts';

/**
 * An Ollama model name as Ollama writes it (`model-name.ts`): `llama3.1:8b`, `qwen3`, `user/model:tag`,
 * `hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M`, `gpt-oss:120b-cloud`. Upper case is allowed where
 * Ollama allows it (everywhere); two names that differ only in case, or in a part Ollama fills in, are
 * the same model (the registry refuses such a pair).
 */
export const ModelIdSchema = z.string().superRefine((value, context) => {
	const problem = modelNameProblem(value);
	if (problem)
		context.addIssue({
			code: 'custom',
			message: `an Ollama model name such as \`llama3.1:8b\` or \`hf.co/user/repo:Q4_K_M\` ([host/][namespace/]model[:tag]); this one has ${problem}`,
		});
});
export type ModelId = z.infer<typeof ModelIdSchema>;

/** A lowercase, dash-separated name: role names, families, task names. */
export const SlugSchema = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'a lowercase, dash-separated name such as `google-gemma`');

/**
 * A calendar date written `YYYY-MM-DD` (UTC). YAML 1.1 readers (Astro's loaders use js-yaml) turn an
 * unquoted date into a `Date`; it is read back as the same calendar day so both readers agree.
 */
export const DateSchema = z.preprocess(
	(value) => (value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString().slice(0, 10) : value),
	z
		.string()
		.regex(/^\d{4}-\d{2}-\d{2}$/, 'a date written YYYY-MM-DD')
		.refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), 'a real calendar date'),
);

/** A full 40-character git commit id. */
export const CommitShaSchema = z.string().regex(/^[0-9a-f]{40}$/, 'a full 40-character git commit sha');

/** The four severities a case can carry, from least to most costly when a model gets it wrong. */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const SeveritySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof SeveritySchema>;

/** An http(s) URL; anything else (javascript:, data:, file:) is refused so it can never become a link. */
export const HttpUrlSchema = z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' });

/**
 * An ISO 8601 UTC timestamp. Astro reads report frontmatter with js-yaml, which turns an unquoted
 * timestamp into a `Date`; it is read back as the same ISO text so both readers agree.
 */
export const TimestampSchema = z.preprocess(
	(value) => (value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : value),
	z.iso.datetime(),
);
