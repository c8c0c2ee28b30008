// `npm run perf`: what the harness costs on top of the models' own time, and whether the site stays fast
// as runs pile up. Figures to measure and print, not timed tests: every item runs in temporary folders
// against the fake Ollama, prints one table (figure, value, goal, met?) and writes the same as JSON.
//
//   npm run perf [-- --only 1,3] [--json PATH] [--quick] [--scale-runs N] [--scale-workspace DIR] [--sim-runs N]
//
// 1 harness overhead   2 model loads   3 warm rebuild   4 site at scale   5 mining throughput
// 6 scale-out (parallel slots, host pools)   7 whole process against a bare client process
// 8 sequential evaluation: the stopping modes' verdicts, error rates and calls, by simulation
// docs/performance.md has the figures of a full run and what they mean.
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseCommandLine } from '../scripts/command-line.ts';
import { type VariantFigures, measureHarnessOverhead } from './support/harness-overhead.ts';
import { formatBytes } from './support/measure.ts';
import { measureMining } from './support/measure-mining.ts';
import { measureModelLoads } from './support/model-loads.ts';
import { makeScratch, removeAllScratchSync, removeScratch } from './support/scratch.ts';
import { measureSiteScale } from './support/site-scale.ts';
import { measureScaleOut, measureWholeProcess } from './support/scale-out.ts';
import { measureSequential, simulationGoals, simulationTable } from './sequential-simulation.ts';
import { measureWarmRebuild } from './support/warm-rebuild.ts';

const usage = `usage: npm run perf [-- --only 1,3] [--json PATH] [--quick] [--scale-runs N] [--sim-runs N]
  --only LIST   run only these items (1 overhead, 2 model loads, 3 warm rebuild, 4 scale, 5 mining,
                6 scale-out, 7 whole process, 8 sequential evaluation)
  --json PATH   where the figures go as JSON (default: a file under ${os.tmpdir()}, printed at the end)
  --quick       small sizes for a smoke run (the figures then say little)
  --scale-runs N  weekly runs in the site-at-scale item (default 52, a year; 2 with --quick)
  --scale-workspace DIR  keep the site-at-scale workspace in DIR and reuse it on the next run of the
                same size (generating it takes minutes); its site code is refreshed from the project
  --sim-runs N  seeded runs per scenario in the sequential-evaluation item (default 1000; 50 with --quick)`;

const args = parseCommandLine(usage, {
	only: { type: 'string' },
	json: { type: 'string' },
	quick: { type: 'boolean', default: false },
	'scale-runs': { type: 'string' },
	'scale-workspace': { type: 'string' },
	'sim-runs': { type: 'string' },
});
const ITEMS = [1, 2, 3, 4, 5, 6, 7, 8] as const;
type Item = (typeof ITEMS)[number];
const only = args.only === undefined ? [...ITEMS] : args.only.split(',').map((part) => Number(part.trim()));
if (only.length === 0 || only.some((item) => !ITEMS.includes(item as Item))) {
	console.error(
		`--only is ${JSON.stringify(args.only)}; expected item numbers from 1 to 8 separated by commas, e.g. --only 1,3.\n${usage}`,
	);
	process.exit(2);
}
const quick = args.quick;
const scaleRuns = args['scale-runs'] === undefined ? undefined : Number(args['scale-runs']);
if (scaleRuns !== undefined && !(Number.isInteger(scaleRuns) && scaleRuns >= 1)) {
	console.error(
		`--scale-runs is ${JSON.stringify(args['scale-runs'])}; expected a whole number of runs, 1 or more, e.g. --scale-runs 10.\n${usage}`,
	);
	process.exit(2);
}
const simRuns = args['sim-runs'] === undefined ? undefined : Number(args['sim-runs']);
if (simRuns !== undefined && !(Number.isInteger(simRuns) && simRuns >= 1)) {
	console.error(
		`--sim-runs is ${JSON.stringify(args['sim-runs'])}; expected a whole number of runs, 1 or more, e.g. --sim-runs 200.\n${usage}`,
	);
	process.exit(2);
}
const jsonPath = path.resolve(args.json ?? path.join(os.tmpdir(), `lmb-perf-${new Date().toISOString().replace(/[:.]/g, '-')}.json`));

