import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checksFor } from '../../src/lib/mine/checks.ts';
import { type Case, CaseSchema, TASKS } from '../../src/lib/schema/case.ts';
import { estimateTokens, promptTokens, TASK_DEFINITIONS, taskFor } from '../../src/lib/tasks/index.ts';
import { rightAnswer } from '../../testing/workspace.ts';
import { CASES_DIR, fixtureFiles } from './fixture-cases.ts';

describe('taskFor', () => {
	it.each(TASKS)('gives the %s definition, with the grader version the report records', (task) => {
		const definition = taskFor(task);
		expect(definition).toBe(TASK_DEFINITIONS[task]);
		expect(definition.task).toBe(task);
		expect(definition.graderVersion).toBeGreaterThanOrEqual(1);
	});

	it('covers every task and nothing else', () => {
		expect(Object.keys(TASK_DEFINITIONS).sort()).toEqual([...TASKS].sort());
	});

	it('re-exports the token estimate', () => {
		expect(estimateTokens('abcdefg')).toBe(2);
	});
});

describe('every task end to end on its fixture', () => {
	it.each(fixtureFiles())('%s: prompt fits, the historical answer parses, passes every check and scores 1', async (file) => {
		const testCase = CaseSchema.parse(JSON.parse(readFileSync(path.join(CASES_DIR, file), 'utf8')));
		const definition = taskFor(testCase.task);
		const prompt = definition.buildPrompt(testCase);
		expect(promptTokens(prompt)).toBeGreaterThan(estimateTokens(prompt.messages[1]!.content));
		expect(promptTokens(prompt)).toBeLessThan(2048);
		const parsed = definition.parse(rightAnswer(testCase), testCase);
		expect(parsed.ok).toBe(true);
		const grade = await definition.grade(testCase, parsed.ok ? parsed.value : undefined, { cases: [testCase] });
		expect(grade.checks.map((check) => [check.name, check.pass])).toEqual(testCase.checks.map((check) => [check.name, true]));
		expect(grade.quality).toBe(1);
	});

	it.each(TASKS)('knows every check the miner writes for %s', async (task) => {
		const fixture = fixtureFiles()
			.map((file) => CaseSchema.parse(JSON.parse(readFileSync(path.join(CASES_DIR, file), 'utf8'))))
			.find((testCase) => testCase.task === task)!;
		for (const verdict of ['approve', 'reject'] as const) {
			const testCase = { ...fixture, checks: checksFor(task, verdict) } as Case;
			const parsed = taskFor(task).parse(rightAnswer(fixture), fixture);
			const grade = await taskFor(task).grade(testCase, parsed.ok ? parsed.value : undefined, { cases: [testCase] });
			expect(grade.checks.filter((check) => check.detail === 'unknown check')).toEqual([]);
		}
	});
});
