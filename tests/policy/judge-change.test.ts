import { describe, expect, it } from 'vitest';
import { judgeWholeChange } from '../../src/lib/policy/judge-change.ts';
import type { Proposal } from '../../src/lib/schema/report.ts';
import { model, role } from './support.ts';

const models = [
	model('gemma:1b', 'google-gemma'),
	model('gemma:2b', 'google-gemma'),
	model('llama:1b', 'meta-llama'),
	model('granite:1b', 'ibm-granite'),
];
const promote = (model: string, replaces: string, name = 'r'): Proposal => ({
	kind: 'promote',
	role: name,
	model,
	replaces,
	reason: 'wins',
});
const retire = (model: string, name = 'r'): Proposal => ({ kind: 'retire', role: name, model, reason: 'fails hard' });

describe('the diversity guard on the whole change', () => {
	it.each([
		{
			name: 'a promotion and a retirement that together leave one family: the retirement is held',
			roles: [role('gemma:1b', ['llama:1b', 'granite:1b'])],
			proposals: [retire('granite:1b'), promote('llama:1b', 'gemma:1b')],
			kept: ['promote llama:1b'],
			held: [
				'held: retiring granite:1b together with promoting llama:1b would leave r served by 1 family (meta-llama), the policy needs 2',
			],
		},
		{
			name: 'a retirement that leaves two families stands',
			roles: [role('gemma:1b', ['llama:1b', 'granite:1b'])],
			proposals: [retire('granite:1b')],
			kept: ['retire granite:1b'],
			held: [],
		},
		{
			name: 'retiring a model that adds no family of its own stands, even in a role already short of families',
			roles: [role('gemma:1b', ['gemma:2b'])],
			proposals: [retire('gemma:2b')],
			kept: ['retire gemma:2b'],
			held: [],
		},
		{
			name: 'the only other family retired alone is held',
			roles: [role('gemma:1b', ['llama:1b', 'gemma:2b'])],
			proposals: [retire('llama:1b')],
			kept: [],
			held: ['held: retiring llama:1b would leave r served by 1 family (google-gemma), the policy needs 2'],
		},
		{
			name: 'a promotion whose role changed since the run is passed on for the apply step to skip',
			roles: [role('granite:1b', ['llama:1b'])],
			proposals: [promote('llama:1b', 'gemma:1b')],
			kept: ['promote llama:1b'],
			held: [],
		},
		{
			name: 'proposals in different roles are judged each on its own role',
			roles: [role('gemma:1b', ['llama:1b', 'granite:1b']), role('gemma:1b', ['llama:1b', 'granite:1b'], 's')],
			proposals: [promote('llama:1b', 'gemma:1b'), retire('granite:1b', 's')],
			kept: ['promote llama:1b', 'retire granite:1b'],
			held: [],
		},
	])('$name', ({ roles, proposals, kept, held }) => {
		const judged = judgeWholeChange(roles, models, proposals, 2);
		expect(judged.proposals.map((p) => `${p.kind} ${p.model}`)).toEqual(kept);
		expect(judged.held.map((h) => h.reason)).toEqual(held);
	});

	it('holds a promotion that would leave the role one family when applied to the registry as it is now', () => {
		const judged = judgeWholeChange([role('gemma:1b', ['llama:1b'])], models, [promote('llama:1b', 'gemma:1b')], 2);
		expect(judged.held).toEqual([
			{
				proposal: promote('llama:1b', 'gemma:1b'),
				reason: 'held: promoting llama:1b would leave r served by 1 family (meta-llama), the policy needs 2',
			},
		]);
	});
});