// The full sizes (the figures in docs/performance.md), and a smoke-run version of each.
const SIZES = quick
	? {
			overheadCalls: 120,
			overheadRounds: 3,
			loadCasesPerRole: 2,
			rebuildCases: 12,
			rebuildRuns: 1,
			scaleCases: 60,
			scaleModels: 9,
			scaleRuns: 2,
			miningCommits: 300,
			scaleOutCalls: 48,
			scaleOutRounds: 1,
			processCalls: 400,
			processRounds: 1,
			simulationRuns: 50,
		}
	: {
			overheadCalls: 1000,
			overheadRounds: 7,
			loadCasesPerRole: 10,
			rebuildCases: 200,
			rebuildRuns: 5,
			scaleCases: 1000,
			scaleModels: 9,
			scaleRuns: 52,
			miningCommits: 2400,
			scaleOutCalls: 240,
			scaleOutRounds: 3,
			processCalls: 400,
			processRounds: 5,
			simulationRuns: 1000,
		};

/** The fake model's fixed time per answer in the scale-out item. */
const SCALE_OUT_LATENCY_MS = 50;

/** One line of the table. `met` is null for a figure with no goal. */
interface Row {
	item: Item;
	figure: string;
	value: string;
	goal: string;
	met: boolean | null;
}

const rows: Row[] = [];
const figures: Record<string, unknown> = {};
const failures: { item: Item; error: string }[] = [];
const say = (line: string) => console.log(`[perf] ${line}`);

// Ctrl-C: the `finally` blocks that remove the scratch folders do not run when a signal ends the process.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.on(signal, () => {
		removeAllScratchSync();
		console.error(`\n[perf] interrupted; scratch folders removed.`);
		process.exit(130);
	});
}

const seconds = (value: number) => `${value.toFixed(1)} s`;

async function harnessOverhead(): Promise<void> {
	const f = await measureHarnessOverhead({ calls: SIZES.overheadCalls, rounds: SIZES.overheadRounds, log: say });
	figures.harness_overhead = f;
	const { bare, client, engineMemory, engine } = f.variants;
	const perCall = (variant: VariantFigures) =>
		`${variant.wallMsPerCall.toFixed(3)} ms (CPU ${variant.cpuMsPerCall.toFixed(3)}, of it kernel ${variant.systemMsPerCall.toFixed(3)})`;
	rows.push(
		{
			item: 1,
			figure: `harness overhead: engine ÷ bare client, ${f.calls} uncached calls (median of ${f.rounds} rounds)`,
			value: engine.ratio.toFixed(2),
			goal: '≤ 1.10',
			met: engine.ratio <= 1.1,
		},
		{ item: 1, figure: 'per call: bare client', value: perCall(bare), goal: '—', met: null },
		{ item: 1, figure: 'per call: engine (answer cache on disk, as a build runs)', value: perCall(engine), goal: '—', met: null },
		{ item: 1, figure: "where it goes: engine's model client alone ÷ bare", value: client.ratio.toFixed(2), goal: '—', met: null },
		{
			item: 1,
			figure: 'where it goes: engine with the cache in memory ÷ bare',
			value: engineMemory.ratio.toFixed(2),
			goal: '—',
			met: null,
		},
	);
}

async function modelLoads(): Promise<void> {
	const f = await measureModelLoads({ casesPerRole: SIZES.loadCasesPerRole });
	figures.model_loads = f;
	rows.push(
		{
			item: 2,
			figure: `model switches, ${f.models} models × ${f.roles} roles (${f.caseCalls} case calls)`,
			value: String(f.modelSwitches),
			goal: `= ${f.minimum}`,
			met: f.modelSwitches === f.minimum,
		},
		{ item: 2, figure: 'load requests sent', value: String(f.loadRequests), goal: `= ${f.minimum}`, met: f.loadRequests === f.minimum },
	);
}

async function warmRebuild(): Promise<void> {
	const f = await measureWarmRebuild({ cases: SIZES.rebuildCases, runs: SIZES.rebuildRuns, log: say });
	figures.warm_rebuild = f;
	rows.push(
		{
			item: 3,
			figure: `warm rebuild: model calls (${f.cases} cases, ${f.models} models; cold build made ${f.coldCalls})`,
			value: String(f.warmModelCalls),
			goal: '0',
			met: f.warmModelCalls === 0,
		},
		{ item: 3, figure: 'warm rebuild: new reports written', value: String(f.warmReports), goal: '0', met: f.warmReports === 0 },
		{
			item: 3,
			figure: `warm rebuild ÷ BENCH=0 build (median of ${f.runs})`,
			value: `${f.ratio.toFixed(2)} (${seconds(f.warmMedianSeconds)} / ${seconds(f.skipMedianSeconds)})`,
			goal: '≤ 1.15',
			met: f.ratio <= 1.15,
		},
	);
}

