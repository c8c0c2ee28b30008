import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/lib/files/write-atomic.ts';
import { RUN_PAGE_ROWS } from '../../src/lib/site/case-matrix.ts';
import { type CaseResult, ResultsFileSchema } from '../../src/lib/schema/report.ts';
import { type FakeOllama, startFakeOllama } from '../../testing/fake-ollama/server.ts';
import { type AxeViolation, allViolations } from '../../testing/axe.ts';
import { ARTIFACTS_DIR, launchChromium } from '../../testing/browser.ts';
import { type ProjectCopy, astroBuild } from '../../testing/project-copy.ts';
import { CASE_IDS, buildThreeRuns, runIdsIn } from '../../testing/site-runs.ts';
import { serveStatic } from '../../testing/static-server.ts';
import { fixtureCases, fixtureWorkspace } from '../../testing/workspace.ts';

// Every page type of the site over the three-run scenario, read as a visitor would: at a phone's width
// (390 px) and a laptop's (1280 px), in the light and the dark scheme. The page never scrolls sideways
// (a wide table scrolls in its own frame), axe-core finds nothing, and a full-page screenshot of each is
// kept in test-results/screenshots/ for a person to look at.

const SCREENSHOTS = path.join(ARTIFACTS_DIR, 'screenshots');
const VIEWPORTS = [390, 1280] as const;
const SCHEMES = ['light', 'dark'] as const;

let workspace: ProjectCopy;
let fake: FakeOllama;
let server: Awaited<ReturnType<typeof serveStatic>>;
let browser: Browser;
let newest: string;

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

beforeAll(async () => {
	const cases = await fixtureCases();
	workspace = await fixtureWorkspace('lmb-layout-');
	fake = await startFakeOllama({ models: [] });
	await buildThreeRuns(workspace.root, fake, cases);
	const runIds = await runIdsIn(workspace.root);
	newest = runIds.at(-1)!;
	await pageTheDraftResults(workspace.root, newest);
	server = await serveStatic(path.join(workspace.root, 'dist'));
	browser = await launchChromium();
	await mkdir(SCREENSHOTS, { recursive: true });
}, 420_000);

afterAll(async () => {
	await browser?.close();
	await server?.close();
	await fake?.close();
	await workspace?.dispose();
});

/** One page of every type a visitor can reach. */
const pageTypes = () => ({
	index: '/',
	runs: '/runs/',
	run: `/runs/${newest}/`,
	'run-results': `/runs/${newest}/results/draft/1/`,
	role: '/roles/draft/',
	model: '/models/llama3-1-8b/',
	models: '/models/',
	case: `/cases/${CASE_IDS.draft}/`,
	'review-case': `/cases/${CASE_IDS.reviewReject}/`,
	'not-found': '/404.html',
});

/** What one page showed at one width and scheme. */
interface PageCheck {
	status: number | undefined;
	overflow: number;
	violations: AxeViolation[];
	errors: string[];
}

async function check(context: BrowserContext, url: string, screenshot: string): Promise<PageCheck> {
	const page = await context.newPage();
	const errors: string[] = [];
	page.on('pageerror', (error) => errors.push(error.message));
	page.on('console', (message) => {
		if (message.type() === 'error') errors.push(message.text());
	});
	const response = await page.goto(`${server.url}${url}`);
	const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
	await page.screenshot({ path: screenshot, fullPage: true });
	const violations = await allViolations(page);
	await page.close();
	return { status: response?.status(), overflow, violations, errors };
}

describe('every page type reads cleanly at 390 and 1280 px, light and dark', () => {
	for (const width of VIEWPORTS) {
		for (const colorScheme of SCHEMES) {
			it(`at ${width} px, ${colorScheme}: no sideways scroll, nothing for axe, a screenshot`, async () => {
				// axe is injected as a script, which the content security policy rightly refuses: bypass it here only.
				const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme, bypassCSP: true });
				const found: Record<string, Omit<PageCheck, 'status'>> = {};
				try {
					for (const [type, url] of Object.entries(pageTypes())) {
						const result = await check(context, url, path.join(SCREENSHOTS, `${type}-${width}-${colorScheme}.png`));
						expect(result.status, url).toBe(200);
						if (result.overflow > 0 || result.violations.length > 0 || result.errors.length > 0)
							found[type] = { overflow: result.overflow, violations: result.violations, errors: result.errors };
					}
				} finally {
					await context.close();
				}
				expect(found).toEqual({});
			}, 300_000);
		}
	}

	it('shows a scroll cue only on a table that overflows its frame, and keeps the gate verdicts in view', async () => {
		const context = await browser.newContext({ viewport: { width: 390, height: 900 } });
		const page = await context.newPage();
		await page.goto(`${server.url}/runs/${newest}/`);
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
		await context.close();
	});

	it('keeps every +/− marker of a diff on its line: long lines scroll inside the frame instead of wrapping', async () => {
		const context = await browser.newContext({ viewport: { width: 390, height: 900 } });
		const page = await context.newPage();
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
		await context.close();
	});

	it('leads every breadcrumb somewhere, the model pages to the models index', async () => {
		const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
		const page = await context.newPage();
		for (const [type, url] of Object.entries(pageTypes()).filter(([type]) => type !== 'index')) {
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
		await context.close();
	});
});
