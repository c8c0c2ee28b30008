import { createHash } from 'node:crypto';
import { SEVERITIES, type Severity } from '../schema/common.ts';

/**
 * A case's place in the seeded order: drawn from `seed` and the case id alone, so a case added later
 * takes its own place without moving the others. Also the baseline sample's draw. Pure.
 */
export function caseDraw(seed: number, id: string): string {
	return createHash('sha256').update(`${seed}:${id}`).digest('hex');
}

/**
 * The order in which a model answers one role's cases, so a sequential test can read its evidence as it
 * comes: within each severity the seeded draw; the severities interleaved so that every prefix holds
 * each of them in about its share of the whole (a case at rank i of n in its severity sits at (i + ½) / n;
 * a tie goes to the more severe). Any prefix is then a fair small sample of the role, not its easy cases
 * first. Pure.
 */
export function stratifiedOrder<T extends { id: string; severity: Severity }>(cases: readonly T[], seed: number): T[] {
	const placed = SEVERITIES.flatMap((severity, stratum) => {
		const members = cases
			.filter((entry) => entry.severity === severity)
			.map((entry) => ({ entry, draw: caseDraw(seed, entry.id) }))
			.sort((a, b) => compare(a.draw, b.draw) || compare(a.entry.id, b.entry.id));
		return members.map(({ entry, draw }, rank) => ({ entry, draw, stratum, at: (rank + 0.5) / members.length }));
	});
	return placed.sort((a, b) => a.at - b.at || b.stratum - a.stratum || compare(a.draw, b.draw)).map(({ entry }) => entry);
}

/**
 * Cached answers first (they are free, and a rebuild then reads them in the order that asked them), the
 * rest after; each part keeps its order. Pure.
 */
export function cachedFirst<T>(ordered: readonly T[], isCached: (entry: T) => boolean): T[] {
	const cached = ordered.filter(isCached);
	return [...cached, ...ordered.filter((entry) => !isCached(entry))];
}

/**
 * The order each model answers each role's cases in this run (case ids), as the sequential test reads
 * them. The plan sets the seeded order; the run puts the cached answers first once it knows them (the
 * cache key needs the model's digest from /api/tags), before that model's first result.
 */
export interface CaseOrders {
	set(role: string, model: string, caseIds: readonly string[]): void;
	/** The order of `model` in `role`; empty when it answers nothing there. */
	get(role: string, model: string): readonly string[];
	/** The orders are read (the stop rule is made): setting one after this is a mistake of the harness, and throws. */
	seal(): void;
}

export function createCaseOrders(): CaseOrders {
	const orders = new Map<string, readonly string[]>();
	const key = (role: string, model: string) => `${role}\u0000${model}`;
	let sealed = false;
	return {
		set(role, model, caseIds) {
			if (sealed) throw new Error(`The case order of ${model} in role ${role} was set after the sequential rule had read the orders.`);
			orders.set(key(role, model), [...caseIds]);
		},
		get: (role, model) => orders.get(key(role, model)) ?? [],
		seal: () => void (sealed = true),
	};
}

/** Byte order, not the locale's: the order must be the same on every machine. */
function compare(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}
