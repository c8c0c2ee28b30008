import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { REPORT_FILE_PATTERN, type Report, ReportSchema } from '../schema/report.ts';

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

/** Reads and validates one report's frontmatter. */
export async function readReport(file: string): Promise<Report> {
	const text = await readFile(file, 'utf8');
	const match = /^---\n([\s\S]*?)\n---\n/.exec(text);
	if (!match) throw new Error(`${file} has no frontmatter; a report starts with a --- block.`);
	const parsed = ReportSchema.safeParse(parse(match[1]!));
	if (!parsed.success)
		throw new Error(
			`${file}: the frontmatter does not match the report schema: ${parsed.error.issues[0]?.message} at ${parsed.error.issues[0]?.path.join('.')}`,
		);
	return parsed.data;
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
