import type { RawCommit } from './types.ts';

/**
 * The `git log --format` the miner reads. Every field ends in NUL: no field can contain one, so a `|` or a
 * newline in a subject or a name cannot shift the fields (it would with a printable separator).
 */
export const LOG_FORMAT = '%H%x00%P%x00%aI%x00%cI%x00%an%x00%ae%x00%B%x00';
const FIELD_COUNT = 7;

/**
 * Parses `git log -z --format=LOG_FORMAT` output into commits, in the order git printed them.
 * `-z` separates commits with one more NUL, so each record is FIELD_COUNT fields then an empty token.
 */
export function parseLog(raw: string): RawCommit[] {
	const tokens = raw.split('\0');
	const commits: RawCommit[] = [];
	let at = 0;
	while (at + FIELD_COUNT <= tokens.length) {
		// Separators between records (and git's trailing NULs) are empty tokens; a record starts with a sha.
		if (tokens[at] === '') {
			at += 1;
			continue;
		}
		const [sha, parents, authorDate, committerDate, authorName, authorEmail, message] = tokens.slice(at, at + FIELD_COUNT) as [
			string,
			string,
			string,
			string,
			string,
			string,
			string,
		];
		if (!/^[0-9a-f]{40}$/.test(sha)) {
			throw new Error(`Unexpected git log output: expected a commit sha at field ${at}, found '${sha.slice(0, 60)}'.`);
		}
		commits.push({
			sha,
			parents: parents === '' ? [] : parents.split(' '),
			authorDate,
			committerDate,
			authorName,
			authorEmail,
			message,
		});
		at += FIELD_COUNT;
	}
	return commits;
}

/** First line of a commit message: what the case schema calls the subject. */
export function subjectOf(message: string): string {
	const trimmed = message.replace(/^\s*\n/, '');
	const end = trimmed.indexOf('\n');
	return (end === -1 ? trimmed : trimmed.slice(0, end)).trim();
}

/** The message without trailing blank lines and spaces, as a person reads it. */
export function tidyMessage(message: string): string {
	return message.replace(/\s+$/, '');
}

/** ISO 8601 in UTC without milliseconds, e.g. `2024-05-01T12:00:00Z`; the same instant always gives the same text. */
export function toUtcIso(date: string): string {
	const parsed = new Date(date);
	if (Number.isNaN(parsed.getTime())) throw new Error(`Not a date: '${date}'.`);
	return parsed.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
