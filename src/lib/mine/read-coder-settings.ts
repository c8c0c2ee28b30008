import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { CoderSchema, type CoderSettings } from '../schema/policy.ts';

/**
 * Reads the policy's `coder` section (sandbox, test command, limits, installs) for validating coder cases.
 * Only that section is read, with the policy schema's own rules; a missing file or section gives the
 * defaults. A value that breaks the schema stops with the file and field named.
 */
export async function readCoderSettings(policyPath: string): Promise<CoderSettings> {
	let text: string;
	try {
		text = await readFile(policyPath, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return CoderSchema.parse({});
		throw new Error(`Cannot read ${policyPath}.`, { cause: error });
	}
	let document: unknown;
	try {
		document = parse(text);
	} catch (error) {
		throw new Error(`${policyPath} is not valid YAML: ${(error as Error).message}`, { cause: error });
	}
	const parsed = CoderSchema.safeParse((document as { coder?: unknown } | null)?.coder ?? {});
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const field = ['coder', ...(issue?.path ?? [])].join('.');
		const found = issue && 'input' in issue ? `, found ${JSON.stringify(issue.input)}` : '';
		throw new Error(`${policyPath}: \`${field}\` is invalid: ${issue?.message}${found}.`);
	}
	return parsed.data;
}
