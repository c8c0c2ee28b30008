import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseSchema, type Case } from '../../src/lib/schema/case.ts';
import { mineCases, type MineOptions, type MineResult } from '../../src/lib/mine/mine.ts';
import { writeCases } from '../../src/lib/mine/write-cases.ts';
import type { TempRepo } from './git-fixture.ts';
import { BUGGY_LINE, buildStoryRepo, PLANTED, XSS_LINE, type Story } from './story-repo.ts';

let repo: TempRepo;
let story: Story;
let result: MineResult;
let outDir: string;

function options(overrides: Partial<MineOptions> = {}): MineOptions {
	return {
		repo: repo.dir,
		name: 'story/repo',
		// Coder cases are kept only once their tests ran (tests/execute mines them from a project with tests).
		roles: ['draft', 'reason', 'review'],
		budget: { numCtx: 8192, numPredict: 1024 },
		cleanAge: 3,
		cleanRatio: 1,
		minChangedLines: 2,
		...overrides,
	};
}

const short = (sha: string) => sha.slice(0, 12);
const byId = (id: string): Case | undefined => result.cases.find((value) => value.id === id);
const tally = (task: string) => result.tallies.find((entry) => entry.task === task);
/** Line `line` (1-based) of a file as a commit left it. */
const lineAt = (sha: string, path: string, line: number) => repo.git(['show', `${sha}:${path}`]).split('\n')[line - 1];

beforeAll(async () => {
	({ repo, story } = buildStoryRepo());
	result = await mineCases(options());
	outDir = mkdtempSync(join(tmpdir(), 'mine-out-'));
	await writeCases(result.cases, outDir, { dryRun: false, force: false });
});

