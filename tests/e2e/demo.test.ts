import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { readAllReports } from '../../src/lib/report/read-reports.ts';
import { readRunResults } from '../../src/lib/report/read-results.ts';
import type { Report } from '../../src/lib/schema/report.ts';
import { DEMO_RUNS, committedCases } from '../../testing/demo-scenario.ts';
import { PROJECT_ROOT } from '../../testing/project-copy.ts';

// `npm run demo` end to end: the scenario of testing/demo-scenario.ts played by the pipeline
// against the fake Ollama in a scratch git clone, a served site marked as demo data on every page,
// every decision the scenario promises visible in the reports and on the pages, and nothing written
// into this project's reports/ or benchmarks/.

const BANNER = 'demo data from a simulated model server';
const DAY = 24 * 60 * 60 * 1000;

const verdictsOf = (report: Report, outcome: string) => report.verdicts.filter((verdict) => verdict.outcome === outcome);
const acceptance = (report: Report, role: string, model: string) =>
	report.metrics.find((row) => row.role === role && row.model === model)?.acceptance_rate.value;
const digest = (report: Report, model: string) => report.manifest.models.find((entry) => entry.id === model)?.digest;

/** Every file under the folders, with size and modification time: what the demo must leave as it was. */
async function snapshot(folders: string[]): Promise<Record<string, string>> {
	const state: Record<string, string> = {};
	for (const folder of folders) {
		const root = path.join(PROJECT_ROOT, folder);
		if (!existsSync(root)) continue;
		for (const file of await readdir(root, { recursive: true })) {
			const info = await stat(path.join(root, file));
			state[`${folder}/${file}`] = info.isDirectory() ? 'dir' : `${info.size} ${info.mtimeMs}`;
		}
	}
	return state;
}

let child: ChildProcess | undefined;
afterAll(() => {
	if (child && child.exitCode === null) child.kill('SIGKILL');
});

