import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { stableStringify } from '../files/stable-json.ts';
import { createFileAtomic } from '../files/write-atomic.ts';
import type { CaseResult } from '../schema/report.ts';

/** `local-model-benchmark-2026-11-26`, then `-2`, `-3`… for later runs the same day. */
export function reportStem(date: string, sequence: number): string {
	return sequence <= 1 ? `local-model-benchmark-${date}` : `local-model-benchmark-${date}-${sequence}`;
}

/** The first free report name for `date` in `dir`: neither the report nor its results file exists yet. */
export async function nextReportStem(dir: string, date: string): Promise<string> {
	const taken = new Set(await readdir(dir).catch(() => [] as string[]));
	for (let sequence = 1; ; sequence++) {
		const stem = reportStem(date, sequence);
		if (!taken.has(`${stem}.md`) && !taken.has(`${stem}.results.json`)) return stem;
	}
}

/**
 * Writes the results file, then the report, each atomically and never over an existing file: a crash
 * leaves the earlier reports as they were and no half report (a results file without its report is
 * ignored by the site and skipped over by the next run's name).
 */
export async function writeReportFiles(dir: string, stem: string, markdown: string, results: readonly CaseResult[]): Promise<{ report: string; results: string }> {
	const resultsPath = path.join(dir, `${stem}.results.json`);
	const reportPath = path.join(dir, `${stem}.md`);
	if (!(await createFileAtomic(resultsPath, `${stableStringify({ report: stem, results }, 1)}\n`))) {
		throw new Error(`${resultsPath} already exists; reports are never overwritten.`);
	}
	if (!(await createFileAtomic(reportPath, markdown))) {
		throw new Error(`${reportPath} already exists; reports are never overwritten.`);
	}
	return { report: reportPath, results: resultsPath };
}
