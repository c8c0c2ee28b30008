import { describe, expect, it } from 'vitest';
import type { BaselineOutcome, BaselineRoleRun } from '../../src/lib/baseline/run-baseline.ts';
import { renderSequentialSection, savedSentence, summarizeSequential } from '../../src/lib/report/sequential-summary.ts';
import { ModelSchema } from '../../src/lib/schema/model.ts';
import type { SequentialStop } from '../../src/lib/schema/report.ts';
import { caseResult } from '../../testing/case-result.ts';

const FRONTIER = 'claude-sonnet-4-5';
const catalog = (prices = true) =>
	new Map(
		[
			ModelSchema.parse({ id: 'keeper:8b', family: 'k' }),
			ModelSchema.parse({ id: 'hopeless:8b', family: 'h' }),
			ModelSchema.parse({
				id: FRONTIER,
				family: 'anthropic-claude',
				cost_tier: 'paid',
				provider: 'anthropic',
				...(prices ? { price_per_mtok_in: 3, price_per_mtok_out: 15 } : {}),
			}),
		].map((model) => [model.id, model]),
	);

const stop = (overrides: Partial<SequentialStop>): SequentialStop => ({
	role: 'draft',
	model: 'hopeless:8b',
	kind: 'challenger',
	answered: 4,
	read: 4,
	planned: 10,
	stopped: true,
	reason: 'settled: shown worse on acceptance_rate after 4 cases',
	test: 'curtailment',
	...overrides,
});

/** Answers with Ollama's durations: 2 s of generation and 0.5 s of prompt each, the first with a 1 s load. */
const hopelessResults = [0, 1, 2, 3].map((index) =>
	caseResult({
		model: 'hopeless:8b',
		case_id: `c${index}`,
		latency_ms: 2600,
		eval_duration_ns: 2e9,
		prompt_eval_duration_ns: 5e8,
		load_ms: index === 0 ? 1000 : null,
	}),
);

function baselineRole(notAsked: number, answers = 2): BaselineRoleRun {
	return {
		role: 'review',
		model: FRONTIER,
		answeredBy: `${FRONTIER}-20250929`,
		roleCases: 8,
		sampled: [],
		// 1000 tokens in at $3 and 100 out at $15 per million: $0.0045 an answer.
		answers: Array.from({ length: answers }, (_, index) => ({
			result: caseResult({ role: 'review', model: FRONTIER, case_id: `r${index}` }),
			usage: { input_tokens: 1000, output_tokens: 100, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
		})),
		notScored: 0,
		notAsked,
		skipped: null,
	};
}
const baseline = (role: BaselineRoleRun): BaselineOutcome => ({
	roles: [role],
	run: { stopped: null, billed_calls: role.answers.length, max_calls_per_run: 100, spent_usd: 0.009, budget_usd_per_run: null },
});

describe('what sequential evaluation saved', () => {
	it('counts the calls not made against a run of everything, and prices them in GPU seconds and dollars', () => {
		const summary = summarizeSequential({
			mode: 'curtail',
			stops: [stop({}), stop({ role: 'review', model: FRONTIER, kind: 'baseline', answered: 2, planned: 8, read: 2 })],
			notAsked: [{ role: 'draft', model: 'hopeless:8b', units: 6 }],
			results: [...hopelessResults, caseResult({ model: 'keeper:8b', eval_duration_ns: 9e9 })],
			modelCalls: 14,
			baseline: baseline(baselineRole(6)),
			catalog: catalog(),
		});
		// 14 local calls and 2 billed were made; 6 local and 6 billed were saved.
		expect(summary.saved.calls).toBe(12);
		expect(summary.saved.full_calls).toBe(28);
		// (1 + 4 × 2.5) s over 4 answers = 2.75 s a call, × 6 calls; the incumbent's time is not the challenger's.
		expect(summary.saved.gpu_s).toBe(16.5);
		expect(summary.saved.usd).toBeCloseTo(6 * 0.0045, 9);
		expect(savedSentence(summary)).toBe(
			'12 model calls saved of 28 a run of every case would have made (42.9 %); GPU seconds saved: 16.5 s; frontier dollars saved: $0.0270.',
		);
	});

	it('says "not measured" and "price not set", never 0, where a figure cannot be known', () => {
		const summary = summarizeSequential({
			mode: 'anytime',
			stops: [stop({}), stop({ role: 'review', model: FRONTIER, kind: 'baseline' })],
			notAsked: [{ role: 'draft', model: 'hopeless:8b', units: 6 }],
			// Answers without durations (a server that did not say them).
			results: hopelessResults.map((result) => ({ ...result, eval_duration_ns: 0, prompt_eval_duration_ns: 0, load_ms: null })),
			modelCalls: 14,
			baseline: baseline(baselineRole(6)),
			catalog: catalog(false),
		});
		expect(summary.saved).toMatchObject({ gpu_s: null, usd: null });
		expect(savedSentence(summary)).toContain('GPU seconds saved: not measured; frontier dollars saved: price not set.');
	});

	it('says nothing was saved where nothing stopped', () => {
		const summary = summarizeSequential({
			mode: 'curtail',
			stops: [stop({ stopped: false, answered: 10, read: 10, reason: 'ran every case' })],
			notAsked: [],
			results: hopelessResults,
			modelCalls: 20,
			catalog: catalog(),
		});
		expect(summary.saved).toEqual({ calls: 0, full_calls: 20, gpu_s: null, usd: null });
		expect(savedSentence(summary)).toBe(
			'0 model calls saved of 20 a run of every case would have made (0 %); GPU seconds saved: none (no local model stopped); frontier dollars saved: none (no baseline stopped).',
		);
	});

	it('writes the report body’s section: per role and model, answered of planned and why', () => {
		const summary = summarizeSequential({
			mode: 'curtail',
			stops: [
				stop({ reason: 'settled | shown worse' }),
				stop({ role: 'review', model: FRONTIER, kind: 'baseline', stopped: false, answered: 8, planned: 8, reason: 'ran every case' }),
			],
			notAsked: [{ role: 'draft', model: 'hopeless:8b', units: 6 }],
			results: hopelessResults,
			modelCalls: 14,
			catalog: catalog(),
		});
		expect(renderSequentialSection(summary).join('\n')).toBe(
			[
				'## Stopped early',
				'',
				`Sequential evaluation (\`evidence.sequential: curtail\`): a challenger or a frontier baseline whose verdict was settled was asked no further case. ${savedSentence(summary)}`,
				'',
				'| Role | Model | Answered | Reason |',
				'|---|---|---|---|',
				'| `draft` | hopeless:8b | 4 of 10 | settled \\| shown worse |',
				`| \`review\` | ${FRONTIER} (frontier baseline) | 8 of 8 | ran every case |`,
				'',
			].join('\n'),
		);
		expect(renderSequentialSection(undefined)).toEqual([]);
	});
});
