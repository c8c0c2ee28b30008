import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { PROJECT_ROOT } from './project-copy.ts';
import { findCommand } from './system-tools.ts';

/** Debian's chromium (`CHROMIUM_PATH`, or `chromium` on PATH): Playwright's own browser download is not possible here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || findCommand('chromium', process.env.PATH ?? '') || '/usr/bin/chromium';

/** Where screenshots go: kept as test artifacts, never committed. */
export const ARTIFACTS_DIR = path.join(PROJECT_ROOT, 'test-results');

/** Launches headless Chromium with the flags this machine needs (no sandbox as root, no background network). */
export async function launchChromium(): Promise<Browser> {
	await mkdir(ARTIFACTS_DIR, { recursive: true });
	return chromium.launch({
		executablePath: CHROMIUM_PATH,
		headless: true,
		args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-gpu', '--no-first-run'],
	});
}
