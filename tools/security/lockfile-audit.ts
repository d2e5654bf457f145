/**
 * Supply-chain checks of package-lock.json that need no advisory service: what
 * `npm run audit:deps` falls back to when npm's advisory endpoint cannot be reached
 * (it answers 405 from this network). Pure: a lockfile in, findings out.
 */
export interface LockfileFinding {
  package: string;
  problem: 'not-from-registry' | 'no-sha512-integrity' | 'install-script' | 'non-registry-source';
  detail: string;
}

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  hasInstallScript?: boolean;
}

export const NPM_REGISTRY = 'https://registry.npmjs.org/';

/**
 * Every installed package must come from the npm registry with a sha512 integrity
 * hash, and none may run install scripts unless allowed by name (install scripts run
 * with the installing user's rights: the usual way a hijacked package attacks).
 */
export function auditLockfile(lock: { packages?: Record<string, LockEntry> }, allowedInstallScripts: readonly string[] = []): LockfileFinding[] {
  const findings: LockfileFinding[] = [];
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    if (path === '' || entry.link) continue;
    const name = path.replace(/^.*node_modules\//, '');
    const id = `${name}@${entry.version ?? '?'}`;
    if (entry.resolved !== undefined && !entry.resolved.startsWith(NPM_REGISTRY)) {
      findings.push({ package: id, problem: /^(git|file|https?:)/.test(entry.resolved) && !entry.resolved.startsWith('https://') ? 'non-registry-source' : 'not-from-registry', detail: entry.resolved });
    }
    if (!entry.integrity?.startsWith('sha512-')) findings.push({ package: id, problem: 'no-sha512-integrity', detail: entry.integrity ?? 'none' });
    if (entry.hasInstallScript && !allowedInstallScripts.includes(name)) findings.push({ package: id, problem: 'install-script', detail: 'runs a script at install; allow it by name in tools/security/install-scripts.allowed.json after reading it' });
  }
  return findings;
}
