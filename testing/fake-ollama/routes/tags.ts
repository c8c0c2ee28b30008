/** GET /api/tags: the served models, newest first, cloud models with their remote. */
import type { Exchange } from '../exchange.ts';
import { sendJson } from '../exchange.ts';
import {
	type FakeState,
	capabilitiesOf,
	contextLengthOf,
	details,
	digestOf,
	isRemote,
	modifiedOf,
	normalizeName,
	remoteModelOf,
	sizeOf,
} from '../models.ts';
import { goTimeMs } from '../wire.ts';

/**
 * Answers GET /api/tags. Since Ollama 0.30 each entry's details carry the trained `context_length` and the
 * `embedding_length` (omitempty), and the entry its `capabilities` (server/model_list_cache.go).
 */
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
			details: { ...details(model), context_length: contextLengthOf(model), ...(isRemote(model) ? {} : { embedding_length: 4096 }) },
			capabilities: capabilitiesOf(model),
		}));
	sendJson(ex, 200, { models: list });
}
