// The floor for `npm run perf`'s whole-process figure: a Node process that reads prompts from a file and
// sends each through one `ollama` client, reading the stream to the end, and nothing else.
//
//   node bench/support/bare-client-process.ts <ollama url> <prompts.json>
import { readFile } from 'node:fs/promises';
import { Ollama } from 'ollama';
import type { CallOptions } from '../../src/lib/run/model-client.ts';
import type { Prompt } from '../../src/lib/tasks/task-definition.ts';

const [host, file] = process.argv.slice(2);
if (!host || !file) throw new Error('usage: node bench/support/bare-client-process.ts <ollama url> <prompts.json>');
const { model, options, prompts } = JSON.parse(await readFile(file, 'utf8')) as { model: string; options: CallOptions; prompts: Prompt[] };
const { think, ...modelOptions } = options;
const client = new Ollama({ host });
for (const prompt of prompts) {
	const stream = await client.chat({
		model,
		messages: prompt.messages,
		stream: true,
		think,
		options: modelOptions,
		...(prompt.format ? { format: prompt.format } : {}),
	});
	let content = '';
	for await (const chunk of stream) content += chunk.message.content;
	if (!content) throw new Error('the bare loop got an empty answer: the fake is not answering as scripted.');
}
console.log(`${prompts.length} calls`);
