// `npm run promote`: write the latest report's proposals into benchmarks/roles/*.yaml, keeping comments.
// Before writing, the diversity guard judges every proposal together on the registry as it is now.
// `npm run promote -- --explain <role>`: print the gate table behind that role's verdicts.
import path from 'node:path';
import { formatFailure } from '../src/lib/errors/describe-error.ts';
import { applyProposals } from '../src/lib/policy/apply-proposals.ts';
import { explainRole } from '../src/lib/policy/explain-role.ts';
import { judgeWholeChange } from '../src/lib/policy/judge-change.ts';
import { loadRegistry } from '../src/lib/registry/load-registry.ts';
import { REGISTRY_PATHS } from '../src/lib/registry/paths.ts';
import { RegistryError } from '../src/lib/registry/registry-error.ts';
import { readAllReports } from '../src/lib/report/read-reports.ts';
import { parseCommandLine } from './command-line.ts';

const usage = 'usage: npm run promote [-- --explain ROLE] [-- --report local-model-benchmark-YYYY-MM-DD]';
const args = parseCommandLine(usage, { explain: { type: 'string' }, report: { type: 'string' } });

const root = process.cwd();
const reports = await readAllReports(path.join(root, REGISTRY_PATHS.reports)).catch((error: unknown) => {
	console.error(formatFailure(error));
	process.exit(1);
});
const chosen = args.report ? reports.find((entry) => entry.stem === args.report) : reports.at(-1);
if (!chosen) {
	console.error(args.report ? `There is no report ${args.report} in reports/.` : 'There is no report in reports/ yet: run the benchmark first (npm run build with Ollama running).');
	process.exit(1);
}

if (args.explain) {
	console.log(explainRole(chosen.report, chosen.stem, args.explain));
	process.exit(0);
}

for (const held of chosen.report.held_proposals) console.log(`held in the run: ${held.proposal.kind} ${held.proposal.model} in ${held.proposal.role}: ${held.reason}`);
if (chosen.report.proposals.length === 0) {
	console.log(`${chosen.stem} proposes no registry change; nothing was written.`);
	process.exit(0);
}
const registry = await loadRegistry(root).catch((error: unknown) => {
	console.error(error instanceof RegistryError ? error.message : formatFailure(error));
	return process.exit(1);
});
// The registry may have changed since the run: judge the whole change again on it as it is now.
const judged = judgeWholeChange(
	registry.roles.map((entry) => entry.role),
	registry.models,
	chosen.report.proposals,
	registry.policy.diversity.min_families,
);
for (const held of judged.held) console.log(`held: ${held.proposal.kind} ${held.proposal.model} in ${held.proposal.role}: ${held.reason}`);
const changes = await applyProposals(root, judged.proposals, { date: chosen.report.date, report: chosen.stem }).catch((error: unknown) => {
	console.error(formatFailure(error));
	return process.exit(1);
});
for (const change of changes) console.log(`${change.applied ? 'applied' : 'skipped'}: ${change.file}: ${change.note}`);
