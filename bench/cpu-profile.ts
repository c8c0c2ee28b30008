// `node bench/cpu-profile.ts FILE.cpuprofile… [--top N]`: the functions with the most self time in V8
// CPU profiles (`node --cpu-prof`), summed over every file given (a build's main process and its
// workers each write one). What a profile viewer shows first, as text to read in a terminal.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseCommandLineWithPositionals } from '../scripts/command-line.ts';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	hitCount?: number;
}

interface CpuProfile {
	nodes: ProfileNode[];
	startTime: number;
	endTime: number;
	samples: number[];
	timeDeltas: number[];
}

const usage = 'usage: node bench/cpu-profile.ts FILE.cpuprofile… [--top N]';
const { values, positionals: files } = parseCommandLineWithPositionals(usage, { top: { type: 'string' } });
const top = Number(values.top ?? 40);
if (files.length === 0 || !(Number.isInteger(top) && top > 0)) {
	console.error(`expected one or more .cpuprofile files and --top a whole number above 0.\n${usage}`);
	process.exit(2);
}

const selfMs = new Map<string, number>();
const byFile = new Map<string, number>();
let totalMs = 0;
for (const file of files) {
	const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
	const nodeById = new Map(profile.nodes.map((node) => [node.id, node]));
	// Each sample is charged the time until the next one: the self time of the function on top of the stack.
	for (let index = 0; index < profile.samples.length; index++) {
		const node = nodeById.get(profile.samples[index]!);
		if (!node) continue;
		const ms = (profile.timeDeltas[index + 1] ?? 0) / 1000;
		const { functionName, url, lineNumber } = node.callFrame;
		const where = url ? `${shorten(url)}:${lineNumber + 1}` : '';
		const key = `${functionName || '(anonymous)'} ${where}`.trim();
		selfMs.set(key, (selfMs.get(key) ?? 0) + ms);
		const owner = url ? shortFile(url) : `(${functionName})`;
		byFile.set(owner, (byFile.get(owner) ?? 0) + ms);
		totalMs += ms;
	}
}

const table = (map: Map<string, number>, title: string) => {
	console.log(`\n${title}`);
	for (const [key, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
		console.log(`${(ms / 1000).toFixed(2).padStart(8)} s ${((100 * ms) / totalMs).toFixed(1).padStart(5)} %  ${key}`);
	}
};
console.log(`${files.length} profile(s), ${(totalMs / 1000).toFixed(1)} s sampled`);
table(selfMs, 'self time by function');
table(byFile, 'self time by file (or built-in category)');

/** A URL without the machine's folders: the part from `node_modules/` or `src/` on. */
function shorten(url: string): string {
	const text = url.replace(/^file:\/\//, '');
	const at = Math.max(text.lastIndexOf('node_modules/'), text.indexOf('/src/') >= 0 ? text.indexOf('/src/') + 1 : -1);
	return at >= 0 ? text.slice(at) : path.basename(text);
}

/** The package (or project file) a URL belongs to. */
function shortFile(url: string): string {
	const short = shorten(url);
	const match = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(short);
	return match ? match[1]! : short.split('?')[0]!;
}
