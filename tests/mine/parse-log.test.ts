import { describe, expect, it } from 'vitest';
import { LOG_FORMAT, parseLog, subjectOf, tidyMessage, toUtcIso } from '../../src/lib/mine/parse-log.ts';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

/** One record as `git log -z --format=LOG_FORMAT` prints it: seven NUL-terminated fields. */
function record(fields: string[]): string {
	return fields.map((field) => `${field}\0`).join('');
}

describe('LOG_FORMAT', () => {
	it('ends every field with NUL so no printable character can split a field', () => {
		expect(LOG_FORMAT).toBe('%H%x00%P%x00%aI%x00%cI%x00%an%x00%ae%x00%B%x00');
	});
});

describe('parseLog', () => {
	it('reads records separated by the extra NUL of -z', () => {
		const raw =
			record([A, B, '2024-01-02T03:04:05+02:00', '2024-01-02T04:00:00+02:00', 'Ada', 'ada@example.com', 'feat: one\n']) +
			'\0' +
			record([B, '', '2024-01-01T00:00:00+00:00', '2024-01-01T00:00:00+00:00', 'Bob', 'bob@example.com', 'chore: root\n']);
		expect(parseLog(raw)).toEqual([
			{
				sha: A,
				parents: [B],
				authorDate: '2024-01-02T03:04:05+02:00',
				committerDate: '2024-01-02T04:00:00+02:00',
				authorName: 'Ada',
				authorEmail: 'ada@example.com',
				message: 'feat: one\n',
			},
			{
				sha: B,
				parents: [],
				authorDate: '2024-01-01T00:00:00+00:00',
				committerDate: '2024-01-01T00:00:00+00:00',
				authorName: 'Bob',
				authorEmail: 'bob@example.com',
				message: 'chore: root\n',
			},
		]);
	});

	it('keeps a | and newlines inside the message and names', () => {
		const message = 'feat: a | b\nsecond line\n\nbody | more\n';
		const [commit] = parseLog(record([A, `${B} ${C}`, 'd', 'd', 'Ada | Team', 'a|b@example.com', message]) + '\0');
		expect(commit?.message).toBe(message);
		expect(commit?.authorName).toBe('Ada | Team');
		expect(commit?.parents).toEqual([B, C]);
	});

	it('reads an empty message without losing the next record', () => {
		const raw = record([A, B, 'd', 'd', 'Ada', 'e', '']) + '\0' + record([B, '', 'd', 'd', 'Ada', 'e', 'x\n']) + '\0';
		expect(parseLog(raw).map((commit) => [commit.sha, commit.message])).toEqual([
			[A, ''],
			[B, 'x\n'],
		]);
	});

	it('returns nothing for empty output', () => {
		expect(parseLog('')).toEqual([]);
	});

	it('refuses output whose record does not start with a sha', () => {
		expect(() => parseLog(record(['not-a-sha', '', 'd', 'd', 'n', 'e', 'm']))).toThrow(/expected a commit sha/);
	});
});

describe('subjectOf', () => {
	it.each([
		['feat: one\n\nbody', 'feat: one'],
		['feat: a | b\nsecond line\n\nbody', 'feat: a | b'],
		['  padded subject  \n', 'padded subject'],
		['\n\nafter blank lines\nmore', 'after blank lines'],
		['single', 'single'],
		['', ''],
	])('%j → %j', (message, subject) => {
		expect(subjectOf(message)).toBe(subject);
	});
});

describe('tidyMessage', () => {
	it.each([
		['feat: one\n\n', 'feat: one'],
		['feat: one\n\nbody  \n \n', 'feat: one\n\nbody'],
		['\n', ''],
	])('%j → %j', (message, tidy) => {
		expect(tidyMessage(message)).toBe(tidy);
	});
});

describe('toUtcIso', () => {
	it.each([
		['2024-01-02T03:04:05+02:00', '2024-01-02T01:04:05Z'],
		['2024-01-02T03:04:05Z', '2024-01-02T03:04:05Z'],
		['2023-12-31T23:30:00-01:00', '2024-01-01T00:30:00Z'],
	])('%s → %s', (date, utc) => {
		expect(toUtcIso(date)).toBe(utc);
	});

	it('refuses text that is not a date', () => {
		expect(() => toUtcIso('yesterday')).toThrow("Not a date: 'yesterday'.");
	});
});
