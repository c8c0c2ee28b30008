/**
 * A generated git history for scale benchmarks of the case miner: features, fixes (some about security),
 * docs, merges, bot and lock-file commits, binaries, generated tables and reindents, in the proportions a
 * real repository has. Built with `git fast-import` (seconds instead of minutes of `git commit`), from a
 * seeded PRNG so the same seed builds the same repository. Used by `bench/mine-scale.ts` and `npm run perf`.
 */
import { execFileSync } from 'node:child_process';
import { seededRandom } from '../../src/lib/metrics/seeded-random.ts';

const VERBS = ['add', 'update', 'rework', 'simplify', 'handle', 'support', 'extract', 'rename'];
const NOUNS = ['parser', 'cache', 'router', 'session', 'config loader', 'report', 'grader', 'client', 'queue', 'index'];
const OPS = ['+', '-', '*', 'Math.max', 'Math.min'];

/**
 * The fast-import stream of a history of about `total` commits: a mix of features, fixes, docs, merges,
 * bots, lock files and binaries. The same `seed` gives the same bytes.
 */
export function scaleHistoryStream(total: number, seed = 20240101): Buffer {
	const rand = seededRandom(seed);
	const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
	/** One generated function body line. */
	function codeLine(id: number): string {
		const op = pick(OPS);
		return op.startsWith('Math')
			? `\tconst v${id} = ${op}(input.a${id % 7}, input.b${id % 5});`
			: `\tconst v${id} = input.a${id % 7} ${op} input.b${id % 5};`;
	}

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
		chunks.push(
			text(`commit ${ref}\nmark :${mark}\nauthor ${author} ${time} +0000\ncommitter Dev One <dev@example.com> ${time} +0000\n`),
			data(message),
		);
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
			commit('refs/heads/main', `feat: ${pick(VERBS)} the ${pick(NOUNS)} (module ${modules})\n\nAdds step${modules}.\n`, [
				write(path, newModule(modules++)),
			]);
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
			commit('refs/heads/main', `docs: explain the ${pick(NOUNS)}\n`, [
				write(`docs/note-${n}.md`, [`# Note ${n}`, '', `About the ${pick(NOUNS)}.`, 'More text.']),
			]);
		} else if (roll < 0.84) {
			commit(
				'refs/heads/main',
				'chore(deps): bump dependencies\n',
				[write('package-lock.json', ['{', `  "lockfileVersion": ${n}`, '}'])],
				'dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>',
			);
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
			commit(
				'refs/heads/main',
				`Merge branch 'topic-${n}'\n`,
				[write(path, files.get(path) as string[])],
				'Dev One <dev@example.com>',
				topic,
			);
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

/** Git with no system or user configuration, so the machine's settings cannot change the history. */
const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };

/**
 * Creates a repository of about `commits` commits in `repoDir` (which must not exist yet) and checks out
 * `main`. Returns the commits really in the history and how long building it took.
 */
export function createScaleRepository(repoDir: string, commits: number): { commits: number; seconds: number } {
	const started = performance.now();
	execFileSync('git', ['init', '--quiet', '--initial-branch=main', repoDir], { env: GIT_ENV });
	execFileSync('git', ['fast-import', '--quiet'], { cwd: repoDir, env: GIT_ENV, input: scaleHistoryStream(commits), maxBuffer: 1 << 30 });
	execFileSync('git', ['reset', '--quiet', '--hard', 'main'], { cwd: repoDir, env: GIT_ENV });
	const count = Number(execFileSync('git', ['rev-list', '--count', 'HEAD'], { cwd: repoDir, env: GIT_ENV, encoding: 'utf8' }).trim());
	return { commits: count, seconds: (performance.now() - started) / 1000 };
}
