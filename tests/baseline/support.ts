import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import type { Case } from '../../src/lib/schema/case.ts';
import { type MessagesCall, type MessagesReply } from '../../testing/fake-anthropic.ts';
import { rightAnswer, wrongAnswer } from '../../testing/workspace.ts';

/** The baseline every test names: an alias the fake resolves to a dated id. */
export const BASELINE = 'claude-sonnet-4-5';
export const BASELINE_ID = 'claude-sonnet-4-5-20250929';

/**
 * Gives the workspace a frontier baseline: the model in models.yaml (paid, priced $3 / $15 per million
 * tokens unless `prices` is false), `baseline:` on the named roles, and a policy `baseline` section
 * pointing at `baseUrl`. Escalation is turned off so every frontier call is the baseline's.
 */
export async function configureBaseline(
	root: string,
	baseUrl: string,
	options: { roles?: string[]; settings?: Record<string, unknown>; prices?: boolean } = {},
): Promise<void> {
	const models = path.join(root, 'benchmarks', 'models.yaml');
	const catalog = (parse(await readFile(models, 'utf8')) as Record<string, unknown>[]).filter((entry) => entry.id !== BASELINE);
	catalog.push({
		id: BASELINE,
		family: 'anthropic-claude',
		cost_tier: 'paid',
		provider: 'anthropic',
		...(options.prices === false ? {} : { price_per_mtok_in: 3, price_per_mtok_out: 15 }),
	});
	await writeFile(models, stringify(catalog));
	for (const role of options.roles ?? ['draft', 'review']) {
		const file = path.join(root, 'benchmarks', 'roles', `${role}.yaml`);
		const entry = parse(await readFile(file, 'utf8')) as Record<string, unknown>;
		entry.baseline = BASELINE;
		await writeFile(file, stringify(entry));
	}
	const policyFile = path.join(root, 'benchmarks', 'policy.yaml');
	const policy = parse(await readFile(policyFile, 'utf8')) as Record<string, Record<string, unknown>>;
	policy.escalation!.enabled = false;
	policy.baseline = { base_url: baseUrl, max_calls_per_run: 10, ...options.settings };
	await writeFile(policyFile, stringify(policy));
}

/** The fixture case a Messages request is about (its diff or intent is in the prompt). */
export function caseAsked(call: MessagesCall, cases: readonly Case[]): Case {
	const text = [call.system, ...call.messages.map((message) => message.content)].join('\n');
	const found = cases.find((testCase) => text.includes('diff' in testCase.input ? testCase.input.diff : testCase.input.intent));
	if (!found) throw new Error(`no fixture case in: ${text.slice(0, 120)}`);
	return found;
}

/** A frontier script: per case id right (default), wrong, or a reply of its own; 1000 tokens in, 100 out. */
export function baselineScript(cases: readonly Case[], behaviours: Record<string, 'right' | 'wrong' | MessagesReply> = {}) {
	return (call: MessagesCall): MessagesReply => {
		const testCase = caseAsked(call, cases);
		const behaviour = behaviours[testCase.id] ?? 'right';
		if (behaviour === 'right') return { text: rightAnswer(testCase), inputTokens: 1000, outputTokens: 100 };
		if (behaviour === 'wrong') return { text: wrongAnswer(testCase), inputTokens: 1000, outputTokens: 100 };
		return behaviour;
	};
}

/** Sets `evidence.sequential` in the workspace's policy.yaml (`off` to ask every sampled case, as a cap test needs). */
export async function setSequential(root: string, mode: 'off' | 'curtail' | 'anytime'): Promise<void> {
	const policyFile = path.join(root, 'benchmarks', 'policy.yaml');
	const policy = parse(await readFile(policyFile, 'utf8')) as { evidence: Record<string, unknown> };
	policy.evidence.sequential = mode;
	await writeFile(policyFile, stringify(policy));
}
