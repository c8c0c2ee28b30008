import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Case, CaseSchema } from '../../src/lib/schema/case.ts';
import { type FakeOllama, type FakeReply, faults, startFakeOllama } from '../../testing/fake-ollama/server.ts';
import { launchChromium } from '../../testing/browser.ts';
import { type ProjectCopy, astroBuild } from '../../testing/project-copy.ts';
import { SITE_RUNS, fakeModelsFor } from '../../testing/site-runs.ts';
import { serveStatic } from '../../testing/static-server.ts';
import { fixtureWorkspace } from '../../testing/workspace.ts';

// Everything the site shows comes from model answers and commit text: untrusted. This build's commit
// subjects, messages, file names and every model answer carry script, event-handler, javascript: and raw
// HTML payloads; in a real browser none may run, open a dialog or become an element.

/** Each payload either opens a dialog or sets `window.__pwned`: either is caught. */
const payload = (tag: string) =>
	[
		`<script>window.__pwned='${tag}-script';alert('${tag}')</script>`,
		`<img src=x onerror="window.__pwned='${tag}-img';alert('${tag}-img')">`,
		`[click](javascript:window.__pwned='${tag}-md-link')`,
		`<a href="javascript:alert('${tag}-a')">raw link</a>`,
		`<iframe srcdoc="<script>parent.__pwned='${tag}-iframe'</script>"></iframe>`,
		`<svg onload="window.__pwned='${tag}-svg'"></svg>`,
		`**bold** <b onmouseover="alert('${tag}-b')">hover</b>`,
	].join(' ');

let workspace: ProjectCopy;
let fake: FakeOllama;
let server: Awaited<ReturnType<typeof serveStatic>>;
let browser: Browser;
let cases: Case[];
let pages: string[];

/** Copies of the fixture cases whose commit text carries the payloads (nothing is mined). */
async function poisonCases(root: string): Promise<Case[]> {
	const poisoned: Case[] = [];
	const dir = path.join(root, 'benchmarks', 'cases');
	for (const role of await readdir(dir)) {
		for (const name of await readdir(path.join(dir, role))) {
			const file = path.join(dir, role, name);
			const data = JSON.parse(await readFile(file, 'utf8'));
			data.source.subject = `Fix ${payload('subject')}`;
			data.source.repository = `<b onmouseover="alert('repo')">acme</b>/notes`;
			data.source.files = [...data.source.files, `src/${payload('path').slice(0, 60)}.ts`];
			if (data.source.fix_subject) data.source.fix_subject = `Fix ${payload('fix-subject')}`;
			if (data.task === 'commit-message') data.reference.message = `Strip diacritics\n\n${payload('reference')}`;
			// A NUL byte, as a binary-ish file in a diff carries: the page must show it, not hide it.
			if (data.task === 'commit-message') data.input.diff = `${data.input.diff}+const end = "\u0000";\n`;
			if ('intent' in data.input) data.input.intent = `${data.input.intent}\n\n${payload('intent')}`;
			if (data.task === 'implement-change') data.reference.files[0].content += `\n// </pre></code>${payload('reference-file')}\n`;
			await writeFile(file, `${JSON.stringify(data, null, 2)}\n`);
			poisoned.push(CaseSchema.parse(data));
		}
	}
	return poisoned;
}

