import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { stableStringify } from '../files/stable-json.ts';
import { createFileAtomic } from '../files/write-atomic.ts';
import type { CaseResult, NotRunCase } from '../schema/report.ts';

/** `local-model-benchmark-2026-11-26`, then `-2`, `-3`… for later runs the same day. */
export function reportStem(date: string, sequence: number): string {
	return sequence <= 1 ? `local-model-benchmark-${date}` : `local-model-benchmark-${date}-${sequence}`;
}

/** Where a new report went. */
export interface WrittenReport {
	stem: string;
	report: string;
	results: string;
}

/**
 * Writes a new report for `date` under the first free name, each file atomically and never over an
 * existing one. The name is taken at write time, not chosen beforehand: the results file is created
 * with a link that fails if the name is taken, so two runs finishing at the same moment (two builds on
 * one checkout) each get a name of their own instead of one losing its finished run. `render` gets the
 * name, since the report names its results file. A crash leaves the earlier reports as they were and no
 * half report (a results file without its report is ignored by the site and skipped by the next name).
 */
export async function writeNewReport(
	dir: string,
	date: string,
	render: (stem: string) => string,
	results: readonly CaseResult[],
	notRun: readonly NotRunCase[] = [],
): Promise<WrittenReport> {
	// Cases not run are listed only when there are some: a sidecar of a run that ran everything is as before.
	const sidecar = notRun.length > 0 ? { not_run: notRun } : {};
	for (let sequence = 1; ; sequence++) {
		const stem = reportStem(date, sequence);
		const reportPath = path.join(dir, `${stem}.md`);
		const resultsPath = path.join(dir, `${stem}.results.json`);
		if (existsSync(reportPath)) continue;
		// Whoever creates the results file owns the name.
		if (!(await createFileAtomic(resultsPath, `${stableStringify({ report: stem, results, ...sidecar }, 1)}\n`))) continue;
		try {
			if (await createFileAtomic(reportPath, render(stem))) return { stem, report: reportPath, results: resultsPath };
		} catch (error) {
			await rm(resultsPath, { force: true });
			throw error;
		}
		// A report of this name appeared without its results file between the check and now: not ours.
		await rm(resultsPath, { force: true });
	}
}