afterAll(() => {
	repo?.cleanup();
	if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe('mineCases on a story repository', () => {
	it('skips root, merge, bot, binary, lock-only and whitespace-only commits before any task', () => {
		expect(result.commitSkips).toEqual({
			'root-commit': 1,
			merge: 1,
			'bot-author': 1,
			binary: 1,
			'generated-only': 1,
			'whitespace-only': 1,
		});
		const minedCommits = new Set(result.cases.map((value) => value.source.commit));
		for (const sha of [story.root, story.merge, story.bot, story.binary, story.lockOnly, story.whitespace]) {
			expect(minedCommits.has(sha)).toBe(false);
		}
	});

	it('keeps the commits of a merged branch but not the merge', () => {
		expect(byId(`draft-commit-message-${short(story.topic)}`)?.source.subject).toBe('feat: add topic constants');
		expect(result.cases.some((value) => value.source.commit === story.merge)).toBe(false);
	});

	it('skips a diff too large for the context as too-large', () => {
		expect(byId(`draft-commit-message-${short(story.huge)}`)).toBeUndefined();
		expect(tally('commit-message')?.skipped['too-large']).toBe(1);
		// It only adds a file: nothing of the parent's tree to localize.
		expect(byId(`reason-change-localization-${short(story.huge)}`)).toBeUndefined();
		expect(tally('change-localization')?.skipped['adds-only']).toBeGreaterThan(0);
	});

	it('reads a subject holding a | and a message whose first paragraph spans two lines', () => {
		const value = byId(`draft-commit-message-${short(story.pipeSubject)}`);
		expect(value?.source.subject).toBe('feat: parse a | b');
		expect(value?.task === 'commit-message' && value.reference.message).toBe(
			'feat: parse a | b\nsecond line of the subject\n\nSplits on the pipe character.',
		);
	});

	it('never writes a planted secret, and says which case and rule dropped it', () => {
		const files = readdirSync(outDir, { recursive: true })
			.map(String)
			.filter((name) => name.endsWith('.json'));
		expect(files.length).toBe(result.cases.length);
		for (const name of files) {
			const text = readFileSync(join(outDir, name), 'utf8');
			expect(text).not.toContain(PLANTED.awsAccessKeyId);
			expect(text).not.toContain(PLANTED.githubToken);
			expect(text).not.toContain(PLANTED.privateKeyHeader);
			expect(text).not.toContain(PLANTED.privateKeyBody);
		}
		const drops = result.secrets.map((finding) => `${finding.caseId} ${finding.ruleId} ${finding.field}`);
		expect(drops).toContain(`draft-commit-message-${short(story.aws)} @secretlint/secretlint-rule-aws input.diff`);
		expect(drops).toContain(`draft-commit-message-${short(story.github)} @secretlint/secretlint-rule-github input.diff`);
		expect(drops).toContain(`draft-commit-message-${short(story.pem)} @secretlint/secretlint-rule-privatekey input.diff`);
		expect(tally('commit-message')?.skipped.secret).toBe(3);
	});

	it('turns a bug and its later fix into a reject case on the lines the introducing commit wrote', () => {
		const value = byId(`review-code-review-${short(story.addClamp)}`);
		expect(value?.severity).toBe('high');
		expect(value?.source.commit).toBe(story.addClamp);
		expect(value?.source.fix_commit).toBe(story.fixClamp);
		expect(value?.source.fix_subject).toBe('fix: clamp returned the larger bound');
		expect(value?.task === 'code-review' && value.reference).toEqual({
			verdict: 'reject',
			lines: [{ path: 'src/math.ts', start: 11, end: 11 }],
		});
		expect(lineAt(story.addClamp, 'src/math.ts', 11)).toBe(BUGGY_LINE);
		// At the fix's parent a header had pushed it down three lines: the case keeps the introducing commit's numbers.
		expect(lineAt(`${story.fixClamp}~1`, 'src/math.ts', 14)).toBe(BUGGY_LINE);
		expect(value?.checks.map((check) => check.name)).toEqual(['verdict', 'finding-on-lines', 'finding-precision']);
		// The case exists since the fix: its date is the fix's committer date, not the clock.
		expect(value?.mined_at).toBe(
			new Date(repo.git(['show', '-s', '--format=%cI', story.fixClamp]).trim()).toISOString().replace('.000Z', 'Z'),
		);
	});

	it('sends a fix about escaping to security-review, as critical', () => {
		const value = byId(`review-security-review-${short(story.render)}`);
		expect(value?.severity).toBe('critical');
		expect(value?.source.fix_commit).toBe(story.fixRender);
		expect(value?.task === 'security-review' && value.reference.lines).toEqual([{ path: 'src/render.ts', start: 3, end: 3 }]);
		expect(lineAt(story.render, 'src/render.ts', 3)).toBe(XSS_LINE);
		expect(byId(`review-code-review-${short(story.render)}`)).toBeUndefined();
	});

	it('treats a revert as the fix of the commit it reverts, and mines no message case from the revert', () => {
		const value = byId(`review-code-review-${short(story.greet)}`);
		expect(value?.source.fix_commit).toBe(story.revertGreet);
		expect(value?.task === 'code-review' && value.reference.lines).toEqual([{ path: 'src/greet.ts', start: 1, end: 3 }]);
		expect(byId(`draft-commit-message-${short(story.revertGreet)}`)).toBeUndefined();
		expect(tally('commit-message')?.skipped.revert).toBe(1);
	});

	it('adds clean changes matched to the reject cases as approve cases, one per reject case, with its severity', () => {
		const verdicts = (task: 'code-review' | 'security-review') =>
			result.cases
				.filter((value) => value.task === task)
				.map((value) => `${value.task === task && value.reference.verdict} ${value.source.commit}`)
				.sort();
		// Both rejects change a few lines of TypeScript: the clean TypeScript changes of that size win over the
		// older docs change (another file type) that used to be taken as the oldest.
		expect(verdicts('code-review')).toEqual(
			[`approve ${story.addMath}`, `approve ${story.pipeSubject}`, `reject ${story.addClamp}`, `reject ${story.greet}`].sort(),
		);
		expect(verdicts('security-review')).toEqual([`approve ${story.fixRender}`, `reject ${story.render}`].sort());
		const approve = byId(`review-code-review-${short(story.addMath)}`);
		expect(approve?.severity).toBe('high');
		expect(byId(`review-security-review-${short(story.fixRender)}`)?.severity).toBe('critical');
		expect(approve?.task === 'code-review' && approve.reference).toEqual({ verdict: 'approve', lines: [] });
		expect(approve?.checks).toEqual([
			{ name: 'verdict', required: true },
			{ name: 'no-serious-finding', required: true },
		]);
	});

	it('gives localization the files at the parent, and as reference those of them the commit changed', () => {
		const value = byId(`reason-change-localization-${short(story.fixRender)}`);
		// src/html.ts is new in this commit: no list the model sees has it.
		expect(value?.task === 'change-localization' && value.reference.files).toEqual(['src/render.ts']);
		expect(value?.task === 'change-localization' && value.input.files).toContain('src/render.ts');
		expect(value?.task === 'change-localization' && value.input.files).not.toContain('src/html.ts');
		expect(value?.task === 'change-localization' && value.input.files).not.toContain('package-lock.json');
	});

	it('writes only valid cases, each as stable JSON with a trailing newline', () => {
		for (const value of result.cases) {
			const text = readFileSync(join(outDir, value.role, `${value.id}.json`), 'utf8');
			expect(text.endsWith('}\n')).toBe(true);
			expect(CaseSchema.parse(JSON.parse(text))).toEqual(value);
			expect(value.id.endsWith(short(value.source.commit))).toBe(true);
		}
		expect(result.invalid).toEqual([]);
	});

	it('counts the cases it found per task', () => {
		expect(result.tallies.map((entry) => [entry.task, entry.found])).toEqual([
			['commit-message', 15],
			['change-localization', 4],
			['code-review', 4],
			['security-review', 2],
		]);
		// The docs-only commits teach commit-message, not localization.
		expect(tally('change-localization')?.skipped['docs-only']).toBe(6);
	});

	it('caps each task at --max-per-task, newest first', async () => {
		const capped = await mineCases(options({ maxPerTask: 2, roles: ['draft', 'review'] }));
		const draft = capped.cases.filter((value) => value.task === 'commit-message').map((value) => value.source.commit);
		expect(draft).toHaveLength(2);
		expect(new Set(draft)).toEqual(new Set(story.fillers.slice(-2)));
		expect(capped.tallies.map((entry) => [entry.task, entry.found])).toEqual([
			['commit-message', 2],
			['code-review', 2],
			['security-review', 2],
		]);
	});

	it('mines only the chosen roles and only the range asked for', async () => {
		const until = repo.git(['show', '-s', '--format=%cI', story.docs]).trim();
		const early = await mineCases(options({ roles: ['draft'], until }));
		expect(early.commitsRead).toBe(4);
		expect(early.cases.map((value) => value.source.commit).sort()).toEqual([story.addMath, story.addClamp, story.docs].sort());
		expect(early.tallies.map((entry) => entry.task)).toEqual(['commit-message']);
	});
});
