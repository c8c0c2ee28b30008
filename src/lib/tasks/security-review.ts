import { reviewTask } from './review.ts';

/** review → security-review: like code-review, with the reviewer told to look for security issues only. */
export const securityReviewTask = reviewTask('security-review', {
	system: 'You are an application security engineer reviewing a change before it is merged. You answer with JSON only.',
	instructions: [
		'Review the change in the diff below for security issues specifically:',
		'- authentication and authorization (missing or bypassable checks, privilege escalation);',
		'- injection (SQL, shell commands, paths, templates) and unsafe deserialization;',
		'- output escaping (HTML, URLs, headers) and cross-site scripting;',
		'- secrets (keys, tokens or passwords in code or logs);',
		'- cryptography (weak algorithms, predictable randomness, skipped verification).',
		'Reject the change if it introduces a security vulnerability; approve it otherwise. Do not report style or non-security issues.',
	],
});
