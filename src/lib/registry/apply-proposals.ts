import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isSeq, parseDocument, type Document, type YAMLSeq } from 'yaml';
import { writeFileAtomic } from '../files/write-atomic.ts';
import { REGISTRY_PATHS } from './paths.ts';
import type { Report } from '../schema/report.ts';

type Proposal = Report['proposals'][number];

/** What applying one proposal did. */
export interface AppliedChange {
	proposal: Proposal;
	file: string;
	/** False when the registry already reflects it (a second apply), or it no longer fits. */
	applied: boolean;
	note: string;
}

/**
 * Writes a report's proposals into `benchmarks/roles/*.yaml` through the `yaml` Document API, so the
 * owner's comments and formatting stay. A promotion makes the challenger the incumbent and moves the old
 * incumbent to `retired` (with the date, reason and report); a retirement moves a challenger there.
 * A proposal the registry already reflects is skipped, so a second apply changes nothing, byte for byte.
 */
export async function applyProposals(
	root: string,
	proposals: readonly Proposal[],
	context: { date: string; report: string },
): Promise<AppliedChange[]> {
	const changes: AppliedChange[] = [];
	const byRole = new Map<string, Proposal[]>();
	for (const proposal of proposals) byRole.set(proposal.role, [...(byRole.get(proposal.role) ?? []), proposal]);

	for (const [role, roleProposals] of [...byRole.entries()].sort(([a], [b]) => a.localeCompare(b))) {
		const file = path.posix.join(REGISTRY_PATHS.roles, `${role}.yaml`);
		const absolute = path.join(root, file);
		const before = await readFile(absolute, 'utf8');
		const doc = parseDocument(before);
		if (doc.errors.length > 0) throw new Error(`${file} is not valid YAML (${doc.errors[0]!.message}); fix it before applying proposals.`);
		for (const proposal of roleProposals) changes.push({ proposal, file, ...applyOne(doc, proposal, context) });
		const after = doc.toString();
		if (after !== before) await writeFileAtomic(absolute, after);
	}
	return changes;
}

function applyOne(doc: Document, proposal: Proposal, context: { date: string; report: string }): { applied: boolean; note: string } {
	const incumbent = doc.get('incumbent');
	const challengers = seq(doc, 'challengers');
	const index = challengers.items.findIndex((item) => String((item as { value?: unknown }).value ?? item) === proposal.model);
	const retire = (model: string) => {
		const retired = seq(doc, 'retired');
		retired.flow = false;
		retired.items.push(doc.createNode({ model, reason: proposal.reason, date: context.date, report: context.report }));
	};

	if (proposal.kind === 'promote') {
		if (incumbent === proposal.model) return { applied: false, note: `${proposal.model} already serves ${proposal.role}` };
		if (incumbent !== proposal.replaces || index === -1) {
			return { applied: false, note: `the role changed since the run (incumbent ${String(incumbent)}); proposal not applied` };
		}
		challengers.items.splice(index, 1);
		doc.set('incumbent', proposal.model);
		retire(proposal.replaces!);
		return { applied: true, note: `${proposal.model} now serves ${proposal.role}; ${proposal.replaces} retired` };
	}
	if (index === -1) return { applied: false, note: `${proposal.model} is no longer a challenger of ${proposal.role}` };
	challengers.items.splice(index, 1);
	retire(proposal.model);
	return { applied: true, note: `${proposal.model} retired from ${proposal.role}` };
}

/** The sequence at `key`, created (block style) when missing or empty-flow like `[]`. */
function seq(doc: Document, key: string): YAMLSeq {
	const node = doc.get(key, true);
	if (isSeq(node)) {
		if (node.items.length === 0) node.flow = false;
		return node;
	}
	const created = doc.createNode([]) as YAMLSeq;
	created.flow = false;
	if (isMap(doc.contents)) doc.set(key, created);
	return created;
}
