import { createHash } from 'node:crypto';

/** Recursively sorts object keys so equal data always serializes to equal text. */
export function sortKeys(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(sortKeys);
	if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
		return Object.fromEntries(
			Object.keys(value)
				.sort()
				.filter((key) => (value as Record<string, unknown>)[key] !== undefined)
				.map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
		);
	}
	return value;
}

/** JSON with sorted keys: deterministic output that diffs cleanly in git. */
export function stableStringify(value: unknown, indent?: number): string {
	return JSON.stringify(sortKeys(value), null, indent);
}

/** sha256 (hex) of the stable JSON of `value`. */
export function hashOf(value: unknown): string {
	return createHash('sha256').update(stableStringify(value)).digest('hex');
}
