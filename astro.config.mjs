// @ts-check
import mdx from '@astrojs/mdx';
import { defineConfig } from 'astro/config';
import benchmark from './src/integrations/benchmark.ts';

export default defineConfig({
	// The benchmark runs first: it validates the registry and writes a new report before content sync.
	integrations: [benchmark(), mdx()],
	build: { format: 'directory' },
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
