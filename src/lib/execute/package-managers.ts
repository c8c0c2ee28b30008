import { createHash } from 'node:crypto';

/**
 * How a commit's dependencies are installed, read from its files: which lockfile, which package manager at
 * which version (the `packageManager` field of package.json when it names one, else a version that reads
 * the lockfile's format), and the command that installs exactly what the lockfile says. Pure: the caller
 * reads the files (from a worktree, or from git).
 */

/** The package managers a history may have used. */
export type ManagerName = 'npm' | 'pnpm' | 'yarn' | 'yarn-berry';

/** A recipe for one install: what to copy, which tool, which command. */
export type InstallPlan = {
	manager: ManagerName;
	/** The version of the manager the install runs with. */
	version: string;
	/** Where the version came from: the `packageManager` field, or the lockfile's format. */
	versionFrom: 'packageManager' | 'yarnPath' | 'lockfile' | 'default';
	/** The lockfile's name at the root of the tree, or null (npm without a lockfile). */
	lockfileName: string | null;
	/** The cache folder's name: manager@version and the lockfile's hash (or the dependency ranges' hash). */
	key: string;
	/** Without a lockfile: the ranges resolve as of the commit's date (`npm install --before`). */
	needsDate: boolean;
};

/** Why a commit's dependencies cannot be installed, in a few words the mining summary counts. */
export type InstallRefusal = { reason: string };

/** The files of a tree that decide its install, by name (undefined when absent). */
export type ManifestFiles = {
	'package.json'?: string | undefined;
	'package-lock.json'?: string | undefined;
	'npm-shrinkwrap.json'?: string | undefined;
	'pnpm-lock.yaml'?: string | undefined;
	'yarn.lock'?: string | undefined;
	'pnpm-workspace.yaml'?: string | undefined;
	'.yarnrc.yml'?: string | undefined;
};

/** The files `dependencyPlan` reads, in the order it prefers lockfiles. */
export const MANIFEST_FILES = [
	'package.json',
	'npm-shrinkwrap.json',
	'package-lock.json',
	'pnpm-lock.yaml',
	'yarn.lock',
	'pnpm-workspace.yaml',
	'.yarnrc.yml',
] as const;

/** Versions used when neither `packageManager` nor the lockfile names one (each reads that lockfile format). */
export const DEFAULT_VERSIONS = {
	pnpm: { '5.3': '7.33.7', '5.4': '7.33.7', '6.0': '8.15.9', '6.1': '8.15.9', '7.0': '9.15.9', '9.0': '9.15.9' } as Record<string, string>,
	yarnClassic: '1.22.22',
	/** Berry lockfiles' `__metadata.version` → a yarn that writes that version. */
	yarnBerry: { '4': '2.4.3', '5': '3.1.1', '6': '3.8.7', '7': '4.0.2', '8': '4.9.2' } as Record<string, string>,
};

/** The oldest pnpm that runs on current Node, and the last of its major. */
const LAST_PNPM_7 = '7.33.7';

type Manifest = Record<string, unknown>;

function parseManifest(text: string): Manifest | undefined {
	try {
		const parsed = JSON.parse(text) as unknown;
		return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Manifest) : undefined;
	} catch {
		return undefined;
	}
}

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

function dependencyEntries(manifest: Manifest): Array<[string, string]> {
	return DEPENDENCY_FIELDS.flatMap((field) => {
		const value = manifest[field];
		return value !== null && typeof value === 'object'
			? Object.entries(value as Record<string, unknown>).map(([name, range]) => [name, String(range)] as [string, string])
			: [];
	});
}

/** True when package.json declares any dependency (peer dependencies alone need no install). */
export function declaresDependencies(packageJson: string): boolean {
	const manifest = parseManifest(packageJson);
	if (!manifest) return false;
	return ['dependencies', 'devDependencies'].some((key) => {
		const value = manifest[key];
		return value !== null && typeof value === 'object' && Object.keys(value).length > 0;
	});
}

function shortHash(...parts: string[]): string {
	const hash = createHash('sha256');
	for (const part of parts) hash.update(part).update('\0');
	return hash.digest('hex').slice(0, 16);
}

