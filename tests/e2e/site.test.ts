import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stableStringify } from '../../src/lib/files/stable-json.ts';
import { writeFileAtomic } from '../../src/lib/files/write-atomic.ts';
import type { Case } from '../../src/lib/schema/case.ts';
import { type CaseResult, ResultsFileSchema } from '../../src/lib/schema/report.ts';
import { RUN_PAGE_ROWS } from '../../src/lib/site/case-matrix.ts';
import { type FakeOllama, startFakeOllama } from '../../testing/fake-ollama/server.ts';
import { type AxeViolation, allViolations, loadAxeOnEveryPage, seriousViolations } from '../../testing/axe.ts';
import { ARTIFACTS_DIR, launchChromium } from '../../testing/browser.ts';
import { chartInk } from '../../testing/canvas.ts';
import { PROJECT_ROOT, type ProjectCopy, astroBuild, runCommand } from '../../testing/project-copy.ts';
import { CASE_IDS, buildThreeRuns, runIdsIn } from '../../testing/site-runs.ts';
import { serveStatic } from '../../testing/static-server.ts';
import { fixtureCases, fixtureWorkspace } from '../../testing/workspace.ts';

// The whole public site over three runs made by the real pipeline against the fake Ollama: the draft
// incumbent regresses and a challenger gets the one draft case right — too little to show anything, so it
// is held for more evidence — a challenger that never answers is retired, a third run follows. Then every
// page type is read as a visitor would: at a phone's width (390 px) and a laptop's (1280 px), in the light
// and the dark scheme. One site for both, made once: three runs and a build take a good part of a minute.

let cases: Case[];
let workspace: ProjectCopy;
let fake: FakeOllama;
let server: Awaited<ReturnType<typeof serveStatic>>;
let browser: Browser;
let runIds: string[];
let dist: string;

beforeAll(async () => {
	cases = await fixtureCases();
	workspace = await fixtureWorkspace('lmb-site-');
	fake = await startFakeOllama({ models: [] });
	await buildThreeRuns(workspace.root, fake, cases);
	runIds = await runIdsIn(workspace.root);
	dist = path.join(workspace.root, 'dist');
	server = await serveStatic(dist);
	browser = await launchChromium();
}, 300_000);

afterAll(async () => {
	await browser?.close();
	await server?.close();
	await fake?.close();
	await workspace?.dispose();
});

/** One page of each type, as a visitor reaches it. The paged results exist once `pageTheDraftResults` ran. */
const PAGE_TYPES = () => ({
	index: '/',
	runs: '/runs/',
	run: `/runs/${runIds[2]}/`,
	'run-results': `/runs/${runIds[2]}/results/draft/1/`,
	role: '/roles/draft/',
	model: '/models/llama3-1-8b/',
	models: '/models/',
	case: `/cases/${CASE_IDS.draft}/`,
	'review-case': `/cases/${CASE_IDS.reviewReject}/`,
	'not-found': '/404.html',
});

/** One tab per scheme, navigated from page to page: a new tab starts a renderer process, half a second each. */
const tabs = new Map<string, Promise<{ page: Page; errors: string[] }>>();

async function openTab(colorScheme: 'light' | 'dark'): Promise<{ page: Page; errors: string[] }> {
	const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme });
	const page = await context.newPage();
	const errors: string[] = [];
	page.on('pageerror', (error) => errors.push(error.message));
	page.on('console', (message) => {
		if (message.type() === 'error') errors.push(message.text());
	});
	return { page, errors };
}

/** Opens `url` at 1440 px in the tab of the scheme; `errors` collects this page's script errors only. */
async function open(url: string, colorScheme: 'light' | 'dark' = 'light') {
	if (!tabs.has(colorScheme)) tabs.set(colorScheme, openTab(colorScheme));
	const { page, errors } = await tabs.get(colorScheme)!;
	errors.length = 0;
	const response = await page.goto(`${server.url}${url}`);
	expect(response?.status(), url).toBe(200);
	return { page, errors };
}

const heading = (page: Page) => page.locator('h1').innerText();

