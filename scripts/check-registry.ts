// `npm run check`, first half: validate the registry and the cases with the same function the build
// calls, and exit non-zero with every problem listed. `astro check` runs after it.
import { loadRegistry } from '../src/lib/registry/load-registry.ts';
import { formatFailure } from '../src/lib/errors/describe-error.ts';
import { RegistryError } from '../src/lib/registry/registry-error.ts';

const root = process.cwd();
try {
	const registry = await loadRegistry(root);
	console.log(
		`registry ok: ${registry.models.length} models, ${registry.roles.length} roles, ${registry.cases.length} cases, policy valid`,
	);
} catch (error) {
	console.error(error instanceof RegistryError ? error.message : formatFailure(error));
	process.exit(1);
}
