import type { z } from 'astro/zod';
import { type RegistryIssue, formatPath, showValue } from './registry-error.ts';
import { closestName } from './closest-name.ts';

type AnySchema = z.ZodType;

/** Where a file's problems are reported: its name, and optionally a way to find a field's line. */
export interface IssueSource {
	file: string;
	data: unknown;
	lineOf?: (path: readonly PropertyKey[]) => number | undefined;
}

/**
 * Parses `source.data` with `schema` and turns every zod issue into a `RegistryIssue` that names the
 * file, the field, what was found and what is expected — the one place config errors are made friendly.
 */
export function parseWithFriendlyIssues<S extends AnySchema>(
	schema: S,
	source: IssueSource,
): { ok: true; value: z.infer<S> } | { ok: false; issues: RegistryIssue[] } {
	const result = schema.safeParse(source.data);
	if (result.success) return { ok: true, value: result.data as z.infer<S> };
	return { ok: false, issues: result.error.issues.flatMap((issue) => toRegistryIssues(issue, schema, source)) };
}

function toRegistryIssues(issue: z.core.$ZodIssue, schema: AnySchema, source: IssueSource): RegistryIssue[] {
	const path = issue.path as PropertyKey[];
	const found = valueAt(source.data, path);
	const at = (fieldPath: PropertyKey[]) => ({
		file: source.file,
		field: formatPath(fieldPath, source.data),
		line: source.lineOf?.(fieldPath),
	});

	switch (issue.code) {
		case 'unrecognized_keys': {
			const known = knownKeys(schema, path, source.data);
			return issue.keys.map((key) => {
				const suggestion = closestName(key, known);
				return {
					...at([...path, key]),
					found: `an unknown key \`${key}\``,
					expected: known.length > 0 ? `one of the keys ${known.map((k) => `\`${k}\``).join(', ')}` : 'no other keys',
					hint: suggestion ? `did you mean \`${suggestion}\`? Rename the key.` : 'remove the key, or check its spelling',
				};
			});
		}
		case 'invalid_type': {
			if (found === undefined) {
				return [
					{
						...at(path),
						found: showValue(undefined),
						expected: `${article(issue.expected)} (this field is required)`,
						hint: missingFieldHint(schema, path, source.data, issue.expected),
					},
				];
			}
			return [{ ...at(path), found: `${showValue(found)} (${describeType(found)})`, expected: article(issue.expected) }];
		}
		case 'invalid_value':
			return [
				{
					...at(path),
					found: showValue(found),
					expected: `one of ${issue.values.map((v) => showValue(v)).join(', ')}`,
				},
			];
		case 'invalid_union': {
			// A discriminated union whose tag matches no option: say which field picks the shape.
			const discriminator = (issue as { discriminator?: string }).discriminator;
			return [
				{
					...at(path),
					found: showValue(found),
					expected: discriminator ? `a known \`${discriminator}\` value` : 'one of the allowed shapes',
				},
			];
		}
		case 'too_small':
		case 'too_big':
		case 'invalid_format':
		case 'custom':
		default:
			return [{ ...at(path), found: showValue(found), expected: cleanMessage(issue.message) }];
	}
}

function cleanMessage(message: string): string {
	return message.replace(/^Invalid input:\s*/i, '').replace(/^Too (small|big):\s*/i, '');
}

function article(type: string): string {
	const names: Record<string, string> = {
		string: 'a string',
		number: 'a number',
		int: 'a whole number',
		boolean: 'true or false',
		array: 'a list',
		object: 'a mapping of keys to values',
		date: 'a date',
	};
	return names[type] ?? type;
}

function describeType(value: unknown): string {
	if (value === null) return 'empty';
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'object') return 'a mapping';
	return `a ${typeof value}`;
}

/** The value at `path` in plain data, or undefined when the path does not exist. */
export function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
	let current: unknown = data;
	for (const key of path) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<PropertyKey, unknown>)[key];
	}
	return current;
}

/**
 * What to write for a missing field: `add \`family: <training family, e.g. meta-llama>\``, from the
 * field's `.describe()` in its schema, or its expected type when it has none.
 */
function missingFieldHint(schema: AnySchema, path: readonly PropertyKey[], data: unknown, expected: string): string {
	const key = path.at(-1);
	const field = schemaAt(schema, path, data, false);
	const description = field && (field.description ?? unwrap(field, undefined)?.description);
	const placeholder = `<${description ?? article(expected)}>`;
	return typeof key === 'string' ? `add \`${key}: ${placeholder}\`` : `add ${placeholder}`;
}

type SchemaDef = Record<string, unknown>;
const defOf = (schema: AnySchema): SchemaDef => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

/** `s` without its optional, default, nullable and pipe wrappers; a union resolved by `value`'s tag. */
function unwrap(s: AnySchema | undefined, value: unknown): AnySchema | undefined {
	let current = s;
	for (let i = 0; current && i < 10; i++) {
		const def = defOf(current);
		if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault') {
			current = def.innerType as AnySchema;
		} else if (def.type === 'pipe') {
			current = def.out as AnySchema;
		} else if (def.type === 'union') {
			const options = def.options as AnySchema[];
			const discriminator = def.discriminator as string | undefined;
			const tag = value && typeof value === 'object' && discriminator ? (value as Record<string, unknown>)[discriminator] : undefined;
			current =
				options.find((option) => {
					const shape = (option as unknown as { shape?: Record<string, AnySchema> }).shape;
					const lit =
						shape && discriminator
							? (shape[discriminator] as unknown as { _zod: { def: { values?: unknown[] } } })?._zod.def.values
							: undefined;
					return lit?.includes(tag);
				}) ?? options[0];
		} else return current;
	}
	return current;
}

/** The schema of the field at `path`, following the data through unions; unwrapped unless `unwrapLast` is false. */
function schemaAt(schema: AnySchema, path: readonly PropertyKey[], data: unknown, unwrapLast = true): AnySchema | undefined {
	let node: AnySchema | undefined = schema;
	let value: unknown = data;
	for (const key of path) {
		node = unwrap(node, value);
		if (!node) return undefined;
		const def = defOf(node);
		if (def.type === 'object') node = (def.shape as Record<string, AnySchema>)[String(key)];
		else if (def.type === 'array') node = def.element as AnySchema;
		else if (def.type === 'record') node = def.valueType as AnySchema;
		else return undefined;
		value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
	}
	return unwrapLast ? unwrap(node, value) : node;
}

/** The keys the schema allows for the object at `path`, following the data through unions. */
export function knownKeys(schema: AnySchema, path: readonly PropertyKey[], data: unknown): string[] {
	const node = schemaAt(schema, path, data);
	const def = node ? defOf(node) : undefined;
	return def?.type === 'object' ? Object.keys(def.shape as Record<string, unknown>) : [];
}
