/**
 * A fake Ollama HTTP server for tests and demos.
 *
 * Ollama cannot run here, so the harness is tested against this protocol peer instead. It is a real
 * `node:http` server on 127.0.0.1 that answers the endpoints the harness uses exactly as Ollama's
 * `server/routes.go` does (status codes, `{"error": …}` bodies and their texts, NDJSON streaming, integer
 * nanosecond durations, Go timestamps, omitted zero fields), while each model's answers are scripted: text,
 * thinking, timings, token counts, or a fault (HTTP error, error line mid-stream, stall, malformed line,
 * early end, connection reset). See README.md beside this file for what was verified against the real server.
 *
 * This file starts and stops the server and routes each request; routes/ answers each endpoint, faults.ts,
 * answer.ts and exchange.ts say how an answer is planned, broken and written.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type Exchange, sendError, sendText, sendJson } from './exchange.ts';
import { missingModelMessages } from './faults.ts';
import { type FakeState, keyOf, normalizeName } from './models.ts';
import { bind, parseBody, readBody } from './request.ts';
import { inference } from './routes/inference.ts';
import { ps } from './routes/ps.ts';
import { show } from './routes/show.ts';
import { tags } from './routes/tags.ts';
import type { CallCounts, Endpoint, FakeModel, FakeOllama, FakeOllamaOptions, LoggedRequest } from './types.ts';
import { goJson, monoNs } from './wire.ts';

export type * from './types.ts';
export { estimateTokens } from './answer.ts';
export { faults, missingModelMessages, serverBusyMessage } from './faults.ts';

/** Routes and the methods gin registers for them (server/routes.go GenerateRoutes). */
const ROUTES: Record<string, { endpoint: Endpoint; methods: string[] }> = {
	'/': { endpoint: 'root', methods: ['GET', 'HEAD'] },
	'/api/version': { endpoint: 'version', methods: ['GET', 'HEAD'] },
	'/api/tags': { endpoint: 'tags', methods: ['GET', 'HEAD'] },
	'/api/show': { endpoint: 'show', methods: ['POST'] },
	'/api/ps': { endpoint: 'ps', methods: ['GET'] },
	'/api/chat': { endpoint: 'chat', methods: ['POST'] },
	'/api/generate': { endpoint: 'generate', methods: ['POST'] },
};

/** Real routes the fake does not implement: answered with a loud 500 rather than a misleading 404. */
const UNSUPPORTED = new Set([
	'/api/pull',
	'/api/push',
	'/api/create',
	'/api/copy',
	'/api/delete',
	'/api/embed',
	'/api/embeddings',
	'/api/status',
	'/api/me',
	'/v1/chat/completions',
	'/v1/completions',
	'/v1/embeddings',
	'/v1/models',
]);

const DEFAULT_VERSION = '0.32.15';
const DEFAULT_NUM_CTX = 4096;

/**
 * Starts a fake Ollama on 127.0.0.1 with an OS-assigned port.
 *
 * @example
 * const fake = await startFakeOllama({ models: [{ name: 'qwen3:8b', capabilities: ['completion', 'thinking'],
 *   respond: (req) => ({ thinking: 'Let me see.', content: 'fix: handle empty input' }) }] });
 * const client = new Ollama({ host: fake.url });
 * await client.chat({ model: 'qwen3:8b', messages: [{ role: 'user', content: 'hi' }], options: { num_ctx: 8192 } });
 * expect(fake.lastRequest('chat')?.body?.options?.num_ctx).toBe(8192);
 * await fake.close();
 */
