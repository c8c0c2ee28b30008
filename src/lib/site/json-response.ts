import { stableStringify } from '../files/stable-json.ts';

/** A JSON file for tools: keys sorted at every level, one space of indent, a final newline. */
export function jsonResponse(payload: unknown): Response {
	return new Response(`${stableStringify(payload, 1)}\n`, { headers: { 'content-type': 'application/json; charset=utf-8' } });
}
