/** GET /api/ps: the models in memory, soonest to expire last, with the context each was loaded with. */
import type { Exchange } from '../exchange.ts';
import { sendJson } from '../exchange.ts';
import { type FakeState, details, digestOf, normalizeName, sizeOf } from '../models.ts';
import { goTimeMs } from '../wire.ts';

/** Answers GET /api/ps. */
export function ps(ex: Exchange, state: FakeState): void {
	const now = Date.now();
	const list = [...state.loaded.entries()]
		.filter(([, entry]) => entry.expiresAt > now)
		.sort(([, a], [, b]) => b.expiresAt - a.expiresAt)
		.flatMap(([key, entry]) => {
			const model = state.models.get(key);
			if (!model) return [];
			return [
				{
					name: normalizeName(model.name),
					model: normalizeName(model.name),
					size: sizeOf(model),
					digest: digestOf(model),
					details: details(model),
					expires_at: goTimeMs(entry.expiresAt),
					size_vram: sizeOf(model),
					context_length: entry.numCtx,
				},
			];
		});
	sendJson(ex, 200, { models: list });
}
