import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAxeOnEveryPage, seriousViolations } from '../../testing/axe.ts';
import { ARTIFACTS_DIR, launchChromium } from '../../testing/browser.ts';
import { type ProjectCopy, astroBuild } from '../../testing/project-copy.ts';
import { CASE_IDS } from '../../testing/site-runs.ts';
import { serveStatic } from '../../testing/static-server.ts';
import { fixtureWorkspace } from '../../testing/workspace.ts';

// Before the first run: the registry and the mined cases exist, no report does. Every page type must
// say so plainly, and none ships JavaScript (there is no chart to draw). The index is the page the owner
// publishes today: it keeps the seed page's sections and labels.

let workspace: ProjectCopy;
let server: Awaited<ReturnType<typeof serveStatic>>;
let browser: Browser;
let seedTab: Page | undefined;

beforeAll(async () => {
	workspace = await fixtureWorkspace('lmb-empty-');
	const build = await astroBuild(workspace.root);
	expect(build.code, build.output).toBe(0);
	expect(build.output).toContain('benchmark skipped');
	server = await serveStatic(path.join(workspace.root, 'dist'));
	browser = await launchChromium();
}, 300_000);

afterAll(async () => {
	await browser?.close();
	await server?.close();
	await workspace?.dispose();
});

describe('the site before the first run', () => {
	for (const width of [375, 1440]) {
		it(`shows every section of the seed page at ${width} px`, async () => {
			// One tab for both widths: a new tab starts a renderer process, half a second each.
			seedTab ??= await browser.newPage();
			const page = seedTab;
			await page.setViewportSize({ width, height: 900 });
			const errors: string[] = [];
			const collect = (error: Error) => errors.push(error.message);
			page.on('pageerror', collect);
			const response = await page.goto(server.url);
			expect(response?.status()).toBe(200);

			await expect(page.title()).resolves.toBe('Local Model Benchmarks');
			for (const name of ['Local Model Benchmarks', 'Roles & incumbents', 'Latest run', 'Promotion policy', 'Methodology']) {
				expect(await page.getByRole('heading', { name, exact: true }).isVisible(), name).toBe(true);
			}
			expect(await page.getByText('Evidence-driven local routing.').isVisible()).toBe(true);
			expect(await page.getByText('No archived runs yet. Check back after the next benchmark.').isVisible()).toBe(true);
			expect(await page.getByText(/^Last updated \d{4}-\d{2}-\d{2}/).isVisible()).toBe(true);

			const cards = page.locator('article.role-card');
			expect(await cards.locator('h3').allTextContents()).toEqual(['draft', 'reason', 'review', 'coder']);
			expect(await cards.first().getByText('gemma4:latest · google-gemma · free').isVisible()).toBe(true);

			// Nothing may overflow sideways on a phone.
			const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
			expect(overflow).toBeLessThanOrEqual(0);
			expect(errors).toEqual([]);

			await page.screenshot({ path: path.join(ARTIFACTS_DIR, `index-${width}.jpg`), fullPage: true, type: 'jpeg', quality: 85 });
			page.off('pageerror', collect);
		});
	}

	it('reads right on every page type, reached by clicking from the index', async () => {
		const context = await browser.newContext({ viewport: { width: 375, height: 900 } });
		const page = await context.newPage();
		const errors: string[] = [];
		page.on('pageerror', (error) => errors.push(error.message));
		const main = () => page.locator('main').innerText();

		await page.goto(`${server.url}/`);
		expect(await main()).toContain('No archived runs yet. Check back after the next benchmark.');
		expect(await main()).toContain('No verdicts yet: the policy is applied after every benchmark run.');

		await page.getByRole('navigation', { name: 'Site' }).getByRole('link', { name: 'Runs' }).click();
		await page.waitForURL('**/runs/');
		expect(await main()).toContain('No archived runs yet. Check back after the next benchmark.');
		await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'empty-runs-375.jpg'), fullPage: true, type: 'jpeg', quality: 85 });

		await page.goto(`${server.url}/`);
		await page.locator('article.role-card h3 a', { hasText: 'review' }).click();
		await page.waitForURL('**/roles/review/');
		expect(await main()).toContain('3 cases in the registry.');
		expect(await main()).toContain('No runs yet: the trend appears after the first benchmark.');
		expect(await main()).toContain('No model has been retired from this role.');
		expect(await page.locator('canvas').count()).toBe(0);
		await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'empty-role-375.jpg'), fullPage: true, type: 'jpeg', quality: 85 });

		await page.getByRole('link', { name: 'gemma4:26b' }).click();
		await page.waitForURL('**/models/gemma4-26b/');
		expect(await main()).toContain('No run has seen this model yet.');
		expect(await main()).toContain('No results yet: this model has not been run.');
		expect(await main()).toContain('Incumbent of review');

		await page.goto(`${server.url}/cases/${CASE_IDS.security}/`);
		expect(await main()).toContain('No model has answered this case yet: answers appear after the next benchmark.');
		expect(await main()).toContain('No run has included this case yet.');
		expect(await main()).toContain('Fix SQL injection in note search');
		await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'empty-case-375.jpg'), fullPage: true, type: 'jpeg', quality: 85 });

		expect(errors).toEqual([]);
		await context.close();
	});

	it('ships no JavaScript on any page', async () => {
		const dist = path.join(workspace.root, 'dist');
		const pages = (await readdir(dist, { recursive: true })).filter((file) => file.endsWith('.html'));
		expect(pages.length).toBeGreaterThan(10);
		for (const file of pages) expect(await readFile(path.join(dist, file), 'utf8'), file).not.toMatch(/<script/i);
	});

	it('publishes empty but well-formed JSON', async () => {
		const runs = await (await fetch(`${server.url}/api/runs.json`)).json();
		expect(runs).toEqual({ runs: [] });
		const routing = await (await fetch(`${server.url}/api/routing.json`)).json();
		expect(routing.latest_run).toBeNull();
		expect(routing.routes.review).toMatchObject({ incumbent: 'gemma4:26b', justified_by: null, promoted_in: null, route: 'none' });
		expect(routing.routes.review.route_evidence).toMatchObject({ outcome: 'no baseline', run: null });
		const one = await (await fetch(`${server.url}/api/cases/${CASE_IDS.security}.json`)).json();
		expect(one.results).toEqual([]);
	});

	it('has no serious or critical axe-core violation on the empty pages', async () => {
		const found: Record<string, unknown> = {};
		const context = await browser.newContext({ bypassCSP: true });
		await loadAxeOnEveryPage(context);
		const page = await context.newPage();
		for (const url of ['/', '/runs/', '/roles/review/', '/models/gemma4-26b/', `/cases/${CASE_IDS.security}/`]) {
			await page.goto(`${server.url}${url}`);
			const violations = await seriousViolations(page);
			if (violations.length > 0) found[url] = violations;
		}
		await context.close();
		expect(found).toEqual({});
	});
});
