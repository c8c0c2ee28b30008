// `npm run check`, first half: validate the registry and the cases with the same function the build
// calls, and exit non-zero with every problem listed. `astro check` runs after it.
import { loadRegistry } from '../src/lib/registry/load-registry.ts';
import { formatFailure } from '../src/lib/errors/describe-error.ts';
import { RegistryError } from '../src/lib/registry/registry-error.ts';
import { registryGaps } from '../src/lib/registry/registry-gaps.ts';

const root = process.cwd();
try {
	const registry = await loadRegistry(root);
	console.log(
		`registry ok: ${registry.models.length} models, ${registry.roles.length} roles, ${registry.cases.length} cases, policy valid`,
	);
	// Gaps are warnings, not errors: a young repository may have no cases for a role yet.
	const gaps = registryGaps({ ...registry, roles: registry.roles.map((entry) => entry.role), cases: registry.cases.map((entry) => entry.case) });
	for (const gap of gaps) console.warn(`warning: ${gap}`);
} catch (error) {
	console.error(error instanceof RegistryError ? error.message : formatFailure(error));
	process.exit(1);
}