describe('the site over three runs', () => {
	it('wrote three reports, the second proposing a retirement that was applied and holding the one-case win for more evidence', async () => {
		expect(runIds).toHaveLength(3);
		const draft = await readFile(path.join(workspace.root, 'benchmarks', 'roles', 'draft.yaml'), 'utf8');
		expect(draft).toMatch(/incumbent: gemma4:latest/);
		expect(draft).toMatch(/challengers:\n {2}- llama3\.1:8b\n/);
		expect(draft).toMatch(/- model: granite3\.3:8b/);
		expect(draft).not.toMatch(/- model: gemma4:latest/);
	});

	it('opens every page type from the index by clicking', async () => {
		const { page, errors } = await open('/');

		await page.locator('article.role-card h3 a', { hasText: 'draft' }).click();
		await page.waitForURL('**/roles/draft/');
		expect(await heading(page)).toBe('Role draft');
		expect(await page.getByRole('cell', { name: 'failed hard on every case in each of the last 2 run(s)' }).isVisible()).toBe(true);

		await page.getByRole('link', { name: 'granite3.3:8b' }).first().click();
		await page.waitForURL('**/models/granite3-3-8b/');
		expect(await heading(page)).toBe('granite3.3:8b');
		expect(await page.getByText(/^Retired from draft on \d{4}-\d{2}-\d{2}: failed hard on every case/).isVisible()).toBe(true);

		await page.locator('.breadcrumb').getByRole('link', { name: 'Models' }).click();
		await page.waitForURL('**/models/');
		expect(await heading(page)).toBe('Models');
		expect(
			await page
				.getByRole('row', { name: /gpt-oss:120b-cloud/ })
				.getByText('escalation chain only')
				.isVisible(),
		).toBe(true);

		await page.getByRole('navigation', { name: 'Site' }).getByRole('link', { name: 'Runs' }).click();
		await page.waitForURL('**/runs/');
		expect(await heading(page)).toBe('Runs');
		const listed = await page.locator('tbody th a').allTextContents();
		expect(listed).toEqual([...runIds].reverse());

		await page.getByRole('link', { name: runIds[1]! }).click();
		await page.waitForURL(`**/runs/${runIds[1]}/`);
		expect(await heading(page)).toMatch(/^Run of \d{4}-\d{2}-\d{2}$/);
		expect(await page.getByText('retire granite3.3:8b from draft').isVisible()).toBe(true);
		const held = page.locator('.verdict[data-outcome="hold: not enough evidence"]', { hasText: 'llama3.1:8b' });
		expect(await held.getByText(/^What would settle it: about \d+ more cases at the observed rates\.$/).isVisible()).toBe(true);
		expect(await held.getByRole('row', { name: /acceptance_rate/ }).innerText()).toMatch(
			/pass\s+100 % \(20\.7–100 %\)\s+0 % \(0–79\.4 %\)\s+worse: p = 1; better: p = 0\.5\s+exact sign test .*challenger better on 1 case, incumbent on 0, 0 tied/,
		);

		await page.locator(`#results-draft ~ div table a[href^="/cases/"]`).first().click();
		await page.waitForURL(`**/cases/${CASE_IDS.draft}/`);
		expect(await heading(page)).toBe(CASE_IDS.draft);
		const commit = cases.find((c) => c.id === CASE_IDS.draft)!.source.commit;
		expect(await page.getByRole('link', { name: 'view the commit' }).getAttribute('href')).toBe(
			`https://github.com/acme/notes/commit/${commit}`,
		);

		// One click from a number of the latest run to the cases behind it.
		await page.goto(`${server.url}/`);
		await page
			.locator('#latest-table-draft tbody tr', { hasText: 'llama3.1:8b' })
			.getByRole('link', { name: /^100 %/ })
			.click();
		await page.waitForURL(`**/runs/${runIds[2]}/#results-draft`);
		expect(await page.locator('#results-draft ~ div table').first().getByRole('link', { name: CASE_IDS.draft }).isVisible()).toBe(true);

		expect(errors).toEqual([]);
	});

	it('draws every chart, and gives each a text equivalent', async () => {
		for (const url of ['/', '/roles/draft/', '/roles/review/']) {
			const { page, errors } = await open(url);
			const ink = await chartInk(page);
			expect(ink.length, url).toBeGreaterThan(0);
			for (const canvas of ink) {
				expect(canvas.width, url).toBeGreaterThan(100);
				expect(canvas.inked, `${url}: a blank chart`).toBeGreaterThan(500);
			}
			for (const canvas of await page.locator('canvas[data-chart]').all()) {
				expect(await canvas.getAttribute('role')).toBe('img');
				expect(await canvas.getAttribute('aria-label')).toMatch(/\w/);
				const table = await canvas.getAttribute('aria-describedby');
				expect(await page.locator(`table#${table}`).count(), `${url}: the text equivalent of a chart`).toBe(1);
			}
			expect(errors, url).toEqual([]);
		}
		const { page } = await open('/');
		// An acceptance chart for the one role with two models (the others get a sentence), and latency against acceptance.
		expect(await page.locator('canvas[data-chart]').count()).toBe(2);
		expect(await page.locator('p.single-model').allInnerTexts()).toEqual([
			expect.stringMatching(
				/^Only deepseek-r1:14b was measured in this role, so there is nothing to compare it with: acceptance rate 0 % \(0–79\.4 %\)\.$/,
			),
			expect.stringMatching(/^Only gemma4:26b was measured in this role/),
			expect.stringMatching(/^Only qwen2\.5-coder:14b was measured in this role/),
		]);
	});

	it('redraws the charts in the dark palette for readers who prefer it', async () => {
		const pixelsOf = async (colorScheme: 'light' | 'dark') => {
			const { page } = await open('/roles/draft/', colorScheme);
			const png = await page.locator('canvas[data-chart]').first().screenshot();
			const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
			return { png, background };
		};
		const light = await pixelsOf('light');
		const dark = await pixelsOf('dark');
		expect(light.background).not.toBe(dark.background);
		expect(light.png.equals(dark.png)).toBe(false);
	});

	it('shows what each page type is about', async () => {
		const types: Record<string, string> = PAGE_TYPES();
		const expectations: Record<string, RegExp[]> = {
			index: [
				/Latest run/,
				/Latency against acceptance/,
				/llama3\.1:8b.*100 %.*hold: not enough evidence/s,
				/hold: not enough evidence — llama3\.1:8b holds for more evidence/,
			],
			runs: [/Every archived benchmark run, newest first/],
			run: [/Metrics/, /Verdicts/, /Turbo escalation/, /Per-case results/, /Manifest/, /Models as the run found them/],
			role: [/Acceptance over runs/, /Retired/, /gemma4:latest/, /granite3\.3:8b/],
			model: [/Family/, /meta-llama/, /Cost tier/, /Digests seen/, /Results in every role/],
			case: [/Provenance/, /Strip diacritics before slugifying titles/, /Reference/, /Answers/, /Diff of the commit message/, /History/],
		};
		for (const [type, patterns] of Object.entries(expectations)) {
			const { page } = await open(types[type]!);
			const text = await page.locator('main').innerText();
			for (const pattern of patterns) expect(text, `${type}: ${pattern}`).toMatch(pattern);
		}
		// Two digests of the re-pulled llama3.1:8b; the case page shows each model's checks.
		const model = await open('/models/llama3-1-8b/');
		expect(await model.page.locator('#digests ~ div tbody tr').count()).toBe(2);
		const review = await open(`/cases/${CASE_IDS.reviewApprove}/`);
		expect(await review.page.locator('ul.checks li').first().innerText()).toMatch(/^passed: verdict \(required\) — /);
	});

	// Every page type against axe-core at two widths and both schemes: below. This control shows the check
	// can fail at all.
	it('lets the axe-core check fail (a control: an image without text and a low-contrast paragraph)', async () => {
		const context = await browser.newContext({ bypassCSP: true });
		const page = await context.newPage();
		await page.setContent(
			'<!doctype html><html lang="en"><title>x</title><main><img src="data:,"><p style="color:#eee;background:#fff">faint</p></main></html>',
		);
		expect((await seriousViolations(page)).map((violation) => violation.id).sort()).toEqual(['color-contrast', 'image-alt']);
		await context.close();
	});

	it('puts a content security policy on every page, with no inline handler and JavaScript only where a chart is', async () => {
		const pages = (await readdir(dist, { recursive: true })).filter((file) => file.endsWith('.html'));
		expect(pages.length).toBeGreaterThanOrEqual(20);
		for (const file of pages) {
			const html = await readFile(path.join(dist, file), 'utf8');
			const csp = /<meta http-equiv="content-security-policy" content="([^"]+)"/.exec(html)?.[1];
			expect(csp, file).toMatch(/script-src 'self'/);
			expect(csp, file).not.toMatch(/unsafe-inline|unsafe-eval/);
			expect(csp, file).toMatch(/default-src 'self'/);
			expect(html, file).not.toMatch(/\son[a-z]+\s*=/i);
			const scripts = html.match(/<script\b[^>]*>/g) ?? [];
			if (/data-chart=/.test(html))
				expect(scripts, file).toEqual([expect.stringMatching(/^<script type="module" src="\/_astro\/[^"]+\.js">$/)]);
			else expect(scripts, file).toEqual([]);
		}
	});

	it('keeps the index within 100 KB of JavaScript and every page without a chart at none (npm run weight)', async () => {
		const result = await runCommand(process.execPath, [path.join(PROJECT_ROOT, 'scripts', 'page-weight.ts'), dist, '--json'], PROJECT_ROOT);
		expect(result.code, result.output).toBe(0);
		const report = JSON.parse(result.stdout) as { types: { type: string; maxGzipBytes: number }[]; violations: string[] };
		const weight = Object.fromEntries(report.types.map((entry) => [entry.type, entry.maxGzipBytes]));
		expect(weight.index).toBeGreaterThan(10_000);
		expect(weight.index).toBeLessThanOrEqual(100 * 1024);
		expect(weight.role).toBeLessThanOrEqual(100 * 1024);
		expect({ runs: weight.runs, run: weight.run, model: weight.model, case: weight.case }).toEqual({ runs: 0, run: 0, model: 0, case: 0 });
		expect(report.violations).toEqual([]);
	});

	it('fails the weight check when a page without a chart ships JavaScript', async () => {
		const copy = await mkdtemp(path.join(os.tmpdir(), 'lmb-weight-'));
		try {
			await cp(dist, copy, { recursive: true });
			const bundle = (await readdir(path.join(copy, '_astro'))).find((name) => name.endsWith('.js'))!;
			const file = path.join(copy, 'cases', CASE_IDS.draft, 'index.html');
			await writeFile(
				file,
				(await readFile(file, 'utf8')).replace('</body>', `<script type="module" src="/_astro/${bundle}"></script></body>`),
			);
			const result = await runCommand(process.execPath, [path.join(PROJECT_ROOT, 'scripts', 'page-weight.ts'), copy], PROJECT_ROOT);
			expect(result.code).toBe(1);
			expect(result.stdout).toContain(`case pages ship`);
			expect(result.stdout).toContain(`cases/${CASE_IDS.draft}/index.html draws no chart but ships`);
		} finally {
			await rm(copy, { recursive: true, force: true });
		}
	});

	it('publishes sorted, stable JSON for tools', async () => {
		const json = async (url: string) => {
			const response = await fetch(`${server.url}${url}`);
			expect(response.status, url).toBe(200);
			const text = await response.text();
			// Sorted keys at every level, so equal data always gives byte-equal files.
			expect(text, url).toBe(`${stableStringify(JSON.parse(text), 1)}\n`);
			return JSON.parse(text);
		};
		const routing = await json('/api/routing.json');
		expect(Object.keys(routing.routes)).toEqual(['coder', 'draft', 'reason', 'review']);
		expect(routing.latest_run).toBe(runIds[2]);
		// The registry's incumbent, measured at 0 on the one draft case: a win on one case shows nothing.
		expect(routing.routes.draft).toMatchObject({
			incumbent: 'gemma4:latest',
			promoted_in: null,
			justified_by: { basis: 'held', run: runIds[2], acceptance_rate: 0 },
			incumbent_page: '/models/gemma4-latest/',
			evidence: { tasks: ['commit-message'], cases: 1 },
		});
		expect(routing.routes.coder).toMatchObject({ incumbent: 'qwen2.5-coder:14b', promoted_in: null, justified_by: { run: runIds[2] } });

		const registry = await json('/api/registry.json');
		expect(registry.models.map((model: { id: string }) => model.id)).toEqual(
			[...registry.models.map((model: { id: string }) => model.id)].sort(),
		);
		for (const model of registry.models as { slug: string; page: string }[])
			expect((await fetch(`${server.url}${model.page}`)).status, model.page).toBe(200);
		expect(
			registry.roles.find((role: { role: string }) => role.role === 'draft').retired.map((entry: { model: string }) => entry.model),
		).toEqual(['granite3.3:8b']);
		expect(registry.policy.diversity.min_families).toBe(2);

		const list = await json('/api/cases.json');
		expect(list.cases.map((entry: { id: string }) => entry.id)).toEqual(cases.map((c) => c.id).sort());
		expect(list.cases[0]).not.toHaveProperty('input');

		const one = await json(`/api/cases/${CASE_IDS.draft}.json`);
		expect(one.case.reference.message).toContain('Strip diacritics');
		// Three models in the first two runs, the incumbent and the remaining challenger in the third.
		expect(one.results.map((result: { run: string; model: string }) => `${result.run} ${result.model}`)).toEqual([
			`${runIds[0]} gemma4:latest`,
			`${runIds[0]} granite3.3:8b`,
			`${runIds[0]} llama3.1:8b`,
			`${runIds[1]} gemma4:latest`,
			`${runIds[1]} granite3.3:8b`,
			`${runIds[1]} llama3.1:8b`,
			`${runIds[2]} gemma4:latest`,
			`${runIds[2]} llama3.1:8b`,
		]);

		const runs = await json('/api/runs.json');
		expect(runs.runs.map((run: { id: string }) => run.id)).toEqual([...runIds].reverse());
		const run = await json(`/api/runs/${runIds[1]}.json`);
		expect(run.report.proposals.map((proposal: { kind: string; model: string }) => `${proposal.kind} ${proposal.model}`)).toEqual([
			'retire granite3.3:8b',
		]);
		expect(run.report.verdicts.find((verdict: { challenger: string }) => verdict.challenger === 'llama3.1:8b')).toMatchObject({
			outcome: 'hold: not enough evidence',
			more_evidence: { cases: expect.any(Number) },
		});
		const keys = run.results.map(
			(result: { role: string; case_id: string; model: string }) => `${result.role} ${result.case_id} ${result.model}`,
		);
		expect(keys).toEqual([...keys].sort());
		expect(run.results).toHaveLength(8);
		expect(run).not.toHaveProperty('demo');
	});

	it('publishes a feed of the runs, newest first', async () => {
		const { page } = await open('/');
		expect(await page.locator('link[rel="alternate"][type="application/rss+xml"]').getAttribute('href')).toBe('/rss.xml');
		const xml = await (await fetch(`${server.url}/rss.xml`)).text();
		const links = [...xml.matchAll(/<item>[\s\S]*?<link>([^<]+)<\/link>/g)].map((match) => new URL(match[1]!).pathname);
		expect(links).toEqual([...runIds].reverse().map((id) => `/runs/${id}/`));
		expect(xml).toContain('Proposed: retire granite3.3:8b from draft.');
	});
});

