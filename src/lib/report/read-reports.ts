import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { REGISTRY_PATHS } from '../registry/paths.ts';
import { REPORT_FILE_PATTERN, type Report } from '../schema/report.ts';
import { DamagedReportsError, parseReportText } from './report-text.ts';

/** Sort key for report file names: by date, then by the same-day sequence (-2, -3…). */
export function reportOrder(name: string): string {
	const match = /(\d{4}-\d{2}-\d{2})(?:-(\d+))?(?:\.md)?$/.exec(name);
	return match ? `${match[1]}-${(match[2] ?? '1').padStart(4, '0')}` : name;
}

/**
 * The report files in `dir`, oldest first. A missing folder holds no report yet (a fresh clone); any other
 * failure to read it (a file in its place, no permission) is an error naming the folder.
 */
export async function listReports(dir: string): Promise<string[]> {
	let names: string[];
	try {
		names = await readdir(dir);
	} catch (cause) {
		if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
		throw new Error(`Failed to list the reports in ${dir}.`, { cause });
	}
	return names.filter((name) => REPORT_FILE_PATTERN.test(name)).sort((a, b) => reportOrder(a).localeCompare(reportOrder(b)));
}

/** Reads and validates one report's frontmatter; a damaged one throws `DamagedReportsError` naming the file, line and fix. */
export async function readReport(file: string): Promise<Report> {
	const read = parseReportText(reportPath(file), await readFile(file, 'utf8'));
	if (!read.ok) throw new DamagedReportsError(read.issues);
	return read.report;
}

/** `reports/<name>` for a report file under any folder: how messages name it, relative to the project root. */
function reportPath(file: string): string {
	return `${REGISTRY_PATHS.reports}/${path.basename(file)}`;
}

/** The newest report in `dir` with its file stem, or undefined when there is none. */
export async function readLatestReport(dir: string): Promise<{ stem: string; report: Report } | undefined> {
	const latest = (await listReports(dir)).at(-1);
	if (!latest) return undefined;
	return { stem: latest.replace(/\.md$/, ''), report: await readReport(path.join(dir, latest)) };
}

/** Every report in `dir`, oldest first, validated. */
export async function readAllReports(dir: string): Promise<{ stem: string; report: Report }[]> {
	return readRecentReports(dir, Number.POSITIVE_INFINITY);
}

/**
 * The newest `count` reports in `dir`, oldest first, validated: the history the retirement and
 * confirmation rules read. Parsing a report's frontmatter takes tens of milliseconds, so a build that
 * read every report would grow slower with every run archived.
 */
export async function readRecentReports(dir: string, count: number): Promise<{ stem: string; report: Report }[]> {
	const names = count <= 0 ? [] : (await listReports(dir)).slice(-count);
	return Promise.all(names.map(async (name) => ({ stem: name.replace(/\.md$/, ''), report: await readReport(path.join(dir, name)) })));
}
