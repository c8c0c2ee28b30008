import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type MineResult, mineCases } from '../../src/lib/mine/mine.ts';
import { writeCases } from '../../src/lib/mine/write-cases.ts';
import { createScaleRepository } from './scale-repository.ts';

/** What one mining of a generated repository took and found. */
export interface MiningMeasurement {
	repository: { commits: number; seconds: number };
	result: MineResult;
	/** Cases written, and the case files found on disk afterwards. */
	written: number;
	files: number;
	/** Mining alone, then mining plus writing the case files, in seconds. */
	mineSeconds: number;
	totalSeconds: number;
	/** Cases mined per second of the whole (mining and writing). */
	casesPerSecond: number;
	commitsPerSecond: number;
}

/**
 * Builds a generated repository of about `commits` commits under `root/repo`, mines every role from it
 * with the build's budget, and writes the cases under `root/cases`, timing both. `root` must be a
 * scratch folder: the caller removes it.
 */
export async function measureMining(root: string, commits: number): Promise<MiningMeasurement> {
	const repoDir = join(root, 'repo');
	const outDir = join(root, 'cases');
	const repository = createScaleRepository(repoDir, commits);
	const started = performance.now();
	const result = await mineCases({
		repo: repoDir,
		name: 'generated/scale',
		// Coder cases run their tests to be validated: that is test time, not mining throughput.
		roles: ['draft', 'reason', 'review'],
		budget: { numCtx: 8192, numPredict: 1024 },
		cleanAge: 10,
		cleanRatio: 1,
		minChangedLines: 2,
	});
	const mineSeconds = (performance.now() - started) / 1000;
	const outcomes = await writeCases(result.cases, outDir, { dryRun: false, force: false });
	const totalSeconds = (performance.now() - started) / 1000;
	const files = readdirSync(outDir, { recursive: true }).filter((name) => String(name).endsWith('.json')).length;
	return {
		repository,
		result,
		written: outcomes.length,
		files,
		mineSeconds,
		totalSeconds,
		casesPerSecond: result.cases.length / totalSeconds,
		commitsPerSecond: result.commitsRead / totalSeconds,
	};
}
