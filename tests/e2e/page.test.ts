import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS_DIR, launchChromium } from '../../testing/browser.ts';
import { type ProjectCopy, astroBuild, copyProject } from '../../testing/project-copy.ts';
import { serveStatic } from '../../testing/static-server.ts';

let project: ProjectCopy;
let server: Awaited<ReturnType<typeof serveStatic>>;
let browser: Browser;

beforeAll(async () => {
	project = await copyProject('lmb-e2e-');
	const build = await astroBuild(project.root);
	expect(build.code, build.output).toBe(0);
	server = await serveStatic(path.join(project.root, 'dist'));
	browser = await launchChromium();
}, 300_000);

afterAll(async () => {
	await browser?.close();
	await server?.close();
	await project?.dispose();
});

describe('the public page in a real browser', () => {
	for (const width of [375, 1440]) {
		it(`shows every section at ${width} px`, async () => {
			const page = await browser.newPage({ viewport: { width, height: 900 } });
			const errors: string[] = [];
			page.on('pageerror', (error) => errors.push(error.message));
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

			await page.screenshot({ path: path.join(ARTIFACTS_DIR, `index-${width}.png`), fullPage: true });
			await page.close();
		});
	}
});
