import { createHash } from 'node:crypto';

/**
 * The URL-safe form of a model id: lowercase, every run of characters other than `a-z` and `0-9`
 * becomes one `-`, and dashes at either end are dropped. `llama3.1:8b` → `llama3-1-8b`,
 * `user/model:q4_K_M` → `user-model-q4-k-m`. Pure.
 */
export function baseSlug(id: string): string {
	const slug = id
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '');
	return slug === '' ? 'model' : slug;
}

/** Eight hex digits of the sha256 of `id`: the tie-breaker when two ids share a base slug. */
function shortHash(id: string): string {
	return createHash('sha256').update(id).digest('hex').slice(0, 8);
}

/**
 * One slug per model id, the same for every page and JSON file of a build.
 *
 * Ids that differ only in punctuation (`llama3.1:8b` and `llama3-1:8b`) share a base slug. The one that
 * sorts first keeps the bare slug and each other one gets `-` and eight hex digits of its id's sha256,
 * so a collision never silently merges two models, and the suffix of a model never depends on which
 * other models exist. Pure.
 */
export function assignModelSlugs(ids: Iterable<string>): Map<string, string> {
	const byBase = new Map<string, string[]>();
	for (const id of new Set(ids)) {
		const base = baseSlug(id);
		byBase.set(base, [...(byBase.get(base) ?? []), id]);
	}
	const slugs = new Map<string, string>();
	for (const [base, group] of byBase) {
		group.sort();
		group.forEach((id, index) => slugs.set(id, index === 0 ? base : `${base}-${shortHash(id)}`));
	}
	return slugs;
}
