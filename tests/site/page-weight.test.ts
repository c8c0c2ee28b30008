import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PAGE_BUDGETS, formatWeights, measureSite, pageTypeOf } from '../../src/lib/site/page-weight.ts';

let dist: string;
beforeEach(async () => {
	dist = await mkdtemp(path.join(os.tmpdir(), 'lmb-weight-unit-'));
});
afterEach(() => rm(dist, { recursive: true, force: true }));

async function put(file: string, text: string) {
	await mkdir(path.dirname(path.join(dist, file)), { recursive: true });
	await writeFile(path.join(dist, file), text);
}
const page = (body: string) => `<!doctype html><html><head></head><body>${body}</body></html>`;
const gz = (text: string) => gzipSync(text, { level: 9 }).length;
// Text that does not compress away (base64 of random bytes gzips to about three quarters of its size).
const noise = (bytes: number) =>
	randomBytes(Math.ceil((bytes * 3) / 4))
		.toString('base64')
		.slice(0, bytes);

describe('page weight', () => {
	it('tells page types apart by path', () => {
		expect(pageTypeOf('index.html')).toBe('index');
		expect(pageTypeOf('runs/index.html')).toBe('runs');
		expect(pageTypeOf('runs/local-model-benchmark-2026-01-01/index.html')).toBe('run');
		expect(pageTypeOf('runs/r/results/draft/2/index.html')).toBe('run-results');
		expect(pageTypeOf('roles/draft/index.html')).toBe('role');
		expect(pageTypeOf('models/llama3-1-8b/index.html')).toBe('model');
		expect(pageTypeOf('cases/x/index.html')).toBe('case');
		expect(pageTypeOf('404.html')).toBe('other');
	});

	it('counts a module, everything it imports (once), and inline scripts', async () => {
		const chunk = `export const big = ${JSON.stringify(noise(3000))};`;
		const entry = `import{big as b}from"./chunk.js";import("./lazy.js");console.log(b);`;
		const lazy = `export default ${JSON.stringify(noise(500))};`;
		await put('_astro/chunk.js', chunk);
		await put('_astro/entry.js', entry);
		await put('_astro/lazy.js', lazy);
		await put(
			'index.html',
			page(
				`<canvas data-chart="{}"></canvas><script type="module" src="/_astro/entry.js"></script><script type="module" src="/_astro/chunk.js"></script><script>console.log(1)</script><script type="application/json">{"not":"js"}</script>`,
			),
		);
		const weight = await measureSite(dist);
		const index = weight.pages.find((p) => p.file === 'index.html')!;
		expect(index.gzipBytes).toBe(gz(entry) + gz(chunk) + gz(lazy) + gz('console.log(1)'));
		expect(index.scripts.sort()).toEqual(['(inline)', '/_astro/chunk.js', '/_astro/entry.js', '/_astro/lazy.js']);
		expect(weight.violations).toEqual([]);
	});

	it('flags an index over its budget and a page without a chart that ships any script', async () => {
		await put('_astro/huge.js', noise(160 * 1024));
		await put('index.html', page(`<canvas data-chart="{}"></canvas><script type="module" src="/_astro/huge.js"></script>`));
		await put('cases/a/index.html', page('<link rel="modulepreload" href="/_astro/tiny.js">'));
		await put('_astro/tiny.js', 'export {}');
		await put('models/m/index.html', page('<p>no script</p>'));
		const weight = await measureSite(dist);
		expect(weight.violations).toEqual([
			expect.stringMatching(/^index pages ship 1\d\d\.\d KB of JavaScript \(gzip; heaviest index\.html\), over the budget of 100\.0 KB\.$/),
			expect.stringMatching(/^case pages ship .* over the budget of 0 KB\.$/),
			expect.stringMatching(/^cases\/a\/index\.html draws no chart but ships/),
		]);
		expect(weight.types.find((t) => t.type === 'model')).toMatchObject({ pages: 1, maxGzipBytes: 0, budget: PAGE_BUDGETS.model });
		expect(formatWeights(weight)).toMatch(/index\s+1\s+1\d\d\.\d KB\s+100\.0 KB\s+OVER/);
	});
});
