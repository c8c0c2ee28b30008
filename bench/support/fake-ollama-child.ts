// The fake Ollama in a process of its own, for `startFakeOllamaProcess`: a real Ollama is another process,
// and a benchmark of the harness's own cost must not let the server's work share the harness's thread.
// Serves the generated cases (regenerated here from their count: the generation is deterministic) and
// answers each one right, at once or after a fixed latency (argv: cases, latency ms, models). Speaks to its parent over the IPC channel only.
import { startFakeOllama } from '../../testing/fake-ollama/server.ts';
import { generateCases, rightAnswerResponder } from './generated-cases.ts';

if (!process.send)
	throw new Error('fake-ollama-child.ts is started by startFakeOllamaProcess (bench/support/fake-ollama-process.ts), not on its own.');

const [count, latency, ...models] = process.argv.slice(2);
const right = rightAnswerResponder(await generateCases(Number(count)));
const latencyMs = Number(latency);
// A fixed wait before the answer: the model's time. A timer, so requests sent at once overlap.
const respond: typeof right | ((request: Parameters<typeof right>[0]) => Promise<ReturnType<typeof right>>) =
	latencyMs > 0 ? (request) => new Promise((resolve) => setTimeout(() => resolve(right(request)), latencyMs)) : right;
const fake = await startFakeOllama({ models: models.map((name) => ({ name, respond })) });
process.on('message', (message: { type: string }) => {
	if (message.type === 'clear-log') {
		fake.clearLog();
		process.send!({ type: 'cleared' });
	} else if (message.type === 'close') {
		void fake.close().then(() => process.disconnect());
	}
});
// The parent going away closes the channel: stop with it rather than linger.
process.on('disconnect', () => void fake.close().then(() => process.exit(0)));
process.send({ type: 'ready', url: fake.url });
