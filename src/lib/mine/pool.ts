/**
 * Maps with at most `limit` calls in flight; results keep the input order whatever order calls finish in,
 * so concurrency never changes what the miner writes.
 */
export async function mapWithLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
	const results = new Array<R>(items.length);
	let next = 0;
	async function worker(): Promise<void> {
		while (next < items.length) {
			const index = next++;
			results[index] = await fn(items[index] as T, index);
		}
	}
	await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
	return results;
}

/**
 * Runs `tasks` in order, `batch` at a time, and keeps results that `accept` approves until `limit` are kept.
 * Later tasks are never run once the limit is reached (building a case can read files from git), and
 * results are judged in input order, so the same tasks always keep the same results.
 */
export async function takeInOrder<R>(
	tasks: ReadonlyArray<() => Promise<R>>,
	limit: number,
	batch: number,
	accept: (result: R) => Promise<boolean> | boolean,
): Promise<number> {
	let kept = 0;
	for (let start = 0; start < tasks.length && kept < limit; start += batch) {
		const results = await Promise.all(tasks.slice(start, start + batch).map((task) => task()));
		for (const result of results) {
			if (kept >= limit) break;
			if (await accept(result)) kept += 1;
		}
	}
	return kept;
}
