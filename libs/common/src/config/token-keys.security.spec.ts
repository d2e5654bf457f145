import { randomBytes } from 'node:crypto';
import type { ServiceName } from './app-config';
import { ConfigError, loadConfig, redactConfig } from './load-config';
import { keyringFromConfig } from './token-keys';

const base = { HUBSPOT_CLIENT_SECRET: 'client-secret-1', ADMIN_API_KEY: 'admin-key-0123456789' };
const k1 = randomBytes(32);
const k2 = randomBytes(32);
const legacy = randomBytes(32);

function problemsOf(env: Record<string, string>, service: ServiceName = 'ingest'): string[] {
  try {
    loadConfig({ ...base, ...env }, service);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('token keyring configuration (security)', () => {
  it('keeps TOKEN_ENCRYPTION_KEY working alone: one key, id "legacy", active', () => {
    const ring = keyringFromConfig(loadConfig({ ...base, TOKEN_ENCRYPTION_KEY: legacy.toString('base64') }, 'ingest'))!;
    expect(ring.keyIds).toEqual(['legacy']);
    expect(ring.activeKeyId).toBe('legacy');
  });

  it('reads several keys and the active one', () => {
    const config = loadConfig({ ...base, TOKEN_ENCRYPTION_KEYS: `k2:${k2.toString('base64')}, k1:${k1.toString('hex')}`, TOKEN_ENCRYPTION_ACTIVE_KEY: 'k2' }, 'writer');
    const ring = keyringFromConfig(config)!;
    expect(ring.keyIds).toEqual(['k2', 'k1']);
    expect(ring.activeKeyId).toBe('k2');
    expect(ring.encrypt('t', 'c')).toMatch(/^v2:k2:/);
  });

  it('combines TOKEN_ENCRYPTION_KEY (as "legacy") with TOKEN_ENCRYPTION_KEYS during a rotation', () => {
    const config = loadConfig({ ...base, TOKEN_ENCRYPTION_KEY: legacy.toString('base64'), TOKEN_ENCRYPTION_KEYS: `k2:${k2.toString('base64')}`, TOKEN_ENCRYPTION_ACTIVE_KEY: 'legacy' }, 'enricher');
    expect(keyringFromConfig(config)!.keyIds).toEqual(['legacy', 'k2']);
    expect(keyringFromConfig(config)!.activeKeyId).toBe('legacy');
  });

  it('a single key in TOKEN_ENCRYPTION_KEYS is active without naming it', () => {
    expect(keyringFromConfig(loadConfig({ ...base, TOKEN_ENCRYPTION_KEYS: `k2:${k2.toString('base64')}` }, 'ingest'))!.activeKeyId).toBe('k2');
  });

  it('requires a key in the services that decrypt, not in the scheduler or the tools', () => {
    expect(problemsOf({}, 'writer')).toEqual([expect.stringMatching(/^TOKEN_ENCRYPTION_KEY or TOKEN_ENCRYPTION_KEYS is required by writer/)]);
    expect(problemsOf({}, 'scheduler')).toEqual([]);
    expect(keyringFromConfig(loadConfig({}, 'tools'))).toBeUndefined();
  });

  it('lists every keyring problem in the one error, and never a key', () => {
    const secretish = 'c2VjcmV0LWJ1dC10b28tc2hvcnQ=';
    const problems = problemsOf({
      TOKEN_ENCRYPTION_KEYS: `k2:${k2.toString('base64')},k1:${secretish},${k1.toString('base64')},bad id:${k1.toString('base64')},k2:${k1.toString('base64')}`,
      INGEST_PORT: 'x',
    });
    const text = problems.join('\n');
    expect(text).toContain('INGEST_PORT');
    expect(text).toMatch(/TOKEN_ENCRYPTION_KEYS .*key "k1" must be 32 bytes/);
    expect(text).toMatch(/entry 3 is not id:key/);
    expect(text).toMatch(/entry 4: the key id may contain only/);
    expect(text).toMatch(/key id "k2" appears twice/);
    for (const secret of [secretish, k1.toString('base64'), k2.toString('base64')]) expect(text).not.toContain(secret);
    expect(problems).toHaveLength(2);
  });

  it('requires TOKEN_ENCRYPTION_ACTIVE_KEY with several keys, and a configured one', () => {
    const keys = `k2:${k2.toString('base64')},k1:${k1.toString('base64')}`;
    expect(problemsOf({ TOKEN_ENCRYPTION_KEYS: keys })).toEqual([expect.stringMatching(/^TOKEN_ENCRYPTION_ACTIVE_KEY is required when several keys are configured: one of k2, k1/)]);
    expect(problemsOf({ TOKEN_ENCRYPTION_KEYS: keys, TOKEN_ENCRYPTION_ACTIVE_KEY: 'k3' })).toEqual([expect.stringMatching(/^TOKEN_ENCRYPTION_ACTIVE_KEY "k3" is not a configured key id \(configured: k2, k1\)/)]);
    expect(problemsOf({ TOKEN_ENCRYPTION_ACTIVE_KEY: 'k3' }, 'scheduler')).toEqual([expect.stringMatching(/no key is configured/)]);
  });

  it('refuses "legacy" in TOKEN_ENCRYPTION_KEYS while TOKEN_ENCRYPTION_KEY is set', () => {
    const problems = problemsOf({ TOKEN_ENCRYPTION_KEY: legacy.toString('base64'), TOKEN_ENCRYPTION_KEYS: `legacy:${k1.toString('base64')}` });
    expect(problems).toEqual([expect.stringMatching(/must not name key "legacy" while TOKEN_ENCRYPTION_KEY is set/), expect.stringMatching(/TOKEN_ENCRYPTION_ACTIVE_KEY is required/)]);
  });

  it('reports an unparsable key once, not also as missing', () => {
    expect(problemsOf({ TOKEN_ENCRYPTION_KEY: 'abc' })).toEqual([expect.stringMatching(/^TOKEN_ENCRYPTION_KEY must be 32 bytes/)]);
  });

  it('never lets a key into the loggable copy', () => {
    const config = loadConfig({ ...base, TOKEN_ENCRYPTION_KEY: legacy.toString('base64'), TOKEN_ENCRYPTION_KEYS: `k2:${k2.toString('base64')}`, TOKEN_ENCRYPTION_ACTIVE_KEY: 'k2' }, 'ingest');
    const logged = JSON.stringify(redactConfig(config));
    for (const key of [legacy, k2]) {
      expect(logged).not.toContain(key.toString('base64'));
      expect(logged).not.toContain(key.toString('hex'));
      expect(logged).not.toContain(JSON.stringify(key.toJSON().data));
    }
    expect(logged).toContain('"tokenEncryptionActiveKey":"k2"');
  });
});
