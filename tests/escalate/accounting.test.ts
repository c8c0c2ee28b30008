import { beforeAll, describe, expect, it } from 'vitest';
import { frontierHttpFailure, ollamaStepFailure } from '../../src/lib/escalate/classify-failure.ts';
import { judgeEscalatedAnswer } from '../../src/lib/escalate/judge-answer.ts';
import { redactSecrets } from '../../src/lib/escalate/redact.ts';
import { renderEscalationSection } from '../../src/lib/escalate/render-escalations.ts';
import { summarizeEscalations, withStableEscalation } from '../../src/lib/escalate/summarize-escalations.ts';
import { type EscalationPolicy, triggersEscalation } from '../../src/lib/escalate/trigger.ts';
import { CallFailure } from '../../src/lib/run/model-client.ts';
import type { Case } from '../../src/lib/schema/case.ts';
import type { EscalationRecord, EscalationStepRecord } from '../../src/lib/schema/escalation.ts';
import type { CaseResult } from '../../src/lib/schema/report.ts';
import { fixtureCases, rightAnswer } from '../../testing/workspace.ts';
import { caseResult } from '../../testing/case-result.ts';

const POLICY: EscalationPolicy = {
	enabled: true,
	role: 'review',
	tasks: ['code-review', 'security-review'],
	chain: [
		{ provider: 'ollama', model: 'gpt-oss:120b-cloud' },
		{
			provider: 'anthropic',
			model: 'claude-sonnet-4-5',
			max_tokens: 4096,
			api_key_env: 'ANTHROPIC_API_KEY',
			base_url: 'https://api.anthropic.com',
		},
	],
	max_frontier_calls_per_run: 20,
};
const registry = (policy: EscalationPolicy = POLICY) => ({
	policy: { escalation: policy } as never,
	roles: [{ file: 'benchmarks/roles/review.yaml', role: { role: 'review', incumbent: 'gemma4:26b' } }] as never,
});

let cases: Case[];
let approveCase: Case;
let rejectCase: Case;
beforeAll(async () => {
	cases = await fixtureCases();
	approveCase = cases.find((c) => c.id === 'review-code-review-6436e71d6d67')!;
	rejectCase = cases.find((c) => c.id === 'review-code-review-6abd12283709')!;
});

function result(overrides: Partial<CaseResult> = {}): CaseResult {
	return caseResult({
		role: 'review',
		model: 'gemma4:26b',
		case_id: 'review-code-review-6abd12283709',
		task: 'code-review',
		severity: 'high',
		output: '{"verdict":"reject","findings":[]}',
		latency_ms: 900,
		ttft_ms: 100,
		eval_count: 40,
		eval_duration_ns: 4e8,
		prompt_eval_count: 300,
		load_ms: 50,
		cache_key: 'k',
		...overrides,
	});
}

function step(overrides: Partial<EscalationStepRecord> = {}): EscalationStepRecord {
	return {
		provider: 'ollama',
		model: 'gpt-oss:120b-cloud',
		outcome: 'answered',
		detail: null,
		latency_ms: 1200,
		input_tokens: 300,
		output_tokens: 40,
		cached: false,
		verdict: 'approve',
		accepted: true,
		output: '{"verdict":"approve"}',
		...overrides,
	};
}

function escalation(steps: EscalationStepRecord[], reference: 'approve' | 'reject'): EscalationRecord {
	const decided = steps.find((s) => s.outcome === 'answered');
	return {
		steps,
		decided_by: decided?.model ?? null,
		verdict: decided?.verdict ?? null,
		overturned: decided?.verdict === 'approve',
		reference_verdict: reference,
	};
}