/** The scripted answer, with payloads wherever the task's answer has text. */
function poisonAnswer(model: string, reply: FakeReply, testCase: Case): FakeReply {
	if (model === 'granite3.3:8b') return faults.serverError(`runner crashed: ${payload('error')}`);
	if ('fault' in reply) return reply;
	const text = payload(`${model}-answer`);
	switch (testCase.task) {
		case 'commit-message':
			return { ...reply, content: `Strip diacritics ${text}\n\n${text}` };
		case 'change-localization':
			return { ...reply, content: JSON.stringify({ files: [...testCase.reference.files, `src/${text}.ts`] }) };
		case 'code-review':
		case 'security-review': {
			const answer = JSON.parse(reply.content ?? '{}');
			return {
				...reply,
				content: JSON.stringify({
					...answer,
					findings: [...(answer.findings ?? []), { path: `src/${text}`, line: 1, severity: 'low', message: text }],
				}),
			};
		}
		case 'implement-change': {
			// Search/replace blocks: text added to the end of every shown file, and a file with a hostile name.
			const append = (path: string, content: string) => `${path}\n\`\`\`\n<<<<<<< SEARCH\n=======\n${content}\n>>>>>>> REPLACE\n\`\`\`\n`;
			return {
				...reply,
				content: [
					reply.content ?? '',
					...testCase.input.files.map((file) => append(file.path, `</pre>${text}`)),
					append(`<img/src=x/onerror=alert('file')>.ts`, text),
				].join('\n'),
			};
		}
	}
}

beforeAll(async () => {
	workspace = await fixtureWorkspace('lmb-hostile-');
	cases = await poisonCases(workspace.root);
	fake = await startFakeOllama({ models: fakeModelsFor(SITE_RUNS[0]!, cases, poisonAnswer) });
	const build = await astroBuild(workspace.root, { OLLAMA_HOST: fake.url });
	expect(build.code, build.output).toBe(0);
	expect(build.output).toContain('report written');
	const dist = path.join(workspace.root, 'dist');
	pages = (await readdir(dist, { recursive: true }))
		.filter((file) => file.endsWith('index.html'))
		.map((file) => `/${file.replace(/index\.html$/, '')}`)
		.sort();
	server = await serveStatic(dist);
	browser = await launchChromium();
}, 300_000);

afterAll(async () => {
	await browser?.close();
	await server?.close();
	await fake?.close();
	await workspace?.dispose();
});

interface Findings {
	dialogs: string[];
	errors: string[];
	pwned: unknown;
	injected: string[];
}

/**
 * Opens `urls` one after another in one tab of a fresh context, with the content security policy off, and
 * returns the findings of each page that shows any. One tab navigated from page to page: a fresh context
 * per page would start a renderer process each time, which is most of the cost of this check.
 */
