import { readFile } from 'node:fs/promises';
import { type Document, LineCounter, isMap, isNode, isScalar, parseDocument } from 'yaml';
import { BOM, type RegistryIssue, bomIssue } from './registry-error.ts';

/** A parsed YAML file that can say on which line a field sits. */
export interface YamlFile {
	file: string;
	data: unknown;
	/** 1-based line of the node at `path`, or of its closest existing ancestor. */
	lineOf(path: readonly PropertyKey[]): number | undefined;
}

/**
 * Reads a YAML file with the YAML 1.2 core schema (dates stay strings, `no` stays a string).
 * Syntax errors come back as issues with their line, so they are reported with everything else.
 */
export async function readYamlFile(
	absolutePath: string,
	file: string,
): Promise<{ ok: true; value: YamlFile } | { ok: false; issues: RegistryIssue[] }> {
	let text: string;
	try {
		text = await readFile(absolutePath, 'utf8');
	} catch (cause) {
		const code = (cause as NodeJS.ErrnoException).code;
		return {
			ok: false,
			issues: [
				{
					file,
					field: '(file)',
					found: code === 'ENOENT' ? 'no such file' : `unreadable file (${code ?? String(cause)})`,
					expected: 'a readable YAML file',
					hint: code === 'ENOENT' ? `create ${file}; the README shows its fields` : undefined,
				},
			],
		};
	}
	// Named, not stripped: Astro's content layer reads the same file, and the owner should know what the editor wrote.
	if (text.startsWith(BOM))
		return { ok: false, issues: [bomIssue(file, 'save the file as UTF-8 without a BOM ("UTF-8", not "UTF-8 with BOM", in most editors)')] };
	const lineCounter = new LineCounter();
	const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
	if (doc.errors.length > 0) {
		return {
			ok: false,
			issues: doc.errors.map((error) => ({
				file,
				field: '(file)',
				line: error.linePos?.[0]?.line,
				found: `invalid YAML: ${error.message.split('\n')[0]}`,
				expected: 'well-formed YAML',
				hint: error.code === 'DUPLICATE_KEY' ? 'remove one of the two keys' : 'check indentation and quoting on that line',
			})),
		};
	}
	let data: unknown;
	try {
		data = doc.toJS();
	} catch (cause) {
		// The yaml package refuses a document whose aliases would expand beyond reason (an "alias bomb")
		// with a bare ReferenceError that names no file.
		const excessive = cause instanceof ReferenceError && /alias/i.test(cause.message);
		return {
			ok: false,
			issues: [
				{
					file,
					field: '(file)',
					found: excessive
						? 'aliases (*name) that expand to far more data than the file holds'
						: `YAML that cannot be read as data (${(cause as Error).message})`,
					expected: 'plain YAML data; aliases only where they expand to little',
					hint: excessive ? 'write the entries out instead of nesting aliases of aliases' : undefined,
				},
			],
		};
	}
	return {
		ok: true,
		value: {
			file,
			data,
			lineOf: lineLocator(doc, lineCounter),
		},
	};
}

/**
 * For a parsed YAML document: the 1-based line of the node at a path, or of its closest existing
 * ancestor; a mapping entry is found at its key rather than its value, which may start a line later.
 */
export function lineLocator(doc: Document, lineCounter: LineCounter): (path: readonly PropertyKey[]) => number | undefined {
	return (path) => {
		const last = path.at(-1);
		if (typeof last === 'string') {
			const parent = doc.getIn(path.slice(0, -1) as unknown[], true);
			if (isMap(parent)) {
				const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === last);
				if (pair && isNode(pair.key) && pair.key.range) return lineCounter.linePos(pair.key.range[0]).line;
			}
		}
		for (let depth = path.length; depth >= 0; depth--) {
			const node = doc.getIn(path.slice(0, depth) as unknown[], true);
			if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
		}
		return undefined;
	};
}
