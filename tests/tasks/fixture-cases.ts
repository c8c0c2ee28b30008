import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Case, CaseSchema } from '../../src/lib/schema/case.ts';

/** The hand-checked case fixtures, shared with the engine's integration tests. */
export const CASES_DIR = fileURLToPath(new URL('../../testing/fixtures/cases/', import.meta.url));

/** Every fixture file, as `<role>/<id>.json`, sorted. */
export function fixtureFiles(): string[] {
	return readdirSync(CASES_DIR, { recursive: true, encoding: 'utf8' })
		.filter((file) => file.endsWith('.json'))
		.map((file) => file.split(path.sep).join('/'))
		.sort();
}

/** A fixture parsed with `CaseSchema`, narrowed to its task; throws when the file is not the task asked for. */
export function loadCase<T extends Case['task']>(file: string, task: T): Extract<Case, { task: T }> {
	const parsed = CaseSchema.parse(JSON.parse(readFileSync(path.join(CASES_DIR, file), 'utf8')));
	if (parsed.task !== task) throw new Error(`fixture ${file} is a ${parsed.task} case, not ${task}`);
	return parsed as Extract<Case, { task: T }>;
}
