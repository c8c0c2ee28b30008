import type { Case } from '../schema/case.ts';
import { type GradeContext, taskFor } from '../tasks/index.ts';
import { type ReviewVerdict, reviewVerdict } from './trigger.ts';

/** An escalated answer, judged: usable with a verdict (and graded like any answer), or not usable and why. */
export type Judgement = { usable: true; verdict: ReviewVerdict; accepted: boolean } | { usable: false; detail: string };

/**
 * Judges an escalated answer with the case's own parser and grader, so a second opinion is held to the
 * same checks as the incumbent's answer. `cutOff` says why the answer was cut short (token limit), or
 * is null when it finished. An answer without a verdict is not usable: the chain moves on. `context` is
 * the case set the incumbent's answer was graded in.
 */
export async function judgeEscalatedAnswer(testCase: Case, text: string, cutOff: string | null, context: GradeContext): Promise<Judgement> {
	if (cutOff) return { usable: false, detail: cutOff };
	const task = taskFor(testCase.task);
	const parsed = task.parse(text, testCase, context);
	if (!parsed.ok) return { usable: false, detail: `unparseable answer: ${parsed.reason}` };
	const verdict = reviewVerdict(testCase, text);
	if (verdict === null) return { usable: false, detail: 'the answer has no approve/reject verdict' };
	const grade = await task.grade(testCase, parsed.value, context);
	return { usable: true, verdict, accepted: grade.checks.every((check) => !check.required || check.pass) };
}
