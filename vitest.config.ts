import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

// Plain Vitest config on purpose: `getViteConfig` would run the Astro config hooks (and the benchmark
// integration with them). Tests that need Astro run a real `astro build` in a temporary folder.

/**
 * Files that run real builds, benchmark runs, scripts or sandboxed test runs: seconds to minutes each, and
 * heavy on a 2-core machine. Kept out of `unit` wherever their folder is, so `npm run test:unit` stays a
 * loop of seconds.
 */
const HEAVY = [
	'tests/integration/**/*.test.ts',
	'tests/scripts/**/*.test.ts',
	'tests/execute/**/*.test.ts',
	// Runs the miner's command line (a Node process per run) on a story repository.
	'tests/mine/cli.test.ts',
	// Grades the coder sentinels by running the committed cases' tests in sandboxed worktrees.
	'tests/tasks/grader-validity.test.ts',
	// The same for the coder cases mined from unjs/ufo, in a clone of its bundled history.
	'tests/tasks/mined-coder-validity.test.ts',
	// Simulates a few hundred runs through the policy in every stopping mode: CPU-bound, tens of seconds.
	'tests/policy/sequential-simulation.test.ts',
	// The engine and an astro build against the fake Ollama and the fake Anthropic API.
	'tests/escalate/chain.test.ts',
	'tests/escalate/key-hygiene.test.ts',
];
const BROWSER = ['tests/e2e/**/*.test.ts'];

/**
 * Each project's global setup, run before its first worker when it has tests to run: the system programs
 * its tests need (chromium, bubblewrap), installed with apt-get when run as root, or one message naming the
 * command to run (testing/system-tools.ts).
 */
const SYSTEM_TOOLS = 'testing/system-tools-setup.ts';

// Every Node process of a run — the workers, and the astro builds, miners and scripts the tests start —
// loads hundreds of modules. Node's on-disk compile cache (inherited through the environment) spares about
// a fifth of such a process's CPU once the cache is warm. Set here so the workers get it too.
process.env.NODE_COMPILE_CACHE ??= path.join(tmpdir(), 'lmb-node-compile-cache');

export default defineConfig({
	test: {
		testTimeout: 30_000,
		// Vitest's default is one worker fewer than the cores: one worker on a 2-core machine. The heavy files
		// spend most of their time waiting on child processes (builds, git, sandboxes, chromium), so every
		// project runs as many files at once as there are cores, and never fewer than two.
		maxWorkers: Math.max(2, availableParallelism()),
		hookTimeout: 120_000,
		// Turbo escalation calls a frontier API when its key is set: no test, nor a build or bench it spawns,
		// may inherit the developer's real key. Tests that need one set their own fake key.
		env: { ANTHROPIC_API_KEY: '' },
		projects: [
			{
				extends: true,
				// Pure code, the fake Ollama, small git repositories: files run in parallel, and share their
				// workers' modules (no file here mocks a module or changes globals), so zod, yaml and secretlint
				// load once per worker instead of once per file.
				test: {
					name: 'unit',
					include: ['tests/**/*.test.ts'],
					exclude: [...HEAVY, ...BROWSER],
					isolate: false,
					sequence: { groupOrder: 0 },
					globalSetup: [SYSTEM_TOOLS],
				},
			},
			{
				extends: true,
				// Real astro builds, scripts and sandboxes, after the light files so neither slows the other. Each
				// build runs in a project copy with its own node_modules/.astro and .vite (testing/project-copy.ts),
				// so two files run at once, side by side with the browser files; a test that starts a process gets
				// room for the machine's load.
				test: { name: 'integration', include: HEAVY, testTimeout: 120_000, sequence: { groupOrder: 1 }, globalSetup: [SYSTEM_TOOLS] },
			},
			{
				extends: true,
				// A built site in Debian's chromium, in the same group as the integration files; a test walks every
				// page type, which takes far more than 30 s on a loaded 2-core machine.
				test: { name: 'browser', include: BROWSER, testTimeout: 120_000, sequence: { groupOrder: 1 }, globalSetup: [SYSTEM_TOOLS] },
			},
		],
	},
});
