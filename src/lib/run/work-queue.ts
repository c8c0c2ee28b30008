/**
 * The cases of one model, shared by every slot of every host that serves it: each slot takes the next
 * item when it is free (work stealing, so a fast host takes more), and a slot whose host went away gives
 * its item back for the others. Items given back are taken first.
 */
export interface WorkQueue<T> {
	/** The next item, or undefined when none is waiting (some may still be in flight). */
	take(): T | undefined;
	/** Puts an item taken earlier back, for another slot; call `finish` for it as well. */
	giveBack(item: T): void;
	/** Ends the handling of an item taken earlier (done or given back). */
	finish(): void;
	/** Items taken and not yet finished. */
	readonly inFlight: number;
	/** Resolves at the next `finish`, `giveBack` or `wake`: a slot waiting for items still in flight elsewhere. */
	changed(): Promise<void>;
	/** Wakes every waiting slot (the run is stopping). */
	wake(): void;
}

export function createWorkQueue<T>(items: readonly T[]): WorkQueue<T> {
	let next = 0;
	let inFlight = 0;
	const returned: T[] = [];
	let waiters: (() => void)[] = [];
	const wake = () => {
		const woken = waiters;
		waiters = [];
		for (const resolve of woken) resolve();
	};
	return {
		take() {
			const item = returned.shift() ?? (next < items.length ? items[next++] : undefined);
			if (item !== undefined) inFlight++;
			return item;
		},
		giveBack(item) {
			returned.push(item);
			wake();
		},
		finish() {
			inFlight--;
			wake();
		},
		get inFlight() {
			return inFlight;
		},
		changed: () => new Promise<void>((resolve) => waiters.push(resolve)),
		wake,
	};
}
