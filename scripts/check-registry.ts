// `npm run check`: validate the registry, the cases and reports/ with the same functions the build calls, and exit 1
// with every problem listed. Reads files only, so it answers in a second; `npm run typecheck` is the slow half.
import { loadRegistry } from '../src/lib/registry/load-registry.ts';
import { RegistryError } from '../src/lib/registry/registry-error.ts';
import { registryGaps } from '../src/lib/registry/registry-gaps.ts';
import { DamagedReportsError } from '../src/lib/report/report-text.ts';
import { checkReports } from '../src/lib/report/check-reports.ts';
import { parseCommandLine, runCommand } from './command-line.ts';

const usage = `usage: npm run check

Validates benchmarks/models.yaml, benchmarks/roles/*.yaml, benchmarks/policy.yaml, benchmarks/cases/ and
the reports in reports/ (each report's frontmatter, its results file) exactly as the build does, and lists
every problem with its file, line, field, what was found, what is expected and how to fix it.
Exits 2 on a bad option, 1 when the registry or a report has a problem.`;

parseCommandLine(usage, {});

await runCommand({ name: 'check', usage }, async () => {
	// Both halves are checked whatever the other says, so one pass lists every problem.
	const registry = await loadRegistry(process.cwd()).catch((error: unknown) => {
		if (error instanceof RegistryError) return error;
		throw error;
	});
	const damaged = await checkReports(process.cwd());
	if (registry instanceof RegistryError) {
		if (damaged.length > 0) console.error(registry.message);
		throw damaged.length > 0 ? new DamagedReportsError(damaged) : registry;
	}
	if (damaged.length > 0) throw new DamagedReportsError(damaged);
	console.log(
		`registry ok: ${registry.models.length} models, ${registry.roles.length} roles, ${registry.cases.length} cases, policy valid; reports ok`,
	);
	// Gaps are warnings, not errors: a young repository may have no cases for a role yet.
	const gaps = registryGaps({
		...registry,
		roles: registry.roles.map((entry) => entry.role),
		cases: registry.cases.map((entry) => entry.case),
	});
	for (const gap of gaps) console.warn(`warning: ${gap}`);
});