const SCREENSHOTS = path.join(ARTIFACTS_DIR, 'screenshots');

/**
 * The scenario's roles have a handful of cases, and a role gets paged results only past RUN_PAGE_ROWS.
 * So the newest run's draft results are repeated under derived case ids (a layout fixture in this
 * temporary copy, never a report of the project) and the site is rendered once more without the benchmark.
 */
async function pageTheDraftResults(root: string, runId: string): Promise<void> {
	const file = path.join(root, 'reports', `${runId}.results.json`);
	const sidecar = ResultsFileSchema.parse(JSON.parse(await readFile(file, 'utf8')));
	const draft = sidecar.results.filter((result) => result.role === 'draft');
	const copies: CaseResult[] = [];
	for (let n = 1; n <= RUN_PAGE_ROWS + 5; n++)
		for (const result of draft) copies.push({ ...result, case_id: `${result.case_id}-layout-${String(n).padStart(2, '0')}` });
	await writeFileAtomic(file, `${JSON.stringify({ ...sidecar, results: [...sidecar.results, ...copies] }, null, 1)}\n`);
	const build = await astroBuild(root, { BENCH: '0' });
	if (build.code !== 0) throw new Error(`the site build failed:\n${build.output}`);
}

/** What one page showed at one width and scheme, when anything was wrong. */
interface PageFindings {
	overflow: number;
	violations: AxeViolation[];
	errors: string[];
}

