import { BenchmarkError } from '../errors/describe-error.ts';

/** Ollama's default address, used when OLLAMA_HOST is not set. */
export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';

/**
 * The Ollama base URL from `OLLAMA_HOST`, read the way the Ollama CLI reads it: a bare `host`,
 * `host:port` or a full URL; no scheme means http, no port means 11434.
 */
export function resolveOllamaHost(value: string | undefined): string {
	const raw = value?.trim();
	if (!raw) return DEFAULT_OLLAMA_HOST;
	const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
	let url: URL;
	try {
		url = new URL(withScheme);
	} catch {
		throw new BenchmarkError(
			`OLLAMA_HOST is ${JSON.stringify(raw)}, which is not a host or URL; expected e.g. 127.0.0.1:11434 or http://gpu-box:11434.`,
			{ hint: 'fix or unset OLLAMA_HOST.' },
		);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new BenchmarkError(`OLLAMA_HOST is ${JSON.stringify(raw)}; expected an http:// or https:// address.`, {
			hint: 'fix or unset OLLAMA_HOST.',
		});
	}
	if (!url.port && !/:\d+$/.test(url.host)) url.port = url.protocol === 'https:' ? '443' : '11434';
	if (url.hostname === '0.0.0.0') url.hostname = '127.0.0.1';
	return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}