/** sha256 of a lockfile, shortened: the name of its npm install in the cache. */
export function lockHashOf(lockfile: string): string {
	return createHash('sha256').update(lockfile).digest('hex').slice(0, 16);
}

/** `pnpm@9.1.0+sha512.…` → { name: 'pnpm', version: '9.1.0' }; undefined when the field names no exact version. */
export function parsePackageManagerField(value: unknown): { name: string; version: string } | undefined {
	if (typeof value !== 'string') return undefined;
	const match = /^(npm|pnpm|yarn)@(\d+\.\d+\.\d+(?:-[\w.]+)?)(?:\+.*)?$/.exec(value.trim());
	return match ? { name: match[1] as string, version: match[2] as string } : undefined;
}

function major(version: string): number {
	return Number(version.split('.')[0]);
}

/** pnpm-lock.yaml's `lockfileVersion` ('5.4', '6.0', '9.0'), or undefined. */
export function pnpmLockfileVersion(lockfile: string): string | undefined {
	const match = /^lockfileVersion:\s*['"]?([\d.]+)['"]?\s*$/m.exec(lockfile);
	return match?.[1];
}

/** The berry lockfile's `__metadata.version`, or undefined for a classic (v1) yarn.lock. */
export function yarnBerryLockVersion(lockfile: string): string | undefined {
	if (!/^__metadata:/m.test(lockfile)) return undefined;
	return /^__metadata:\s*\n(?:\s+.*\n)*?\s+version:\s*(\d+)/m.exec(lockfile)?.[1] ?? '4';
}

/** Which pnpm versions read a lockfile version: pnpm 6 writes 5.3, 7 writes 5.4, 8 writes 6.0, 9 and 10 write 9.0. */
function pnpmReads(version: string, lockfileVersion: string): boolean {
	const m = major(version);
	const lock = Number(lockfileVersion);
	if (lock >= 9) return m >= 9;
	if (lock >= 6) return m >= 8;
	if (lock >= 5.4) return m >= 7 && m <= 8;
	return m <= 7;
}

function hasWorkspacePackages(manifest: Manifest, pnpmWorkspace: string | undefined): boolean {
	if (manifest.workspaces !== undefined) return true;
	return pnpmWorkspace !== undefined && /^packages:\s*\n\s+-/m.test(pnpmWorkspace);
}

/** Dependencies the registry alone cannot give: git, file, link and workspace ones. */
function unreachableDependency(manifest: Manifest): string | undefined {
	for (const [name, range] of dependencyEntries(manifest)) {
		if (/^(git\+|git:|github:|gitlab:|bitbucket:)|^[\w.-]+\/[\w.-]+(#.*)?$|\.git(#.*)?$/.test(range))
			return `needs a git dependency (${name})`;
		if (range.startsWith('workspace:')) return 'workspace protocol';
		if (/^(file|link|portal):/.test(range)) return `needs a local dependency (${name}: ${range})`;
	}
	return undefined;
}

/**
 * The install a tree's files call for, or why it cannot be made. The lockfile decides the manager (npm's
 * shrinkwrap or package-lock, then pnpm-lock.yaml, then yarn.lock: v1 is yarn classic, one with
 * `__metadata` is yarn berry); `packageManager` gives its version when it names the same manager.
 * Without any lockfile, npm installs the declared ranges as of the commit's date.
 */
export function dependencyPlan(files: ManifestFiles): InstallPlan | InstallRefusal {
	const manifest = parseManifest(files['package.json'] ?? '');
	if (!manifest) return { reason: 'package.json is not valid JSON' };
	const named = parsePackageManagerField(manifest.packageManager);
	const pick = (name: string, fallback: string): { version: string; versionFrom: InstallPlan['versionFrom'] } =>
		named?.name === name ? { version: named.version, versionFrom: 'packageManager' } : { version: fallback, versionFrom: 'lockfile' };
	if (hasWorkspacePackages(manifest, files['pnpm-workspace.yaml'])) return { reason: 'workspace (several packages)' };
	const unreachable = unreachableDependency(manifest);
	if (unreachable) return { reason: unreachable };

	const npmLock =
		files['npm-shrinkwrap.json'] !== undefined
			? 'npm-shrinkwrap.json'
			: files['package-lock.json'] !== undefined
				? 'package-lock.json'
				: undefined;
	if (npmLock) {
		const lockfile = files[npmLock] as string;
		const { version, versionFrom } = named?.name === 'npm' ? pick('npm', '') : { version: 'system', versionFrom: 'default' as const };
		// The cache key of an npm install is the lockfile's hash alone, as it always was: installs made by
		// earlier versions stay valid.
		return {
			manager: 'npm',
			version,
			versionFrom,
			lockfileName: npmLock,
			key: version === 'system' ? lockHashOf(lockfile) : `npm@${version}-${lockHashOf(lockfile)}`,
			needsDate: false,
		};
	}
	const pnpmLock = files['pnpm-lock.yaml'];
	if (pnpmLock !== undefined) {
		const lockVersion = pnpmLockfileVersion(pnpmLock);
		if (lockVersion === undefined) return { reason: 'pnpm-lock.yaml has no lockfileVersion' };
		const fallback = DEFAULT_VERSIONS.pnpm[lockVersion] ?? (Number(lockVersion) < 5.3 ? undefined : '9.15.9');
		if (fallback === undefined && named?.name !== 'pnpm')
			return { reason: `pnpm lockfile version ${lockVersion} is older than any pnpm that runs here` };
		const picked = pick('pnpm', fallback ?? '');
		// pnpm 6 and 7 before 7.33 fail every request on Node 20 and later (ERR_INVALID_THIS): the last pnpm 7
		// runs, and reads the same lockfiles (5.3 and 5.4).
		const { version, versionFrom } = major(picked.version) <= 7 ? { ...picked, version: LAST_PNPM_7 } : picked;
		if (!pnpmReads(version, lockVersion)) return { reason: `lockfile version ${lockVersion} unsupported by pnpm@${version}` };
		return {
			manager: 'pnpm',
			version,
			versionFrom,
			lockfileName: 'pnpm-lock.yaml',
			key: `pnpm@${version}-${lockHashOf(pnpmLock)}`,
			needsDate: false,
		};
	}
	const yarnLock = files['yarn.lock'];
	if (yarnLock !== undefined) {
		const berry = yarnBerryLockVersion(yarnLock);
		if (berry === undefined) {
			const { version, versionFrom } =
				named?.name === 'yarn' && major(named.version) === 1
					? pick('yarn', '')
					: { version: DEFAULT_VERSIONS.yarnClassic, versionFrom: 'default' as const };
			return {
				manager: 'yarn',
				version,
				versionFrom,
				lockfileName: 'yarn.lock',
				key: `yarn@${version}-${lockHashOf(yarnLock)}`,
				needsDate: false,
			};
		}
		// The release the history checked in (`yarnPath: .yarn/releases/yarn-3.1.1.cjs`) names the version it ran.
		const checkedIn = /^yarnPath:\s*['"]?\S*?yarn-(\d+\.\d+\.\d+(?:-[\w.]+)?)\.c?js['"]?\s*$/m.exec(files['.yarnrc.yml'] ?? '')?.[1];
		const fallback = checkedIn ?? DEFAULT_VERSIONS.yarnBerry[berry] ?? '4.9.2';
		const { version, versionFrom } =
			named?.name === 'yarn' && major(named.version) >= 2
				? pick('yarn', fallback)
				: { version: fallback, versionFrom: checkedIn ? ('yarnPath' as const) : ('lockfile' as const) };
		return {
			manager: 'yarn-berry',
			version,
			versionFrom,
			lockfileName: 'yarn.lock',
			key: `yarn@${version}-${lockHashOf(yarnLock)}`,
			needsDate: false,
		};
	}
	// No lockfile (many libraries commit none): the declared ranges, as the registry served them on the
	// commit's day. One install per set of ranges.
	const ranges = JSON.stringify(dependencyEntries(manifest).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
	const version = named?.name === 'npm' ? named.version : 'system';
	return {
		manager: 'npm',
		version,
		versionFrom: named?.name === 'npm' ? 'packageManager' : 'default',
		lockfileName: null,
		key: `npm-ranges-${shortHash(version, ranges)}`,
		needsDate: true,
	};
}

/** The npm package that carries a manager's command, and the script to run with node inside it. */
export function toolPackage(manager: ManagerName, version: string): { spec: string; bin: string } {
	switch (manager) {
		case 'npm':
			return { spec: `npm@${version}`, bin: 'node_modules/npm/bin/npm-cli.js' };
		case 'pnpm':
			return { spec: `pnpm@${version}`, bin: major(version) >= 7 ? 'node_modules/pnpm/bin/pnpm.cjs' : 'node_modules/pnpm/bin/pnpm.js' };
		case 'yarn':
			return { spec: `yarn@${version}`, bin: 'node_modules/yarn/bin/yarn.js' };
		case 'yarn-berry':
			return { spec: `@yarnpkg/cli-dist@${version}`, bin: 'node_modules/@yarnpkg/cli-dist/bin/yarn.js' };
	}
}

/**
 * A day after the commit: histories often raise a range to a version published minutes before the commit,
 * and a clock or a time zone off by hours must not make that version "not yet published".
 */
function dayAfter(date: string): string {
	const time = Date.parse(date);
	return Number.isNaN(time) ? date : new Date(time + 24 * 60 * 60 * 1000).toISOString();
}

/** Folders (under the shared cache) where each manager keeps what it downloaded, so installs share it. */
export type ManagerCaches = { npm: string; pnpmStore: string; yarn: string; yarnBerry: string };

/**
 * The install's arguments (after the manager's command) and environment. Every one is frozen to the
 * lockfile: an install that would change it fails instead of resolving anew.
 */
export function installCommand(plan: InstallPlan, caches: ManagerCaches, date?: string): { args: string[]; env: Record<string, string> } {
	const quiet = {
		npm_config_update_notifier: 'false',
		npm_config_fund: 'false',
		npm_config_audit: 'false',
		// Browsers and app binaries that packages download from their own hosts as they install: browser
		// tests are never run, and those hosts are not the registry.
		PUPPETEER_SKIP_DOWNLOAD: '1',
		PUPPETEER_SKIP_CHROMIUM_DOWNLOAD: '1',
		PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
		CYPRESS_INSTALL_BINARY: '0',
		ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
		CHROMEDRIVER_SKIP_DOWNLOAD: 'true',
		GECKODRIVER_SKIP_DOWNLOAD: 'true',
	};
	switch (plan.manager) {
		case 'npm':
			if (plan.lockfileName === null)
				return {
					args: ['install', '--no-package-lock', '--legacy-peer-deps', '--loglevel=error', ...(date ? [`--before=${dayAfter(date)}`] : [])],
					env: { ...quiet, npm_config_cache: caches.npm },
				};
			return { args: ['ci', '--loglevel=error'], env: { ...quiet, npm_config_cache: caches.npm } };
		case 'pnpm':
			return {
				args: [
					'install',
					'--frozen-lockfile',
					`--store-dir=${caches.pnpmStore}`,
					'--config.confirmModulesPurge=false',
					'--reporter=append-only',
				],
				env: { ...quiet, npm_config_cache: caches.npm, npm_config_manage_package_manager_versions: 'false' },
			};
		case 'yarn':
			return {
				args: ['install', '--frozen-lockfile', '--non-interactive', '--no-progress', '--ignore-engines', `--cache-folder=${caches.yarn}`],
				env: { ...quiet, YARN_CACHE_FOLDER: caches.yarn, npm_config_cache: caches.npm },
			};
		case 'yarn-berry':
			return {
				args: ['install', '--immutable'],
				env: {
					...quiet,
					// node_modules, never Plug'n'Play: the worktree links the packages in like any other install.
					YARN_NODE_LINKER: 'node-modules',
					YARN_ENABLE_GLOBAL_CACHE: 'false',
					YARN_CACHE_FOLDER: caches.yarnBerry,
					YARN_GLOBAL_FOLDER: `${caches.yarnBerry}-global`,
					YARN_ENABLE_TELEMETRY: '0',
					YARN_ENABLE_PROGRESS_BARS: 'false',
					// The checked-in release (`yarnPath`) is not in the install folder: the version chosen runs itself.
					YARN_IGNORE_PATH: '1',
					YARN_ENABLE_SCRIPTS: 'true',
				},
			};
	}
}

/**
 * The second try when the frozen install refused a lockfile out of step with package.json (histories hold
 * such commits, and their CI often ran a plain install), or a date before any matching version was
 * published: the same manager, allowed to update the install folder's copy of the lockfile — versions it
 * locks stay as they are wherever package.json still accepts them.
 */
export function relaxedInstallCommand(plan: InstallPlan, caches: ManagerCaches): { args: string[]; env: Record<string, string> } {
	const strict = installCommand(plan, caches);
	switch (plan.manager) {
		case 'npm':
			return { args: ['install', '--no-audit', '--no-fund', '--legacy-peer-deps', '--loglevel=error'], env: strict.env };
		case 'pnpm':
			return { args: strict.args.map((arg) => (arg === '--frozen-lockfile' ? '--no-frozen-lockfile' : arg)), env: strict.env };
		case 'yarn':
			return { args: strict.args.filter((arg) => arg !== '--frozen-lockfile'), env: strict.env };
		case 'yarn-berry':
			return { args: ['install'], env: { ...strict.env, YARN_ENABLE_IMMUTABLE_INSTALLS: 'false' } };
	}
}

/** Failures a relaxed install may get past: a lockfile out of step, a date too early for a range. */
export function isRelaxable(reason: string): boolean {
	return reason === 'lockfile out of date with package.json' || reason === 'no version of a range published by the commit date';
}

/** Configuration files an install reads besides package.json and the lockfile, copied when present. */
export const INSTALL_CONFIG_FILES = ['.npmrc', '.yarnrc', '.yarnrc.yml', 'pnpm-workspace.yaml', '.pnpmfile.cjs'];
/** Folders an install may need (patches the lockfile refers to, yarn plugins). */
export const INSTALL_CONFIG_DIRS = ['patches', '.yarn/patches', '.yarn/plugins'];

/** A few words for why an install failed, read from its output: what the mining summary counts. */
export function installFailureReason(plan: InstallPlan, output: string): string {
	const who = plan.version === 'system' ? plan.manager : `${plan.manager === 'yarn-berry' ? 'yarn' : plan.manager}@${plan.version}`;
	if (/ERR_INVALID_THIS/.test(output)) return `${who} does not run on this Node`;
	if (/ERR_PNPM_LOCKFILE_BREAKING_CHANGE|lockfile.*(not compatible|unsupported|breaking)|Unsupported lockfile/i.test(output))
		return `lockfile version unsupported by ${who}`;
	if (/\bgit\b.*(clone|ls-remote)|ERR_PNPM_GIT|git dependency|Couldn't find the binary git|spawn git/i.test(output))
		return 'needs a git dependency';
	if (
		/ERR_PNPM_OUTDATED_LOCKFILE|lockfile needs to be updated|lockfile would have been modified|Your lockfile needs to be updated|npm ci.*can only install packages when your package.json and package-lock.json/i.test(
			output,
		)
	)
		return 'lockfile out of date with package.json';
	if (/ENOVERSIONS|ETARGET/.test(output) && plan.needsDate) return 'no version of a range published by the commit date';
	if (/E404|404 Not Found|ERR_PNPM_FETCH_404|not found in the registry|ERR_PNPM_NO_MATCHING_VERSION|No matching version/i.test(output))
		return 'a package is gone from the registry';
	if (/ERR_PNPM_WORKSPACE|Unsupported URL Type "workspace:"|EUNSUPPORTEDPROTOCOL.*workspace/i.test(output)) return 'workspace protocol';
	if (/ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT|ECONNREFUSED|socket hang up|network/i.test(output)) return 'network error';
	if (/node-gyp|gyp ERR|prebuild-install|install script|postinstall|ELIFECYCLE/i.test(output)) return 'a package build script failed';
	return `${who} install failed`;
}

/** A failure worth trying again later (the network), which is therefore not remembered. */
export function isTransientFailure(reason: string): boolean {
	return reason === 'network error' || reason.includes('took over');
}
