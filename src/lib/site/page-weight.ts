import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/** The page types of the site, told apart by their path in `dist/`. */
export type PageType = 'index' | 'runs' | 'run' | 'run-results' | 'role' | 'model' | 'case' | 'other';

/** Most gzipped JavaScript each page type may ship, in bytes. Pages with charts get the chart bundle; the rest none. */
export const PAGE_BUDGETS: Record<PageType, number> = {
	index: 100 * 1024,
	role: 100 * 1024,
	runs: 0,
	run: 0,
	'run-results': 0,
	model: 0,
	case: 0,
	other: 0,
};

/** The type of the page at `file`, a path relative to `dist/` with forward slashes. Pure. */
export function pageTypeOf(file: string): PageType {
	if (file === 'index.html') return 'index';
	if (file === 'runs/index.html') return 'runs';
	if (/^runs\/[^/]+\/index\.html$/.test(file)) return 'run';
	if (/^runs\/[^/]+\/results\//.test(file)) return 'run-results';
	if (/^roles\/[^/]+\/index\.html$/.test(file)) return 'role';
	if (/^models\/[^/]+\/index\.html$/.test(file)) return 'model';
	if (/^cases\/[^/]+\/index\.html$/.test(file)) return 'case';
	return 'other';
}

/** One page: the JavaScript it loads (module graph followed), gzipped, and whether it draws a chart. */
export interface PageWeight {
	file: string;
	type: PageType;
	/** Gzipped bytes of every script it loads: inline ones, `src` ones and everything they import. */
	gzipBytes: number;
	scripts: string[];
	hasChart: boolean;
}

/** Per page type: how many pages, and the heaviest. */
export interface TypeWeight {
	type: PageType;
	pages: number;
	maxGzipBytes: number;
	heaviest: string;
	budget: number;
}

export interface SiteWeight {
	types: TypeWeight[];
	pages: PageWeight[];
	/** Every broken budget, in a sentence. */
	violations: string[];
}

async function htmlFiles(dir: string, prefix = ''): Promise<string[]> {
	const files: string[] = [];
	for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
		const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
		if (entry.isDirectory()) files.push(...(await htmlFiles(dir, relative)));
		else if (entry.name.endsWith('.html')) files.push(relative);
	}
	return files.sort();
}

const SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;
const PRELOAD = /<link\b[^>]*\brel=["']?modulepreload["']?[^>]*>/gi;
// Static and dynamic imports in bundled (minified) output: `import{a}from"./x.js"`, `import"./x.js"`, `import("./x.js")`.
const IMPORTS = /(?:\bfrom\s*|\bimport\s*\(?\s*)["'`]([^"'`]+\.m?js)["'`]/g;

const attribute = (attributes: string, name: string) =>
	new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i')
		.exec(attributes)
		?.slice(1)
		.find((value) => value !== undefined);
const isJavaScript = (attributes: string) => {
	const type = attribute(attributes, 'type');
	return type === undefined || type === '' || type === 'module' || /javascript|ecmascript/i.test(type);
};

/**
 * Measures every HTML page under `dist`: inline scripts, scripts by `src` and `modulepreload` links, with
 * every local module they import, each file counted once per page. Reads files only.
 */
export async function measureSite(dist: string, budgets: Record<PageType, number> = PAGE_BUDGETS): Promise<SiteWeight> {
	const gzipCache = new Map<string, { bytes: number; imports: string[] }>();
	const moduleInfo = async (urlPath: string) => {
		let info = gzipCache.get(urlPath);
		if (!info) {
			const text = await readFile(path.join(dist, urlPath), 'utf8').catch(() => '');
			const imports = [...text.matchAll(IMPORTS)]
				.map((match) => match[1]!)
				.filter((spec) => spec.startsWith('.') || spec.startsWith('/'))
				.map((spec) => new URL(spec, `http://site${urlPath}`).pathname);
			info = { bytes: text === '' ? 0 : gzipSync(text, { level: 9 }).length, imports };
			gzipCache.set(urlPath, info);
		}
		return info;
	};

	const pages: PageWeight[] = [];
	for (const file of await htmlFiles(dist)) {
		const html = await readFile(path.join(dist, file), 'utf8');
		const pageUrl = `http://site/${file}`;
		const queue: string[] = [];
		let gzipBytes = 0;
		const scripts: string[] = [];
		for (const match of html.matchAll(SCRIPT)) {
			const [, attributes = '', body = ''] = match;
			if (!isJavaScript(attributes)) continue;
			const src = attribute(attributes, 'src');
			if (src) queue.push(new URL(src, pageUrl).pathname);
			else if (body.trim() !== '') {
				gzipBytes += gzipSync(body, { level: 9 }).length;
				scripts.push('(inline)');
				for (const spec of body.matchAll(IMPORTS)) queue.push(new URL(spec[1]!, pageUrl).pathname);
			}
		}
		for (const match of html.matchAll(PRELOAD)) {
			const href = attribute(match[0], 'href');
			if (href) queue.push(new URL(href, pageUrl).pathname);
		}
		const seen = new Set<string>();
		while (queue.length > 0) {
			const next = queue.shift()!;
			if (seen.has(next) || /^https?:/.test(next)) continue;
			seen.add(next);
			const info = await moduleInfo(next);
			gzipBytes += info.bytes;
			scripts.push(next);
			queue.push(...info.imports);
		}
		pages.push({ file, type: pageTypeOf(file), gzipBytes, scripts, hasChart: /<canvas\b[^>]*\bdata-chart=/i.test(html) });
	}

	const types: TypeWeight[] = [];
	for (const type of Object.keys(budgets) as PageType[]) {
		const ofType = pages.filter((page) => page.type === type);
		if (ofType.length === 0) continue;
		const heaviest = ofType.reduce((a, b) => (b.gzipBytes > a.gzipBytes ? b : a));
		types.push({ type, pages: ofType.length, maxGzipBytes: heaviest.gzipBytes, heaviest: heaviest.file, budget: budgets[type] });
	}
	const violations: string[] = [];
	for (const entry of types) {
		if (entry.maxGzipBytes > entry.budget) {
			violations.push(
				`${entry.type} pages ship ${kb(entry.maxGzipBytes)} of JavaScript (gzip; heaviest ${entry.heaviest}), over the budget of ${kb(entry.budget)}.`,
			);
		}
	}
	for (const page of pages) {
		if (!page.hasChart && page.gzipBytes > 0)
			violations.push(`${page.file} draws no chart but ships ${kb(page.gzipBytes)} of JavaScript (${page.scripts.join(', ')}).`);
	}
	return { types, pages, violations };
}

const kb = (bytes: number) => (bytes === 0 ? '0 KB' : bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`);

/** The report as a table for a terminal. Pure. */
export function formatWeights(weight: SiteWeight): string {
	const rows = weight.types.map((entry) => [
		entry.type,
		String(entry.pages),
		kb(entry.maxGzipBytes),
		kb(entry.budget),
		entry.maxGzipBytes > entry.budget ? 'OVER' : 'ok',
		entry.heaviest,
	]);
	const header = ['page type', 'pages', 'JS (gzip, max)', 'budget', '', 'heaviest page'];
	const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
	const line = (cells: string[]) =>
		cells
			.map((cell, column) => cell.padEnd(widths[column]!))
			.join('  ')
			.trimEnd();
	const lines = [line(header), ...rows.map(line)];
	if (weight.violations.length > 0) lines.push('', ...weight.violations.map((violation) => `✗ ${violation}`));
	else lines.push('', 'Every page type is within its budget.');
	return lines.join('\n');
}
