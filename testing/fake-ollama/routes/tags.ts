/** GET /api/tags: the served models, newest first, cloud models with their remote. */
import type { Exchange } from '../exchange.ts';
import { sendJson } from '../exchange.ts';
import { type FakeState, details, digestOf, isRemote, modifiedOf, normalizeName, remoteModelOf, sizeOf } from '../models.ts';
import { goTimeMs } from '../wire.ts';

/** Answers GET /api/tags. */
export function tags(ex: Exchange, state: FakeState): void {
	const list = [...state.models.values()]
		.sort((a, b) => Math.floor(modifiedOf(b, state.startedAt) / 1000) - Math.floor(modifiedOf(a, state.startedAt) / 1000))
		.map((model) => ({
			name: normalizeName(model.name),
			model: normalizeName(model.name),
			...(isRemote(model) ? { remote_model: remoteModelOf(model), remote_host: 'https://ollama.com:443' } : {}),
			modified_at: goTimeMs(modifiedOf(model, state.startedAt)),
			size: sizeOf(model),
			digest: digestOf(model),
			details: details(model),
		}));
	sendJson(ex, 200, { models: list });
}