export async function startFakeOllama(options: FakeOllamaOptions = {}): Promise<FakeOllama> {
	const state: FakeState = {
		startedAt: Date.now(),
		defaultNumCtx: options.defaultNumCtx ?? DEFAULT_NUM_CTX,
		missingModel: options.missingModelMessage ?? missingModelMessages.current,
		respond: options.respond,
		models: new Map(),
		loaded: new Map(),
		generationCalls: new Map(),
		loadAttempts: new Map(),
		slots: new Map(),
	};
	const { models, loaded } = state;
	let version = options.version ?? DEFAULT_VERSION;
	const log: LoggedRequest[] = [];
	const calls: CallCounts = { root: 0, version: 0, tags: 0, show: 0, ps: 0, chat: 0, generate: 0, other: 0, total: 0 };
	const sockets = new Set<Socket>();

	const setModels = (list: FakeModel[]): void => {
		models.clear();
		for (const model of list) models.set(keyOf(model.name), model);
		for (const key of loaded.keys()) if (!models.has(key)) loaded.delete(key);
	};
	setModels(options.models ?? []);

	const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
		const controller = new AbortController();
		// 'close' fires when the answer is complete or the connection is gone: either way, stop working.
		res.on('close', () => controller.abort());
		const started = monoNs();
		const rawBody = await readBody(req);
		const path = (req.url ?? '/').split('?')[0] ?? '/';
		const method = req.method ?? 'GET';
		const route = ROUTES[path];
		const endpoint = route?.endpoint ?? 'other';
		const body = parseBody(rawBody);
		const entry: LoggedRequest = {
			method,
			path,
			endpoint,
			body,
			rawBody,
			model: typeof body?.model === 'string' ? body.model : typeof body?.name === 'string' ? body.name : undefined,
			headers: req.headers,
			status: undefined,
			at: Date.now(),
		};
		log.push(entry);
		calls[endpoint] += 1;
		calls.total += 1;
		const ex: Exchange = { res, signal: controller.signal, entry, started, flushed: Promise.resolve() };

		if (!route) {
			if (UNSUPPORTED.has(path)) return sendError(ex, 500, `fake-ollama: ${method} ${path} is not implemented`);
			return sendText(ex, 404, '404 page not found');
		}
		if (!route.methods.includes(method)) return sendText(ex, 405, '405 method not allowed');

		switch (route.endpoint) {
			case 'root':
				return sendText(ex, 200, 'Ollama is running');
			case 'version':
				return sendJson(ex, 200, { version });
			case 'tags':
				return tags(ex, state);
			case 'ps':
				return ps(ex, state);
			default: {
				const kind = route.endpoint as 'show' | 'chat' | 'generate';
				const bindError = bind(kind, rawBody, body);
				if (bindError) return sendError(ex, 400, bindError);
				if (kind === 'show') return show(ex, state, body ?? {});
				return inference(ex, state, kind, body ?? {});
			}
		}
	};

	const server = http.createServer((req, res) => {
		handle(req, res).catch((error: unknown) => {
			if (res.destroyed || (error instanceof Error && error.name === 'AbortError')) return;
			if (!res.headersSent) {
				res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' });
				res.end(goJson({ error: `fake-ollama: ${error instanceof Error ? error.message : String(error)}` }));
			} else {
				res.destroy();
			}
		});
	});
	// Idle keep-alive sockets are tracked too, so stop() can refuse *and* cut every connection at once.
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});

	const listen = (port: number): Promise<void> =>
		new Promise((resolve, reject) => {
			server.once('error', reject);
			server.listen(port, '127.0.0.1', () => {
				server.off('error', reject);
				resolve();
			});
		});
	await listen(0);
	const port = (server.address() as AddressInfo).port;

	const destroyConnections = (): void => {
		for (const socket of sockets) socket.destroy();
	};
	const stop = async (): Promise<void> => {
		if (!server.listening) return;
		const closed = new Promise<void>((resolve) => server.close(() => resolve()));
		destroyConnections();
		await closed;
		loaded.clear(); // a restarted Ollama has nothing in memory
	};
	let closedForGood = false;

	const matches = (entry: LoggedRequest, model: string, endpoint?: Endpoint): boolean =>
		entry.model !== undefined &&
		keyOf(entry.model) === keyOf(model) &&
		(endpoint ? entry.endpoint === endpoint : entry.endpoint === 'chat' || entry.endpoint === 'generate');

	return {
		url: `http://127.0.0.1:${port}`,
		port,
		calls,
		requests: log,
		callsFor: (model, endpoint) => log.filter((entry) => matches(entry, model, endpoint)).length,
		requestsFor: (model, endpoint) => log.filter((entry) => matches(entry, model, endpoint)),
		lastRequest: (endpoint) => (endpoint ? log.filter((entry) => entry.endpoint === endpoint) : log).at(-1),
		clearLog: () => {
			log.length = 0;
			for (const key of Object.keys(calls) as (keyof CallCounts)[]) calls[key] = 0;
		},
		setModels,
		addModel: (model) => {
			models.set(keyOf(model.name), model);
			loaded.delete(keyOf(model.name));
		},
		removeModel: (name) => {
			models.delete(keyOf(name));
			loaded.delete(keyOf(name));
		},
		loadedModels: () => {
			const now = Date.now();
			return [...loaded.entries()].filter(([, s]) => s.expiresAt > now).map(([key]) => normalizeName(models.get(key)?.name ?? key));
		},
		setVersion: (next) => {
			version = next;
		},
		destroyConnections,
		stop,
		restart: async () => {
			if (closedForGood) throw new Error('fake-ollama: restart() after close()');
			if (!server.listening) await listen(port);
		},
		close: async () => {
			closedForGood = true;
			await stop();
		},
	};
}
