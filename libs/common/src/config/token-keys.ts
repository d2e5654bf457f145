import { Keyring, KEY_ID_PATTERN, LEGACY_KEY_ID, type KeyringKey } from '../crypto/keyring';
import type { AppConfig, ServiceName } from './app-config';

/**
 * The keyring for secrets at rest, from three variables:
 *   TOKEN_ENCRYPTION_KEY          one key, key id "legacy" (what v1 ciphertexts were written with)
 *   TOKEN_ENCRYPTION_KEYS         id:key,id:key,...  (may be combined with the one above)
 *   TOKEN_ENCRYPTION_ACTIVE_KEY   the id that encrypts; required when there are several keys
 * Every key decrypts; only the active one encrypts. Problems name variables and key
 * ids, never key material.
 */
export const TOKEN_KEYS_REQUIRED_BY: ReadonlyArray<ServiceName> = ['ingest', 'enricher', 'writer'];

export const KEY_FORMAT_HINT = 'must be 32 bytes, base64 or 64 hex characters (openssl rand -base64 32)';

/** 32 bytes from base64 or 64 hex characters; undefined otherwise. */
export function decodeKey32(raw: string): Buffer | undefined {
  const value = raw.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  return bytes.length === 32 ? bytes : undefined;
}

/** TOKEN_ENCRYPTION_KEYS: every malformed entry is reported (by position or id), none echoed. */
export function parseKeyList(raw: string): { keys: KeyringKey[]; problems: string[] } {
  const keys: KeyringKey[] = [];
  const problems: string[] = [];
  const entries = raw.split(',').map((s) => s.trim());
  entries.forEach((entry, index) => {
    if (!entry) return;
    const colon = entry.indexOf(':');
    if (colon <= 0) {
      problems.push(`entry ${index + 1} is not id:key`);
      return;
    }
    const id = entry.slice(0, colon).trim();
    if (!KEY_ID_PATTERN.test(id)) {
      problems.push(`entry ${index + 1}: the key id may contain only letters, digits, dot, underscore and dash (at most 64)`);
      return;
    }
    const key = decodeKey32(entry.slice(colon + 1));
    if (!key) problems.push(`key "${id}" ${KEY_FORMAT_HINT}`);
    else if (keys.some((k) => k.id === id)) problems.push(`key id "${id}" appears twice`);
    else keys.push({ id, key });
  });
  if (problems.length === 0 && keys.length === 0) problems.push('names no key');
  return { keys, problems };
}

type TokenKeyFields = Pick<AppConfig, 'tokenEncryptionKey' | 'tokenEncryptionKeys' | 'tokenEncryptionActiveKey'>;

/**
 * Checks the three variables together and sets `tokenEncryptionActiveKey` to the
 * key that encrypts. Variables that failed to parse were reported already and are
 * not reported again.
 */
export function resolveTokenKeys(config: TokenKeyFields, env: NodeJS.ProcessEnv, service: ServiceName): string[] {
  const given = (name: string): boolean => Boolean(env[name]?.trim());
  const parsedAll = (!given('TOKEN_ENCRYPTION_KEY') || config.tokenEncryptionKey) && (!given('TOKEN_ENCRYPTION_KEYS') || config.tokenEncryptionKeys);
  if (!parsedAll) return [];

  const problems: string[] = [];
  const ids = [...(config.tokenEncryptionKey ? [LEGACY_KEY_ID] : []), ...(config.tokenEncryptionKeys ?? []).map((k) => k.id)];
  if (ids.length === 0) {
    if (TOKEN_KEYS_REQUIRED_BY.includes(service)) {
      problems.push(`TOKEN_ENCRYPTION_KEY or TOKEN_ENCRYPTION_KEYS is required by ${service}: the AES-256-GCM key(s) for portal tokens at rest`);
    } else if (config.tokenEncryptionActiveKey) {
      problems.push('TOKEN_ENCRYPTION_ACTIVE_KEY is set but no key is configured (TOKEN_ENCRYPTION_KEYS)');
    }
    return problems;
  }
  if (config.tokenEncryptionKey && config.tokenEncryptionKeys?.some((k) => k.id === LEGACY_KEY_ID)) {
    problems.push(`TOKEN_ENCRYPTION_KEYS must not name key "${LEGACY_KEY_ID}" while TOKEN_ENCRYPTION_KEY is set (that variable is key "${LEGACY_KEY_ID}")`);
  }
  const active = config.tokenEncryptionActiveKey;
  if (active === undefined) {
    if (ids.length === 1) config.tokenEncryptionActiveKey = ids[0];
    else problems.push(`TOKEN_ENCRYPTION_ACTIVE_KEY is required when several keys are configured: one of ${ids.join(', ')}`);
  } else if (!ids.includes(active)) {
    problems.push(`TOKEN_ENCRYPTION_ACTIVE_KEY "${active}" is not a configured key id (configured: ${ids.join(', ')})`);
  }
  return problems;
}

/** The keyring a loaded configuration describes; undefined in services given no key (the scheduler). */
export function keyringFromConfig(config: TokenKeyFields): Keyring | undefined {
  const keys = [...(config.tokenEncryptionKey ? [{ id: LEGACY_KEY_ID, key: config.tokenEncryptionKey }] : []), ...(config.tokenEncryptionKeys ?? [])];
  if (keys.length === 0) return undefined;
  const active = config.tokenEncryptionActiveKey ?? (keys.length === 1 ? keys[0]!.id : undefined);
  if (!active) throw new Error('TOKEN_ENCRYPTION_ACTIVE_KEY is required when several keys are configured');
  return new Keyring(keys, active);
}
