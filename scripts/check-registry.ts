// `npm run check`, first half: validate the registry and the cases with the same function the build
// calls, and exit non-zero with every problem listed. `astro check` runs after it.
import { loadRegistry } from '../src/lib/registry/load-registry.ts';
import { RegistryError } from '../src/lib/registry/registry-error.ts';

const root = process.cwd();
try {
	const registry = await loadRegistry(root);
	console.log(
		`registry ok: ${registry.models.length} models, ${registry.roles.length} roles, ${registry.cases.length} cases, policy valid`,
	);
} catch (error) {
	if (error instanceof RegistryError) {
		console.error(error.message);
		process.exit(1);
	}
	throw error;
}
