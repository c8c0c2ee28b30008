import type { BaselineOutcome } from '../baseline/run-baseline.ts';
import { billedCost, costSummary, gpuHours, pricesOf } from '../metrics/cost.ts';
import type { Case } from '../schema/case.ts';
import type { EscalationSummary } from '../schema/escalation.ts';
import type { Model } from '../schema/model.ts';
import type { Policy } from '../schema/policy.ts';
import type { Role } from '../schema/role.ts';
import type { CaseResult, RoleCost, RouteVerdict } from '../schema/report.ts';
import { type RouteInput, casesPerMonth, routeRole, withEscalation } from './route-role.ts';
import type { StopRule } from './sequential-stop.ts';

export interface RouteRunInput {
	roles: readonly Role[];
	models: readonly Model[];
	cases: readonly Case[];
	/** This run's results of the local models. */
	results: readonly CaseResult[];
	/** What the baseline did, or undefined when policy.yaml has no `baseline`. */
	baseline: BaselineOutcome | undefined;
	policy: Policy;
	escalations?: EscalationSummary;
	/**
	 * The run's stop rule: under `evidence.sequential: anytime` the routing verdict is its anytime-valid test
	 * over what it read; under `curtail` a baseline it stopped gets the verdict it settled.
	 */
	sequential?: StopRule;
}

/**
 * Every role's routing verdict, sorted by role: the incumbent against its baseline, with cost per case
 * and per accepted answer over the cases both answered (local dollars from GPU hours at
 * `baseline.local_cost_per_gpu_hour`, frontier dollars from the billed usage at models.yaml prices).
 * A run without a baseline gives every role `no baseline`. Pure.
 */
export function routeRun(input: RouteRunInput): RouteVerdict[] {
	const catalog = new Map(input.models.map((model) => [model.id, model]));
	const gpuRate = input.policy.baseline?.local_cost_per_gpu_hour ?? 0;
	const margin = input.policy.baseline?.margin ?? 0.05;
	return [...input.roles]
		.sort((a, b) => a.role.localeCompare(b.role))
		.map((role) => {
			const run = input.baseline?.roles.find((entry) => entry.role === role.role);
			const frontier = run?.answers.map((answer) => answer.result) ?? [];
			const usageOf = new Map(run?.answers.map((answer) => [answer.result.case_id, answer.usage]) ?? []);
			const local = input.results.filter((result) => result.role === role.role && result.model === role.incumbent && result.repeat === 0);
			const paired = new Set(frontier.map((result) => result.case_id));
			const pairedLocal = local.filter((result) => paired.has(result.case_id));
			const pairedFrontier = frontier.filter((result) => pairedLocal.some((entry) => entry.case_id === result.case_id));
			const baselineModel = role.baseline === undefined ? undefined : catalog.get(role.baseline);
			const prices = baselineModel ? pricesOf(baselineModel) : {};
			const roleCases = input.cases.filter((testCase) => testCase.role === role.role);
			const sequential = role.baseline === undefined ? undefined : input.sequential?.evidence(role.role, role.baseline);
			const read = sequential?.mode === 'anytime' ? sequential : undefined;
			const settled = sequential?.mode === 'curtail' && sequential.stopped ? sequential.routing : undefined;
			const routeInput: RouteInput = {
				role: role.role,
				incumbent: role.incumbent,
				baseline: role.baseline,
				answeredBy: run?.answeredBy ?? null,
				skipped: run?.skipped ?? (role.baseline !== undefined && !input.baseline ? 'policy.yaml has no `baseline` section' : null),
				local,
				frontier,
				roleCases: roleCases.length,
				sampled: run?.sampled.length ?? 0,
				notScored: run?.notScored ?? 0,
				cost: {
					// Over the paired cases when there are some, so both figures price the same work.
					local: costSummary(pairedLocal.length > 0 ? pairedLocal : local, (result) => gpuHours(result) * gpuRate, gpuHours),
					frontier:
						role.baseline === undefined || !run
							? null
							: costSummary(pairedFrontier, (result) => {
									const usage = usageOf.get(result.case_id);
									return usage ? billedCost(usage, prices) : null;
								}),
				},
				casesPerMonth: casesPerMonth(roleCases.map((testCase) => testCase.source.author_date)),
				margin,
				alpha: input.policy.evidence.alpha,
				...(input.escalations && input.escalations.role === role.role ? { escalation: input.escalations } : {}),
				...(read ? { anytime: { read: read.read, stopped: read.stopped, reason: read.reason, planned: read.planned } } : {}),
				...(settled && sequential
					? { curtailed: { read: sequential.read, reason: sequential.reason, planned: sequential.planned, settlement: settled } }
					: {}),
			};
			const alone = routeRole(routeInput);
			if (!routeInput.escalation || frontier.length === 0) return alone;
			// The incumbent with its rejections escalated: a case counts accepted when the chain's deciding answer was.
			const escalated = local.map((result) => {
				const decided = result.escalation?.steps.find((step) => step.outcome === 'answered');
				return result.outcome !== 'accepted' && decided?.accepted === true ? { ...result, outcome: 'accepted' as const } : result;
			});
			const stepCost = (result: CaseResult): number | null =>
				(result.escalation?.steps ?? [])
					.filter((step) => step.provider === 'anthropic' && step.input_tokens + step.output_tokens > 0)
					.reduce<number | null>((sum, step) => {
						const model = catalog.get(step.model);
						const cost = model
							? billedCost(
									{
										input_tokens: step.input_tokens,
										output_tokens: step.output_tokens,
										cache_creation_input_tokens: 0,
										cache_read_input_tokens: 0,
									},
									pricesOf(model),
								)
							: null;
						return sum === null || cost === null ? null : sum + cost;
					}, 0);
			const pairedEscalated = escalated.filter((result) => paired.has(result.case_id));
			const usd = costSummary(pairedEscalated, (result) => {
				const extra = stepCost(result);
				return extra === null ? null : gpuHours(result) * gpuRate + extra;
			}).usd_per_case;
			return withEscalation(alone, routeRole({ ...routeInput, local: escalated }), usd);
		});
}

