import { createHash } from 'node:crypto';

/** Recursively sorts object keys so equal data always serializes to equal text. */
export function sortKeys(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(sortKeys);
	if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
		// A plain loop: the site serializes hundreds of megabytes through here, and the chain of
		// `Object.fromEntries(keys.sort().filter().map())` allocated three arrays per object.
		const sorted: Record<string, unknown> = {};
		for (const key of Object.keys(value).sort()) {
			const item = (value as Record<string, unknown>)[key];
			if (item === undefined) continue;
			// `sorted.__proto__ = …` would set the prototype instead of a key that parsed JSON can hold.
			if (key === '__proto__')
				Object.defineProperty(sorted, key, { value: sortKeys(item), enumerable: true, writable: true, configurable: true });
			else sorted[key] = sortKeys(item);
		}
		return sorted;
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
