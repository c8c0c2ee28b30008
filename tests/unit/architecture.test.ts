/**
 * The layout's rules, read from the imports themselves: the stages under src/lib depend on one another
 * without a cycle, nothing outside tests/ reaches into it, and the product (src/) never depends on the
 * test doubles (testing/) or the harness benchmarks (bench/).
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../testing/project-copy.ts';

/** One import: the importing file and the file it names, both relative to the project root. */
interface ImportEdge {
	from: string;
	to: string;
}

/** The folders whose files are checked, and the configuration files at the root. */
const SCANNED = ['src', 'scripts', 'bench', 'testing'];
const ROOT_FILES = ['astro.config.mjs', 'vitest.config.ts'];

/**
 * The relative module specifiers a TypeScript or Astro file names: static and dynamic imports, re-exports,
 * and `new URL('./x.ts', import.meta.url)` (how a file starts another as a child process). Package
 * specifiers are left out: the rules are about the project's own folders.
 */
function relativeSpecifiers(source: string): string[] {
	const patterns = [
		/\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
		/\bimport\s*['"]([^'"]+)['"]/g,
		/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
		/\bnew URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g,
	];
	const found = patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1] as string));
	return [...new Set(found.filter((specifier) => specifier.startsWith('./') || specifier.startsWith('../')))];
}

/** The src/lib folder (stage) a project path belongs to, if any: `src/lib/run/ask-model.ts` → `src/lib/run`. */
function stageOf(file: string): string | undefined {
	const [first, second, third, ...rest] = file.split('/');
	return first === 'src' && second === 'lib' && third !== undefined && rest.length > 0 ? `src/lib/${third}` : undefined;
}

/** The stage-level graph: an edge from one src/lib folder to another when a file of the first imports the second. */
function stageGraph(edges: readonly ImportEdge[]): Map<string, Set<string>> {
	const graph = new Map<string, Set<string>>();
	for (const { from, to } of edges) {
		const source = stageOf(from);
		const target = stageOf(to);
		if (source === undefined || target === undefined || source === target) continue;
		if (!graph.has(source)) graph.set(source, new Set());
		graph.get(source)?.add(target);
	}
	return graph;
}

/**
 * Every cycle of the graph, one per strongly connected component of more than one node (Tarjan), told as
 * a path that starts and ends at the component's first node in sort order: `a → b → a`.
 */
function findCycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
	const nodes = [...new Set([...graph.keys(), ...[...graph.values()].flatMap((targets) => [...targets])])].sort();
	const index = new Map<string, number>();
	const low = new Map<string, number>();
	const stack: string[] = [];
	const onStack = new Set<string>();
	const components: string[][] = [];
	const visit = (node: string): void => {
		index.set(node, index.size);
		low.set(node, index.get(node) as number);
		stack.push(node);
		onStack.add(node);
		for (const next of [...(graph.get(node) ?? [])].sort()) {
			if (!index.has(next)) {
				visit(next);
				low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
			} else if (onStack.has(next)) {
				low.set(node, Math.min(low.get(node) as number, index.get(next) as number));
			}
		}
		if (low.get(node) === index.get(node)) {
			const component: string[] = [];
			let member: string;
			do {
				member = stack.pop() as string;
				onStack.delete(member);
				component.push(member);
			} while (member !== node);
			if (component.length > 1) components.push(component.sort());
		}
	};
	for (const node of nodes) if (!index.has(node)) visit(node);
	return components.map((component) => cycleThrough(graph, component)).sort((a, b) => a.join().localeCompare(b.join()));
}

/** The shortest path from the component's first node back to itself, staying inside the component. */
function cycleThrough(graph: ReadonlyMap<string, ReadonlySet<string>>, component: readonly string[]): string[] {
	const start = component[0] as string;
	const members = new Set(component);
	const previous = new Map<string, string>();
	const queue = [start];
	while (queue.length > 0) {
		const node = queue.shift() as string;
		for (const next of [...(graph.get(node) ?? [])].sort()) {
			if (!members.has(next)) continue;
			if (next === start) {
				const path = [start];
				for (let at: string | undefined = node; at !== undefined && at !== start; at = previous.get(at)) path.splice(1, 0, at);
				return [...path, start];
			}
			if (!previous.has(next)) {
				previous.set(next, node);
				queue.push(next);
			}
		}
	}
	return [...component, start];
}

