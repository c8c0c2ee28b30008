import { describe, expect, it } from 'vitest';
import { assignModelSlugs, baseSlug } from '../../src/lib/site/slug.ts';

describe('model slugs', () => {
	it.each([
		['llama3.1:8b', 'llama3-1-8b'],
		['gemma4:latest', 'gemma4-latest'],
		['qwen2.5-coder:14b', 'qwen2-5-coder-14b'],
		['gpt-oss:120b-cloud', 'gpt-oss-120b-cloud'],
		['user/model:Q4_K_M', 'user-model-q4-k-m'],
		['mistral', 'mistral'],
		['::', 'model'],
	])('turns %s into %s', (id, slug) => {
		expect(baseSlug(id)).toBe(slug);
		expect(slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
	});

	it('keeps the bare slug for the first of two ids that collide and suffixes the other with its hash', () => {
		const slugs = assignModelSlugs(['llama3-1:8b', 'llama3.1:8b', 'gemma4:latest']);
		expect(slugs.get('gemma4:latest')).toBe('gemma4-latest');
		expect(slugs.get('llama3-1:8b')).toBe('llama3-1-8b');
		expect(slugs.get('llama3.1:8b')).toMatch(/^llama3-1-8b-[0-9a-f]{8}$/);
		expect(new Set(slugs.values()).size).toBe(3);
	});

	it('gives a model the same slug whatever order the ids come in, and whatever else collides', () => {
		const one = assignModelSlugs(['b.1:x', 'b-1:x', 'b_1:x']);
		const other = assignModelSlugs(['b_1:x', 'b.1:x', 'b-1:x']);
		expect([...one].sort()).toEqual([...other].sort());
		// A suffix depends only on the id itself.
		expect(assignModelSlugs(['b-1:x', 'b.1:x']).get('b.1:x')).toBe(one.get('b.1:x'));
	});
});
