/**
 * A browsable https URL for a remote, or undefined when there is none. `git@host:owner/repo.git` and
 * `ssh://git@host/owner/repo` become `https://host/owner/repo`; user names and passwords embedded in an
 * https remote are dropped, since the URL is published in every case.
 */
export function browsableUrl(remote: string | undefined): string | undefined {
	const value = remote?.trim();
	if (!value) return undefined;
	const scp = value.match(/^[\w.-]+@([\w.-]+):(?!\/)(.+?)(?:\.git)?\/?$/);
	if (scp) return `https://${scp[1]}/${scp[2]}`;
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return undefined;
	}
	if (!['http:', 'https:', 'ssh:', 'git:'].includes(url.protocol)) return undefined;
	const path = url.pathname.replace(/\.git\/?$/, '').replace(/\/$/, '');
	if (path === '' || path === '/') return undefined;
	return `https://${url.hostname}${path}`;
}

/**
 * The name cases give the repository: the path of its browsable URL (`owner/repo`), or undefined when it has
 * none. Never a folder's name: the same history cloned under another folder must give the same cases.
 */
export function repositoryName(url: string | undefined): string | undefined {
	if (!url) return undefined;
	const path = new URL(url).pathname.replace(/^\//, '');
	return path === '' ? undefined : path;
}

/** Paths from a NUL-separated git listing (`ls-tree -z --name-only`). */
export function parsePathList(raw: string): string[] {
	return raw.split('\0').filter((path) => path !== '');
}
