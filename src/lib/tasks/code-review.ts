import { reviewTask } from './review.ts';

/** review → code-review: a diff in, a verdict and findings out; graded on the verdict and on the lines a later fix touched. */
export const codeReviewTask = reviewTask('code-review', {
	system: 'You are a meticulous senior engineer reviewing a change before it is merged. You answer with JSON only.',
	instructions: [
		'Review the change in the diff below.',
		'Reject it if it introduces a bug: wrong logic, a broken edge case, an error left unhandled, a regression, anything a later commit would have to fix. Approve it if it is correct.',
		'Report real defects only, not style preferences.',
	],
});