describe('the escalation trigger', () => {
	it.each([
		['the incumbent rejecting a change on a code-review case', true, {}, 'reject'],
		['the incumbent rejecting without a finding on the lines (its answer fails a check)', true, { outcome: 'rejected' as const }, 'reject'],
		['the incumbent approving', false, {}, 'approve'],
		['a challenger rejecting', false, { model: 'llama3.1:8b' }, 'reject'],
		['the incumbent rejecting in another role', false, { role: 'draft' }, 'reject'],
		['a hard failure', false, { outcome: 'hard-failure' as const, failure_class: 'empty' as const }, 'reject'],
	] as const)('%s → escalated: %s', (_name, expected, overrides, verdict) => {
		// The right answer to each case carries its reference verdict.
		const testCase = verdict === 'reject' ? rejectCase : approveCase;
		expect(triggersEscalation(POLICY, 'gemma4:26b', result({ output: rightAnswer(testCase), ...overrides }), testCase)).toBe(expected);
	});

	it('does nothing when escalation is off or the task is not listed', () => {
		const rejecting = result({ output: rightAnswer(rejectCase) });
		expect(triggersEscalation({ ...POLICY, enabled: false }, 'gemma4:26b', rejecting, rejectCase)).toBe(false);
		expect(triggersEscalation({ ...POLICY, tasks: ['security-review'] }, 'gemma4:26b', rejecting, rejectCase)).toBe(false);
		expect(triggersEscalation(POLICY, undefined, rejecting, rejectCase)).toBe(false);
	});
});

describe('judging an escalated answer', () => {
	it('grades it with the case’s own checks and reads its verdict', async () => {
		expect(await judgeEscalatedAnswer(approveCase, rightAnswer(approveCase), null, { cases: [approveCase] })).toEqual({
			usable: true,
			verdict: 'approve',
			accepted: true,
		});
		expect(await judgeEscalatedAnswer(rejectCase, '{"verdict":"reject","findings":[]}', null, { cases: [rejectCase] })).toEqual({
			usable: true,
			verdict: 'reject',
			accepted: false,
		});
	});

	it('does not use an answer that is cut off, empty or not JSON', async () => {
		expect(await judgeEscalatedAnswer(approveCase, rightAnswer(approveCase), 'cut off at max_tokens 16', { cases: [approveCase] })).toEqual(
			{ usable: false, detail: 'cut off at max_tokens 16' },
		);
		expect(await judgeEscalatedAnswer(approveCase, '', null, { cases: [approveCase] })).toMatchObject({
			usable: false,
			detail: expect.stringContaining('empty'),
		});
		expect(await judgeEscalatedAnswer(approveCase, 'Looks fine to me.', null, { cases: [approveCase] })).toMatchObject({
			usable: false,
			detail: expect.stringContaining('unparseable'),
		});
	});
});

describe('step outcomes', () => {
	const ollamaFailure = (status: number, error: string) =>
		new CallFailure(status === 404 ? 'model-missing' : 'server-error', status === 404 ? error : `HTTP ${status}: ${error}`, {
			cause: Object.assign(new Error(error), { name: 'ResponseError', status_code: status, error }),
		});

	it.each([
		[401, 'unauthorized', 'unauthorized'],
		[429, "you've reached your hourly usage limit, please wait or upgrade to continue", 'quota'],
		[403, 'cloud is disabled: remote model is unavailable', 'unavailable'],
		[502, 'Post "https://ollama.com:443/api/chat?ts=1": dial tcp: lookup ollama.com: no such host', 'unavailable'],
		[404, "model 'gpt-oss:120b-cloud' not found", 'unavailable'],
		[500, 'llama runner process has terminated', 'error'],
		[400, 'invalid format', 'error'],
	])('Ollama HTTP %i → %s', (status, error, outcome) => {
		expect(ollamaStepFailure(ollamaFailure(status, error), 'gpt-oss:120b-cloud').outcome).toBe(outcome);
	});

	it('Ollama: not signed in says how to sign in; transport is unavailable; timeouts and stalls are errors', () => {
		expect(ollamaStepFailure(ollamaFailure(401, 'unauthorized'), 'gpt-oss:120b-cloud').detail).toContain('ollama signin');
		expect(ollamaStepFailure(new CallFailure('transport', 'http://127.0.0.1:1: connection refused'), 'm').outcome).toBe('unavailable');
		expect(ollamaStepFailure(new CallFailure('timeout', 'the call took longer'), 'm').outcome).toBe('error');
		expect(ollamaStepFailure(new CallFailure('stall', 'no token'), 'm').outcome).toBe('error');
	});

	it.each([
		[401, 'unauthorized'],
		[403, 'unauthorized'],
		[429, 'quota'],
		[529, 'unavailable'],
		[503, 'unavailable'],
		[500, 'error'],
		[400, 'error'],
		[404, 'error'],
	])('frontier HTTP %i → %s', (status, outcome) => {
		expect(frontierHttpFailure(status, 'some_error', 'said').outcome).toBe(outcome);
	});
});

