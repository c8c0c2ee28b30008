/** What a probe learned: the server's version, or why it could not be reached. */
export type ProbeResult = { reachable: true; version: string } | { reachable: false; reason: string };

/**
 * Asks `GET /api/version` with a short timeout. Used before a run so a machine without Ollama
 * builds the site from the existing reports instead of failing every model.
 */
export async function probeOllama(host: string, timeoutMs: number, fetchImpl: typeof fetch = fetch): Promise<ProbeResult> {
	try {
		const response = await fetchImpl(`${host}/api/version`, { signal: AbortSignal.timeout(timeoutMs) });
		if (!response.ok) return { reachable: false, reason: `GET /api/version answered HTTP ${response.status}` };
		const body = (await response.json()) as { version?: unknown };
		if (typeof body.version !== 'string')
			return { reachable: false, reason: 'GET /api/version answered without a version: not an Ollama server' };
		return { reachable: true, version: body.version };
	} catch (cause) {
		return { reachable: false, reason: describeFetchFailure(cause, timeoutMs) };
	}
}

/** A one-line reason for a failed request: refused, timed out, DNS… */
export function describeFetchFailure(cause: unknown, timeoutMs?: number): string {
	const error = cause as { name?: string; message?: string; cause?: { code?: string; message?: string } };
	if (error?.name === 'TimeoutError') return `no answer within ${timeoutMs ?? '?'} ms`;
	const code = error?.cause?.code;
	const text = `${error?.message ?? ''} ${error?.cause?.message ?? ''}`;
	// Node's fetch names the errno; Deno's only says it in the message.
	if (code === 'ECONNREFUSED' || /connection refused/i.test(text)) return 'connection refused';
	if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
	if (code) return `${code}: ${error.cause?.message ?? ''}`.trim();
	return error?.cause?.message ?? error?.message ?? String(cause);
}
