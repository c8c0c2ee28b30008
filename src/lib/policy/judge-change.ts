import type { Model } from '../schema/model.ts';
import type { HeldProposal, Proposal } from '../schema/report.ts';
import type { Role } from '../schema/role.ts';

/** The outcome of judging a set of proposals together. */
export interface JudgedChange {
	/** Proposals that keep every role within the diversity guard, in the order given. */
	proposals: Proposal[];
	/** Proposals held back, each with the reason. */
	held: HeldProposal[];
}

/** Distinct families across a role's incumbent and challengers (an unknown model counts as its own family). */
export function familiesOf(role: Pick<Role, 'incumbent' | 'challengers'>, catalog: ReadonlyMap<string, Model>): string[] {
	return [...new Set([role.incumbent, ...role.challengers].map((id) => catalog.get(id)?.family ?? id))].sort();
}

/**
 * The family-diversity guard on the whole change: every proposal of a run — promotions first, then
 * retirements, each in the order given — is applied to a copy of the roles, and one that would leave
 * its role with fewer than `minFamilies` families is held instead. A promotion is held whenever the
 * role after it falls short (the policy's literal reading: the replaced incumbent leaves); a
 * retirement only when it lowers the count below the minimum, so removing a model that adds no family
 * of its own is never blocked. A proposal the roles already reflect, or that no longer fits them, is
 * passed through untouched for the apply step to report. Pure.
 */
export function judgeWholeChange(
	roles: readonly Role[],
	models: readonly Model[],
	proposals: readonly Proposal[],
	minFamilies: number,
): JudgedChange {
	const catalog = new Map(models.map((model) => [model.id, model]));
	const state = new Map(roles.map((role) => [role.role, { incumbent: role.incumbent, challengers: [...role.challengers] }]));
	const accepted: Proposal[] = [];
	const held: HeldProposal[] = [];
	const ordered = [...proposals.filter((p) => p.kind === 'promote'), ...proposals.filter((p) => p.kind === 'retire')];
	for (const proposal of ordered) {
		const current = state.get(proposal.role);
		const fits =
			current !== undefined &&
			current.challengers.includes(proposal.model) &&
			(proposal.kind === 'retire' || current.incumbent === proposal.replaces);
		if (!fits) {
			accepted.push(proposal);
			continue;
		}
		const before = familiesOf(current, catalog);
		const after =
			proposal.kind === 'promote'
				? { incumbent: proposal.model, challengers: current.challengers.filter((id) => id !== proposal.model) }
				: { incumbent: current.incumbent, challengers: current.challengers.filter((id) => id !== proposal.model) };
		const families = familiesOf(after, catalog);
		const breaks = families.length < minFamilies && (proposal.kind === 'promote' || families.length < before.length);
		if (breaks) {
			const what = proposal.kind === 'promote' ? `promoting ${proposal.model}` : `retiring ${proposal.model}`;
			const others = accepted.filter((p) => p.role === proposal.role);
			const together =
				others.length > 0
					? ` together with ${others.map((p) => (p.kind === 'promote' ? `promoting ${p.model}` : `retiring ${p.model}`)).join(' and ')}`
					: '';
			held.push({
				proposal,
				reason: `held: ${what}${together} would leave ${proposal.role} served by ${families.length} family (${families.join(', ')}), the policy needs ${minFamilies}`,
			});
			continue;
		}
		state.set(proposal.role, after);
		accepted.push(proposal);
	}
	// Back in the order given, so reports and the apply step read as before.
	return { proposals: proposals.filter((p) => accepted.includes(p)), held };
}
