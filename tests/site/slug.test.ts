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
		// Names as Ollama writes them: a Hugging Face model, a namespace, upper case, a cloud suffix.
		['hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M', 'hf-co-bartowski-llama-3-2-3b-instruct-gguf-q4-k-m'],
		['registry.ollama.ai/library/qwen3:8b', 'registry-ollama-ai-library-qwen3-8b'],
		['Qwen3:8B', 'qwen3-8b'],
		['gpt-oss:20b:cloud', 'gpt-oss-20b-cloud'],
		['../../etc/passwd', 'etc-passwd'],
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

	// Ids that name one model to Ollama can no longer share a registry, but older reports may hold both: each
	// still gets a slug of its own, safe as a file and folder name in dist/.
	it('keeps ids that differ only in case or in a part Ollama fills in apart, as safe file names', () => {
		const ids = [
			'Qwen3:8B',
			'qwen3:8b',
			'library/qwen3:8b',
			'llama3.1',
			'llama3.1:latest',
			'hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M',
			'hf.co/bartowski/llama-3.2-3b-instruct-gguf:q4_k_m',
			'gpt-oss:120b-cloud',
			'gpt-oss:120b:cloud',
		];
		const slugs = assignModelSlugs(ids);
		expect(new Set(slugs.values()).size).toBe(ids.length);
		for (const slug of slugs.values()) {
			expect(slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
			expect(slug.length).toBeLessThanOrEqual(128 + 9);
		}
		// The id that sorts first keeps the bare slug (upper case sorts before lower).
		expect(slugs.get('Qwen3:8B')).toBe('qwen3-8b');
		expect(slugs.get('qwen3:8b')).toMatch(/^qwen3-8b-[0-9a-f]{8}$/);
	});
});
