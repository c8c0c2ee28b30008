import { isIP } from 'node:net';
import { BenchmarkError } from '../errors/describe-error.ts';

/** Ollama's default address, used when OLLAMA_HOST is not set. */
export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';

/** OLLAMA_HOST taken apart as Ollama's `envconfig.Host()` does; `host` may be empty (`:1234`). */
export interface OllamaHostParts {
	scheme: string;
	host: string;
	port: string;
	/** What followed the first `/` after the host, without that slash (`ollama` for `https://h/ollama`). */
	path: string;
}

/**
 * OLLAMA_HOST read exactly as Ollama reads it (`envconfig.Var` then `envconfig.Host()`): spaces and one
 * quotes trimmed; no scheme means http on port 11434 (bare `ollama.com` means https on 443);
 * `http://` without a port means 80, `https://` 443; a bare IPv6 address (`::1`, `::`) is a host; a port
 * that is not a number in 0..65535 is replaced by the default. Pure.
 */
export function parseOllamaHost(value: string | undefined): OllamaHostParts {
	const raw = trimQuotes((value ?? '').trim()).trim();
	let defaultPort = '11434';
	let scheme = 'http';
	let hostport = raw;
	const at = raw.indexOf('://');
	if (at < 0) {
		if (raw === 'ollama.com') [scheme, hostport] = ['https', 'ollama.com:443'];
	} else {
		[scheme, hostport] = [raw.slice(0, at), raw.slice(at + 3)];
		if (scheme === 'http') defaultPort = '80';
		else if (scheme === 'https') defaultPort = '443';
	}
	const slash = hostport.indexOf('/');
	const path = slash < 0 ? '' : hostport.slice(slash + 1);
	if (slash >= 0) hostport = hostport.slice(0, slash);

	let split = splitHostPort(hostport);
	if (!split) {
		const bare = hostport.replace(/^\[+|\]+$/g, '');
		split = { host: isIP(bare) ? canonicalIp(bare) : hostport || '127.0.0.1', port: defaultPort };
	}
	const port =
		/^[+-]?\d+$/.test(split.port) && Number(split.port) >= 0 && Number(split.port) <= 65535 ? String(Number(split.port)) : defaultPort;
	return { scheme, host: split.host, port, path };
}

/** The URL Ollama's `Host().String()` prints for these parts (`http://[::1]:11434`, `http://:1234`). Pure. */
export function formatOllamaHost({ scheme, host, port, path }: OllamaHostParts): string {
	return `${scheme}://${joinHostPort(host, port)}${path ? `/${path}` : ''}`;
}

/**
 * The Ollama base URL to connect to from `OLLAMA_HOST`: `parseOllamaHost`, then, like Ollama's
 * `ConnectableHost()`, an address that only makes sense to listen on (`0.0.0.0`, `::`, an empty host)
 * becomes the loopback address of its family. Throws a `BenchmarkError` for a value no client could
 * connect to (another scheme, a host with spaces).
 */
export function resolveOllamaHost(value: string | undefined): string {
	const parts = parseOllamaHost(value);
	const shown = JSON.stringify(value?.trim() ?? '');
	if (parts.scheme !== 'http' && parts.scheme !== 'https') {
		throw new BenchmarkError(`OLLAMA_HOST is ${shown}; expected an http:// or https:// address.`, { hint: 'fix or unset OLLAMA_HOST.' });
	}
	let host = parts.host;
	if (host === '' || host === '0.0.0.0') host = '127.0.0.1';
	else if (isIP(host) === 6 && canonicalIp(host) === '::') host = '::1';
	const url = URL.parse(formatOllamaHost({ ...parts, host }));
	if (!url || url.username || url.password || url.search || url.hash) {
		throw new BenchmarkError(
			`OLLAMA_HOST is ${shown}, which is not a host or URL; expected e.g. 127.0.0.1:11434 or http://gpu-box:11434.`,
			{ hint: 'fix or unset OLLAMA_HOST.' },
		);
	}
	// The WHATWG URL drops a scheme's own port (http://h:80); the port is written out so the address reads the same everywhere.
	return `${url.protocol}//${joinHostPort(url.hostname.replace(/^\[|\]$/g, ''), parts.port)}${url.pathname.replace(/\/+$/, '')}`;
}

/** Go's `envconfig.Var`: every `"` and `'` trimmed from both ends. */
function trimQuotes(value: string): string {
	return value.replace(/^["']+|["']+$/g, '');
}

/** Go's `net.SplitHostPort`: undefined where it returns an error (no port, too many colons, bad brackets). */
function splitHostPort(hostport: string): { host: string; port: string } | undefined {
	const colon = hostport.lastIndexOf(':');
	if (colon < 0) return undefined;
	let host = hostport.slice(0, colon);
	const port = hostport.slice(colon + 1);
	if (host.startsWith('[')) {
		if (!host.endsWith(']') || host.indexOf(']') !== host.length - 1) return undefined;
		host = host.slice(1, -1);
	} else if (host.includes(':') || host.includes('[') || host.includes(']')) {
		return undefined;
	}
	if (port.includes('[') || port.includes(']')) return undefined;
	return { host, port };
}

/** Go's `net.JoinHostPort`: an address with a colon gets brackets. */
function joinHostPort(host: string, port: string): string {
	return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** An IP address as Go's `net.IP.String()` writes it (`0:0::1` → `::1`). */
function canonicalIp(ip: string): string {
	return isIP(ip) === 6 ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip;
}
