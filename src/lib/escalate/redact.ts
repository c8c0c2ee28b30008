/** What a secret is replaced with. */
export const REDACTED = '[redacted]';

/**
 * `text` with every occurrence of each secret replaced by `[redacted]`. A last line of defence for text
 * that came from elsewhere (a server's error message): the harness never puts a key into a message
 * itself. Secrets shorter than 8 characters are not real keys and would blank out ordinary words. Pure.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
	let clean = text;
	for (const secret of secrets) if (secret && secret.length >= 8) clean = clean.split(secret).join(REDACTED);
	return clean;
}
