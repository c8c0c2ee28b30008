// `npm run promote`: write the latest report's proposals into benchmarks/roles/*.yaml, keeping comments.
// Before writing, the diversity guard judges every proposal together on the registry as it is now.
// `npm run promote -- --explain <role>`: print the gate table behind that role's verdicts.
import path from 'node:path';
import { BenchmarkError } from '../src/lib/errors/describe-error.ts';
import { explainRole } from '../src/lib/policy/explain-role.ts';
import { judgeWholeChange } from '../src/lib/policy/judge-change.ts';
import { applyProposals } from '../src/lib/registry/apply-proposals.ts';
import { loadRegistry } from '../src/lib/registry/load-registry.ts';
import { REGISTRY_PATHS } from '../src/lib/registry/paths.ts';
import { readAllReports } from '../src/lib/report/read-reports.ts';
import { parseCommandLine, runCommand } from './command-line.ts';

const usage = `usage: npm run promote [-- --explain ROLE] [-- --report local-model-benchmark-YYYY-MM-DD]

Writes the proposals of the latest report (or of --report) into benchmarks/roles/*.yaml, keeping comments.
  --explain ROLE   print the gate table behind that role's verdicts instead; writes nothing
  --report STEM    use this report instead of the latest
Exits 2 on a bad option, 1 when there is no such report or the registry cannot be read or written.`;

const args = parseCommandLine(usage, { explain: { type: 'string' }, report: { type: 'string' } });

await runCommand({ name: 'promote', usage }, async () => {
	const root = process.cwd();
	const reports = await readAllReports(path.join(root, REGISTRY_PATHS.reports));
	const chosen = args.report ? reports.find((entry) => entry.stem === args.report) : reports.at(-1);
	if (!chosen) {
		throw new BenchmarkError(args.report ? `There is no report ${args.report} in reports/.` : 'There is no report in reports/ yet.', {
			hint: args.report
				? 'name a report by its file name without .md, e.g. local-model-benchmark-2026-11-30.'
				: 'run the benchmark first (npm run build with Ollama running).',
		});
	}
	if (args.explain) {
		console.log(explainRole(chosen.report, chosen.stem, args.explain));
		return;
	}
	for (const held of chosen.report.held_proposals)
		console.log(`held in the run: ${held.proposal.kind} ${held.proposal.model} in ${held.proposal.role}: ${held.reason}`);
	if (chosen.report.proposals.length === 0) {
		console.log(`${chosen.stem} proposes no registry change; nothing was written.`);
		return;
	}
	const registry = await loadRegistry(root);
	// The registry may have changed since the run: judge the whole change again on it as it is now.
	const judged = judgeWholeChange(
		registry.roles.map((entry) => entry.role),
		registry.models,
		chosen.report.proposals,
		registry.policy.diversity.min_families,
	);
	for (const held of judged.held)
		console.log(`held: ${held.proposal.kind} ${held.proposal.model} in ${held.proposal.role}: ${held.reason}`);
	const changes = await applyProposals(root, judged.proposals, { date: chosen.report.date, report: chosen.stem });
	for (const change of changes) console.log(`${change.applied ? 'applied' : 'skipped'}: ${change.file}: ${change.note}`);
});
