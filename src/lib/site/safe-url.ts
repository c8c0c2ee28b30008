/**
 * `value` as an absolute http(s) URL, or undefined for anything else (`javascript:`, `data:`, `file:`,
 * relative or malformed text). Every link whose target comes from data goes through here, even when a
 * schema already checked it: the page must not depend on every writer having validated. Pure.
 */
export function httpUrl(value: string | null | undefined): string | undefined {
	if (typeof value !== 'string') return undefined;
	let url: URL;
	try {
		url = new URL(value.trim());
	} catch {
		return undefined;
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
	if (url.username !== '' || url.password !== '') return undefined;
	return url.href;
}

/**
 * A link to `sha` in the repository at `repositoryUrl` (`<url>/commit/<sha>`, which GitHub, GitLab, Gitea
 * and Forgejo all answer), or undefined when the URL is unknown or not http(s), or the sha is not hex. Pure.
 */
export function commitUrl(repositoryUrl: string | null | undefined, sha: string): string | undefined {
	const base = httpUrl(repositoryUrl);
	if (!base || !/^[0-9a-f]{7,64}$/.test(sha)) return undefined;
	const url = new URL(base);
	url.pathname = `${url.pathname.replace(/\/+$/, '').replace(/\.git$/, '')}/commit/${sha}`;
	url.search = '';
	url.hash = '';
	return url.href;
}
