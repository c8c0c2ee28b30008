import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import type { Case } from '../../src/lib/schema/case.ts';
import type { FakeModel } from '../../testing/fake-ollama/server.ts';
import { type Behaviour, rightAnswer, scriptedResponder, wrongAnswer } from '../../testing/workspace.ts';
import type { MessagesCall, MessagesReply } from '../../testing/fake-anthropic.ts';

/** The first step of the seed policy's chain. */
export const CLOUD = 'gpt-oss:120b-cloud';
/** A clean change (reference: approve). */
export const CLEAN_CASE = 'review-code-review-6436e71d6d67';
/** Changes a later commit had to fix (reference: reject). */
export const BUG_CASES = ['review-code-review-6abd12283709', 'review-security-review-e9577da0d61b'];

/** The six models of the seed registry; the review incumbent `gemma4:26b` raises a false alarm on the clean case. */
export function seedModels(cases: readonly Case[]): FakeModel[] {
	const scripts: Record<string, Record<string, Behaviour>> = {
		'gemma4:latest': {},
		'llama3.1:8b': {},
		'granite3.3:8b': {},
		'deepseek-r1:14b': {},
		'gemma4:26b': { [CLEAN_CASE]: 'wrong' },
		'qwen2.5-coder:14b': {},
	};
	return Object.entries(scripts).map(([name, behaviours]) => ({ name, respond: scriptedResponder(cases, behaviours) }));
}

/** The fixture case whose diff is in the text. */
export function caseInText(text: string, cases: readonly Case[]): Case {
	const found = cases.find((testCase) => 'diff' in testCase.input && text.includes(testCase.input.diff));
	if (!found) throw new Error(`no fixture review case in: ${text.slice(0, 120)}`);
	return found;
}

/** A frontier script: per case id right (the default), wrong, or a reply of its own. */
export function frontierScript(
	cases: readonly Case[],
	behaviours: Record<string, 'right' | 'wrong' | MessagesReply> = {},
	usage = { inputTokens: 1000, outputTokens: 50 },
) {
	return (call: MessagesCall): MessagesReply => {
		const testCase = caseInText(call.messages.map((message) => message.content).join('\n'), cases);
		const behaviour = behaviours[testCase.id] ?? 'right';
		if (behaviour === 'right') return { text: rightAnswer(testCase), ...usage };
		if (behaviour === 'wrong') return { text: wrongAnswer(testCase), ...usage };
		return behaviour;
	};
}

/** Edits the workspace's policy.yaml. */
export async function editPolicy(
	root: string,
	change: (policy: { escalation: Record<string, unknown> & { chain: Record<string, unknown>[] } } & Record<string, unknown>) => void,
): Promise<void> {
	const file = path.join(root, 'benchmarks', 'policy.yaml');
	const policy = parse(await readFile(file, 'utf8'));
	change(policy);
	await writeFile(file, stringify(policy));
}

/** Points the frontier step of the workspace's chain at `baseUrl`, optionally with a budget. */
export async function pointFrontierAt(root: string, baseUrl: string, budget?: number): Promise<void> {
	await editPolicy(root, (policy) => {
		const frontier = policy.escalation.chain.find((step) => step.provider === 'anthropic');
		if (!frontier) throw new Error('the seed policy has no anthropic step');
		frontier.base_url = baseUrl;
		if (budget !== undefined) policy.escalation.max_frontier_calls_per_run = budget;
	});
}
