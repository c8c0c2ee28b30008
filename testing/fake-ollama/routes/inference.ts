/**
 * POST /api/chat and POST /api/generate: one handler, because Ollama's ChatHandler and GenerateHandler make
 * the same checks in the same order and differ only in the request and chunk shapes. Loads and unloads
 * (an empty request), thinking, options, format, then the scripted reply, paced and streamed.
 */
import type { Message } from 'ollama';
import { PROMPT_TOO_LONG, contextShiftPromptLimit, estimateTokens, type Piece, planAnswer } from '../answer.ts';
import type { Exchange } from '../exchange.ts';
import { pause, sendError, sendJson, writeLine } from '../exchange.ts';
import { isHttpError, isStreamFault, strike } from '../faults.ts';
import { type FakeState, capabilitiesOf, contextLengthOf, findModel, isRemote, keyOf, takeSlot } from '../models.ts';
import { isPlainObject, positiveInt, validateOptions } from '../request.ts';
import type { FakeModel, FakeReply, FakeRequest, LoggedBody } from '../types.ts';
import { goQuote, goTime, keepAliveNs, monoNs } from '../wire.ts';

/** Answers POST /api/chat or /api/generate (the body is already bound), in the order of Ollama's checks. */
export async function inference(ex: Exchange, state: FakeState, endpoint: 'chat' | 'generate', body: LoggedBody): Promise<void> {
	const requested = typeof body.model === 'string' ? body.model : '';
	if (requested.trim() === '') {
		// ChatHandler: 400 "model is required"; GenerateHandler answers its historical 404 instead.
		return endpoint === 'chat' ? sendError(ex, 400, 'model is required') : sendError(ex, 404, `model '${requested}' not found`);
	}
	const model = findModel(state, requested.trim());
	if (!model) return sendError(ex, 404, state.missingModel(requested));
	const key = keyOf(model.name);

	const messages = endpoint === 'chat' ? (body.messages ?? []) : [];
	const prompt = endpoint === 'generate' ? (body.prompt ?? '') : '';
	const empty = endpoint === 'chat' ? messages.length === 0 : prompt === '';
	const keepAlive = keepAliveNs(body.keep_alive);
	const keepAliveMs = 'ns' in keepAlive ? keepAlive.ns / 1e6 : 5 * 60_000;

	// Empty request with keep_alive 0: unload (before any capability check, as in Ollama).
	if (empty && body.keep_alive !== undefined && keepAliveMs === 0) {
		state.loaded.delete(key);
		return sendJson(
			ex,
			200,
			endpoint === 'chat'
				? { model: requested, created_at: goTime(), message: { role: 'assistant', content: '' }, done: true, done_reason: 'unload' }
				: { model: requested, created_at: goTime(), response: '', done: true, done_reason: 'unload' },
		);
	}

	const capabilities = capabilitiesOf(model);
	let think = body.think;
	if (capabilities.includes('thinking')) think ??= true;
	else if (think === true || typeof think === 'string') return sendError(ex, 400, `${goQuote(requested)} does not support thinking`);

	const optionError = validateOptions(body.options);
	if (optionError) return sendError(ex, 500, optionError);
	if (!capabilities.includes('completion')) return sendError(ex, 400, `${goQuote(requested)} does not support ${endpoint}`);

	const numCtx = Math.min(positiveInt(body.options?.num_ctx) ?? state.defaultNumCtx, contextLengthOf(model));

	if (empty) {
		if (!(await ensureLoaded(ex, state, model, numCtx, keepAliveMs))) return;
		return sendJson(
			ex,
			200,
			endpoint === 'chat'
				? { model: requested, created_at: goTime(), message: { role: 'assistant', content: '' }, done: true, done_reason: 'load' }
				: { model: requested, created_at: goTime(), response: '', done: true, done_reason: 'load' },
		);
	}

	// Format is checked by the runner before the first token (llm/server.go Completion): a 500.
	if (body.format !== undefined && body.format !== null && body.format !== '' && body.format !== 'json' && !isPlainObject(body.format)) {
		return sendError(ex, 500, `invalid format: ${goQuote(JSON.stringify(body.format))}; expected "json" or a valid JSON Schema object`);
	}

	const call = (state.generationCalls.get(key) ?? 0) + 1;
	state.generationCalls.set(key, call);
	const stream = body.stream !== false;
	const chatMessages: Message[] =
		endpoint === 'chat'
			? messages
			: [
					...((body.system ?? model.system) ? [{ role: 'system', content: body.system ?? model.system ?? '' }] : []),
					{ role: 'user', content: prompt },
				];
	const request: FakeRequest = {
		endpoint,
		model: requested,
		messages: chatMessages,
		prompt: endpoint === 'generate' ? prompt : ([...messages].reverse().find((m) => m.role === 'user')?.content ?? ''),
		options: body.options ?? {},
		...(body.format === undefined ? {} : { format: body.format }),
		...(think === undefined ? {} : { think }),
		...(body.keep_alive === undefined ? {} : { keepAlive: body.keep_alive }),
		stream,
		call,
		signal: ex.signal,
		body,
	};
	const responder = model.respond ?? state.respond ?? (() => ({ content: 'ok' }));
	let reply: FakeReply;
	try {
		const answer = await responder(request);
		reply = typeof answer === 'string' ? { content: answer } : answer;
	} catch (error) {
		if (ex.signal.aborted) return;
		return sendError(ex, 500, error instanceof Error ? error.message : String(error));
	}
	if (isHttpError(reply)) return sendError(ex, reply.status, reply.error, reply.extra, reply.headers);

	if (!(await ensureLoaded(ex, state, model, numCtx, keepAliveMs))) return;
	const loadedAt = monoNs();
	// The runner's slots: beyond them the request waits, silently, and its slot frees when it ends, however.
	const giveBack = await takeSlot(state, model, ex.signal);
	if (!giveBack) return;
	ex.res.once('close', giveBack);

	const promptText = chatMessages.map((m) => m.content).join('');
	const promptTokens = Math.max(1, estimateTokens(promptText));
	// A prompt the context cannot hold with a token to spare: a runner that cannot shift its context
	// refuses it once the model is loaded (400); the others cut it to about half of num_ctx, silently,
	// keeping the first num_keep tokens (default 4) and the BOS token.
	if (promptTokens > numCtx - 1 && model.contextShift === false) return sendError(ex, 400, PROMPT_TOO_LONG);
	const numKeep = typeof body.options?.num_keep === 'number' ? body.options.num_keep : 4;
	const plan = planAnswer(reply, {
		thinks: think !== undefined && think !== false,
		format: body.format !== undefined && body.format !== null && body.format !== '',
		numPredict: positiveInt(body.options?.num_predict),
		promptTokens,
		evaluated: (tokens) => (tokens > numCtx - 1 ? contextShiftPromptLimit(numCtx, numKeep + 1) : tokens),
	});
	const fault = isStreamFault(reply) ? reply : undefined;
	const sendable = fault ? Math.min(fault.afterChunks ?? 0, plan.pieces.length) : plan.pieces.length;

	// Key order follows api.ChatResponse / api.GenerateResponse; `thinking` is omitempty.
	const thinkingOf = (piece: Piece) => (piece.thinking ? { thinking: piece.thinking } : {});
	const chunk = (piece: Piece): Record<string, unknown> =>
		endpoint === 'chat'
			? {
					model: requested,
					created_at: goTime(),
					message: { role: 'assistant', content: piece.content, ...thinkingOf(piece) },
					done: false,
				}
			: { model: requested, created_at: goTime(), response: piece.content, ...thinkingOf(piece), done: false };

	// Pace the answer: the first chunk after the prompt is "evaluated", then one chunk per delay.
	await pause(reply.firstTokenDelayMs, ex.signal);
	const firstTokenAt = monoNs();
	// After two passes the final chunk times the second only: the answer's tokens, from its first one.
	let answerStartedAt: bigint | undefined;
	for (let i = 0; i < sendable; i++) {
		if (i > 0) await pause(reply.chunkDelayMs, ex.signal);
		const piece = plan.pieces[i] as Piece;
		if (piece.content !== '') answerStartedAt ??= monoNs();
		if (stream) writeLine(ex, chunk(piece));
	}

	if (fault?.fault === 'repetition') {
		// Ollama sends the first of the run and 30 repeats; the next repeat stops the generation, and the
		// handler closes the stream with status 200 and no done chunk. Unstreamed, it answers what it
		// collected: the last chunk (done false) with all of the text.
		const token = fault.token ?? ' the';
		if (!stream) return sendJson(ex, 200, chunk({ content: plan.content + token.repeat(REPEAT_LIMIT + 1), thinking: plan.thinking }));
		for (let i = 0; i <= REPEAT_LIMIT; i++) writeLine(ex, chunk({ content: token }));
		ex.res.end();
		return;
	}
	if (fault) return strike(ex, fault, stream, requested, sendable);

	const finishedAt = monoNs();
	const loadNs = Number(loadedAt - ex.started);
	const promptEvalNs =
		reply.promptEvalDurationMs !== undefined ? Math.round(reply.promptEvalDurationMs * 1e6) : Math.max(1, Number(firstTokenAt - loadedAt));
	const evalNs =
		reply.evalDurationMs !== undefined
			? Math.round(reply.evalDurationMs * 1e6)
			: Math.max(1, Number(finishedAt - (plan.twoPass ? (answerStartedAt ?? firstTokenAt) : firstTokenAt)));
	// Ollama omits zero metrics (omitempty), so zero values are left out rather than sent as 0.
	const metrics = omitZero({
		total_duration: Math.max(Number(finishedAt - ex.started), loadNs + promptEvalNs + evalNs),
		load_duration: loadNs,
		prompt_eval_count: plan.promptEvalCount,
		prompt_eval_duration: promptEvalNs,
		eval_count: plan.evalCount,
		eval_duration: evalNs,
	});
	const context =
		endpoint === 'generate' && body.raw !== true
			? { context: Array.from({ length: plan.promptEvalCount + plan.evalCount }, (_, i) => (i * 7919) % 151_936) }
			: {};
	// Streamed, the last chunk carries no text; unstreamed, the one object carries all of it.
	const whole: Piece = stream ? { content: '' } : { content: plan.content, thinking: plan.thinking };
	const final =
		endpoint === 'chat'
			? {
					model: requested,
					created_at: goTime(),
					message: { role: 'assistant', content: whole.content, ...thinkingOf(whole) },
					done: true,
					done_reason: plan.doneReason,
					...metrics,
				}
			: {
					model: requested,
					created_at: goTime(),
					response: whole.content,
					...thinkingOf(whole),
					done: true,
					done_reason: plan.doneReason,
					...context,
					...metrics,
				};
	if (stream) {
		writeLine(ex, final);
		ex.res.end();
	} else {
		sendJson(ex, 200, final);
	}
	// The keep-alive timer starts when the request finishes; keep_alive 0 unloads right away.
	if (!isRemote(model)) {
		if (keepAliveMs === 0) state.loaded.delete(key);
		else {
			const inMemory = state.loaded.get(key);
			if (inMemory) inMemory.expiresAt = Date.now() + keepAliveMs;
		}
	}
}

