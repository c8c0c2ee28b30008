import { defineConfig } from 'vitest/config';

// Plain Vitest config on purpose: `getViteConfig` would run the Astro config hooks (and the benchmark
// integration with them). Tests that need Astro run a real `astro build` in a temporary folder.
export default defineConfig({
	test: {
		include: ['tests/**/*.test.ts'],
		testTimeout: 30_000,
		hookTimeout: 120_000,
		// Build and browser tests are heavy on a 2-core machine: one file at a time keeps them honest.
		fileParallelism: false,
	},
});
