// `npm run weight -- [dist] [--json]`: the JavaScript each page type of a built site ships, gzipped.
// Builds nothing: it measures the folder it is given (default `dist/`) and fails when a budget is broken.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PAGE_BUDGETS, formatWeights, measureSite } from '../src/lib/site/page-weight.ts';
import { UsageError, parseCommandLineWithPositionals, runCommand } from './command-line.ts';

const usage = `usage: npm run weight -- [DIST] [--json]

Measures the JavaScript each page type of the built site in DIST (default dist/) ships, gzipped.
  --json   print the figures as JSON
Exits 2 on a bad option or a folder without a built site, 1 when a page type is over its budget.`;

const { values, positionals } = parseCommandLineWithPositionals(usage, { json: { type: 'boolean', default: false } });

await runCommand({ name: 'weight', usage }, async () => {
	if (positionals.length > 1) throw new UsageError(`expected at most one folder, got ${positionals.length}: ${positionals.join(' ')}.`);
	const dist = path.resolve(positionals[0] ?? 'dist');
	if (!existsSync(path.join(dist, 'index.html')))
		throw new UsageError(`${dist} holds no built site (no index.html): run \`npm run build\` first, or name the folder.`);
	const report = await measureSite(dist, PAGE_BUDGETS);
	console.log(values.json ? JSON.stringify(report, null, 1) : formatWeights(report));
	return report.violations.length > 0 ? 1 : 0;
});
