import { describe, expect, it } from 'vitest';
import { commitUrl, httpUrl } from '../../src/lib/site/safe-url.ts';

describe('links taken from data', () => {
	it.each(['https://github.com/acme/notes', 'http://git.example.org/acme/notes', ' https://example.org/x '])(
		'keeps the http(s) URL %j',
		(value) => {
			expect(httpUrl(value)).toBe(new URL(value.trim()).href);
		},
	);

	it.each([
		'javascript:alert(1)',
		'JAVASCRIPT:alert(1)',
		' javascript:alert(1)',
		'java\tscript:alert(1)',
		'data:text/html,<script>alert(1)</script>',
		'vbscript:msgbox(1)',
		'file:///etc/passwd',
		'//evil.example/x',
		'/relative/path',
		'https://user:secret@example.org/',
		'',
		null,
		undefined,
	])('refuses %j', (value) => {
		expect(httpUrl(value as string | null | undefined)).toBeUndefined();
	});

	it('builds a commit link only from an http(s) repository and a hex sha', () => {
		const sha = '8c0a68756b41fadec532a44c3716f555294938ea';
		expect(commitUrl('https://github.com/acme/notes', sha)).toBe(`https://github.com/acme/notes/commit/${sha}`);
		expect(commitUrl('https://github.com/acme/notes.git/', sha)).toBe(`https://github.com/acme/notes/commit/${sha}`);
		expect(commitUrl('https://gitlab.example.org/acme/notes?tab=1#top', sha)).toBe(`https://gitlab.example.org/acme/notes/commit/${sha}`);
		expect(commitUrl('javascript:alert(1)//', sha)).toBeUndefined();
		expect(commitUrl(undefined, sha)).toBeUndefined();
		expect(commitUrl('https://github.com/acme/notes', '"><script>')).toBeUndefined();
	});
});
