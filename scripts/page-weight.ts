// `npm run weight -- [dist] [--json]`: the JavaScript each page type of a built site ships, gzipped.
// Builds nothing: it measures the folder it is given (default `dist/`) and fails when a budget is broken.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PAGE_BUDGETS, formatWeights, measureSite } from '../src/lib/site/page-weight.ts';

const usage = 'usage: npm run weight -- [DIST] [--json]   (DIST defaults to dist/)';
let parsed;
try {
	parsed = parseArgs({ allowPositionals: true, options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } });
} catch (error) {
	console.error(`${(error as Error).message}\n${usage}`);
	process.exit(2);
}
if (parsed.values.help) {
	console.log(usage);
	process.exit(0);
}
const dist = path.resolve(parsed.positionals[0] ?? 'dist');
if (!existsSync(path.join(dist, 'index.html'))) {
	console.error(`${dist} holds no built site (no index.html): run \`npm run build\` first, or name the folder.\n${usage}`);
	process.exit(2);
}

const report = await measureSite(dist, PAGE_BUDGETS);
if (parsed.values.json) console.log(JSON.stringify(report, null, 1));
else console.log(formatWeights(report));
process.exit(report.violations.length > 0 ? 1 : 0);
