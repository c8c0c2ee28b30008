/** Where the registry lives, relative to the project root. The site and the pipeline read the same files. */
export const REGISTRY_PATHS = {
	models: 'benchmarks/models.yaml',
	roles: 'benchmarks/roles',
	policy: 'benchmarks/policy.yaml',
	cases: 'benchmarks/cases',
	reports: 'reports',
} as const;
