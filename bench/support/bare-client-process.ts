// The floor for `npm run perf`'s whole-process figure: a Node process that reads prompts from a file and
// sends each through one `ollama` client, reading the stream to the end, and nothing else.
//
//   node bench/support/bare-client-process.ts <ollama url> <prompts.json>
import { readFile } from 'node:fs/promises';
import type { CallOptions } from '../../src/lib/run/model-client.ts';
import type { Prompt } from '../../src/lib/tasks/task-definition.ts';
import { bareChatLoop } from './bare-loop.ts';

const [host, file] = process.argv.slice(2);
if (!host || !file) throw new Error('usage: node bench/support/bare-client-process.ts <ollama url> <prompts.json>');
const { model, options, prompts } = JSON.parse(await readFile(file, 'utf8')) as { model: string; options: CallOptions; prompts: Prompt[] };
await bareChatLoop(host, model, options, prompts);
console.log(`${prompts.length} calls`);
