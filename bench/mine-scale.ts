/**
 * Scale benchmark for the case miner: builds a temporary repository of 2,000+ commits with `git fast-import`
 * (seconds instead of minutes of `git commit`), mines it into a temporary folder, and prints cases per task,
 * skips per reason and throughput. Everything it writes is removed afterwards.
 *
 *   node bench/mine-scale.ts [--commits 2400] [--keep]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatCounts } from '../src/lib/mine/report.ts';
import { measureMining } from './support/measure-mining.ts';

const { values } = parseArgs({ options: { commits: { type: 'string', default: '2400' }, keep: { type: 'boolean', default: false } } });
const COMMITS = Number(values.commits);
if (!Number.isInteger(COMMITS) || COMMITS < 10)
	throw new Error(`--commits expects a whole number of at least 10, got '${values.commits}'.`);

const root = mkdtempSync(join(tmpdir(), 'mine-scale-'));
try {
	const { repository, result, written, files, mineSeconds, totalSeconds } = await measureMining(root, COMMITS);
	console.log(`Repository: ${repository.commits} commits in ${repository.seconds.toFixed(1)} s (git fast-import).`);
	console.log(
		`Mined ${result.commitsRead} commits in ${mineSeconds.toFixed(1)} s; wrote ${written} cases (${files} files) in ${totalSeconds.toFixed(1)} s total.`,
	);
	console.log(`Commits skipped by reason: ${formatCounts(result.commitSkips)}.`);
	for (const tally of result.tallies) console.log(`  ${tally.task}: ${tally.found} cases; skipped: ${formatCounts(tally.skipped)}.`);
	console.log(`Secrets found: ${result.secrets.length}; invalid: ${result.invalid.length}.`);
	console.log(
		`Throughput: ${(result.cases.length / totalSeconds).toFixed(1)} cases/s, ${(result.commitsRead / totalSeconds).toFixed(1)} commits/s.`,
	);
	if (values.keep) console.log(`Kept: ${root}`);
} finally {
	if (!values.keep) rmSync(root, { recursive: true, force: true });
}