/**
 * Every model's cost in every role this run, sorted by role then model: the local models over all their
 * answers (GPU time from Ollama's durations at `baseline.local_cost_per_gpu_hour`, 0 by default), the
 * baseline over its answers at models.yaml prices ("price not set" when it has none). Pure.
 */
export function roleCosts(input: Pick<RouteRunInput, 'models' | 'results' | 'baseline' | 'policy'>): RoleCost[] {
	const gpuRate = input.policy.baseline?.local_cost_per_gpu_hour ?? 0;
	const catalog = new Map(input.models.map((model) => [model.id, model]));
	const groups = new Map<string, CaseResult[]>();
	for (const result of input.results) {
		const key = `${result.role}\u0000${result.model}`;
		groups.set(key, [...(groups.get(key) ?? []), result]);
	}
	const rows: RoleCost[] = [...groups].map(([key, results]) => {
		const [role, model] = key.split('\u0000') as [string, string];
		return { role, model, kind: 'local', cost: costSummary(results, (result) => gpuHours(result) * gpuRate, gpuHours) };
	});
	for (const run of input.baseline?.roles ?? []) {
		if (run.answers.length === 0) continue;
		const usage = new Map(run.answers.map((answer) => [answer.result.case_id, answer.usage]));
		const prices = catalog.get(run.model) ? pricesOf(catalog.get(run.model)!) : {};
		rows.push({
			role: run.role,
			model: run.model,
			kind: 'frontier',
			cost: costSummary(
				run.answers.map((answer) => answer.result),
				(result) => billedCost(usage.get(result.case_id)!, prices),
			),
		});
	}
	return rows.sort((a, b) => a.role.localeCompare(b.role) || a.model.localeCompare(b.model));
}