describe('key redaction', () => {
	it('replaces every occurrence of a key and leaves short strings alone', () => {
		expect(redactSecrets('a sk-ant-XYZ12345 b sk-ant-XYZ12345', ['sk-ant-XYZ12345'])).toBe('a [redacted] b [redacted]');
		expect(redactSecrets('an error', ['an', undefined, ''])).toBe('an error');
	});
});

describe('escalation accounting', () => {
	it('counts escalations, overturns (right and wrong), each step and the frontier, apart from the incumbent', () => {
		const results = [
			// A false alarm the cloud model overturns: right.
			result({ case_id: 'a', outcome: 'rejected', escalation: escalation([step()], 'approve'), tags: ['turbo-escalation'] }),
			// A real bug: the cloud is not signed in, the frontier upholds the rejection.
			result({
				case_id: 'b',
				escalation: escalation(
					[
						step({
							outcome: 'unauthorized',
							detail: 'not signed in',
							latency_ms: 12,
							input_tokens: 0,
							output_tokens: 0,
							verdict: null,
							accepted: null,
							output: '',
						}),
						step({ provider: 'anthropic', model: 'claude-sonnet-4-5', verdict: 'reject', input_tokens: 900, output_tokens: 60 }),
					],
					'reject',
				),
			}),
			// A real bug the frontier wrongly approves, from the cache.
			result({
				case_id: 'c',
				escalation: escalation(
					[
						step({
							outcome: 'quota',
							detail: 'limit',
							latency_ms: 9,
							input_tokens: 0,
							output_tokens: 0,
							verdict: null,
							accepted: null,
							output: '',
						}),
						step({
							provider: 'anthropic',
							model: 'claude-sonnet-4-5',
							verdict: 'approve',
							accepted: false,
							cached: true,
							input_tokens: 800,
							output_tokens: 50,
						}),
					],
					'reject',
				),
			}),
			// Nobody could answer.
			result({
				case_id: 'd',
				escalation: escalation(
					[
						step({
							outcome: 'unavailable',
							detail: 'not pulled',
							latency_ms: null,
							input_tokens: 0,
							output_tokens: 0,
							verdict: null,
							accepted: null,
							output: '',
						}),
						step({
							provider: 'anthropic',
							model: 'claude-sonnet-4-5',
							outcome: 'skipped-budget',
							detail: 'budget',
							latency_ms: null,
							input_tokens: 0,
							output_tokens: 0,
							verdict: null,
							accepted: null,
							output: '',
						}),
					],
					'reject',
				),
			}),
			// Approved by the incumbent: not escalated, but counted among its results.
			result({ case_id: 'e', output: '{"verdict":"approve"}' }),
			// Not the incumbent, not the role: not counted at all.
			result({ case_id: 'f', model: 'llama3.1:8b', escalation: escalation([step()], 'approve') }),
			result({ case_id: 'g', role: 'draft', task: 'commit-message' }),
		];
		const summary = summarizeEscalations(registry(), results);
		expect(summary).toEqual({
			role: 'review',
			incumbent: 'gemma4:26b',
			tasks: ['code-review', 'security-review'],
			results: 5,
			escalations: 4,
			escalation_rate: 0.8,
			resolved: 3,
			overturned: 2,
			overturn_rate: 0.6667,
			overturned_right: 1,
			overturned_wrong: 1,
			steps: [
				{
					provider: 'ollama',
					model: 'gpt-oss:120b-cloud',
					outcomes: { answered: 1, unauthorized: 1, quota: 1, unavailable: 1 },
					calls: 3,
					cached: 0,
					input_tokens: 300,
					output_tokens: 40,
				},
				{
					provider: 'anthropic',
					model: 'claude-sonnet-4-5',
					outcomes: { answered: 2, 'skipped-budget': 1 },
					calls: 1,
					cached: 1,
					input_tokens: 1700,
					output_tokens: 110,
				},
			],
			frontier: { calls: 1, cached: 1, input_tokens: 1700, output_tokens: 110, budget: 20 },
		});
		expect(summarizeEscalations(registry({ ...POLICY, enabled: false }), results)).toBeUndefined();
	});

	it('has no rates without a denominator', () => {
		expect(summarizeEscalations(registry(), [])).toMatchObject({ results: 0, escalations: 0, escalation_rate: null, overturn_rate: null });
	});

	it('renders the report section with the live numbers', () => {
		const summary = summarizeEscalations(registry(), [
			result({ case_id: 'a', outcome: 'rejected', escalation: escalation([step()], 'approve') }),
			result({
				case_id: 'b',
				escalation: escalation(
					[
						step({
							outcome: 'unauthorized',
							detail: 'x',
							latency_ms: 12,
							input_tokens: 0,
							output_tokens: 0,
							verdict: null,
							accepted: null,
							output: '',
						}),
						step({ provider: 'anthropic', model: 'claude-sonnet-4-5', verdict: 'reject', input_tokens: 900, output_tokens: 60 }),
					],
					'reject',
				),
			}),
			result({ case_id: 'c', output: '{"verdict":"approve"}' }),
		]);
		expect(renderEscalationSection(summary).join('\n')).toMatchInlineSnapshot(`
			"## Turbo escalation

			When \`gemma4:26b\`, the \`review\` incumbent, rejects a change on a \`code-review\` or \`security-review\` case, the chain below is asked in order until a step answers. Escalations never change the incumbent's own metrics above.

			2 of the 3 code-review or security-review results of gemma4:26b, the review incumbent, were rejections (66.7 %), and each was escalated. The chain gave a verdict on 2 of them and overturned 1 (50 %): 1 on a change the history shows was clean, 0 on a change a later commit had to fix. The frontier API was called 1 time (budget 20 per run), for 900 input and 60 output tokens.

			| Step | Provider | Model | Answered | Not authorized | Calls | Tokens in / out |
			|---|---|---|---|---|---|---|
			| 1 | ollama | gpt-oss:120b-cloud | 1 | 1 | 2 | 300 / 40 |
			| 2 | anthropic | claude-sonnet-4-5 | 1 | 0 | 1 | 900 / 60 |
			"
		`);
		expect(renderEscalationSection(undefined)).toEqual([
			'## Turbo escalation',
			'',
			'Escalation was turned off in the policy for this run.',
			'',
		]);
	});

	it('keeps out of the evidence hash only what changes between identical runs', () => {
		const first = result({
			escalation: escalation(
				[
					step({ outcome: 'unauthorized', detail: 'ts=1', latency_ms: 12, verdict: null, accepted: null }),
					step({ cached: false, latency_ms: 800 }),
				],
				'approve',
			),
		});
		const second = result({
			escalation: escalation(
				[
					step({ outcome: 'unauthorized', detail: 'ts=2', latency_ms: 15, verdict: null, accepted: null }),
					step({ cached: true, latency_ms: 800 }),
				],
				'approve',
			),
		});
		expect(withStableEscalation(first)).toEqual(withStableEscalation(second));
		const otherVerdict = result({
			escalation: escalation(
				[step({ outcome: 'unauthorized', verdict: null, accepted: null }), step({ verdict: 'reject', output: 'x' })],
				'approve',
			),
		});
		expect(withStableEscalation(otherVerdict)).not.toEqual(withStableEscalation(first));
		expect(withStableEscalation(result())).toEqual(result());
	});
});
