/**
 * Scale benchmark for the case miner: builds a temporary repository of 2,000+ commits with `git fast-import`
 * (seconds instead of minutes of `git commit`), mines it into a temporary folder, and prints cases per task,
 * skips per reason and throughput. Everything it writes is removed afterwards.
 *
 *   node bench/mine-scale.ts [--commits 2400] [--keep]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mineCases } from '../src/lib/mine/mine.ts';
import { formatCounts } from '../src/lib/mine/report.ts';
import { writeCases } from '../src/lib/mine/write-cases.ts';

const { values } = parseArgs({ options: { commits: { type: 'string', default: '2400' }, keep: { type: 'boolean', default: false } } });
const COMMITS = Number(values.commits);
if (!Number.isInteger(COMMITS) || COMMITS < 10) throw new Error(`--commits expects a whole number of at least 10, got '${values.commits}'.`);

/** A small seeded PRNG (mulberry32): the same seed builds the same repository on every run. */
function random(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const rand = random(20240101);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
const VERBS = ['add', 'update', 'rework', 'simplify', 'handle', 'support', 'extract', 'rename'];
const NOUNS = ['parser', 'cache', 'router', 'session', 'config loader', 'report', 'grader', 'client', 'queue', 'index'];
const OPS = ['+', '-', '*', 'Math.max', 'Math.min'];

/** One generated function body line. */
function codeLine(id: number): string {
	const op = pick(OPS);
	return op.startsWith('Math')
		? `\tconst v${id} = ${op}(input.a${id % 7}, input.b${id % 5});`
		: `\tconst v${id} = input.a${id % 7} ${op} input.b${id % 5};`;
}

/** Builds the fast-import stream: a mix of features, fixes, docs, merges, bots, lock files and binaries. */
function buildStream(total: number): Buffer {
	const files = new Map<string, string[]>();
	const chunks: Buffer[] = [];
	// fast-import counts `data` in bytes, so the stream is built from buffers, never re-encoded text.
	const data = (content: string | Uint8Array) => {
		const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
		return Buffer.concat([Buffer.from(`data ${bytes.length}\n`), bytes, Buffer.from('\n')]);
	};
	const text = (value: string) => Buffer.from(value, 'utf8');
	let mark = 0;
	let lineId = 0;
	let time = Date.parse('2023-01-01T00:00:00Z') / 1000;
	let mainMark = 0;
	let branchMark = 0;
	const commit = (ref: string, message: string, changes: Buffer[], author = 'Dev One <dev@example.com>', merge?: number) => {
		mark += 1;
		time += 3600;
		chunks.push(text(`commit ${ref}\nmark :${mark}\nauthor ${author} ${time} +0000\ncommitter Dev One <dev@example.com> ${time} +0000\n`), data(message));
		const from = ref === 'refs/heads/main' ? mainMark : branchMark || mainMark;
		if (from > 0) chunks.push(text(`from :${from}\n`));
		if (merge) chunks.push(text(`merge :${merge}\n`));
		chunks.push(...changes, text('\n'));
		if (ref === 'refs/heads/main') mainMark = mark;
		else branchMark = mark;
		return mark;
	};
	const write = (path: string, lines: string[]) => {
		files.set(path, lines);
		return Buffer.concat([text(`M 100644 inline ${path}\n`), data(`${lines.join('\n')}\n`)]);
	};
	const newModule = (index: number) => {
		const lines = [`export function step${index}(input: Record<string, number>): number {`];
		for (let at = 0; at < 8; at++) lines.push(codeLine(lineId++));
		lines.push(`\treturn v${lineId - 1};`, '}');
		return lines;
	};

	commit('refs/heads/main', 'chore: initial commit\n', [write('README.md', ['# Scale', '', 'Generated history.'])]);
	let modules = 0;
	for (let n = 1; n < total; n++) {
		const roll = rand();
		const paths = [...files.keys()].filter((path) => path.startsWith('src/'));
		if (paths.length < 5 || roll < 0.12) {
			const path = `src/module-${modules}.ts`;
			commit('refs/heads/main', `feat: ${pick(VERBS)} the ${pick(NOUNS)} (module ${modules})\n\nAdds step${modules}.\n`, [write(path, newModule(modules++))]);
		} else if (roll < 0.55) {
			// A feature edit: change two lines and add one in one or two modules.
			const changes = [];
			for (const path of new Set([pick(paths), pick(paths)])) {
				const lines = [...(files.get(path) as string[])];
				const body = lines.length - 3;
				lines[1 + Math.floor(rand() * body)] = codeLine(lineId++);
				lines[1 + Math.floor(rand() * body)] = codeLine(lineId++);
				lines.splice(lines.length - 2, 0, codeLine(lineId++));
				changes.push(write(path, lines));
			}
			commit('refs/heads/main', `feat: ${pick(VERBS)} the ${pick(NOUNS)}\n\nMore work on ${pick(NOUNS)}.\n`, changes);
		} else if (roll < 0.7) {
			// A fix: rewrite one line some earlier commit wrote; a few mention security words.
			const path = pick(paths);
			const lines = [...(files.get(path) as string[])];
			lines[1 + Math.floor(rand() * (lines.length - 3))] = codeLine(lineId++);
			const security = rand() < 0.2;
			commit(
				'refs/heads/main',
				security ? `fix: sanitize ${pick(NOUNS)} input before use\n` : `fix: wrong result in the ${pick(NOUNS)}\n\nFixes: #${n}\n`,
				[write(path, lines)],
			);
		} else if (roll < 0.8) {
			commit('refs/heads/main', `docs: explain the ${pick(NOUNS)}\n`, [write(`docs/note-${n}.md`, [`# Note ${n}`, '', `About the ${pick(NOUNS)}.`, 'More text.'])]);
		} else if (roll < 0.84) {
			commit('refs/heads/main', 'chore(deps): bump dependencies\n', [write('package-lock.json', ['{', `  "lockfileVersion": ${n}`, '}'])], 'dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>');
		} else if (roll < 0.87) {
			commit('refs/heads/main', 'chore: refresh the lock file\n', [write('package-lock.json', ['{', `  "lockfileVersion": ${n}`, '}'])]);
		} else if (roll < 0.89) {
			const bytes = new Uint8Array(64).map((_, at) => (at * 37 + n) % 256);
			commit('refs/heads/main', `feat: add image ${n}\n`, [Buffer.concat([text(`M 100644 inline assets/image-${n}.png\n`), data(bytes)])]);
		} else if (roll < 0.91) {
			const rows = Array.from({ length: 3000 }, (_, at) => `\t"generated row ${at} for table ${n}",`);
			commit('refs/heads/main', `feat: add lookup table ${n}\n`, [write(`src/table-${n}.ts`, ['export const TABLE = [', ...rows, '];'])]);
		} else if (roll < 0.95) {
			// A topic branch with one commit, merged back with --no-ff.
			branchMark = mainMark;
			const path = `src/topic-${n}.ts`;
			const topic = commit('refs/heads/topic', `feat: topic work ${n}\n`, [write(path, newModule(modules++))]);
			commit('refs/heads/main', `docs: mainline note ${n}\n`, [write(`docs/main-${n}.md`, ['Mainline', 'note'])]);
			// fast-import does not merge trees: the merge commit names the topic's file so main has it too.
			commit('refs/heads/main', `Merge branch 'topic-${n}'\n`, [write(path, files.get(path) as string[])], 'Dev One <dev@example.com>', topic);
			branchMark = 0;
			n += 2;
		} else {
			const path = pick(paths);
			const lines = (files.get(path) as string[]).map((line) => line.replace(/^\t/, '  '));
			commit('refs/heads/main', 'style: reindent\n', [write(path, lines)]);
		}
	}
	return Buffer.concat(chunks);
}

const root = mkdtempSync(join(tmpdir(), 'mine-scale-'));
const repoDir = join(root, 'repo');
const outDir = join(root, 'cases');
try {
	const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
	execFileSync('git', ['init', '--quiet', '--initial-branch=main', repoDir], { env });
	let started = performance.now();
	execFileSync('git', ['fast-import', '--quiet'], { cwd: repoDir, env, input: buildStream(COMMITS), maxBuffer: 1 << 30 });
	execFileSync('git', ['reset', '--quiet', '--hard', 'main'], { cwd: repoDir, env });
	const commitCount = Number(execFileSync('git', ['rev-list', '--count', 'HEAD'], { cwd: repoDir, env, encoding: 'utf8' }).trim());
	const buildSeconds = (performance.now() - started) / 1000;

	started = performance.now();
	const result = await mineCases({
		repo: repoDir,
		roles: ['draft', 'reason', 'review', 'coder'],
		budget: { numCtx: 8192, numPredict: 1024 },
		cleanAge: 10,
		cleanRatio: 1,
		minChangedLines: 2,
	});
	const mineSeconds = (performance.now() - started) / 1000;
	const outcomes = await writeCases(result.cases, outDir, { dryRun: false, force: false });
	const totalSeconds = (performance.now() - started) / 1000;
	const written = readdirSync(outDir, { recursive: true }).filter((name) => String(name).endsWith('.json')).length;

	console.log(`Repository: ${commitCount} commits in ${buildSeconds.toFixed(1)} s (git fast-import).`);
	console.log(`Mined ${result.commitsRead} commits in ${mineSeconds.toFixed(1)} s; wrote ${outcomes.length} cases (${written} files) in ${totalSeconds.toFixed(1)} s total.`);
	console.log(`Commits skipped by reason: ${formatCounts(result.commitSkips)}.`);
	for (const tally of result.tallies) console.log(`  ${tally.task}: ${tally.found} cases; skipped: ${formatCounts(tally.skipped)}.`);
	console.log(`Secrets found: ${result.secrets.length}; invalid: ${result.invalid.length}.`);
	console.log(`Throughput: ${(result.cases.length / totalSeconds).toFixed(1)} cases/s, ${(result.commitsRead / totalSeconds).toFixed(1)} commits/s.`);
	if (values.keep) console.log(`Kept: ${root}`);
} finally {
	if (!values.keep) rmSync(root, { recursive: true, force: true });
}