describe('npm run demo', () => {
	it('serves a populated site marked as demo data, cleans up on Ctrl-C and never touches reports/ or benchmarks/', async () => {
		const scripts = JSON.parse(await readFile(path.join(PROJECT_ROOT, 'package.json'), 'utf8')).scripts;
		expect(scripts.demo).toBe('node scripts/demo.ts');
		const before = await snapshot(['reports', 'benchmarks']);

		const demo = spawn(process.execPath, ['scripts/demo.ts', '--port', '0'], {
			cwd: PROJECT_ROOT,
			stdio: ['ignore', 'pipe', 'pipe'],
			env: { ...process.env, NO_COLOR: '1' },
		});
		child = demo;
		let output = '';
		demo.stdout!.on('data', (chunk) => (output += chunk));
		demo.stderr!.on('data', (chunk) => (output += chunk));
		const exited = new Promise<number | null>((resolve) => demo.on('exit', (code) => resolve(code)));
		const url = await new Promise<string>((resolve, reject) => {
			const timer = setInterval(() => {
				const match = /Demo site: (http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
				if (match) {
					clearInterval(timer);
					resolve(match[1]!);
				} else if (demo.exitCode !== null) {
					clearInterval(timer);
					reject(new Error(`the demo exited early:\n${output}`));
				}
			}, 100);
		});
		const workspace = /workspace (\S+):/.exec(output)?.[1];
		expect(workspace).toBeDefined();
		expect(existsSync(workspace!)).toBe(true);

		const html = async (pathname: string) => {
			const response = await fetch(`${url}${pathname}`);
			expect(response.status, pathname).toBe(200);
			return response.text();
		};
		const index = await html('/');
		expect(index).toContain(BANNER);
		expect(index).not.toContain('No archived runs yet');
		const runs = (await (await fetch(`${url}/api/runs.json`)).json()) as { demo: boolean; runs: { id: string; date: string }[] };
		expect(runs.demo).toBe(true);
		expect(runs.runs).toHaveLength(DEMO_RUNS.length);
		for (const pathname of [
			'/runs/',
			...runs.runs.map((run) => `/runs/${run.id}/`),
			'/roles/draft/',
			'/models/llama3-1-8b/',
			'/cases/draft-commit-message-40d2c790f590/',
		]) {
			expect(await html(pathname), pathname).toContain(BANNER);
		}
		expect(await html('/rss.xml')).toContain(BANNER);

		// The reports, oldest first: one per run, dated three weeks apart, each on a committed harness.
		const entries = await readAllReports(path.join(workspace!, 'reports'));
		const reports = entries.map((entry) => entry.report);
		expect(reports).toHaveLength(DEMO_RUNS.length);
		const dates = reports.map((report) => Date.parse(`${report.date}T00:00:00Z`));
		expect((dates.at(-1)! - dates[0]!) / DAY).toBe(21);
		const projectHead = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim();
		for (const report of reports) {
			expect(report.manifest.harness.commit).toMatch(/^[0-9a-f]{40}$/);
			expect(report.manifest.harness.dirty).toBe(false);
			const ancestry = execFileSync('git', ['rev-list', report.manifest.harness.commit!], { cwd: workspace!, encoding: 'utf8' });
			expect(ancestry.split('\n')).toContain(projectHead);
		}
		const [first, second, third, today] = reports as [Report, Report, Report, Report];
		const all = reports.flatMap((report) => report.verdicts);

		// An earned promotion: draft's challenger shown better by the paired tests, applied by the owner.
		const promotion = verdictsOf(first, 'promote');
		expect(promotion.map((verdict) => [verdict.role, verdict.challenger, verdict.incumbent])).toEqual([
			['draft', 'llama3.1:8b', 'gemma4:latest'],
		]);
		const better = promotion[0]!.gates.find((gate) => gate.gate === 'strictly_better')!;
		expect(better.pass).toBe(true);
		expect(better.p_better!).toBeLessThanOrEqual(promotion[0]!.alpha!);
		expect(first.proposals).toContainEqual(expect.objectContaining({ kind: 'promote', role: 'draft', model: 'llama3.1:8b' }));
		// A hold for want of evidence on review's few cases, saying how many more would settle it.
		const held = all.find((verdict) => verdict.role === 'review' && verdict.outcome === 'hold: not enough evidence');
		expect(held?.more_evidence?.cases).toBeGreaterThan(0);
		// The family-diversity guard: reason's best challenger would leave it all alibaba-qwen.
		expect(verdictsOf(first, 'blocked: diversity').map((verdict) => [verdict.role, verdict.challenger])).toEqual([['reason', 'qwen3:14b']]);
		// A retirement: granite3.3:8b failed hard on every case in two runs, and the owner applied it.
		expect(second.proposals).toContainEqual(expect.objectContaining({ kind: 'retire', role: 'draft', model: 'granite3.3:8b' }));
		const draftRole = parse(await readFile(path.join(workspace!, 'benchmarks', 'roles', 'draft.yaml'), 'utf8'));
		expect(draftRole.incumbent).toBe('llama3.1:8b');
		expect(draftRole.challengers).toEqual(['mistral-small3.2:24b']);
		expect(draftRole.retired.map((entry: { model: string }) => entry.model)).toEqual(['gemma4:latest', 'granite3.3:8b']);
		// Re-pulled models regress: a new digest, and fewer cases accepted than before.
		expect(digest(third, 'deepseek-r1:14b')).not.toBe(digest(second, 'deepseek-r1:14b'));
		expect(acceptance(third, 'reason', 'deepseek-r1:14b')!).toBeLessThan(acceptance(second, 'reason', 'deepseek-r1:14b')! - 0.1);
		expect(digest(today, 'gemma4:26b')).not.toBe(digest(third, 'gemma4:26b'));
		expect(acceptance(today, 'review', 'gemma4:26b')!).toBeLessThan(acceptance(third, 'review', 'gemma4:26b')!);
		// Review rejections escalate to the chain, some overturned, and no escalation ever calls a frontier API.
		for (const report of reports) {
			expect(report.escalations?.escalations).toBeGreaterThan(0);
			expect(report.escalations?.overturned).toBeGreaterThan(0);
			expect(report.escalations?.frontier.calls).toBe(0);
		}
		// The coder answers ran their commits' tests in bubblewrap: the reference passes, junk fails.
		const results = await readRunResults(workspace!, entries[0]!.stem, first);
		expect(results.status).toBe('ok');
		const executions =
			results.status === 'ok' ? results.results.filter((result) => result.role === 'coder').map((result) => result.execution) : [];
		expect(executions.map((execution) => execution?.isolation)).toEqual(executions.map(() => 'bubblewrap'));
		expect(new Set(executions.map((execution) => execution?.status))).toEqual(new Set(['passed', 'failed']));

		// The pages show it: the harness commit, the decisions and the retired models.
		expect(await html('/')).toContain(today.manifest.harness.commit!.slice(0, 12));
		const firstRun = await html(`/runs/${runs.runs.find((run) => run.date === first.date)!.id}/`);
		for (const outcome of ['promote', 'blocked: diversity', 'hold: not enough evidence'])
			expect(firstRun).toContain(`data-outcome="${outcome}"`);
		expect(await html(`/runs/${runs.runs.find((run) => run.date === second.date)!.id}/`)).toMatch(/retire\s*<code>granite3\.3:8b<\/code>/);
		// Sequential evaluation (curtail, the default): a challenger whose verdict was settled is asked no further
		// case, and the run page says how far it got and why.
		const stoppedChallenger = first.sequential?.stops.find((stop) => stop.kind === 'challenger' && stop.stopped);
		expect(stoppedChallenger, 'a challenger stopped early in the first run').toBeDefined();
		expect(stoppedChallenger!.answered).toBeLessThan(stoppedChallenger!.planned);
		expect(stoppedChallenger!.reason).toMatch(/^settled: /);
		expect(first.sequential!.saved.calls).toBeGreaterThan(0);
		const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
		expect(firstRun).toMatch(
			new RegExp(
				`data-stopped="yes"[^]*?>${literal(stoppedChallenger!.model)}</code>[^]*?answered ${stoppedChallenger!.answered} of ${stoppedChallenger!.planned}, stopped early[^]*?${literal(stoppedChallenger!.reason)}`,
			),
		);
		const todayRun = await html(`/runs/${runs.runs.find((run) => run.date === today.date)!.id}/`);
		expect(todayRun).toContain('id="escalations"');
		expect(todayRun).not.toContain('recorded no escalation accounting');

		// Local or frontier: the baseline was asked once (the first run) and served from the cache after.
		expect(first.baseline_run?.billed_calls).toBeGreaterThan(0);
		for (const report of [second, third, today]) expect(report.baseline_run?.billed_calls).toBe(0);
		const committed = await committedCases();
		const casesOf = (role: string) => committed.filter((testCase) => testCase.role === role).length;
		// Under evidence.sequential (curtail by default) a baseline stops once its routing verdict is settled:
		// the routing verdict rests on the paired cases the stop rule read, which every run reads again from the cache.
		const baselineCases = (role: string) =>
			today.sequential?.stops.find((stop) => stop.role === role && stop.kind === 'baseline')?.read ?? casesOf(role);
		const route = (role: string) => today.routing!.find((entry) => entry.role === role)!;
		expect(route('draft')).toMatchObject({
			route: 'local',
			outcome: 'stay local',
			incumbent: 'llama3.1:8b',
			cases: baselineCases('draft'),
		});
		// A baseline stopped early says after how many of the role's cases; one that answered them all, on how many.
		expect(route('draft').reason).toMatch(
			/^stays local: llama3\.1:8b is within 5 points of claude-sonnet-4-5-20250929 (on \d+ cases|after \d+ of its \d+ cases)\b.*saves \$\d+\.\d\d per 100 draft cases(; the baseline stopped early with the full run's verdict)?$/,
		);
		expect(route('reason')).toMatchObject({ route: 'frontier', outcome: 'frontier is better', incumbent: 'deepseek-r1:14b' });
		expect(route('reason').cost.frontier!.usd_per_accepted).toBeGreaterThan(0);
		expect(route('reason').reason).toMatch(/per accepted answer, about \$\d+\.\d\d more per month/);
		// Review: the frontier answers as the incumbent does, and escalating the incumbent's rejections costs
		// less per case than sending every case out.
		expect(route('review')).toMatchObject({ route: 'local', outcome: 'local, escalate rejections', cases: baselineCases('review') });
		// Coder holds: the frontier and qwen2.5-coder:14b both answer every coder case with the history's answer,
		// so they agree on every case (no discordant pair) — a tie, on too few cases to bound the difference
		// under the margin. Without a discordant pair the one-sided score bound of (frontier − local) at
		// confidence 1 − alpha has a closed form, z² / (n + z²) (Tango's statistic is then −√(nδ / (1 − δ))),
		// so the tie settles at the first n above z²(1 − margin) / margin.
		const policy = parse(await readFile(path.join(workspace!, 'benchmarks', 'policy.yaml'), 'utf8'));
		const alpha: number = policy.evidence.alpha;
		const margin: number = policy.baseline.margin ?? 0.05;
		expect(alpha).toBe(0.05);
		const z = 1.6448536269514722; // Φ⁻¹(0.95), from the normal table
		const coderCases = baselineCases('coder');
		const bound = z ** 2 / (coderCases + z ** 2);
		const settledAt = Math.floor((z ** 2 * (1 - margin)) / margin) + 1;
		expect(bound).toBeGreaterThan(margin);
		expect(route('coder')).toMatchObject({
			route: 'hold',
			outcome: 'hold: not enough evidence',
			incumbent: 'qwen2.5-coder:14b',
			cases: coderCases,
			pairs: { only_frontier: 0, only_local: 0 },
			more_cases: settledAt,
		});
		expect(route('coder').difference!.value).toBe(0);
		expect(route('coder').difference!.low).toBeCloseTo(-bound, 3);
		expect(route('coder').difference!.high).toBeCloseTo(bound, 3);
		expect(route('coder').reason).toContain(`${coderCases} paired cases cannot tell whether qwen2.5-coder:14b is within 5 points`);
		expect(route('coder').reason).toContain(`about ${settledAt} cases in all would settle it`);

		// The same three outcomes in routing.json, for a tool to route on: where the work goes, and the evidence.
		const routing = (await (await fetch(`${url}/api/routing.json`)).json()) as {
			routes: Record<
				string,
				{
					route: string;
					route_evidence: {
						outcome: string;
						reason: string;
						cases: number;
						more_cases: number | null;
						usd_per_accepted: { local: number | null; frontier: number | null };
					};
				}
			>;
		};
		expect(Object.fromEntries(Object.entries(routing.routes).map(([role, entry]) => [role, entry.route]))).toEqual({
			coder: 'hold',
			draft: 'local',
			reason: 'frontier',
			review: 'local',
		});
		for (const role of ['draft', 'reason', 'review', 'coder'])
			expect(routing.routes[role]!.route_evidence, role).toMatchObject({ outcome: route(role).outcome, reason: route(role).reason });
		expect(routing.routes.draft!.route_evidence.more_cases).toBeNull();
		expect(routing.routes.reason!.route_evidence.usd_per_accepted.frontier).toBe(route('reason').cost.frontier!.usd_per_accepted);
		expect(routing.routes.coder!.route_evidence).toMatchObject({ cases: coderCases, more_cases: settledAt });

		// And on the pages: each role's line under "Routing today", and its role page's comparison table.
		const text = (markup: string) =>
			markup
				.replace(/<[^>]+>/g, '')
				.replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
				.replace(/&#x([0-9a-f]+);/gi, (_, code: string) => String.fromCodePoint(Number.parseInt(code, 16)))
				.replaceAll('&quot;', '"')
				.replaceAll('&lt;', '<')
				.replaceAll('&gt;', '>')
				.replaceAll('&amp;', '&')
				.replace(/\s+/g, ' ')
				.trim();
		const routeLines = (page: string) =>
			[...page.matchAll(/<p class="route[^"]*" data-route="(\w+)"[^>]*>([\s\S]*?)<\/p>/g)].map((match) => ({
				route: match[1]!,
				text: text(match[2]!),
			}));
		const home = await html('/');
		const routingToday = home.slice(home.indexOf('id="routing-today"'), home.indexOf('id="about"'));
		const todayLines = routeLines(routingToday);
		for (const role of ['draft', 'reason', 'coder'])
			expect(todayLines, role).toContainEqual({ route: route(role).route, text: route(role).reason });
		for (const role of ['draft', 'reason', 'coder']) {
			const verdict = route(role);
			const page = await html(`/roles/${role}/`);
			expect(page, role).toContain('id="local-or-frontier"');
			const section = page.slice(page.indexOf('id="local-or-frontier"'));
			expect(routeLines(section)[0], role).toEqual({ route: verdict.route, text: `${verdict.outcome} — ${verdict.reason} (the run)` });
			const table = text(section.slice(section.indexOf('<table'), section.indexOf('</table>')));
			expect(table, role).toContain(`${verdict.incumbent} against claude-sonnet-4-5-20250929 on the cases both answered`);
			expect(table, role).toContain('Cost per accepted answer');
			expect(table, role).toContain(`${verdict.incumbent} (local)`);
			expect(table, role).toContain('claude-sonnet-4-5-20250929 (frontier)');
			const { both, only_frontier, only_local, neither } = verdict.pairs;
			expect(text(section), role).toContain(
				`${verdict.cases} paired case(s): both accepted ${both}, only the frontier ${only_frontier}, only local ${only_local}, neither ${neither}.`,
			);
		}
		// What the frontier costs where it is better: its cost per accepted answer in the reason table.
		const reasonPage = await html('/roles/reason/');
		expect(text(reasonPage)).toContain(`$${route('reason').cost.frontier!.usd_per_accepted!.toFixed(4)}`);
		// How many cases would settle the hold, on the coder page.
		expect(text(await html('/roles/coder/'))).toContain(`about ${settledAt} cases in all would settle it`);
		expect(await html('/roles/review/')).toContain('local, escalate rejections');

		demo.kill('SIGINT');
		expect(await exited).toBe(0);
		expect(output).toContain('was deleted');
		expect(existsSync(workspace!)).toBe(false);
		expect(await snapshot(['reports', 'benchmarks'])).toEqual(before);
		// A machine's first demo runs every committed coder case's tests (the reference and a junk answer each) in the
		// sandbox beside the rest of the suite: minutes, not seconds; later demos take them from .cache/execute.
	}, 1_800_000);
});
