import { describe, expect, it } from 'vitest';
import { contextShiftPromptLimit, evaluateAnswer } from '../../src/lib/run/evaluate-answer.ts';
import type { CallOptions, ChatAnswer } from '../../src/lib/run/model-client.ts';
import { gradeContexts, promptTokens, taskFor } from '../../src/lib/tasks/index.ts';
import type { Prompt } from '../../src/lib/tasks/task-definition.ts';
import { fixtureCases, rightAnswer } from '../../testing/workspace.ts';

const options: CallOptions = { num_ctx: 8192, num_predict: 512, temperature: 0, seed: 42, think: true };
const base: ChatAnswer = {
	content: '',
	thinking: '',
	doneReason: 'stop',
	latencyMs: 100,
	ttftMs: 10,
	evalCount: 20,
	evalDurationNs: 1e8,
	promptEvalCount: 300,
	loadDurationNs: 0,
};

describe('how an unusable answer is classed', () => {
	it.each([
		[
			'thinking that used the whole budget',
			{ thinking: 'Let me think at length.', content: '', doneReason: 'length' },
			'thinking-exhausted',
		],
		['some thinking, then a stop with no content', { thinking: 'The diff renames a flag.', content: '', doneReason: 'stop' }, 'empty'],
		['nothing at all', { content: '', doneReason: 'stop' }, 'empty'],
		['only whitespace after thinking', { thinking: 'Hmm.', content: '  \n', doneReason: 'stop' }, 'empty'],
		['an answer cut off at num_predict', { content: 'Strip diacritics before', doneReason: 'length' }, 'length'],
	] as const)('%s → %s', async (_label, reply, failureClass) => {
		const [testCase] = (await fixtureCases()).filter((entry) => entry.task === 'commit-message');
		const evaluation = await evaluateAnswer(
			testCase!,
			taskFor(testCase!.task),
			{ ...base, ...reply },
			options,
			gradeContexts([testCase!])(testCase!.task),
		);
		expect(evaluation.outcome).toBe('hard-failure');
		expect(evaluation.failureClass).toBe(failureClass);
		expect(evaluation.failureMessage).toContain(`done_reason ${reply.doneReason}`);
	});

	it('grades a thinking model’s content as any other answer', async () => {
		const [testCase] = (await fixtureCases()).filter((entry) => entry.task === 'commit-message');
		const evaluation = await evaluateAnswer(
			testCase!,
			taskFor(testCase!.task),
			{ ...base, thinking: 'Short.', content: rightAnswer(testCase!) },
			options,
			gradeContexts([testCase!])(testCase!.task),
		);
		expect(evaluation.outcome).toBe('accepted');
	});
});

describe('what the server counted of the prompt', () => {
	const numCtx = 8192;
	const cutAt = contextShiftPromptLimit(numCtx, 5);

	async function judged(answer: Partial<ChatAnswer>, format?: Record<string, unknown>) {
		const [testCase] = (await fixtureCases()).filter((entry) => entry.task === 'commit-message');
		const task = taskFor(testCase!.task);
		// A prompt of about 6,000 estimated tokens: it fits 8,192 with room for the 512-token answer.
		const built = task.buildPrompt(testCase!);
		const prompt: Prompt = {
			...built,
			...(format ? { format } : {}),
			messages: [...built.messages, { role: 'user' as const, content: 'z'.repeat(20_000) }],
		};
		const estimate = promptTokens(prompt);
		const evaluation = await evaluateAnswer(
			testCase!,
			task,
			{ ...base, content: rightAnswer(testCase!), ...answer },
			{ ...options, num_ctx: numCtx },
			gradeContexts([testCase!])(testCase!.task),
			prompt,
		);
		return { evaluation, estimate };
	}

	it('knows Ollama’s cut: num_ctx − ⌊(num_ctx − num_keep) / 2⌋, as llm/llama_server.go tests it', () => {
		expect(contextShiftPromptLimit(8, 3)).toBe(6);
		expect(contextShiftPromptLimit(4096, 4)).toBe(2050);
		expect(contextShiftPromptLimit(4096, 5)).toBe(2051);
		expect(contextShiftPromptLimit(8, 99)).toBe(7);
		expect(contextShiftPromptLimit(8, -1)).toBe(4);
		expect(contextShiftPromptLimit(1, 0)).toBe(0);
	});

	it('classes a right answer to a prompt cut to half of num_ctx as context-overflow, never graded', async () => {
		const { evaluation, estimate } = await judged({ promptEvalCount: cutAt });
		expect(estimate).toBeGreaterThan(cutAt / 0.8);
		expect(evaluation.outcome).toBe('hard-failure');
		expect(evaluation.failureClass).toBe('context-overflow');
		expect(evaluation.failureMessage).toContain(`it evaluated ${cutAt} tokens`);
	});

	it('grades the same answer when the server counted the whole prompt (a tokenizer a little lighter than the estimate)', async () => {
		const { evaluation, estimate } = await judged({ promptEvalCount: 0 });
		for (const share of [0.85, 0.95, 1]) {
			const { evaluation: whole } = await judged({ promptEvalCount: Math.round(estimate * share) });
			expect(whole.outcome, `${share}`).toBe('accepted');
		}
		expect(evaluation.outcome).toBe('accepted'); // no count (a cached answer from an API that gives none): nothing to read
	});

	it('does not take a small prompt that happens to sit at half of num_ctx for a cut one', async () => {
		const [testCase] = (await fixtureCases()).filter((entry) => entry.task === 'commit-message');
		const task = taskFor(testCase!.task);
		const prompt = task.buildPrompt(testCase!);
		// The server counts as many tokens as the harness estimated: a prompt of that size, not a cut.
		const estimate = promptTokens(prompt);
		const sent = { ...options, num_ctx: 2 * estimate, num_predict: 64 };
		expect(contextShiftPromptLimit(sent.num_ctx, 5) - estimate).toBeLessThan(4);
		const evaluation = await evaluateAnswer(
			testCase!,
			task,
			{ ...base, content: rightAnswer(testCase!), promptEvalCount: contextShiftPromptLimit(sent.num_ctx, 5) },
			sent,
			gradeContexts([testCase!])(testCase!.task),
			prompt,
		);
		expect(evaluation.outcome).toBe('accepted');
	});

	it('reads a two-pass count (format and thinking): the thinking is in prompt_eval_count, not the prompt', async () => {
		const format = { type: 'object' };
		const thinking = 't'.repeat(7000); // about 2,000 tokens of thought
		const { estimate } = await judged({});
		// Prompt and thought together leave less than num_predict: the model's long thought, not an overflow.
		const counted = Math.round(estimate * 0.95) + 2000;
		expect(counted).toBeGreaterThanOrEqual(numCtx - options.num_predict);
		const twoPass = await judged({ thinking, promptEvalCount: counted }, format);
		expect(twoPass.evaluation.outcome).toBe('accepted');
		// Without format there is one pass: the same count is the prompt's own, and it left no room.
		const onePass = await judged({ thinking, promptEvalCount: counted });
		expect(onePass.evaluation.failureClass).toBe('context-overflow');
		expect(onePass.evaluation.failureMessage).toContain('leaving no room');
		// A second pass whose prompt (with the thought) was cut is still a cut.
		const cut = await judged({ thinking, promptEvalCount: cutAt }, format);
		expect(cut.evaluation.failureClass).toBe('context-overflow');
	});
});
