import { createTempRepo, numberedLines, type TempRepo } from './git-fixture.ts';

/**
 * Planted secrets, assembled at run time so this source file never holds one literally (a scanner run over
 * the project must not flag its own tests). All three are made up; secretlint's rules flag each shape.
 */
export const PLANTED = {
	awsAccessKeyId: ['AKIA', 'Q7RZ3MXW2PLK9VTN'].join(''),
	githubToken: ['ghp', '_', 'x9Kd2LmQ7vB4nR8sT1wY6zA3cF5gH0jE2pUo'].join(''),
	privateKeyHeader: ['-----BEGIN', 'RSA PRIVATE KEY-----'].join(' '),
	privateKeyBody: ['MIIEowIBAAKCAQEA', 'z8Xq'.repeat(12), '\n', 'Qm9vb3N0'.repeat(8)].join(''),
};

/** The line the buggy commit wrote, and the one that fixed it. */
export const BUGGY_LINE = '\treturn Math.max(low, Math.max(value, high));';
export const FIXED_LINE = '\treturn Math.max(low, Math.min(value, high));';
export const XSS_LINE = "\treturn '<b>' + name + '</b>';";

/** Every sha of the story, by name. */
export type Story = Record<
	| 'root'
	| 'addMath'
	| 'addClamp'
	| 'docs'
	| 'header'
	| 'aws'
	| 'github'
	| 'pem'
	| 'binary'
	| 'huge'
	| 'pipeSubject'
	| 'topic'
	| 'mainline'
	| 'merge'
	| 'greet'
	| 'revertGreet'
	| 'fixClamp'
	| 'render'
	| 'fixRender'
	| 'lockOnly'
	| 'whitespace'
	| 'bot',
	string
> & { fillers: string[] };

const MATH = `export function add(a: number, b: number): number {
	return a + b;
}

export function subtract(a: number, b: number): number {
	return a - b;
}
`;

/** Prepended between the bug and its fix, so the buggy line sits lower at the fix than where it was written. */
const HEADER = '// Math helpers.\n// Pure functions only.\n// Keep them small.\n';

const CLAMP = `
/** Keeps a value between two bounds. */
export function clamp(value: number, low: number, high: number): number {
${BUGGY_LINE}
}
`;

/** Builds the story repository: a history with one of each thing the miner must handle. */
export function buildStoryRepo(): { repo: TempRepo; story: Story } {
	const repo = createTempRepo('mine-story-');
	const c = repo.commit;
	const root = c({ 'README.md': '# Story\n\nA repository for the miner tests.\n' }, 'chore: initial commit');
	const addMath = c({ 'src/math.ts': MATH }, 'feat: add math helpers\n\nAdd and subtract, the first two helpers.');
	const addClamp = c({ 'src/math.ts': MATH + CLAMP }, 'feat: add clamp helper');
	const docs = c({ 'docs/helpers.md': '# Helpers\n\n- add\n- subtract\n- clamp\n' }, 'docs: describe the helpers');
	const header = c({ 'src/math.ts': HEADER + MATH + CLAMP }, 'docs: explain the math module in a header');
	const aws = c(
		{ 'config/deploy.env': `REGION=eu-west-1\nAWS_ACCESS_KEY_ID=${PLANTED.awsAccessKeyId}\nBUCKET=story-assets\n` },
		'chore: add deploy settings',
	);
	const github = c(
		{ 'scripts/release.sh': `#!/bin/sh\nexport GITHUB_TOKEN=${PLANTED.githubToken}\ngh release create "$1"\n` },
		'chore: add release script',
	);
	const pem = c(
		{ 'keys/dev.pem': `${PLANTED.privateKeyHeader}\n${PLANTED.privateKeyBody}\n-----END RSA PRIVATE KEY-----\n` },
		'chore: add development key',
	);
	const binary = c(
		{
			'assets/logo.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]),
			'assets/README.md': 'Logo files.\nKeep them small.\n',
		},
		'feat: add the logo',
	);
	const huge = c(
		{ 'src/table.ts': `export const TABLE = [\n${numberedLines('\t"row with some padding text to make it long",', 2000)}];\n` },
		'feat: add the lookup table',
	);
	const pipeSubject = c(
		{ 'src/parse.ts': "export function split(text: string): string[] {\n\treturn text.split('|');\n}\n" },
		'feat: parse a | b\nsecond line of the subject\n\nSplits on the pipe character.',
	);
	repo.git(['checkout', '--quiet', '-b', 'topic']);
	const topic = c({ 'src/topic.ts': 'export const topic = 1;\nexport const other = 2;\n' }, 'feat: add topic constants');
	repo.git(['checkout', '--quiet', 'main']);
	const mainline = c({ 'docs/notes.md': 'Notes\nMore notes\n' }, 'docs: add notes');
	repo.git(['merge', '--quiet', '--no-ff', '--no-edit', '-m', "Merge branch 'topic'", 'topic'], repo.nextEnv());
	const merge = repo.git(['rev-parse', 'HEAD']).trim();
	const greet = c(
		{ 'src/greet.ts': "export function greet(name: string): string {\n\treturn 'Hello ' + name;\n}\n" },
		'feat: add greeting',
	);
	repo.git(['revert', '--no-edit', greet], repo.nextEnv());
	const revertGreet = repo.git(['rev-parse', 'HEAD']).trim();
	const fixClamp = c(
		{ 'src/math.ts': HEADER + MATH + CLAMP.replace(BUGGY_LINE, FIXED_LINE) },
		'fix: clamp returned the larger bound\n\nUse min for the upper bound.',
	);
	const render = c(
		{ 'src/render.ts': `/** Shows a user's name in bold. */\nexport function bold(name: string): string {\n${XSS_LINE}\n}\n` },
		'feat: show names in bold',
	);
	const fixRender = c(
		{
			'src/render.ts': `import { escapeHtml } from './html.ts';\n\n/** Shows a user's name in bold. */\nexport function bold(name: string): string {\n\treturn '<b>' + escapeHtml(name) + '</b>';\n}\n`,
			'src/html.ts':
				'export function escapeHtml(text: string): string {\n\treturn text.replace(/[&<>"\']/g, (char) => `&#${char.charCodeAt(0)};`);\n}\n',
		},
		'fix: escape names before rendering them (XSS)',
	);
	const lockOnly = c({ 'package-lock.json': '{\n  "lockfileVersion": 3,\n  "packages": {}\n}\n' }, 'chore: refresh the lock file');
	const whitespace = c(
		{ 'src/math.ts': (HEADER + MATH + CLAMP.replace(BUGGY_LINE, FIXED_LINE)).replaceAll('\t', '  ') },
		'style: indent with spaces',
	);
	const bot = c({ 'docs/deps.md': 'Dependencies\nare up to date\n' }, 'chore(deps): bump everything', {
		authorName: 'dependabot[bot]',
		authorEmail: '49699333+dependabot[bot]@users.noreply.github.com',
	});
	const fillers: string[] = [];
	for (let at = 1; at <= 4; at++) {
		fillers.push(c({ [`notes/note-${at}.md`]: numberedLines(`note ${at} line`, 3) }, `docs: add note ${at}`));
	}
	return {
		repo,
		story: {
			root,
			addMath,
			addClamp,
			docs,
			header,
			aws,
			github,
			pem,
			binary,
			huge,
			pipeSubject,
			topic,
			mainline,
			merge,
			greet,
			revertGreet,
			fixClamp,
			render,
			fixRender,
			lockOnly,
			whitespace,
			bot,
			fillers,
		},
	};
}
