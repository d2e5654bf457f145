/**
 * npm run audit:deps — npm's advisory audit when its endpoint answers; otherwise
 * (it answers 405 from this machine's network) the offline lockfile checks, and with
 * --deprecations the registry's deprecation notices for every installed version
 * (GET requests, which the registry serves). Exits 1 on any finding.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditLockfile, NPM_REGISTRY } from './lockfile-audit';

const ROOT = join(__dirname, '..', '..');

async function main(): Promise<number> {
  const audit = spawnSync('npm', ['audit', '--json'], { cwd: ROOT, encoding: 'utf8' });
  const report = parse(audit.stdout);
  const counts = (report?.metadata as { vulnerabilities?: Record<string, number> } | undefined)?.vulnerabilities;
  let failed = false;
  if (counts) {
    console.log(`npm audit: ${JSON.stringify(counts)}`);
    failed = (counts.high ?? 0) + (counts.critical ?? 0) > 0;
  } else {
    console.log(`npm audit: the advisory endpoint could not be used (${firstLine(audit.stderr) || 'no answer'}); offline checks instead`);
  }
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages?: Record<string, { version?: string; link?: boolean }> };
  const allowed = JSON.parse(readFileSync(join(__dirname, 'install-scripts.allowed.json'), 'utf8')) as string[];
  const findings = auditLockfile(lock, allowed);
  const packages = Object.keys(lock.packages ?? {}).filter((p) => p !== '').length;
  console.log(`lockfile: ${packages} packages, ${findings.length} finding(s)`);
  for (const f of findings) console.log(`  ${f.problem}: ${f.package} (${f.detail})`);
  failed ||= findings.length > 0;

  if (process.argv.includes('--deprecations')) {
    const versions = [...new Set(Object.entries(lock.packages ?? {}).filter(([p, e]) => p !== '' && !e.link && e.version).map(([p, e]) => `${p.replace(/^.*node_modules\//, '')}@${e.version}`))];
    let deprecated = 0;
    for (let i = 0; i < versions.length; i += 16) {
      const batch = await Promise.all(versions.slice(i, i + 16).map(async (id) => {
        const at = id.lastIndexOf('@');
        const response = await fetch(`${NPM_REGISTRY}${id.slice(0, at).replace('/', '%2F')}/${id.slice(at + 1)}`).catch(() => undefined);
        const body = response?.ok ? ((await response.json()) as { deprecated?: string }) : undefined;
        return body?.deprecated ? `${id}: ${body.deprecated}` : undefined;
      }));
      for (const line of batch.filter(Boolean)) {
        deprecated++;
        console.log(`  deprecated ${line}`);
      }
    }
    console.log(`registry: ${versions.length} versions checked, ${deprecated} deprecated (reported, not failing)`);
  }
  return failed ? 1 : 0;
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error);
  process.exit(2);
});