/**
 * One tab per width for the layout checks, axe loaded into every page it opens (which needs the content
 * security policy bypassed: axe is injected as a script the policy rightly refuses). Kept open for the
 * checks after the walk: a new tab starts a renderer process, and a page load costs more than a switch.
 */
const layoutTabs = new Map<number, Promise<Page>>();

function layoutTab(width: number): Promise<Page> {
	if (!layoutTabs.has(width))
		layoutTabs.set(
			width,
			(async () => {
				const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: 'light', bypassCSP: true });
				await loadAxeOnEveryPage(context);
				return context.newPage();
			})(),
		);
	return layoutTabs.get(width)!;
}

/**
 * Opens every page type at `width` and reads each in the light scheme and then the dark one (the page
 * follows the reader's preference as it changes, charts included, so one load serves both), returning what
 * is wrong: sideways scroll, any axe finding, a script error. Takes a full-page screenshot of each.
 */
async function checkEveryPageType(width: number): Promise<Record<string, PageFindings>> {
	const page = await layoutTab(width);
	let errors: string[] = [];
	const collect = (message: string) => errors.push(message);
	const onPageError = (error: Error) => collect(error.message);
	const onConsole = (message: ConsoleMessage) => {
		if (message.type() === 'error') collect(message.text());
	};
	page.on('pageerror', onPageError);
	page.on('console', onConsole);
	const found: Record<string, PageFindings> = {};
	try {
		for (const [type, url] of Object.entries(PAGE_TYPES())) {
			errors = [];
			await page.emulateMedia({ colorScheme: 'light' });
			const response = await page.goto(`${server.url}${url}`);
			expect(response?.status(), url).toBe(200);
			for (const colorScheme of ['light', 'dark'] as const) {
				await page.emulateMedia({ colorScheme });
				const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
				// JPEG: encoding forty full-page PNGs was a good part of this check's CPU, and a person only looks at them.
				const file = path.join(SCREENSHOTS, `${type}-${width}-${colorScheme}.jpg`);
				await page.screenshot({ path: file, fullPage: true, type: 'jpeg', quality: 85 });
				const violations = await allViolations(page);
				if (overflow > 0 || violations.length > 0 || errors.length > 0)
					found[`${type} (${colorScheme})`] = { overflow, violations, errors: [...errors] };
			}
		}
	} finally {
		page.off('pageerror', onPageError);
		page.off('console', onConsole);
		await page.emulateMedia({ colorScheme: 'light' });
	}
	return found;
}

