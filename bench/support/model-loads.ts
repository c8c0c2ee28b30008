import type { LoggedRequest } from '../../testing/fake-ollama/server.ts';
import { startFakeOllama } from '../../testing/fake-ollama/server.ts';
import { runBenchmarkPipeline } from '../../src/lib/pipeline/benchmark-pipeline.ts';
import { generateCases, rightAnswerResponder } from './generated-cases.ts';
import { ROLES, registryWorkspace, withoutEscalation } from './perf-workspace.ts';

/** Model loads in a run where every model serves in every role. */
export interface ModelLoadFigures {
	models: number;
	roles: number;
	cases: number;
	/** Chat calls for cases. */
	caseCalls: number;
	/** Load requests the run sent: a chat with no messages and no `keep_alive: 0`. */
	loadRequests: number;
	/**
	 * Times the model changed in the order requests reached the server, counting the first model as one:
	 * each is a load in a real Ollama that holds one model at a time.
	 */
	modelSwitches: number;
	/** The fewest possible: one load per distinct model. */
	minimum: number;
}

/** Six local models of different families, as a registry could hold them. */
const MODELS = ['gemma4:latest', 'llama3.1:8b', 'granite3.3:8b', 'deepseek-r1:14b', 'qwen2.5-coder:14b', 'mistral-small3.2:24b'];

/** Whether a logged request needs its model in memory: loads and case calls do, unloads do not. */
function usesModel(request: LoggedRequest): boolean {
	if (request.endpoint !== 'chat' && request.endpoint !== 'generate') return false;
	const empty = (request.body?.messages?.length ?? 0) === 0 && !request.body?.prompt;
	const unload = empty && (request.body?.keep_alive === 0 || request.body?.keep_alive === '0' || request.body?.keep_alive === '0s');
	return !unload;
}

/**
 * Runs the whole pipeline (registry files, plan, engine, report) on a registry of `models` models each
 * serving in all four roles, against the in-process fake, and counts loads and model switches in the
 * order the requests arrived. Escalation is off: the registry holds only the models measured.
 */
export async function measureModelLoads(options: { casesPerRole: number; models?: number }): Promise<ModelLoadFigures> {
	const models = MODELS.slice(0, options.models ?? MODELS.length);
	// Generated cases cycle through the six fixtures (one draft, one reason, three review, one coder):
	// enough of them that every role has at least `casesPerRole`.
	const cases = await generateCases(options.casesPerRole * 6);
	const workspace = await registryWorkspace('lmb-perf-loads-', {
		models: models.map((id, index) => ({ id, family: `family-${index}` })),
		roles: ROLES.map((role) => ({ role, description: `The ${role} slot.`, incumbent: models[0]!, challengers: models.slice(1) })),
		cases,
		policy: withoutEscalation,
	});
	const respond = rightAnswerResponder(cases);
	const fake = await startFakeOllama({ models: models.map((name) => ({ name, respond })) });
	try {
		const result = await runBenchmarkPipeline({
			root: workspace.root,
			env: { OLLAMA_HOST: fake.url },
			logger: { info: () => {}, warn: () => {} },
		});
		if (result.status !== 'written') throw new Error(`the model-load run wrote no report (${result.status}).`);
		const inOrder = fake.requests.filter(usesModel);
		const loadRequests = inOrder.filter((request) => (request.body?.messages?.length ?? 0) === 0).length;
		let modelSwitches = 0;
		let current: string | undefined;
		for (const request of inOrder) {
			if (request.model !== current) modelSwitches++;
			current = request.model;
		}
		return {
			models: models.length,
			roles: ROLES.length,
			cases: cases.length,
			caseCalls: inOrder.length - loadRequests,
			loadRequests,
			modelSwitches,
			minimum: models.length,
		};
	} finally {
		await fake.close();
		await workspace.dispose();
	}
}
