import { describe, expect, it } from 'vitest';
import { evaluateAnswer } from '../../src/lib/run/evaluate-answer.ts';
import type { CallOptions, ChatAnswer } from '../../src/lib/run/model-client.ts';
import { gradeContexts, taskFor } from '../../src/lib/tasks/index.ts';
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
