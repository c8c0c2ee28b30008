import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { REGISTRY_PATHS } from '../registry/paths.ts';
import { BOM, type RegistryIssue, bomIssue } from '../registry/registry-error.ts';
import { parseWithFriendlyIssues } from '../registry/zod-issues.ts';
import { type Report, ResultsFileSchema } from '../schema/report.ts';
import { listReports } from './read-reports.ts';
import { resultsFileOf } from './read-results.ts';
import { DamagedReportsError, parseReportText, restoreHint } from './report-text.ts';

/**
 * Every report under `root`/reports and its results file, checked as the build reads them: the BOM,
 * the frontmatter's YAML and schema, the results file's presence, JSON and schema. Returns the problems;
 * an empty list means the site can be built from them.
 */
export async function checkReports(root: string): Promise<RegistryIssue[]> {
	const dir = REGISTRY_PATHS.reports;
	const issues: RegistryIssue[] = [];
	for (const name of await listReports(path.join(root, dir))) {
		const file = `${dir}/${name}`;
		const read = parseReportText(file, await readFile(path.join(root, file), 'utf8'));
		if (!read.ok) {
			issues.push(...read.issues);
			continue;
		}
		issues.push(...(await checkResultsFile(root, name.replace(/\.md$/, ''), read.report)));
	}
	return issues;
}

/** Throws `DamagedReportsError` when any report or results file under `root` is damaged. */
export async function assertReportsIntact(root: string): Promise<void> {
	const issues = await checkReports(root);
	if (issues.length > 0) throw new DamagedReportsError(issues);
}

async function checkResultsFile(root: string, stem: string, report: Report): Promise<RegistryIssue[]> {
	const file = resultsFileOf(stem, report);
	const issue = (rest: Omit<RegistryIssue, 'file' | 'hint'>): RegistryIssue[] => [{ file, hint: restoreHint(file), ...rest }];
	let text: string;
	try {
		text = await readFile(path.join(root, file), 'utf8');
	} catch (cause) {
		const code = (cause as NodeJS.ErrnoException).code;
		return issue({
			field: '(file)',
			found:
				code === 'ENOENT' ? `no such file; reports/${stem}.md names it as its results` : `an unreadable file (${code ?? String(cause)})`,
			expected: 'the per-case results the run wrote beside its report',
		});
	}
	if (text.startsWith(BOM)) return [bomIssue(file, restoreHint(file))];
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch (cause) {
		const message = cause instanceof Error ? cause.message : String(cause);
		const position = /position (\d+)/.exec(message);
		const line = position ? text.slice(0, Number(position[1])).split('\n').length : undefined;
		return issue({ field: '(file)', line, found: `JSON that does not parse (${message})`, expected: 'the JSON the run wrote' });
	}
	const parsed = parseWithFriendlyIssues(ResultsFileSchema, { file, data: json });
	// One results file holds thousands of results: the first few problems say enough.
	return parsed.ok ? [] : parsed.issues.slice(0, 5).map((entry) => ({ ...entry, hint: restoreHint(file) }));
}