/** Every .ts, .mts, .mjs and .astro file under `folder`, relative to the project root, sorted. */
async function sourceFiles(folder: string): Promise<string[]> {
	const entries = await readdir(path.join(PROJECT_ROOT, folder), { recursive: true, withFileTypes: true });
	return entries
		.filter((entry) => entry.isFile() && /\.(ts|mts|mjs|astro)$/.test(entry.name))
		.map((entry) => path.relative(PROJECT_ROOT, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
		.sort();
}

/** The project's own imports from every scanned file. */
async function projectImports(): Promise<ImportEdge[]> {
	const files = [...(await Promise.all(SCANNED.map(sourceFiles))).flat(), ...ROOT_FILES];
	const edges: ImportEdge[] = [];
	for (const file of files) {
		const source = await readFile(path.join(PROJECT_ROOT, file), 'utf8');
		for (const specifier of relativeSpecifiers(source))
			edges.push({ from: file, to: path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)) });
	}
	return edges;
}

const under = (folder: string) => (file: string) => file === folder || file.startsWith(`${folder}/`);

describe('reading imports', () => {
	it.each([
		{ source: "import { a } from './a.ts';", expected: ['./a.ts'] },
		{ source: "import type { B } from '../b/b.ts';\nexport { c } from './c.ts';", expected: ['../b/b.ts', './c.ts'] },
		{ source: "import {\n\tx,\n\ty,\n} from '../x.ts';", expected: ['../x.ts'] },
		{ source: "import './side-effect.ts';\nconst m = await import('./lazy.ts');", expected: ['./side-effect.ts', './lazy.ts'] },
		{ source: "fork(new URL('./child.ts', import.meta.url));", expected: ['./child.ts'] },
		{ source: "import { z } from 'astro/zod';\nimport path from 'node:path';", expected: [] },
		{ source: "---\nimport Base from '../layouts/Base.astro';\n---\n<Base />", expected: ['../layouts/Base.astro'] },
	])('finds $expected in $source', ({ source, expected }) => {
		expect(relativeSpecifiers(source)).toEqual(expected);
	});
});

describe('finding cycles among the stages', () => {
	const edge = (from: string, to: string): ImportEdge => ({ from: `src/lib/${from}/x.ts`, to: `src/lib/${to}/y.ts` });
	it.each([
		{ name: 'a chain', edges: [edge('schema', 'files'), edge('run', 'schema')], cycles: [] },
		{ name: 'imports inside one stage', edges: [edge('run', 'run')], cycles: [] },
		{
			name: 'two stages importing each other',
			edges: [edge('run', 'tasks'), edge('tasks', 'run')],
			cycles: [['src/lib/run', 'src/lib/tasks', 'src/lib/run']],
		},
		{
			name: 'a cycle of three beside a chain',
			edges: [edge('report', 'policy'), edge('policy', 'metrics'), edge('metrics', 'report'), edge('metrics', 'schema')],
			cycles: [['src/lib/metrics', 'src/lib/report', 'src/lib/policy', 'src/lib/metrics']],
		},
		{
			name: 'two separate cycles',
			edges: [edge('a', 'b'), edge('b', 'a'), edge('c', 'd'), edge('d', 'c')],
			cycles: [
				['src/lib/a', 'src/lib/b', 'src/lib/a'],
				['src/lib/c', 'src/lib/d', 'src/lib/c'],
			],
		},
		{
			name: 'files outside src/lib',
			edges: [
				{ from: 'src/pages/index.astro', to: 'src/lib/site/x.ts' },
				{ from: 'src/lib/site/x.ts', to: 'src/pages/y.ts' },
			],
			cycles: [],
		},
	])('reports $cycles for $name', ({ edges, cycles }) => {
		expect(findCycles(stageGraph(edges))).toEqual(cycles);
	});
});

describe('the project layout', async () => {
	const edges = await projectImports();
	const shown = (list: readonly ImportEdge[]) => list.map(({ from, to }) => `${from} imports ${to}`);

	it('sees the imports of every scanned folder, or the rules below would pass on nothing', () => {
		for (const folder of SCANNED)
			expect(
				edges.some((e) => under(folder)(e.from)),
				folder,
			).toBe(true);
		expect(stageGraph(edges).size).toBeGreaterThan(5);
	});

	it('has no import cycle among the src/lib stages', () => {
		// Each step of a cycle is told with one import that makes it, so the failure says where to cut.
		const witness = (from: string, to: string) => edges.find((e) => stageOf(e.from) === from && stageOf(e.to) === to);
		const told = findCycles(stageGraph(edges)).map((cycle) =>
			cycle
				.slice(1)
				.map(
					(to, step) =>
						`${cycle[step]} → ${to} (${witness(cycle[step] as string, to)?.from} imports ${witness(cycle[step] as string, to)?.to})`,
				)
				.join('; '),
		);
		expect(told).toEqual([]);
	});

	it('imports nothing from tests/ outside tests/', () => {
		expect(shown(edges.filter((e) => under('tests')(e.to)))).toEqual([]);
	});

	it('keeps src/ free of testing/ and bench/', () => {
		expect(shown(edges.filter((e) => under('src')(e.from) && (under('testing')(e.to) || under('bench')(e.to))))).toEqual([]);
	});
});
