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
		// Turbo escalation calls a frontier API when its key is set: no test, nor a build or bench it spawns,
		// may inherit the developer's real key. Tests that need one set their own fake key.
		env: { ANTHROPIC_API_KEY: '' },
	},
});
