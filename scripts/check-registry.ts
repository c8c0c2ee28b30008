// `npm run check`: validate the registry and the cases with the same function the build calls, and exit 1
// with every problem listed. Reads files only, so it answers in a second; `npm run typecheck` is the slow half.
import { loadRegistry } from '../src/lib/registry/load-registry.ts';
import { registryGaps } from '../src/lib/registry/registry-gaps.ts';
import { parseCommandLine, runCommand } from './command-line.ts';

const usage = `usage: npm run check

Validates benchmarks/models.yaml, benchmarks/roles/*.yaml, benchmarks/policy.yaml and benchmarks/cases/
exactly as the build does, and lists every problem with its file, field, what was found and what is expected.
Exits 2 on a bad option, 1 when the registry has a problem.`;

parseCommandLine(usage, {});

await runCommand({ name: 'check', usage }, async () => {
	const registry = await loadRegistry(process.cwd());
	console.log(
		`registry ok: ${registry.models.length} models, ${registry.roles.length} roles, ${registry.cases.length} cases, policy valid`,
	);
	// Gaps are warnings, not errors: a young repository may have no cases for a role yet.
	const gaps = registryGaps({
		...registry,
		roles: registry.roles.map((entry) => entry.role),
		cases: registry.cases.map((entry) => entry.case),
	});
	for (const gap of gaps) console.warn(`warning: ${gap}`);
});
