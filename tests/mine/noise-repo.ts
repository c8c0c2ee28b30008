import { createTempRepo, numberedLines, type TempRepo } from './git-fixture.ts';

/** The line the retry helper got wrong, and the fix. */
export const RETRY_BUG = '\tfor (let attempt = 0; attempt <= limit + 1; attempt++) {';
export const RETRY_FIX = '\tfor (let attempt = 0; attempt < limit; attempt++) {';
/** The query parser's unguarded assignment, and the guarded one. */
export const POLLUTION_BUG = '\t\ttarget[key] = value;';
export const POLLUTION_FIX = "\t\tif (key !== '__proto__' && key !== 'constructor') target[key] = value;";

/** Every sha of the noise story, by name. */
export type NoiseStory = Record<
	| 'root'
	| 'addRetry'
	| 'addCi'
	| 'release101'
	| 'fixCi'
	| 'failingTest'
	| 'fixRetry'
	| 'addQuery'
	| 'fixReadmeTypo'
	| 'fixLint'
	| 'bumpVersion'
	| 'addBackoff'
	| 'addTable'
	| 'addStyles'
	| 'addHeaders'
	| 'securityFix'
	| 'fixFlaky'
	| 'docsOnly'
	| 'changelogRelease',
	string
>;

const PACKAGE = (version: string, extra = '') => `{\n\t"name": "noise",\n\t"version": "${version}",${extra}\n\t"type": "module"\n}\n`;

const RETRY = (loop: string) => `/** Calls \`run\` until it succeeds, at most \`limit\` times. */
export async function retry<T>(run: () => Promise<T>, limit: number): Promise<T> {
	let last: unknown;
${loop}
		try {
			return await run();
		} catch (error) {
			last = error;
		}
	}
	throw last;
}
`;

const QUERY = (declaration: string, assignment: string) => `/** Parses \`a=1&b=2\` into an object. */
export function parseQuery(text: string): Record<string, string> {
${declaration}
	for (const pair of text.split('&')) {
		const [key = '', value = ''] = pair.split('=');
${assignment}
	}
	return target;
}
`;

const TEST = (opener: string) => `import test from 'ava';
import { retry } from '../src/retry.ts';

${opener}
	let calls = 0;
	await retry(async () => {
		calls++;
		throw new Error('no');
	}, 2).catch(() => {});
	t.is(calls, 2);
});
`;

/**
 * A history full of what must not become a case: release and version-bump commits, a CI fix of a CI
 * commit, a `test.failing` placeholder turned on by the fix of a real bug, a typo fix, a lint fix of a real
 * commit, a flaky-test fix, a docs-only change, and one security fix (prototype pollution). Clean TypeScript
 * changes of several sizes, a stylesheet and a security-minded change are there to be matched as approves.
 */
export function buildNoiseRepo(): { repo: TempRepo; story: NoiseStory } {
	const repo = createTempRepo('mine-noise-');
	const c = repo.commit;
	const root = c({ 'README.md': '# Noise\n\nA libary for the miner tests.\n' }, 'Initial commit');
	const addRetry = c({ 'src/retry.ts': RETRY(RETRY_BUG), 'package.json': PACKAGE('1.0.0') }, 'Add the retry helper');
	const addCi = c(
		{
			'.github/workflows/ci.yml':
				'on: push\njobs:\n  test:\n    steps:\n      - uses: actions/setup-node@v4\n        with:\n          node-version: 14\n',
		},
		'Add the CI workflow',
	);
	const release101 = c({ 'package.json': PACKAGE('1.0.1') }, '1.0.1');
	const fixCi = c(
		{
			'.github/workflows/ci.yml':
				'on: push\njobs:\n  test:\n    steps:\n      - uses: actions/setup-node@v4\n        with:\n          node-version: 22\n',
		},
		'Fix CI',
	);
	const failingTest = c(
		{ 'test/retry.ts': TEST("test.failing('calls at most limit times', async t => {") },
		'Add a test for the retry limit',
	);
	const fixRetry = c(
		{ 'src/retry.ts': RETRY(RETRY_FIX), 'test/retry.ts': TEST("test('calls at most limit times', async t => {") },
		'Fix retry calling one time too many',
	);
	const addQuery = c({ 'src/query.ts': QUERY('\tvar target: Record<string, string> = {};', POLLUTION_BUG) }, 'Add the query parser');
	const fixReadmeTypo = c({ 'README.md': '# Noise\n\nA library for the miner tests.\n' }, 'Fix typo in readme');
	const fixLint = c({ 'src/query.ts': QUERY('\tconst target: Record<string, string> = {};', POLLUTION_BUG) }, 'Fix lint');
	const bumpVersion = c(
		{ 'package.json': PACKAGE('1.1.0'), 'CHANGELOG.md': '# Changelog\n\n## 1.1.0\n\n- The query parser.\n' },
		'Bump version to 1.1.0',
	);
	// Like the retry helper in size and file types: the approve case its reject case should get.
	const addBackoff = c(
		{
			'src/backoff.ts': `import defaults from './defaults.json' with { type: 'json' };\n\n/** Milliseconds to wait before attempt \`n\`. */\nexport function backoff(n: number): number {\n\tconst delay = defaults.base * 2 ** n;\n\tif (delay > defaults.max) {\n\t\treturn defaults.max;\n\t}\n\treturn delay;\n}\n`,
			'src/defaults.json': '{\n\t"base": 100,\n\t"max": 10000\n}\n',
		},
		'Add the backoff helper',
	);
	const addTable = c({ 'src/table.ts': `export const CODES = [\n${numberedLines('\t"code",', 80)}];\n` }, 'Add the status code table');
	const addStyles = c({ 'web/style.css': 'body {\n\tmargin: 0;\n\tfont: 16px/1.5 sans-serif;\n}\n' }, 'Add the page styles');
	const addHeaders = c(
		{
			'src/headers.ts':
				"/** Drops characters a header name may not hold. */\nexport function sanitizeHeaderName(name: string): string {\n\treturn name.replace(/[^!#$%&'*+.^_`|~0-9A-Za-z-]/g, '');\n}\n",
		},
		'Sanitize header names',
	);
	const securityFix = c(
		{ 'src/query.ts': QUERY('\tconst target: Record<string, string> = {};', POLLUTION_FIX) },
		'Prevent prototype pollution in the query parser\n\nGHSA-4g6f-5c3q-8m2x',
	);
	const fixFlaky = c({ 'test/retry.ts': TEST("test.serial('calls at most limit times', async t => {") }, 'Fix flaky retry test');
	const docsOnly = c({ 'docs/retry.md': '# Retry\n\nCall `retry(run, limit)`.\nIt waits between attempts.\n' }, 'Describe retries');
	// Later commits, so the changes above are old enough to count as clean.
	for (const at of [1, 2, 3])
		c({ [`src/extra-${at}.ts`]: `export const extra${at} = ${at};\nexport const double${at} = ${2 * at};\n` }, `Add extra constant ${at}`);
	const changelogRelease = c(
		{ 'CHANGELOG.md': '# Changelog\n\n## 1.2.0\n\n- Safer queries.\n\n## 1.1.0\n\n- The query parser.\n' },
		'chore(release): 1.2.0',
	);
	return {
		repo,
		story: {
			root,
			addRetry,
			addCi,
			release101,
			fixCi,
			failingTest,
			fixRetry,
			addQuery,
			fixReadmeTypo,
			fixLint,
			bumpVersion,
			addBackoff,
			addTable,
			addStyles,
			addHeaders,
			securityFix,
			fixFlaky,
			docsOnly,
			changelogRelease,
		},
	};
}