/** Ollama stops a generation once one token has been repeated more than this many times in a row (llm/llama_server.go). */
const REPEAT_LIMIT = 30;

/** Loads the model if it is not loaded with this context size (Ollama reloads on a num_ctx change). */
async function ensureLoaded(ex: Exchange, state: FakeState, model: FakeModel, numCtx: number, keepAliveMs: number): Promise<boolean> {
	if (isRemote(model)) return true;
	const key = keyOf(model.name);
	const inMemory = state.loaded.get(key);
	if (inMemory && inMemory.expiresAt > Date.now() && inMemory.numCtx === numCtx) {
		inMemory.expiresAt = Date.now() + keepAliveMs;
		return true;
	}
	state.loaded.delete(key);
	const attempt = (state.loadAttempts.get(key) ?? 0) + 1;
	state.loadAttempts.set(key, attempt);
	const loadFault = typeof model.loadFault === 'function' ? model.loadFault(attempt) : model.loadFault;
	// A full queue refuses before anything is loaded (the scheduler's 503); a load that does not fit fails after trying.
	if (loadFault?.status !== 503) await pause(model.loadMs, ex.signal);
	if (loadFault) {
		sendError(ex, loadFault.status, loadFault.error, loadFault.extra, loadFault.headers);
		return false;
	}
	if (state.models.get(key) !== model) {
		// Removed while loading: Ollama would fail to open the blobs.
		sendError(ex, 404, state.missingModel(model.name));
		return false;
	}
	state.loaded.set(key, { numCtx, expiresAt: Date.now() + keepAliveMs });
	return true;
}

/** Ollama leaves zero metrics out (omitempty). */
function omitZero(metrics: Record<string, number>): Record<string, number> {
	return Object.fromEntries(Object.entries(metrics).filter(([, value]) => value !== 0));
}
