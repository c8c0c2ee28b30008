// `npm exec -- node bench/draft-validity.ts DIR...` (on the project's Node): how the commit-message grader
// fares against its sentinels and a few more lazy answers on case sets mined from any history (e.g. `npm
// run mine -- --repo /tmp/x --name owner/x --roles draft --out /tmp/x-cases`), one table per set. The sentinels are measured with the
// project's validity code, as a build does; the extra lazy answers are graded through the same parse and
// grade. Prints only; writes nothing.
//
//   npm exec -- node bench/draft-validity.ts [--show NAME] DIR...
//
// --show NAME prints the answers of that name (a sentinel or a lazy answer) the grader accepted.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCommandLineWithPositionals, runCommand, UsageError } from '../scripts/command-line.ts';
import { type Case, CaseSchema } from '../src/lib/schema/case.ts';
import { commitMessageTask, type CommitMessageCase, splitMessage } from '../src/lib/tasks/commit-message.ts';
import { diffFileLines } from '../src/lib/tasks/sentinel-text.ts';
import { gradeContexts } from '../src/lib/tasks/index.ts';
import { measureGraderValidity } from '../src/lib/validity/measure-validity.ts';
import { pct } from '../src/lib/format/format.ts';

const usage = `usage: node bench/draft-validity.ts [--show NAME] DIR...
  DIR          a folder of mined cases (any depth); only its commit-message cases are read
  --show NAME  print the answers of that name the grader accepted`;

const RUN = { num_ctx: 16384, num_predict: 2048, temperature: 0, seed: 42, think: false as const };

/** Every commit-message case under `dir`, validated. */
function draftCasesUnder(dir: string): CommitMessageCase[] {
	return readdirSync(dir, { recursive: true, encoding: 'utf8' })
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => CaseSchema.parse(JSON.parse(readFileSync(path.join(dir, file), 'utf8'))) as Case)
		.filter((testCase): testCase is CommitMessageCase => testCase.task === 'commit-message');
}

/** The first function the diff's added lines define (`function parseDate(`, `parseDate = (`), for "Refactor <name>". */
function aFunctionName(diff: string): string | undefined {
	for (const line of diff.split('\n')) {
		if (!line.startsWith('+') || line.startsWith('+++')) continue;
		const match =
			/(?:function\*?\s+([A-Za-z_$][\w$]*)\s*[(<]|(?:const|let)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s*)?\(|^\+\s*(?:export\s+)?(?:async\s+)?([A-Za-z_$][\w$]*)\([^)]*\)\s*(?::[^{]*)?\{\s*$)/.exec(
				line,
			);
		const name = match?.[1] ?? match?.[2] ?? match?.[3];
		if (name && !/^(if|for|while|switch|catch|function|return|typeof)$/.test(name)) return name;
	}
	return undefined;
}

/** More answers a weak model gives: a subject for any change, a refactor of a name in the diff, the previous commit's subject. */
function lazyAnswers(testCase: CommitMessageCase, cases: readonly CommitMessageCase[]): { name: string; text: string }[] {
	// The commit before this one in the history (by author date), else the one after: the subject a model
	// that saw the log would copy.
	const byDate = [...cases].sort((a, b) => Date.parse(a.source.author_date) - Date.parse(b.source.author_date) || (a.id < b.id ? -1 : 1));
	const at = byDate.findIndex((other) => other.id === testCase.id);
	const neighbour = (byDate[at - 1] ?? byDate[at + 1] ?? testCase) as CommitMessageCase;
	const name = aFunctionName(testCase.input.diff);
	const firstFile = diffFileLines(testCase.input.diff)[0]?.path ?? 'README.md';
	return [
		{ name: 'update-code', text: 'Update code' },
		{ name: 'refactor-code', text: 'Refactor code' },
		{ name: 'refactor-name', text: `Refactor ${name ?? firstFile}` },
		{ name: 'update-name', text: `Update ${name ?? firstFile}` },
		{ name: 'neighbour-commit-subject', text: splitMessage(neighbour.reference.message).subject },
	];
}

await runCommand({ name: 'draft-validity', usage }, async () => {
	const { values, positionals } = parseCommandLineWithPositionals(usage, { show: { type: 'string' } });
	if (positionals.length === 0) throw new UsageError('name at least one folder of cases');
	for (const dir of positionals) {
		const cases = draftCasesUnder(dir);
		if (cases.length === 0) throw new UsageError(`${dir} holds no commit-message case`);
		const contextOf = gradeContexts(cases);
		const [validity] = await measureGraderValidity(cases, contextOf, RUN);
		if (!validity) continue;
		const context = contextOf('commit-message') as { cases: CommitMessageCase[] };
		const lazy = new Map<string, number>();
		const shown: string[] = [];
		for (const testCase of context.cases) {
			const answers = [...commitMessageTask.sentinels(testCase, context), ...lazyAnswers(testCase, context.cases)];
			for (const answer of answers) {
				const parsed = commitMessageTask.parse(answer.text, testCase);
				const accepted =
					parsed.ok && commitMessageTask.grade(testCase, parsed.value, context).checks.every((check) => !check.required || check.pass);
				if (accepted && !('kind' in answer)) lazy.set(answer.name, (lazy.get(answer.name) ?? 0) + 1);
				if (accepted && answer.name === values.show) shown.push(`  ${testCase.id}: ${JSON.stringify(answer.text)}`);
				if (!accepted && values.show === `!${answer.name}`) {
					const checks = parsed.ok ? commitMessageTask.grade(testCase, parsed.value, context).checks : [];
					const failed = checks.find((check) => check.required && !check.pass);
					shown.push(`  ${testCase.id}: ${JSON.stringify(answer.text)} — ${failed?.detail ?? 'unparseable'}`);
				}
			}
		}
		console.log(`\n${dir}: ${cases.length} cases, grader v${validity.grader_version}, ${validity.valid ? 'valid' : 'NOT valid'}`);
		console.log(`  reference                ${pct(validity.reference.rate).padStart(7)}  (${validity.reference.accepted})`);
		for (const junk of validity.junk) console.log(`  ${junk.name.padEnd(24)} ${pct(junk.rate).padStart(7)}  (${junk.accepted})`);
		console.log('  lazy answers (not sentinels):');
		for (const { name } of lazyAnswers(context.cases[0] as CommitMessageCase, context.cases)) {
			const accepted = lazy.get(name) ?? 0;
			console.log(`  ${name.padEnd(24)} ${pct(accepted / cases.length).padStart(7)}  (${accepted})`);
		}
		if (shown.length > 0) console.log(`${values.show}:\n${shown.join('\n')}`);
	}
});