async function inspectAll(urls: string[]): Promise<Record<string, Findings>> {
	const context = await browser.newContext({ bypassCSP: true });
	const page = await context.newPage();
	let findings: Findings = { dialogs: [], errors: [], pwned: undefined, injected: [] };
	page.on('dialog', (dialog) => {
		findings.dialogs.push(dialog.message());
		void dialog.dismiss();
	});
	page.on('pageerror', (error) => findings.errors.push(error.message));
	const problems: Record<string, Findings> = {};
	for (const url of urls) {
		findings = { dialogs: [], errors: [], pwned: undefined, injected: [] };
		await page.goto(`${server.url}${url}`, { waitUntil: 'load' });
		// Give timers and late loads (an <img> error, an iframe) a moment; a handler that needs a hover is
		// caught below as an `on…` attribute, whether or not anything triggers it.
		await page.waitForTimeout(150);
		findings.pwned = await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);
		findings.injected = await page.evaluate(() => {
			const found: string[] = [];
			for (const element of document.querySelectorAll('*')) {
				const tag = element.tagName.toLowerCase();
				if (tag === 'script' && !(element.getAttribute('type') === 'module' && (element.getAttribute('src') ?? '').startsWith('/_astro/')))
					found.push(element.outerHTML.slice(0, 80));
				if (['img', 'iframe', 'svg', 'object', 'embed', 'b', 'frame'].includes(tag)) found.push(element.outerHTML.slice(0, 80));
				for (const attribute of element.getAttributeNames()) if (attribute.startsWith('on')) found.push(`${tag}[${attribute}]`);
				const href = element.getAttribute('href');
				if (href !== null && !/^(https?:|\/|#|data:,$)/.test(href)) found.push(`${tag}[href=${href}]`);
			}
			return found;
		});
		if (findings.dialogs.length + findings.errors.length + findings.injected.length > 0 || findings.pwned !== undefined)
			problems[url] = findings;
	}
	await context.close();
	return problems;
}

describe('a site built from hostile model answers and commit text', () => {
	it('has every page type to check', () => {
		expect(pages).toEqual(
			expect.arrayContaining(['/', '/runs/', '/roles/draft/', '/models/llama3-1-8b/', ...cases.map((c) => `/cases/${c.id}/`)]),
		);
		expect(pages.some((page) => /^\/runs\/local-model-benchmark-[\d-]+\/$/.test(page))).toBe(true);
	});

	it('catches a payload that does run (the detector works)', async () => {
		const context = await browser.newContext({ bypassCSP: true });
		const page = await context.newPage();
		const dialogs: string[] = [];
		page.on('dialog', (dialog) => {
			dialogs.push(dialog.message());
			void dialog.dismiss();
		});
		await page.setContent(`<p>${payload('control')}</p>`);
		await page.waitForTimeout(150);
		expect(
			dialogs.length + Number((await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)) !== undefined),
		).toBeGreaterThan(0);
		await context.close();
	});

	// With the content security policy off: the escaping alone must hold. The policy only ever stops scripts
	// from running, so a page on which nothing runs without it runs nothing with it (site.test.ts checks that
	// every page carries it).
	it('runs no script, opens no dialog and injects no element on any page, even with the content security policy off', async () => {
		// Two tabs, each with half the pages: the waits for late payloads overlap.
		const halves = [pages.filter((_, index) => index % 2 === 0), pages.filter((_, index) => index % 2 === 1)];
		const problems = Object.assign({}, ...(await Promise.all(halves.map((urls) => inspectAll(urls)))));
		expect(problems).toEqual({});
	}, 120_000);

	it('shows the payloads as text where the data appears', async () => {
		const context = await browser.newContext();
		const page = await context.newPage();
		const draft = cases.find((c) => c.task === 'commit-message')!;
		await page.goto(`${server.url}/cases/${draft.id}/`);
		const text = await page.locator('main').innerText();
		expect(text).toContain(`<script>window.__pwned='subject-script';alert('subject')</script>`);
		expect(text).toContain(`[click](javascript:window.__pwned='reference-md-link')`);
		expect(text).toContain(`<img src=x onerror="window.__pwned='llama3.1:8b-answer-img';alert('llama3.1:8b-answer-img')">`);
		expect(text).toContain(`runner crashed: <script>window.__pwned='error-script'`);
		// The repository has an http(s) URL, so its name links there; the name itself stays text.
		expect(await page.getByRole('link', { name: `<b onmouseover="alert('repo')">acme</b>/notes` }).getAttribute('href')).toBe(
			'https://github.com/acme/notes',
		);
		await page.goto(`${server.url}/runs/`);
		await page.locator('tbody a').first().click();
		expect(await page.locator('main').innerText()).toContain(`Fix <script>window.__pwned='subject-script'`);
		await context.close();
	});

	it('shows a NUL byte in a diff as ␀, and puts none into the HTML', async () => {
		const draft = cases.find((c) => c.task === 'commit-message')!;
		const html = await readFile(path.join(workspace.root, 'dist', 'cases', draft.id, 'index.html'), 'utf8');
		expect(html).not.toContain('\u0000');
		expect(html).toContain('+const end = &quot;␀&quot;;');
		const json = await (await fetch(`${server.url}/api/cases/${draft.id}.json`)).json();
		expect(json.case.input.diff).toContain('+const end = "\u0000";');
	});

	it('keeps the payloads as plain strings in the JSON', async () => {
		const draft = cases.find((c) => c.task === 'commit-message')!;
		const json = await (await fetch(`${server.url}/api/cases/${draft.id}.json`)).json();
		expect(json.case.source.subject).toBe(draft.source.subject);
		expect(json.results.find((result: { model: string }) => result.model === 'llama3.1:8b').output).toContain(`<img src=x onerror=`);
	});
});