async function siteScale(): Promise<void> {
	const f = await measureSiteScale({
		cases: SIZES.scaleCases,
		models: SIZES.scaleModels,
		runs: scaleRuns ?? SIZES.scaleRuns,
		keepIn: args['scale-workspace'],
		log: say,
	});
	figures.site_scale = f;
	const scale = `${f.cases} cases × ${f.models} models × ${f.runs} runs`;
	if (!f.buildOk) {
		rows.push({ item: 4, figure: `scale build (${scale})`, value: `FAILED after ${seconds(f.buildSeconds)}`, goal: 'builds', met: false });
		failures.push({ item: 4, error: `the scale build failed:\n${f.buildTail}` });
		return;
	}
	const limit = 1_000_000;
	rows.push(
		{ item: 4, figure: `scale build time (${scale}, BENCH=0)`, value: seconds(f.buildSeconds), goal: '< 120 s', met: f.buildSeconds < 120 },
		{
			item: 4,
			figure: `scale build peak memory (${f.peakRssBy})`,
			value: f.peakRssBytes === null ? 'unknown' : formatBytes(f.peakRssBytes),
			goal: '< 2 GB',
			met: f.peakRssBytes === null ? null : f.peakRssBytes < 2e9,
		},
		{
			item: 4,
			figure: `largest HTML page (${f.html.count} pages, ${f.html.over} over 1 MB): ${f.html.file}`,
			value: formatBytes(f.html.bytes),
			goal: '≤ 1 MB',
			met: f.html.bytes <= limit,
		},
		{
			item: 4,
			figure: `largest JSON file (${f.json.count} files, ${f.json.over} over 1 MB): ${f.json.file}`,
			value: formatBytes(f.json.bytes),
			goal: '≤ 1 MB',
			met: f.json.bytes <= limit,
		},
	);
}

async function mining(): Promise<void> {
	const root = await makeScratch('lmb-perf-mine-');
	try {
		const f = await measureMining(root, SIZES.miningCommits);
		figures.mining = {
			commits: f.repository.commits,
			repository_seconds: f.repository.seconds,
			commits_read: f.result.commitsRead,
			cases: f.result.cases.length,
			mine_seconds: f.mineSeconds,
			total_seconds: f.totalSeconds,
			cases_per_second: f.casesPerSecond,
			commits_per_second: f.commitsPerSecond,
		};
		rows.push({
			item: 5,
			figure: `mining: ${f.result.cases.length} cases from ${f.repository.commits} commits in ${seconds(f.totalSeconds)}`,
			value: `${f.casesPerSecond.toFixed(1)} cases/s`,
			goal: '—',
			met: null,
		});
	} finally {
		await removeScratch(root);
	}
}

async function scaleOut(): Promise<void> {
	const f = await measureScaleOut({ calls: SIZES.scaleOutCalls, latencyMs: SCALE_OUT_LATENCY_MS, rounds: SIZES.scaleOutRounds, log: say });
	figures.scale_out = f;
	for (const layout of f.layouts) {
		const slots = `${layout.hosts} host${layout.hosts > 1 ? 's' : ''} × ${layout.parallel} slot${layout.parallel > 1 ? 's' : ''}`;
		rows.push({
			item: 6,
			figure: `scale-out: ${slots}, ${layout.calls} calls of ${f.latencyMs} ms (${layout.modelMsPerCall.toFixed(1)} ms as served): wall ÷ (model time ÷ slots) (${layout.wallMs.toFixed(0)} / ${layout.idealMs.toFixed(0)} ms${layout.hosts > 1 ? `; cases per host ${layout.perHost.join('/')}` : ''})`,
			value: layout.ratio.toFixed(2),
			goal: '≤ 1.10',
			met: layout.ratio <= 1.1,
		});
	}
	const pool = f.layouts.find((layout) => layout.hosts === 3)!;
	rows.push({
		item: 6,
		figure: 'scale-out: 3 hosts × 2 slots ÷ 1 host × 1 slot (wall time)',
		value: pool.ofSequential.toFixed(3),
		goal: '≤ 0.19',
		met: pool.ofSequential <= 0.19,
	});
}

