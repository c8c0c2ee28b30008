import { describe, expect, it } from 'vitest';
import { BenchmarkError } from '../../src/lib/errors/describe-error.ts';
import { formatOllamaHost, parseOllamaHost, resolveOllamaHost } from '../../src/lib/run/ollama-host.ts';

// Every case of Ollama's own `TestHost` (envconfig/config_test.go): the value of OLLAMA_HOST and what
// `envconfig.Host().String()` prints for it. The last rows are the branches of `Host()` its table leaves
// out: bare `ollama.com`, a scheme's own port written out, a bare `::`.
const OLLAMA_TEST_HOST: [name: string, value: string, expect: string][] = [
	['empty', '', 'http://127.0.0.1:11434'],
	['only address', '1.2.3.4', 'http://1.2.3.4:11434'],
	['only port', ':1234', 'http://:1234'],
	['address and port', '1.2.3.4:1234', 'http://1.2.3.4:1234'],
	['hostname', 'example.com', 'http://example.com:11434'],
	['hostname and port', 'example.com:1234', 'http://example.com:1234'],
	['zero port', ':0', 'http://:0'],
	['too large port', ':66000', 'http://:11434'],
	['too small port', ':-1', 'http://:11434'],
	['ipv6 localhost', '[::1]', 'http://[::1]:11434'],
	['ipv6 world open', '[::]', 'http://[::]:11434'],
	['ipv6 no brackets', '::1', 'http://[::1]:11434'],
	['ipv6 + port', '[::1]:1337', 'http://[::1]:1337'],
	['extra space', ' 1.2.3.4 ', 'http://1.2.3.4:11434'],
	['extra quotes', '"1.2.3.4"', 'http://1.2.3.4:11434'],
	['extra space+quotes', ' " 1.2.3.4 " ', 'http://1.2.3.4:11434'],
	['extra single quotes', "'1.2.3.4'", 'http://1.2.3.4:11434'],
	['http', 'http://1.2.3.4', 'http://1.2.3.4:80'],
	['http port', 'http://1.2.3.4:4321', 'http://1.2.3.4:4321'],
	['https', 'https://1.2.3.4', 'https://1.2.3.4:443'],
	['https port', 'https://1.2.3.4:4321', 'https://1.2.3.4:4321'],
	['proxy path', 'https://example.com/ollama', 'https://example.com:443/ollama'],
	// Host()'s own branches beyond the table.
	['ollama.com', 'ollama.com', 'https://ollama.com:443'],
	['http with its own port', 'http://gpu-box:80', 'http://gpu-box:80'],
	['https with its own port', 'https://gpu-box:443', 'https://gpu-box:443'],
	['ipv6 world open, no brackets', '::', 'http://[::]:11434'],
	['ipv6 written long', '0:0:0:0:0:0:0:1', 'http://[::1]:11434'],
	['ollama.com with a scheme keeps its scheme', 'http://ollama.com', 'http://ollama.com:80'],
];

describe('OLLAMA_HOST as Ollama reads it', () => {
	it.each(OLLAMA_TEST_HOST)('%s: %j → %s', (_name, value, expected) => {
		expect(formatOllamaHost(parseOllamaHost(value))).toBe(expected);
	});

	it('treats an unset variable as the empty one', () => {
		expect(formatOllamaHost(parseOllamaHost(undefined))).toBe('http://127.0.0.1:11434');
	});
});

describe('the address the benchmark connects to', () => {
	// Ollama's ConnectableHost(): an address to listen on (0.0.0.0, ::, no host) is reached at loopback.
	it.each([
		[undefined, 'http://127.0.0.1:11434'],
		['', 'http://127.0.0.1:11434'],
		[':1234', 'http://127.0.0.1:1234'],
		['0.0.0.0', 'http://127.0.0.1:11434'],
		['0.0.0.0:8080', 'http://127.0.0.1:8080'],
		['::', 'http://[::1]:11434'],
		['[::]:1337', 'http://[::1]:1337'],
		['::1', 'http://[::1]:11434'],
		['"gpu-box:11434"', 'http://gpu-box:11434'],
		['http://gpu-box', 'http://gpu-box:80'],
		['http://gpu-box:80', 'http://gpu-box:80'],
		['https://gpu-box', 'https://gpu-box:443'],
		['https://gpu-box:443', 'https://gpu-box:443'],
		['ollama.com', 'https://ollama.com:443'],
		['https://example.com/ollama/', 'https://example.com:443/ollama'],
		['http://GPU-Box:11434', 'http://gpu-box:11434'],
	])('%j → %s', (value, expected) => {
		expect(resolveOllamaHost(value)).toBe(expected);
	});

	it.each([
		['ftp://gpu-box', 'OLLAMA_HOST is "ftp://gpu-box"; expected an http:// or https:// address.'],
		['gpu box', 'OLLAMA_HOST is "gpu box", which is not a host or URL; expected e.g. 127.0.0.1:11434 or http://gpu-box:11434.'],
		[
			'http://gpu-box?debug=1',
			'OLLAMA_HOST is "http://gpu-box?debug=1", which is not a host or URL; expected e.g. 127.0.0.1:11434 or http://gpu-box:11434.',
		],
	])('refuses %j with the project’s message', (value, message) => {
		let thrown: unknown;
		try {
			resolveOllamaHost(value);
		} catch (error) {
			thrown = error;
		}
		expect(thrown).toBeInstanceOf(BenchmarkError);
		expect((thrown as BenchmarkError).message).toBe(message);
		expect((thrown as BenchmarkError).hint).toBe('fix or unset OLLAMA_HOST.');
	});
});
