import { createHash } from 'node:crypto';
import { type Case, CaseSchema } from '../../src/lib/schema/case.ts';
import type { FakeRequest } from '../../testing/fake-ollama/server.ts';
import { fixtureCases, rightAnswer } from '../../testing/workspace.ts';

// Harness benchmarks need many cases, and a case must come from a real commit: these are the hand-checked
// fixture cases cloned with distinct ids, commits and a marker in their input, so each is distinct,
// valid against `CaseSchema`, and findable from its prompt in O(prompt length). They live only in the
// benchmark's temporary folders: they are never evidence.

const sha = (text: string) => createHash('sha1').update(text).digest('hex');

/** The marker's form in a diff's `index` line: seven hex digits, as git abbreviates a blob. */
const markerHex = (index: number) => (0x1000000 + index).toString(16);

/** Where a generated case's marker sits in its prompt: the diff's `index` line, or the intent's last line. */
const MARKER = /^index [0-9a-f]+\.\.([0-9a-f]{7})|^Perf-Case: (\d+)$/m;

/** Clones the fixture `base` as the `index`-th generated case. */
function cloneCase(base: Case, index: number): Case {
	const copy = structuredClone(base);
	const commit = sha(`perf-case-${index}-${base.id}`);
	copy.id = `${base.role}-${base.task}-${commit.slice(0, 12)}`;
	copy.source = { ...copy.source, commit, parent: sha(`perf-parent-${index}-${base.id}`), subject: `${copy.source.subject} (#${index})` };
	if ('diff' in copy.input) {
		const marked = copy.input.diff.replace(/^(index [0-9a-f]+\.\.)[0-9a-f]+/m, `$1${markerHex(index)}`);
		if (marked === copy.input.diff) throw new Error(`fixture ${base.id} has no \`index\` line to carry the marker.`);
		copy.input = { ...copy.input, diff: marked };
	} else {
		copy.input.intent = `${copy.input.intent}\n\nPerf-Case: ${index}`;
	}
	return CaseSchema.parse(copy);
}

/** `count` distinct valid cases, cloned round-robin from the fixtures (so every task is represented). */
export async function generateCases(count: number): Promise<Case[]> {
	const fixtures = await fixtureCases();
	return Array.from({ length: count }, (_, index) => cloneCase(fixtures[index % fixtures.length]!, index));
}

/**
 * A fake-Ollama script that answers every generated case right, at once: the case is found from the
 * marker in its prompt, and the answer is precomputed, so the fake spends next to nothing per call.
 */
export function rightAnswerResponder(
	cases: readonly Case[],
): (request: FakeRequest) => { content: string; evalCount: number; evalDurationMs: number } {
	const byMarker = new Map<string, string>();
	cases.forEach((testCase, index) => {
		const key = 'diff' in testCase.input ? markerHex(index) : String(index);
		byMarker.set(key, rightAnswer(testCase));
	});
	return (request) => {
		const text = request.messages.map((message) => message.content).join('\n');
		const match = MARKER.exec(text);
		const answer = match ? byMarker.get(match[1] ?? match[2]!) : undefined;
		if (answer === undefined) throw new Error(`no generated case matches the prompt: ${text.slice(0, 120)}`);
		return { content: answer, evalCount: 40, evalDurationMs: 400 };
	};
}
