import { defineCollection } from 'astro:content';
import { type Loader, file, glob } from 'astro/loaders';
import { z } from 'astro/zod';
import { REGISTRY_PATHS } from './lib/registry/paths.ts';
import { CaseSchema } from './lib/schema/case.ts';
import { ModelSchema } from './lib/schema/model.ts';
import { PolicySchema } from './lib/schema/policy.ts';
import { ReportSchema } from './lib/schema/report.ts';
import { RoleSchema } from './lib/schema/role.ts';

// The same schemas the pipeline validates with, so the site refuses what the pipeline would refuse.
// Cross-file checks (a role naming a missing model…) run in the benchmark integration before content
// sync, since Astro lets a dangling reference through.

const models = defineCollection({
	loader: file(REGISTRY_PATHS.models),
	schema: ModelSchema,
});

const roles = defineCollection({
	loader: glob({ pattern: '*.yaml', base: REGISTRY_PATHS.roles }),
	schema: RoleSchema,
});

const policy = defineCollection({
	loader: glob({ pattern: 'policy.yaml', base: 'benchmarks' }),
	schema: PolicySchema,
});

const cases = defineCollection({
	loader: glob({ pattern: '*/*.json', base: REGISTRY_PATHS.cases, generateId: ({ data }) => String(data.id) }),
	schema: CaseSchema,
});

const reports = defineCollection({
	loader: quietWhenEmpty(glob({ pattern: 'local-model-benchmark-*.md', base: REGISTRY_PATHS.reports })),
	schema: ReportSchema,
});

/** Prose sections of the page (policy, methodology), written in MDX. */
const sections = defineCollection({
	loader: glob({ pattern: '*.mdx', base: 'src/content/sections' }),
	schema: z.strictObject({
		/** Heading shown above the section. */
		title: z.string(),
	}),
});

export const collections = { models, roles, policy, cases, reports, sections };

/**
 * `loader` without the glob loader's warning that no file matched: a fresh clone has no report yet, which
 * is the normal state, and a warning on every build and check for it would teach people to ignore warnings.
 */
function quietWhenEmpty(loader: Loader): Loader {
	return {
		...loader,
		load: (context) => {
			const logger = Object.create(context.logger, {
				warn: { value: (message: string) => (message.startsWith('No files found matching') ? undefined : context.logger.warn(message)) },
			});
			return loader.load({ ...context, logger });
		},
	};
}
