import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/lib/registry/load-registry.ts';
import { RegistryError, type RegistryIssue, showValue } from '../../src/lib/registry/registry-error.ts';
import { PROJECT_ROOT } from '../../testing/project-copy.ts';

let root: string;

beforeEach(async () => {
	root = await mkdtemp(path.join(os.tmpdir(), 'lmb-registry-'));
	// Only the hand-edited registry: the cases are checked on their own below.
	for (const file of ['models.yaml', 'policy.yaml', 'roles']) {
		await cp(path.join(PROJECT_ROOT, 'benchmarks', file), path.join(root, 'benchmarks', file), { recursive: true });
	}
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function edit(file: string, change: (text: string) => string): Promise<void> {
	const target = path.join(root, file);
	const before = await readFile(target, 'utf8');
	const after = change(before);
	if (after === before) throw new Error(`the edit of ${file} changed nothing: fix the test`);
	await writeFile(target, after);
}

async function issuesAfterLoad(): Promise<{ error: RegistryError; issues: readonly RegistryIssue[] }> {
	try {
		await loadRegistry(root);
	} catch (error) {
		if (error instanceof RegistryError) return { error, issues: error.issues };
		throw error;
	}
	throw new Error('expected the registry to be refused');
}

describe('the registry as committed', () => {
	it('loads, with the roles and models the site publishes', async () => {
		const registry = await loadRegistry(root);
		const roles = Object.fromEntries(registry.roles.map(({ role }) => [role.role, [role.incumbent, ...role.challengers]]));
		expect(roles).toEqual({
			draft: ['gemma4:latest', 'llama3.1:8b', 'granite3.3:8b'],
			reason: ['deepseek-r1:14b'],
			review: ['gemma4:26b'],
			coder: ['qwen2.5-coder:14b'],
		});
		expect(registry.models.find((model) => model.id === 'granite3.3:8b')).toMatchObject({ family: 'ibm-granite', cost_tier: 'free' });
		expect(registry.policy.diversity.min_families).toBe(2);
		expect(registry.policy.escalation.chain[0]).toEqual({ provider: 'ollama', model: 'gpt-oss:120b-cloud' });
	});
});

const ROLE = 'benchmarks/roles/draft.yaml';
const MODELS = 'benchmarks/models.yaml';
const POLICY = 'benchmarks/policy.yaml';

// Each row: one hand edit an owner could make, and where the message must point.
const malformed: { name: string; file: string; change: (text: string) => string; field: string; mentions?: RegExp }[] = [
	{
		name: 'an incumbent missing from models.yaml',
		file: ROLE,
		change: (t) => t.replace('incumbent: gemma4:latest', 'incumbent: gemma5:latest'),
		field: 'incumbent',
		mentions: /gemma5:latest.*not in benchmarks\/models\.yaml/,
	},
	{
		name: 'a challenger missing from models.yaml',
		file: ROLE,
		change: (t) => t.replace('  - granite3.3:8b', '  - granite9:8b'),
		field: 'challengers (entry 2)',
		mentions: /did you mean `granite3\.3:8b`/,
	},
	{
		name: 'a misspelt key',
		file: ROLE,
		change: (t) => t.replace('challengers:', 'challanger:'),
		field: 'challanger',
		mentions: /did you mean `challengers`/,
	},
	{
		name: 'a model twice in one role',
		file: ROLE,
		change: (t) => t.replace('  - granite3.3:8b', '  - granite3.3:8b\n  - llama3.1:8b'),
		field: 'challengers (entry 3)',
		mentions: /each challenger once/,
	},
	{
		name: 'the incumbent listed as a challenger',
		file: ROLE,
		change: (t) => t.replace('  - granite3.3:8b', '  - gemma4:latest'),
		field: 'challengers (entry 2)',
		mentions: /the incumbent/,
	},
	{
		name: 'a role field that disagrees with the file name',
		file: ROLE,
		change: (t) => t.replace('role: draft', 'role: drafting'),
		field: 'role',
		mentions: /"draft", the file's name/,
	},
	{
		name: 'a missing required field',
		file: ROLE,
		change: (t) => t.replace(/^description: .*\n/m, ''),
		field: 'description',
		mentions: /required/,
	},
	{
		name: 'a retirement date that is no date',
		file: ROLE,
		change: (t) => t.replace('retired: []', 'retired:\n  - model: phi3:mini\n    reason: slow\n    date: 2026-13-45'),
		field: 'retired · phi3:mini (entry 1) · date',
		mentions: /real calendar date/,
	},
	{
		name: 'a baseline that is not in models.yaml',
		file: ROLE,
		change: (t) => t.replace('retired: []', 'retired: []\nbaseline: claude-sonet-4-5'),
		field: 'baseline',
		mentions: /not in benchmarks\/models.yaml/,
	},
	{
		name: 'a baseline that is a local model',
		file: ROLE,
		change: (t) => t.replace('retired: []', 'retired: []\nbaseline: qwen2.5-coder:14b'),
		field: 'baseline',
		mentions: /provider is ollama.*expected: a model with `provider: anthropic`/s,
	},
	{
		name: 'a baseline that is also a challenger',
		file: ROLE,
		change: (t) => t.replace('retired: []', 'retired: []\nbaseline: llama3.1:8b'),
		field: 'baseline',
		mentions: /also a challenger/,
	},
	{
		name: 'a duplicate model id',
		file: MODELS,
		change: (t) => t.replace('- id: gemma4:26b', '- id: gemma4:latest'),
		field: 'gemma4:latest (entry 2) · id',
		mentions: /already the id of entry 1/,
	},
	{
		name: 'an unknown cost tier',
		file: MODELS,
		change: (t) => t.replace(/cost_tier: free/, 'cost_tier: cheap'),
		field: 'gemma4:latest (entry 1) · cost_tier',
		mentions: /"free", "paid"/,
	},
	{
		name: 'a family that is not a slug',
		file: MODELS,
		change: (t) => t.replace('family: meta-llama', 'family: Meta Llama'),
		field: 'llama3.1:8b (entry 3) · family',
		mentions: /lowercase, dash-separated/,
	},
	{
		name: 'a model host that is not http(s)',
		file: MODELS,
		change: (t) => t.replace('  family: ibm-granite', '  family: ibm-granite\n  host: javascript:alert(1)'),
		field: 'granite3.3:8b (entry 4) · host',
		mentions: /http:\/\/ or https:\/\//,
	},
	{
		name: 'both a host and a pool of hosts',
		file: MODELS,
		change: (t) => t.replace('  family: ibm-granite', '  family: ibm-granite\n  host: http://gpu-a:11434\n  hosts: [http://gpu-b:11434]'),
		field: 'granite3.3:8b (entry 4) · hosts',
		mentions: /`host` for one server, `hosts` for a pool/,
	},
	{
		name: 'a host twice in a pool',
		file: MODELS,
		change: (t) => t.replace('  family: ibm-granite', '  family: ibm-granite\n  hosts: [http://gpu-a:11434, http://gpu-a:11434/]'),
		field: 'granite3.3:8b (entry 4) · hosts (entry 2)',
		mentions: /each host once/,
	},
	{
		name: 'no parallel slot',
		file: MODELS,
		change: (t) => t.replace('  family: ibm-granite', '  family: ibm-granite\n  parallel: 0'),
		field: 'granite3.3:8b (entry 4) · parallel',
		mentions: /0/,
	},
	{
		name: 'a negative severity weight',
		file: POLICY,
		change: (t) => t.replace('  low: 1', '  low: -1'),
		field: 'severity_weights.low',
		mentions: /above 0/,
	},
	{
		name: 'severity weights out of order',
		file: POLICY,
		change: (t) => t.replace('  critical: 5', '  critical: 0.5'),
		field: 'severity_weights.critical',
		mentions: /below high/,
	},
	{
		name: 'a gate tolerance, which paired tests replaced',
		file: POLICY,
		change: (t) => t.replace('gates:\n', 'gates:\n  acceptance_rate:\n    tolerance: 0.05\n'),
		field: 'gates.acceptance_rate',
		mentions: /judged at `evidence\.alpha`; their `tolerance` margins were removed/,
	},
	{
		name: 'a significance level above one half',
		file: POLICY,
		change: (t) => t.replace('alpha: 0.05', 'alpha: 0.9'),
		field: 'evidence.alpha',
		mentions: /at most 0\.5/,
	},
	{
		name: 'a diversity minimum of zero',
		file: POLICY,
		change: (t) => t.replace('min_families: 2', 'min_families: 0'),
		field: 'diversity.min_families',
		mentions: /at least 1/,
	},
	{
		name: 'a stall timeout longer than the call timeout',
		file: POLICY,
		change: (t) => t.replace('stall_timeout_s: 60', 'stall_timeout_s: 900'),
		field: 'run.stall_timeout_s',
		mentions: /call_timeout_s \(300\)/,
	},
	{
		name: 'a first retry wait longer than the whole retry time',
		file: POLICY,
		change: (t) => t.replace('retry_initial_s: 1 ', 'retry_initial_s: 300 '),
		field: 'run.retry_initial_s',
		mentions: /retry_total_s \(120\)/,
	},
	{
		name: 'a negative retry count',
		file: POLICY,
		change: (t) => t.replace('retries: 5 ', 'retries: -1 '),
		field: 'run.retries',
		mentions: /at least 0/,
	},
	{
		name: 'a context window given as text',
		file: POLICY,
		change: (t) => t.replace('num_ctx: 16384', 'num_ctx: big'),
		field: 'run.num_ctx',
		mentions: /"big" \(a string\)/,
	},
	{
		name: 'an escalation model missing from models.yaml',
		file: POLICY,
		change: (t) => t.replace('model: gpt-oss:120b-cloud', 'model: gpt-oss:20b-cloud'),
		field: 'escalation.chain · gpt-oss:20b-cloud (entry 1) · model',
		mentions: /not in benchmarks\/models\.yaml/,
	},
	{
		name: 'an unknown escalation provider',
		file: POLICY,
		change: (t) => t.replace('provider: anthropic', 'provider: anthropics'),
		field: 'escalation.chain · claude-sonnet-4-5 (entry 2) · provider',
		mentions: /known `provider` value/,
	},
	{
		name: 'a misspelt top-level section',
		file: POLICY,
		change: (t) => t.replace('diversity:\n', 'diversty:\n'),
		field: 'diversty',
		mentions: /did you mean `diversity`/,
	},
];

describe('a malformed registry edit', () => {
	it.each(malformed)('names the file and the field for $name', async ({ file, change, field, mentions }) => {
		await edit(file, change);
		const { error, issues } = await issuesAfterLoad();
		const match = issues.find((issue) => issue.file === file && issue.field === field);
		expect(match, `issues were:\n${error.message}`).toBeDefined();
		expect(match!.found.length).toBeGreaterThan(0);
		expect(match!.expected.length).toBeGreaterThan(0);
		expect(error.message).toContain(`${file}:${match!.line} — ${field}`);
		if (mentions) expect(error.message).toMatch(mentions);
	});

	it('reports a YAML syntax error with its line', async () => {
		await edit(ROLE, (t) => t.replace('incumbent: gemma4:latest', 'incumbent: [gemma4:latest'));
		const { issues } = await issuesAfterLoad();
		expect(issues[0]).toMatchObject({ file: ROLE, field: '(file)', expected: 'well-formed YAML' });
		expect(issues[0]!.line).toBeGreaterThan(10);
	});

	it('reports every problem in one pass, across files', async () => {
		await edit(ROLE, (t) => t.replace('challengers:', 'challanger:'));
		await edit(POLICY, (t) => t.replace('  low: 1', '  low: -1'));
		await edit('benchmarks/roles/coder.yaml', (t) => t.replace('incumbent: qwen2.5-coder:14b', 'incumbent: qwen9:1b'));
		const { issues } = await issuesAfterLoad();
		expect(issues.map((issue) => `${issue.file} ${issue.field}`).sort()).toEqual([
			'benchmarks/policy.yaml severity_weights.low',
			'benchmarks/roles/coder.yaml incumbent',
			'benchmarks/roles/draft.yaml challanger',
		]);
	});

	it('explains itself in a message a person can act on', async () => {
		await edit(ROLE, (t) => t.replace('incumbent: gemma4:latest', 'incumbent: gemma4:lates'));
		const { error } = await issuesAfterLoad();
		expect(error.message).toMatchInlineSnapshot(`
			"The benchmark registry has 1 problem:

			benchmarks/roles/draft.yaml:13 — incumbent
			  found:    "gemma4:lates", which is not in benchmarks/models.yaml
			  expected: a model id listed in benchmarks/models.yaml
			  hint:     did you mean \`gemma4:latest\`? Otherwise add gemma4:lates to benchmarks/models.yaml.
			"
		`);
	});

	it('names a model by its id and says what to write for a missing field', async () => {
		await edit(MODELS, (t) => t.replace('- id: llama3.1:8b\n  family: meta-llama\n', '- id: llama3.1:8b\n'));
		const { error } = await issuesAfterLoad();
		expect(error.message).toMatchInlineSnapshot(`
			"The benchmark registry has 1 problem:

			benchmarks/models.yaml:25 — llama3.1:8b (entry 3) · family
			  found:    nothing (the field is missing)
			  expected: a string (this field is required)
			  hint:     add \`family: <training family, e.g. meta-llama>\`
			"
		`);
	});

	it('names both entries of a duplicate id from 1', async () => {
		await edit(MODELS, (t) => t.replace('- id: deepseek-r1:14b', '- id: gemma4:26b'));
		const { error } = await issuesAfterLoad();
		expect(error.message).toContain(
			'benchmarks/models.yaml:35 — gemma4:26b (entry 5) · id\n  found:    "gemma4:26b", already the id of entry 2',
		);
	});

	// Model names as Ollama writes them: `ollama pull` and `ollama list` take and show every one of these.
	it.each([
		['a Hugging Face model with its quantization', 'hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M'],
		['a Hugging Face model without a tag', 'hf.co/unsloth/Qwen3-8B-GGUF'],
		['a namespaced model', 'jmorganca/llama3:8b'],
		['a namespaced model without a tag', 'sammcj/qwen2.5-coder-7b-instruct'],
		['a model with the library namespace written out', 'library/qwen3:8b'],
		['a fully qualified model', 'registry.ollama.ai/library/mistral:7b-instruct-v0.3-q4_K_M'],
		['an untagged model', 'phi4'],
		['a tag in upper case', 'qwen3:8B'],
		['a name in upper case', 'Qwen3:8b'],
		['a dotted tag', 'llama3.2:3b-instruct-q8_0'],
		['a cloud model as pulled', 'qwen3-coder:480b-cloud'],
		['a cloud model with the :cloud suffix', 'gpt-oss:20b:cloud'],
		['an untagged cloud model', 'glm-4.6:cloud'],
		['a model asked for locally', 'qwen3:8b:local'],
		['a private registry with a port', 'localhost:5000/team/qwen3:8b'],
		['parts starting with an underscore', '_team/_model:_v1'],
	])('accepts %s: %s', async (_name, id) => {
		await edit(MODELS, (t) => `${t}\n- id: ${id}\n  family: test-family\n`);
		await edit(ROLE, (t) => t.replace('challengers:\n', `challengers:\n  - ${id}\n`));
		const registry = await loadRegistry(root);
		expect(registry.roles.find(({ role }) => role.role === 'draft')?.role.challengers).toContain(id);
	});

	it.each([
		[
			'a name starting with a dash',
			'-model:1b',
			'a model ("-model") that is not letters, digits, `_`, `-` and `.`, starting with a letter, digit or `_`',
		],
		['a dot in the namespace', 'my.user/model:1b', 'a namespace ("my.user") that is not letters, digits, `_` and `-` (no dot)'],
		['four parts', 'a/b/c/d:1b', 'more than three `/`-separated parts'],
		['a space', 'qwen3 8b', 'a model ("qwen3 8b") that is not'],
		['an empty tag', 'qwen3:', 'an empty tag'],
		['an empty namespace', '/qwen3:8b', 'an empty namespace'],
		['two tags', 'qwen3:8b:1', 'a model ("qwen3:8b") that is not'],
		['both :cloud and -cloud', 'gpt-oss:20b-cloud:cloud', 'two of `:cloud`'],
		['a model over 80 characters', `hf.co/user/${'x'.repeat(81)}:q4`, "a model longer than Ollama's 80 characters"],
	])('refuses %s with what is wrong', async (_name, id, problem) => {
		await edit(MODELS, (t) => `${t}\n- id: '${id}'\n  family: test-family\n`);
		const { issues } = await issuesAfterLoad();
		expect(issues).toHaveLength(1);
		expect(issues[0]).toMatchObject({ file: MODELS, found: showValue(id) });
		expect(issues[0]!.expected).toContain(problem);
	});

	// Two ids Ollama reads as one model: both would run, the same weights twice under two names.
	it.each([
		['an untagged id and its :latest', 'gemma4', 'gemma4:latest', 'registry.ollama.ai/library/gemma4:latest'],
		['two ids differing only in case', 'Llama3.1:8B', 'llama3.1:8b', 'registry.ollama.ai/library/llama3.1:8b'],
		['an id with the library namespace', 'library/granite3.3:8b', 'granite3.3:8b', 'registry.ollama.ai/library/granite3.3:8b'],
		['a fully qualified id', 'registry.ollama.ai/library/deepseek-r1:14b', 'deepseek-r1:14b', 'registry.ollama.ai/library/deepseek-r1:14b'],
		['a cloud model in both spellings', 'gpt-oss:120b:cloud', 'gpt-oss:120b-cloud', 'registry.ollama.ai/library/gpt-oss:120b-cloud'],
	])('refuses %s, naming both lines', async (_name, alias, existing, key) => {
		const before = await readFile(path.join(root, MODELS), 'utf8');
		if (!before.includes(`- id: ${existing}\n`)) await edit(MODELS, (t) => `${t}\n- id: ${existing}\n  family: test-family\n`);
		await edit(MODELS, (t) => `${t}\n- id: ${alias}\n  family: test-family\n`);
		const text = await readFile(path.join(root, MODELS), 'utf8');
		const lineOf = (id: string) => text.split('\n').indexOf(`- id: ${id}`) + 1;
		const entryOf = (id: string) =>
			text
				.split('\n')
				.filter((line) => line.startsWith('- id: '))
				.indexOf(`- id: ${id}`) + 1;
		const { error, issues } = await issuesAfterLoad();
		expect(issues).toHaveLength(1);
		expect(error.message).toContain(
			[
				`${MODELS}:${lineOf(alias)} — ${alias} (entry ${entryOf(alias)}) · id`,
				`  found:    "${alias}", the same model to Ollama as "${existing}" (entry ${entryOf(existing)}, line ${lineOf(existing)}): both name ${key}`,
				'  expected: each model once, under one name',
				'  hint:     keep one of the two entries, and write that name in the roles and the policy',
			].join('\n'),
		);
	});

	it.each([
		['a misspelt key', (t: string) => t.replace('challengers:', 'challanger:'), 'challanger'],
		['challengers given as a string', (t: string) => t.replace(/challengers:\n( {2}- .*\n)+/, 'challengers: llama3.1:8b\n'), 'challengers'],
		[
			'a retirement date that is no date',
			(t: string) => t.replace('retired: []', 'retired:\n  - model: phi3:mini\n    reason: slow\n    date: 2026-13-45'),
			'retired · phi3:mini (entry 1) · date',
		],
		['a role field that disagrees with the file name', (t: string) => t.replace('role: draft', 'role: drafting'), 'role'],
	])('reports only the real error for %s, not every case of the role as roleless', async (_name, change, field) => {
		const id = 'draft-commit-message-0123456789ab';
		const fixture = JSON.parse(
			await readFile(path.join(PROJECT_ROOT, 'testing', 'fixtures', 'cases', 'draft', 'draft-commit-message-4479e1f0e5a2.json'), 'utf8'),
		);
		for (const suffix of ['0123456789ab', 'abcdefabcdef', '111111111111']) {
			await mkdir(path.join(root, 'benchmarks', 'cases', 'draft'), { recursive: true });
			await writeFile(
				path.join(root, 'benchmarks', 'cases', 'draft', `draft-commit-message-${suffix}.json`),
				JSON.stringify({ ...fixture, id: id.replace('0123456789ab', suffix) }),
			);
		}
		await edit(ROLE, change);
		const { error, issues } = await issuesAfterLoad();
		expect(
			issues.map((issue) => `${issue.file} ${issue.field}`),
			error.message,
		).toEqual([`${ROLE} ${field}`]);
	});

	it('refuses an alias bomb in models.yaml with the file and what is wrong, fast', async () => {
		const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
		for (const [from, to] of [
			['a', 'b'],
			['b', 'c'],
			['c', 'd'],
			['d', 'e'],
			['e', 'f'],
			['f', 'g'],
			['g', 'h'],
			['h', 'i'],
		])
			bomb.push(`${to}: &${to} [${Array(9).fill(`*${from}`).join(',')}]`);
		await writeFile(path.join(root, MODELS), `${bomb.join('\n')}\n`);
		const started = performance.now();
		const { issues } = await issuesAfterLoad();
		expect(performance.now() - started).toBeLessThan(2000);
		expect(issues.filter((issue) => issue.file === MODELS)).toEqual([
			{
				file: MODELS,
				field: '(file)',
				found: 'aliases (*name) that expand to far more data than the file holds',
				expected: 'plain YAML data; aliases only where they expand to little',
				hint: 'write the entries out instead of nesting aliases of aliases',
			},
		]);
	});

	it('refuses a role file ending in .yml, which the site would not show', async () => {
		await cp(path.join(root, 'benchmarks', 'roles', 'coder.yaml'), path.join(root, 'benchmarks', 'roles', 'ops.yml'));
		const { issues } = await issuesAfterLoad();
		expect(issues).toEqual([
			{
				file: 'benchmarks/roles/ops.yml',
				field: '(file name)',
				found: 'a role file ending in .yml',
				expected: 'a file ending in .yaml',
				hint: 'rename it to benchmarks/roles/ops.yaml',
			},
		]);
	});

	it('refuses a registry with no roles', async () => {
		await rm(path.join(root, 'benchmarks', 'roles'), { recursive: true });
		const { issues } = await issuesAfterLoad();
		expect(issues).toContainEqual(expect.objectContaining({ file: 'benchmarks/roles', found: 'no such folder' }));
	});
});

describe('a case file', () => {
	const validCase = {
		id: 'draft-commit-message-0123456789ab',
		role: 'draft',
		task: 'commit-message',
		severity: 'low',
		mined_at: '2026-11-20T10:00:00Z',
		source: {
			repository: 'local-model-benchmarks',
			commit: '0123456789abcdef0123456789abcdef01234567',
			parent: '1123456789abcdef0123456789abcdef01234567',
			author_date: '2026-11-20T10:00:00Z',
			subject: 'Add the registry',
			files: ['benchmarks/models.yaml'],
		},
		input: { diff: 'diff --git a/x b/x\n+line\n' },
		reference: { message: 'Add the registry' },
		checks: [{ name: 'subject-well-formed', required: true }],
	};
	const writeCase = async (relative: string, data: unknown) => {
		await mkdir(path.dirname(path.join(root, relative)), { recursive: true });
		await writeFile(path.join(root, relative), JSON.stringify(data));
	};

	it('loads when it matches its folder and name', async () => {
		await writeCase(`benchmarks/cases/draft/${validCase.id}.json`, validCase);
		const registry = await loadRegistry(root);
		expect(registry.cases.map((entry) => entry.case.id)).toEqual([validCase.id]);
	});

	// Named, never stripped: Astro's content layer reads the same file and would stop on it.
	it('is refused when saved with a byte order mark, which the message names', async () => {
		const file = `benchmarks/cases/draft/${validCase.id}.json`;
		await mkdir(path.dirname(path.join(root, file)), { recursive: true });
		await writeFile(path.join(root, file), `\uFEFF${JSON.stringify(validCase)}`);
		const { error } = await issuesAfterLoad();
		expect(error.message).toBe(
			[
				'The benchmark registry has 1 problem:',
				'',
				`${file}:1 — (file)`,
				'  found:    a UTF-8 byte order mark (BOM, the bytes EF BB BF) before the first character',
				'  expected: UTF-8 without a BOM, as the project writes its files',
				'  hint:     cases are written by `npm run mine` without one: save the file as UTF-8 without a BOM, or mine it again',
				'',
			].join('\n'),
		);
	});

	it.each([MODELS, ROLE, POLICY])('refuses %s saved with a byte order mark, naming it', async (file) => {
		await edit(file, (text) => `\uFEFF${text}`);
		const { issues } = await issuesAfterLoad();
		expect(issues).toEqual([
			{
				file,
				field: '(file)',
				line: 1,
				found: 'a UTF-8 byte order mark (BOM, the bytes EF BB BF) before the first character',
				expected: 'UTF-8 without a BOM, as the project writes its files',
				hint: 'save the file as UTF-8 without a BOM ("UTF-8", not "UTF-8 with BOM", in most editors)',
			},
		]);
	});

	it('is refused in the wrong folder, under another name, or for an unknown role', async () => {
		await writeCase(`benchmarks/cases/review/${validCase.id}.json`, validCase);
		await writeCase('benchmarks/cases/draft/renamed.json', { ...validCase, id: 'draft-commit-message-abcdefabcdef' });
		await writeCase('benchmarks/cases/ops/ops-commit-message-0123456789ab.json', {
			...validCase,
			id: 'ops-commit-message-0123456789ab',
			role: 'ops',
		});
		const { issues } = await issuesAfterLoad();
		const summary = issues.map((issue) => `${issue.file} ${issue.field}: ${issue.expected}`);
		expect(summary).toEqual(
			expect.arrayContaining([
				`benchmarks/cases/review/${validCase.id}.json role: "review", the folder the case is in`,
				'benchmarks/cases/draft/renamed.json id: "renamed", the file\'s name',
				'benchmarks/cases/ops/ops-commit-message-0123456789ab.json role: the name of a role',
			]),
		);
	});

	it('is refused when its reference does not fit its task', async () => {
		await writeCase(`benchmarks/cases/draft/${validCase.id}.json`, { ...validCase, reference: { files: ['a.ts'] } });
		const { issues } = await issuesAfterLoad();
		expect(issues.map((issue) => issue.field)).toEqual(expect.arrayContaining(['reference.message', 'reference.files']));
	});
});
