import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditLockfile } from './lockfile-audit';

describe('lockfile audit (offline: what npm run audit:deps checks when the advisory endpoint is unreachable)', () => {
  it('finds nothing in the committed lockfile: every package from the registry with sha512 integrity, no install scripts', () => {
    const lock = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package-lock.json'), 'utf8'));
    const allowed = JSON.parse(readFileSync(join(__dirname, 'install-scripts.allowed.json'), 'utf8'));
    expect(auditLockfile(lock, allowed)).toEqual([]);
  });

  it('flags a package from elsewhere, a weak or missing hash, and an install script not allowed by name', () => {
    const findings = auditLockfile({
      packages: {
        '': { version: '1.0.0' },
        'node_modules/evil': { version: '1.0.0', resolved: 'git+ssh://git@example.com/evil.git', integrity: 'sha512-x' },
        'node_modules/old': { version: '2.0.0', resolved: 'https://registry.npmjs.org/old/-/old-2.0.0.tgz', integrity: 'sha1-abc' },
        'node_modules/a/node_modules/postinstall': { version: '3.0.0', integrity: 'sha512-y', hasInstallScript: true },
        'node_modules/allowed': { version: '1.0.0', integrity: 'sha512-z', hasInstallScript: true },
        'node_modules/local': { link: true },
      },
    }, ['allowed']);
    expect(findings.map((f) => [f.package, f.problem])).toEqual([
      ['evil@1.0.0', 'non-registry-source'],
      ['old@2.0.0', 'no-sha512-integrity'],
      ['postinstall@3.0.0', 'install-script'],
    ]);
  });
});
