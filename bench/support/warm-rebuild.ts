import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { REGISTRY_PATHS } from '../../src/lib/registry/paths.ts';
import type { ModelInput } from '../../src/lib/schema/model.ts';
import type { RoleInput } from '../../src/lib/schema/role.ts';
import { type FakeOllama, startFakeOllama } from '../../testing/fake-ollama/server.ts';
import { PROJECT_ROOT } from '../../testing/project-copy.ts';
import { generateCases, rightAnswerResponder } from './generated-cases.ts';
import { type MeasuredRun, astroBuildMeasured, median } from './measure.ts';
import { siteWorkspace } from './perf-workspace.ts';

/** A warm rebuild against a build that skips the benchmark. */
export interface WarmRebuildFigures {
	cases: number;
	models: number;
	/** Model calls of the first (cold) build, which writes the report. */
	coldCalls: number;
	coldSeconds: number;
	runs: number;
	warmSeconds: number[];
	skipSeconds: number[];
	warmMedianSeconds: number;
	skipMedianSeconds: number;
	/** warm median / BENCH=0 median. */
	ratio: number;
	/** Chat and generate requests (loads included) during all warm builds together, the untimed one included. */
	warmModelCalls: number;
	/** Reports the warm builds wrote, the untimed one included (an unchanged rebuild writes none). */
	warmReports: number;
}

/** Chat or generate requests the fake has logged: every model call, loads and unloads included. */
const modelCalls = (fake: FakeOllama) =>
	fake.requests.filter((request) => request.endpoint === 'chat' || request.endpoint === 'generate').length;

/** The project's own registry: the models and roles a real build runs. */
async function projectRegistry(): Promise<{ models: ModelInput[]; roles: RoleInput[] }> {
	const models = parse(await readFile(path.join(PROJECT_ROOT, REGISTRY_PATHS.models), 'utf8')) as ModelInput[];
	const rolesDir = path.join(PROJECT_ROOT, REGISTRY_PATHS.roles);
	const roles = await Promise.all(
		(await readdir(rolesDir))
			.filter((name) => name.endsWith('.yaml'))
			.sort()
			.map(async (name) => parse(await readFile(path.join(rolesDir, name), 'utf8')) as RoleInput),
	);
	return { models, roles };
}

/** Throws with the build's output when it failed. */
function expectSuccess(build: MeasuredRun, what: string): void {
	if (build.code !== 0) throw new Error(`${what} failed (exit ${build.code}):\n${build.output.split('\n').slice(-40).join('\n')}`);
}

/**
 * A copy of the project with the seed registry and `cases` generated cases, built with `npm run build`'s
 * command against the in-process fake: one cold build (it runs every model and writes the report), then
 * `runs` warm builds with nothing changed and `runs` builds with `BENCH=0`, alternating. Counts the model
 * calls during the warm builds and compares their median time with the `BENCH=0` builds'.
 */
export async function measureWarmRebuild(options: {
	cases: number;
	runs: number;
	log?: (line: string) => void;
}): Promise<WarmRebuildFigures> {
	const log = options.log ?? (() => {});
	const registry = await projectRegistry();
	const cases = await generateCases(options.cases);
	const workspace = await siteWorkspace('lmb-perf-rebuild-', { ...registry, cases });
	const respond = rightAnswerResponder(cases);
	// Every model of the registry, the escalation chain's cloud model included, answers every case right.
	const fake = await startFakeOllama({ models: registry.models.map((model) => ({ name: model.id, respond })) });
	const reportsDir = path.join(workspace.root, REGISTRY_PATHS.reports);
	const reports = async () =>
		(await readdir(reportsDir)).filter((name) => name.endsWith('.md') && name.startsWith('local-model-benchmark-')).length;
	try {
		const env = { OLLAMA_HOST: fake.url };
		log(`warm rebuild: cold build of ${cases.length} cases`);
		const cold = await astroBuildMeasured(workspace.root, env);
		expectSuccess(cold, 'the cold build');
		const coldCalls = modelCalls(fake);
		if ((await reports()) !== 1)
			throw new Error(`the cold build should write one report:\n${cold.output.split('\n').slice(-30).join('\n')}`);

		fake.clearLog();
		// One untimed build of each kind first: the cold build leaves the disk busy writing back its files
		// for a few seconds (the site, the answer cache), which slowed whichever build came next.
		log('warm rebuild: one untimed build of each kind');
		for (const extra of [{}, { BENCH: '0' }])
			expectSuccess(await astroBuildMeasured(workspace.root, { ...env, ...extra }), 'an untimed build');
		const warmSeconds: number[] = [];
		const skipSeconds: number[] = [];
		for (let run = 0; run < options.runs; run++) {
			// Alternate the order, so neither kind always runs right after the other's file writes.
			const order = run % 2 === 0 ? (['warm', 'skip'] as const) : (['skip', 'warm'] as const);
			for (const kind of order) {
				const build = await astroBuildMeasured(workspace.root, kind === 'warm' ? env : { ...env, BENCH: '0' });
				expectSuccess(build, kind === 'warm' ? 'a warm build' : 'a BENCH=0 build');
				(kind === 'warm' ? warmSeconds : skipSeconds).push(build.seconds);
			}
			log(
				`warm rebuild: run ${run + 1}/${options.runs}: warm ${warmSeconds.at(-1)!.toFixed(1)} s, BENCH=0 ${skipSeconds.at(-1)!.toFixed(1)} s`,
			);
		}
		const warmMedianSeconds = median(warmSeconds);
		const skipMedianSeconds = median(skipSeconds);
		return {
			cases: cases.length,
			models: registry.models.length,
			coldCalls,
			coldSeconds: cold.seconds,
			runs: options.runs,
			warmSeconds,
			skipSeconds,
			warmMedianSeconds,
			skipMedianSeconds,
			ratio: warmMedianSeconds / skipMedianSeconds,
			warmModelCalls: modelCalls(fake),
			warmReports: (await reports()) - 1,
		};
	} finally {
		await fake.close();
		await workspace.dispose();
	}
}