async function wholeProcess(): Promise<void> {
	const f = await measureWholeProcess({ calls: SIZES.processCalls, rounds: SIZES.processRounds, log: say });
	figures.whole_process = f;
	const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
	rows.push({
		item: 7,
		figure: `whole process: npm run bench ÷ bare client process, ${f.calls} calls (${median(f.engineSeconds).toFixed(2)} / ${median(f.bareSeconds).toFixed(2)} s, median of ${f.rounds})`,
		value: f.ratio.toFixed(2),
		goal: '≤ 1.5',
		met: f.ratio <= 1.5,
	});
}

async function sequentialEvaluation(): Promise<void> {
	const f = measureSequential({ runs: simRuns ?? SIZES.simulationRuns, log: say });
	figures.sequential_simulation = f;
	say(
		`sequential evaluation, ${f.runs} seeded runs per scenario (seed ${f.seed}, alpha ${f.alpha}); calls are challenger calls ÷ the full run's:`,
	);
	for (const line of simulationTable(f.scenarios)) console.log(line);
	say(
		'false promotion /challenger: equal challengers shown better and passing every gate (promoted or only outranked) — the figure the goal "≤ alpha" bounds; /run: runs where some equal challenger was promoted (family-wise over the eight, not bounded by alpha). Settled: promote, or hold with a metric shown worse.',
	);
	for (const goal of simulationGoals(f)) rows.push({ item: 8, figure: goal.figure, value: goal.shown, goal: goal.goal, met: goal.met });
}

const RUNNERS: Record<Item, [string, () => Promise<void>]> = {
	1: ['harness overhead', harnessOverhead],
	2: ['model loads', modelLoads],
	3: ['warm rebuild', warmRebuild],
	4: ['site at scale', siteScale],
	5: ['mining', mining],
	6: ['scale-out', scaleOut],
	7: ['whole process', wholeProcess],
	8: ['sequential evaluation', sequentialEvaluation],
};

const machine = {
	cpus: os.availableParallelism(),
	cpu_model: os.cpus()[0]?.model ?? 'unknown',
	memory_bytes: os.totalmem(),
	load_average: os.loadavg(),
	node: process.version,
	platform: `${os.platform()} ${os.release()} ${os.arch()}`,
	date: new Date().toISOString(),
};
say(
	`${machine.cpus} CPUs (${machine.cpu_model}), ${formatBytes(machine.memory_bytes)} memory, Node ${machine.node}, load average ${machine.load_average.map((value) => value.toFixed(2)).join(' ')}${quick ? '; --quick sizes' : ''}`,
);

const started = performance.now();
for (const item of only as Item[]) {
	const [name, run] = RUNNERS[item];
	const itemStarted = performance.now();
	say(`${item}. ${name}…`);
	try {
		await run();
		say(`${item}. ${name}: done in ${seconds((performance.now() - itemStarted) / 1000)}`);
	} catch (error) {
		failures.push({ item, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
		rows.push({ item, figure: name, value: 'FAILED', goal: '—', met: false });
		say(`${item}. ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
	}
}

// The table: plain text, aligned, readable in a terminal and pasteable into Markdown.
const header = ['#', 'figure', 'value', 'goal', 'met?'];
const lines = rows.map((row) => [String(row.item), row.figure, row.value, row.goal, row.met === null ? '—' : row.met ? 'yes' : 'NO']);
const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
const format = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
console.log('');
console.log(format(header));
console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
for (const line of lines) console.log(format(line));
console.log('');

const output = {
	command: `npm run perf${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
	quick,
	items: only,
	machine,
	seconds: (performance.now() - started) / 1000,
	rows,
	figures,
	failures,
};
await writeFile(jsonPath, `${JSON.stringify(output, null, 2)}\n`);
say(`figures written to ${jsonPath} (${seconds(output.seconds)} in all)`);
for (const failure of failures) console.error(`[perf] item ${failure.item} failed:\n${failure.error}`);
// Unmet goals are figures, not failures; an item that could not be measured is.
process.exit(failures.length > 0 ? 1 : 0);
