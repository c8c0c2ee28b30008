// @ts-check
import mdx from '@astrojs/mdx';
import { defineConfig } from 'astro/config';
import benchmark from './src/integrations/benchmark.ts';

export default defineConfig({
	// The benchmark runs first: it validates the registry and writes a new report before content sync.
	integrations: [benchmark(), mdx()],
	build: { format: 'directory' },
	// Absolute links (the feed) need the public address; set SITE_URL when publishing.
	site: process.env.SITE_URL || 'http://localhost:4321',
	// Shiki colours code with inline styles, which the content security policy refuses; Prism uses classes.
	markdown: { syntaxHighlight: 'prism' },
	security: {
		// Astro hashes every script and style it emits into a <meta> content security policy: anything that
		// slipped into a page from data (a model's answer, a commit subject) could not run or load.
		csp: {
			directives: ["default-src 'self'", "img-src 'self' data:", "object-src 'none'", "base-uri 'self'", "form-action 'none'"],
		},
	},
	vite: {
		build: {
			rolldownOptions: {
				// Astro's MDX output carries a "use astro:head-inject" directive that Rolldown warns about on
				// every MDX file (withastro/astro#18087); it is harmless, and the noise would hide real warnings.
				onwarn(warning, warn) {
					if (warning.code === 'MODULE_LEVEL_DIRECTIVE' && warning.message.includes('astro:head-inject')) return;
					warn(warning);
				},
			},
		},
	},
});
