import { createRequire } from 'node:module';
import type { BrowserContext, Page } from 'playwright-core';

const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** One accessibility violation as axe reports it, trimmed to what a failing test should print. */
export interface AxeViolation {
	id: string;
	impact: string | null;
	help: string;
	targets: string[];
}

/**
 * Runs axe-core (every rule it ships, WCAG and best practice) on the page and returns the serious and
 * critical violations. The page's context must bypass the content security policy: axe is injected as
 * a script the policy would rightly refuse.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
	return (await allViolations(page)).filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/**
 * Loads axe-core into every page of `context` as it opens, before the page's own scripts. Injecting the
 * 560 KB script into each page after it loaded cost about a second a page; as an init script in a page
 * that is navigated from URL to URL, the renderer compiles it once and reuses the code. The context must
 * bypass the content security policy.
 */
export async function loadAxeOnEveryPage(context: BrowserContext): Promise<void> {
	await context.addInitScript({ path: AXE_SOURCE });
}

/**
 * Every violation axe-core finds on the page, whatever its impact. axe is injected unless the page's
 * context loads it already (`loadAxeOnEveryPage`); the context must bypass the content security policy.
 */
export async function allViolations(page: Page): Promise<AxeViolation[]> {
	if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_SOURCE });
	const violations = await page.evaluate(async () => {
		const axe = (
			window as unknown as {
				axe: {
					run(
						context: Document,
						options: object,
					): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }>;
				};
			}
		).axe;
		const result = await axe.run(document, { resultTypes: ['violations'] });
		return result.violations.map((violation) => ({
			id: violation.id,
			impact: violation.impact,
			help: violation.help,
			targets: violation.nodes.slice(0, 5).map((node) => node.target.join(' ')),
		}));
	});
	return violations;
}
