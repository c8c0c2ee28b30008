import { open } from 'node:fs/promises';
import path from 'node:path';
import { REGISTRY_PATHS } from '../registry/paths.ts';
import { type CaseResult, type Report, ResultsFileSchema } from '../schema/report.ts';

/**
 * Where a report's results sidecar is, relative to the project root. The manifest's `results_file` is
 * used when it names a file in `reports/`; anything else (a path out of the folder, an empty value) falls
 * back to `reports/<report id>.results.json`, the name the pipeline writes. Pure.
 */
export function resultsFileOf(reportId: string, report: Pick<Report, 'manifest'>): string {
	const named = report.manifest.results_file;
	const pattern = new RegExp(`^${REGISTRY_PATHS.reports}/[A-Za-z0-9._-]+\\.results\\.json$`);
	return pattern.test(named) && !named.includes('..') ? named : `${REGISTRY_PATHS.reports}/${reportId}.results.json`;
}

/** The size and modification time of a file as read: equal stamps mean the same file, unchanged. */
export interface FileStamp {
	size: number;
	mtimeMs: number;
}

/** A run's per-case results (and the stamp of the file they came from), or why there are none. */
export type RunResults = { status: 'ok'; file: string; results: CaseResult[]; stamp: FileStamp } | { status: 'missing'; file: string };

/**
 * Reads and validates a report's results sidecar. A missing file is reported, not thrown (the report is
 * still worth showing); a file that does not match the schema stops the build with its name and the
 * first problem, as a bad report does. `validated` is the stamp of an earlier read that passed the
 * schema: when the file still has it, the schema is not run again (at a year of runs the site reads each
 * 11 MB sidecar twice, and validating 9,000 results costs as much as parsing them).
 */
export async function readRunResults(
	root: string,
	reportId: string,
	report: Pick<Report, 'manifest'>,
	validated?: FileStamp,
): Promise<RunResults> {
	const file = resultsFileOf(reportId, report);
	let text: string;
	let stamp: FileStamp;
	try {
		const handle = await open(path.join(root, file), 'r');
		try {
			const stats = await handle.stat();
			stamp = { size: stats.size, mtimeMs: stats.mtimeMs };
			// One decode of the whole buffer: `readFile(…, 'utf8')` decodes chunk by chunk, several times slower.
			text = (await handle.readFile()).toString('utf8');
		} finally {
			await handle.close();
		}
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing', file };
		throw new Error(`Failed to read ${file}.`, { cause: error });
	}
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch (error) {
		throw new Error(`${file} is not valid JSON; it is written by the pipeline and never edited by hand.`, { cause: error });
	}
	if (
		validated &&
		validated.size === stamp.size &&
		validated.mtimeMs === stamp.mtimeMs &&
		Array.isArray((json as { results?: unknown } | null)?.results)
	) {
		const results = (json as { results: CaseResult[] }).results;
		// The one default of the results schema, applied as the schema would (the output is the same).
		for (const result of results) result.tags ??= [];
		return { status: 'ok', file, results, stamp };
	}
	const parsed = ResultsFileSchema.safeParse(json);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		throw new Error(`${file}: the results do not match the results schema: ${issue?.message} at ${issue?.path.join('.')}`);
	}
	return { status: 'ok', file, results: parsed.data.results, stamp };
}
