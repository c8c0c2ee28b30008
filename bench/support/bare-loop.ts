import { Ollama } from 'ollama';
import { type CallOptions, clientThink } from '../../src/lib/run/model-client.ts';
import type { Prompt } from '../../src/lib/tasks/task-definition.ts';

/**
 * The floor every harness figure is measured against: each prompt sent through one `ollama` client, the
 * stream read to the end, and nothing else. Used in process (harness overhead) and as a process of its
 * own (the whole-process figure), so both compare with the same loop.
 */
export async function bareChatLoop(host: string, model: string, options: CallOptions, prompts: readonly Prompt[]): Promise<void> {
	const { think, ...modelOptions } = options;
	const client = new Ollama({ host });
	for (const prompt of prompts) {
		const stream = await client.chat({
			model,
			messages: prompt.messages,
			stream: true,
			think: clientThink(think),
			options: modelOptions,
			...(prompt.format ? { format: prompt.format } : {}),
		});
		let content = '';
		for await (const chunk of stream) content += chunk.message.content;
		if (!content) throw new Error('the bare loop got an empty answer: the fake is not answering as scripted.');
	}
}