describe('every page type reads cleanly at 390 and 1280 px, light and dark', () => {
	beforeAll(async () => {
		await pageTheDraftResults(workspace.root, runIds[2]!);
		await mkdir(SCREENSHOTS, { recursive: true });
	}, 120_000);

	for (const width of [390, 1280]) {
		it(`at ${width} px, light and dark: no sideways scroll, nothing for axe, a screenshot of each`, async () => {
			expect(await checkEveryPageType(width)).toEqual({});
		}, 300_000);
	}

	it('draws the dark scheme when the preference changes on an open page exactly as when it loads dark', async () => {
		// The walk above reads the dark scheme by switching an open page: that must be what a dark reader sees.
		const url = `${server.url}/roles/draft/`;
		const switched = await layoutTab(1280);
		await switched.goto(url);
		const light = await switched.locator('canvas[data-chart]').first().screenshot();
		await switched.emulateMedia({ colorScheme: 'dark' });
		const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
		try {
			const loaded = await context.newPage();
			await loaded.goto(url);
			const [afterSwitch, asLoaded] = await Promise.all(
				[switched, loaded].map(async (page) => ({
					chart: await page.locator('canvas[data-chart]').first().screenshot(),
					background: await page.evaluate(() => getComputedStyle(document.body).backgroundColor),
				})),
			);
			expect(afterSwitch!.chart.equals(light)).toBe(false);
			expect(afterSwitch!.background).toBe(asLoaded!.background);
			expect(afterSwitch!.chart.equals(asLoaded!.chart)).toBe(true);
		} finally {
			await switched.emulateMedia({ colorScheme: 'light' });
			await context.close();
		}
	});

	it('shows a scroll cue only on a table that overflows its frame, and keeps the gate verdicts in view', async () => {
		const page = await layoutTab(390);
		await page.goto(`${server.url}/runs/${runIds[2]}/`);
		const frames = await page.locator('.table-scroll').evaluateAll((elements) =>
			elements.map((element) => ({
				overflows: element.scrollWidth > element.clientWidth,
				cue: getComputedStyle(element, '::before').height,
			})),
		);
		expect(frames.some((frame) => frame.overflows)).toBe(true);
		for (const frame of frames) expect(frame.cue === '0px', JSON.stringify(frame)).toBe(!frame.overflows);
		// The pass/fail column of a gate table is the first after the gate's name: on screen without scrolling.
		const result = page.locator('table.gates').first().locator('tbody tr').first().locator('td').first();
		const box = await result.boundingBox();
		expect(box!.x + box!.width).toBeLessThanOrEqual(390);
		expect(await result.innerText()).toMatch(/^(pass|fail)$/);
	});

	it('keeps every +/− marker of a diff on its line: long lines scroll inside the frame instead of wrapping', async () => {
		const page = await layoutTab(390);
		// The draft case's reference message has lines far wider than a phone.
		await page.goto(`${server.url}/cases/${CASE_IDS.draft}/`);
		const diffs = page.locator('pre.diff-lines');
		expect(await diffs.count()).toBeGreaterThan(0);
		const lines = await diffs.locator('.d-add, .d-del').evaluateAll((elements) =>
			elements.map((element) => ({
				height: element.getBoundingClientRect().height,
				lineHeight: parseFloat(getComputedStyle(element).lineHeight),
				mark: element.querySelector('.d-mark')?.textContent,
			})),
		);
		expect(lines.length).toBeGreaterThan(0);
		for (const line of lines) {
			expect(line.mark).toMatch(/^[+−]$/);
			// One line of text each: a wrapped line would be two or more line-heights tall.
			expect(line.height).toBeLessThan(line.lineHeight * 1.5);
		}
		expect(await diffs.evaluateAll((elements) => elements.some((element) => element.scrollWidth > element.clientWidth))).toBe(true);
	});

	it('leads every breadcrumb somewhere, the model pages to the models index', async () => {
		const page = await layoutTab(1280);
		for (const [type, url] of Object.entries(PAGE_TYPES()).filter(([type]) => type !== 'index')) {
			await page.goto(`${server.url}${url}`);
			const crumbs = page.locator('.breadcrumb a');
			expect(await crumbs.count(), `${type} has a breadcrumb link`).toBeGreaterThan(0);
			for (const href of await crumbs.evaluateAll((links) => links.map((link) => link.getAttribute('href')!))) {
				expect((await fetch(new URL(href, `${server.url}${url}`))).status, `${type}: ${href}`).toBe(200);
			}
		}
		await page.goto(`${server.url}/models/llama3-1-8b/`);
		expect(await page.locator('.breadcrumb a', { hasText: 'Models' }).getAttribute('href')).toBe('/models/');
		expect(await page.locator('main').innerText()).not.toMatch(/Page address/);
	});
});
