import { lintSource } from '@secretlint/core';
import { creator as recommendedRules } from '@secretlint/secretlint-rule-preset-recommend';
import type { SecretFinding } from './types.ts';

// Taken from lintSource itself rather than @secretlint/types, which is only a transitive dependency.
type SecretLintCoreConfig = Parameters<typeof lintSource>[0]['options']['config'];

/**
 * The recommended preset, with the AWS rule's access-key-id scan switched on: it is off by default (ids alone
 * are not credentials), but a case file is published, and an `AKIA…` id next to a diff is one grep away from
 * its secret. A false alarm only costs one case.
 */
export const SECRETLINT_CONFIG: SecretLintCoreConfig = {
	rules: [
		{
			id: '@secretlint/secretlint-rule-preset-recommend',
			rule: recommendedRules,
			rules: [{ id: '@secretlint/secretlint-rule-aws', options: { enableIDScanRule: true } }],
		},
	],
};

/** One string of a case, with the dotted path of the field it sits in. */
export type StringField = { field: string; value: string };

/** Every string in a value, depth first, with its field path (`input.files[0].content`). */
export function stringFields(value: unknown, field = ''): StringField[] {
	if (typeof value === 'string') return [{ field, value }];
	if (Array.isArray(value)) return value.flatMap((item, at) => stringFields(item, `${field}[${at}]`));
	if (value !== null && typeof value === 'object') {
		return Object.entries(value).flatMap(([key, item]) => stringFields(item, field === '' ? key : `${field}.${key}`));
	}
	return [];
}

/** A file's text inside a case (`{ path, content }`): linted under its own name so path-aware rules apply. */
function isFileContent(field: StringField, all: StringField[]): string | undefined {
	if (!field.field.endsWith('.content')) return undefined;
	const pathField = all.find((other) => other.field === `${field.field.slice(0, -'.content'.length)}.path`);
	return pathField?.value;
}

/**
 * A diff's text with the `+`/`-`/` ` marker taken off each line: the files' own text. Multi-line rules (a PEM
 * block) do not match a block whose every line starts with `+`, so a diff is scanned both ways.
 */
export function withoutDiffMarkers(diff: string): string {
	return diff
		.split('\n')
		.map((line) => (/^[+\- ]/.test(line) && !/^(\+\+\+|---) /.test(line) ? line.slice(1) : line))
		.join('\n');
}

function looksLikeDiff(text: string): boolean {
	return /^diff --git /m.test(text) || /^@@ -\d/m.test(text);
}

async function lint(content: string, filePath: string) {
	const result = await lintSource({
		source: { content, filePath, contentType: 'text' },
		// Masked so a finding's message can never carry the secret into a log.
		options: { config: SECRETLINT_CONFIG, maskSecrets: true },
	});
	return result.messages;
}

/**
 * Runs secretlint over every string of a case. File contents are linted one by one under their own path;
 * all other strings are linted together (one call per case keeps mining fast), each finding mapped back to
 * the field it fell in; a diff is also linted without its line markers. Returns nothing for a clean case,
 * else one finding per field and rule.
 */
export async function findSecrets(caseId: string, value: unknown): Promise<SecretFinding[]> {
	const fields = stringFields(value);
	const findings: SecretFinding[] = [];
	const shared: Array<{ field: string; start: number; end: number }> = [];
	let joined = '';
	for (const field of fields) {
		const path = isFileContent(field, fields);
		if (path !== undefined) {
			for (const message of await lint(field.value, path)) {
				findings.push({ caseId, field: field.field, ruleId: message.ruleId, messageId: message.messageId });
			}
			continue;
		}
		if (looksLikeDiff(field.value)) {
			for (const message of await lint(withoutDiffMarkers(field.value), `${caseId}.diff`)) {
				findings.push({ caseId, field: field.field, ruleId: message.ruleId, messageId: message.messageId });
			}
		}
		// A blank line between fields keeps one field's end from joining the next field's start into a match.
		const start = joined.length;
		joined += `${field.value}\n\n`;
		shared.push({ field: field.field, start, end: start + field.value.length });
	}
	for (const message of await lint(joined, `${caseId}.txt`)) {
		const at = message.range[0];
		const owner = shared.find((entry) => at >= entry.start && at <= entry.end);
		findings.push({ caseId, field: owner?.field ?? '?', ruleId: message.ruleId, messageId: message.messageId });
	}
	const unique = new Map(findings.map((finding) => [`${finding.field} ${finding.ruleId} ${finding.messageId}`, finding]));
	return [...unique.values()];
}
