import { randomBytes } from 'node:crypto';
import { legacyCiphertext } from '../../../../test/support/keyring';
import { TokenCipher, TokenDecryptionError } from '../portals/token-cipher';
import { DecryptionError, Keyring, UnknownKeyError } from './keyring';

/** The same ciphertext with its authentication tag cut to `bytes` (a truncated GCM tag still verifies unless the length is pinned). */
function truncateTag(encoded: string, bytes: number): string {
  const parts = encoded.split(':');
  const tagIndex = parts.length - 2;
  parts[tagIndex] = Buffer.from(parts[tagIndex]!, 'base64').subarray(0, bytes).toString('base64');
  return parts.join(':');
}

describe('keyring for secrets at rest (security)', () => {
  const legacyKey = randomBytes(32);
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  const ring = new Keyring(
    [
      { id: 'k2', key: k2 },
      { id: 'k1', key: k1 },
      { id: 'legacy', key: legacyKey },
    ],
    'k2',
  );

  describe('formats and key ids', () => {
    it('still decrypts a token stored in the old format (v1, no key id) as key "legacy"', () => {
      const stored = legacyCiphertext(legacyKey, 'pat-na1-old', 42);
      expect(new TokenCipher(legacyKey).decrypt(stored, 42)).toBe('pat-na1-old');
      expect(new TokenCipher(ring).decrypt(stored, 42)).toBe('pat-na1-old');
      expect(Keyring.keyIdOf(stored)).toBe('legacy');
    });

    it('writes new ciphertexts in format v2 carrying the active key id', () => {
      const encrypted = new TokenCipher(ring).encrypt('pat-na1-new', 42);
      expect(encrypted).toMatch(/^v2:k2:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
      expect(encrypted).not.toContain('pat-na1-new');
      expect(Keyring.keyIdOf(encrypted)).toBe('k2');
      // TOKEN_ENCRYPTION_KEY alone is key "legacy": new rows name it too.
      expect(new TokenCipher(legacyKey).encrypt('t', 1)).toMatch(/^v2:legacy:/);
    });

    it('decrypts with every configured key and encrypts with the active one only', () => {
      const underK1 = new Keyring([{ id: 'k1', key: k1 }], 'k1').encrypt('secret', 'portal:7');
      expect(ring.decrypt(underK1, 'portal:7')).toBe('secret');
      expect(ring.isCurrent(underK1)).toBe(false);
      const again = ring.reencrypt(underK1, 'portal:7');
      expect(again).toMatch(/^v2:k2:/);
      expect(ring.isCurrent(again)).toBe(true);
      expect(ring.reencrypt(again, 'portal:7')).toBe(again);
      expect(new Keyring([{ id: 'k2', key: k2 }], 'k2').decrypt(again, 'portal:7')).toBe('secret');
    });

    it('names the missing key id when a ciphertext is under a key the keyring lacks', () => {
      const underK2 = ring.encrypt('secret', 'portal:7');
      const withoutK2 = new Keyring([{ id: 'k1', key: k1 }], 'k1');
      expect(() => withoutK2.decrypt(underK2, 'portal:7')).toThrow(UnknownKeyError);
      expect(() => new TokenCipher(withoutK2).decrypt(underK2, 7)).toThrow(/portal 7: token is encrypted with key "k2", which is not configured/);
      expect(() => new TokenCipher(k1).decrypt(legacyCiphertext(legacyKey, 't', 7), 7)).toThrow(/key "legacy"/);
    });

    it('refuses a header whose key id was swapped for another configured key', () => {
      const underK2 = ring.encrypt('secret', 'portal:7');
      const [, , ...rest] = underK2.split(':');
      expect(() => ring.decrypt(['v2', 'k1', ...rest].join(':'), 'portal:7')).toThrow(DecryptionError);
      // Same key under two ids: the id is authenticated, so the swap still fails.
      const twins = new Keyring([{ id: 'a', key: k1 }, { id: 'b', key: k1 }], 'a');
      const underA = twins.encrypt('secret', 'ctx');
      expect(() => twins.decrypt(underA.replace(/^v2:a:/, 'v2:b:'), 'ctx')).toThrow(DecryptionError);
    });
  });

  describe('GCM tag length is pinned to 16 bytes', () => {
    it.each([15, 12, 8, 4])('refuses an old-format token whose tag was truncated to %i bytes', (bytes) => {
      const stored = legacyCiphertext(legacyKey, 'pat-na1-old', 42);
      expect(() => new TokenCipher(legacyKey).decrypt(truncateTag(stored, bytes), 42)).toThrow(TokenDecryptionError);
    });

    it.each([15, 12, 8, 4])('refuses a v2 ciphertext whose tag was truncated to %i bytes', (bytes) => {
      const encrypted = ring.encrypt('secret', 'portal:1');
      expect(() => ring.decrypt(truncateTag(encrypted, bytes), 'portal:1')).toThrow(/authentication tag must be 16 bytes/);
    });

    it('refuses a tag longer than 16 bytes and a tampered tag', () => {
      const encrypted = ring.encrypt('secret', 'portal:1');
      const parts = encrypted.split(':');
      const tag = Buffer.from(parts[3]!, 'base64');
      expect(() => ring.decrypt([...parts.slice(0, 3), Buffer.concat([tag, Buffer.from([0])]).toString('base64'), parts[4]].join(':'), 'portal:1')).toThrow(DecryptionError);
      tag[0] = tag[0]! ^ 1;
      expect(() => ring.decrypt([...parts.slice(0, 3), tag.toString('base64'), parts[4]].join(':'), 'portal:1')).toThrow(DecryptionError);
    });
  });

  describe('the context (AAD) binds a ciphertext to its row', () => {
    it('refuses a v2 token copied to another portal', () => {
      const cipher = new TokenCipher(ring);
      expect(() => cipher.decrypt(cipher.encrypt('pat-a', 1), 2)).toThrow(TokenDecryptionError);
      expect(() => ring.decrypt(ring.encrypt('x', 'subject:a'), 'subject:b')).toThrow(DecryptionError);
    });

    it('refuses an old-format token copied to another portal', () => {
      expect(() => new TokenCipher(ring).decrypt(legacyCiphertext(legacyKey, 'pat-a', 1), 2)).toThrow(TokenDecryptionError);
    });

    it('never puts the plaintext, the key or the context in an error', () => {
      const encrypted = ring.encrypt('pat-very-secret', 'contact:alice@example.com');
      let message = '';
      try {
        ring.decrypt(encrypted, 'contact:bob@example.com');
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/does not decrypt/);
      for (const secret of ['pat-very-secret', 'alice', 'bob', k2.toString('base64'), k2.toString('hex')]) expect(message).not.toContain(secret);
    });
  });

  describe('malformed input', () => {
    it.each([
      ['no format', 'abc'],
      ['unknown version', 'v3:k2:AAAA:AAAA:AAAA'],
      ['v2 with a part missing', 'v2:k2:AAAA:AAAA'],
      ['v1 with an extra part', 'v1:AAAA:AAAA:AAAA:AAAA'],
      ['a key id with odd characters', 'v2:k 2:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA==:AAAA'],
      ['non-base64 parts', 'v2:k2:!!!!:????:AAAA'],
      ['an 8-byte IV', `v2:k2:${Buffer.alloc(8).toString('base64')}:${Buffer.alloc(16).toString('base64')}:AAAA`],
    ])('refuses %s', (_name, encoded) => {
      expect(() => ring.decrypt(encoded, 'portal:1')).toThrow(DecryptionError);
    });

    it('round-trips bytes and an empty plaintext', () => {
      const bytes = randomBytes(32);
      expect(ring.decryptBytes(ring.encrypt(bytes, Buffer.from('wrap:subject-1')), Buffer.from('wrap:subject-1'))).toEqual(bytes);
      expect(ring.decrypt(ring.encrypt('', 'portal:1'), 'portal:1')).toBe('');
    });
  });

  describe('construction', () => {
    it('refuses bad keyrings', () => {
      expect(() => new Keyring([], 'k1')).toThrow(/at least one key/);
      expect(() => new Keyring([{ id: 'k1', key: randomBytes(16) }], 'k1')).toThrow(/32 bytes/);
      expect(() => new Keyring([{ id: 'k:1', key: k1 }], 'k:1')).toThrow(/key id/);
      expect(() => new Keyring([{ id: 'k1', key: k1 }, { id: 'k1', key: k2 }], 'k1')).toThrow(/twice/);
      expect(() => new Keyring([{ id: 'k1', key: k1 }], 'k2')).toThrow(/active key "k2"/);
      expect(() => new TokenCipher(randomBytes(16))).toThrow('32-byte');
    });

    it('uses a fresh IV each time', () => {
      expect(ring.encrypt('t', 'portal:1')).not.toBe(ring.encrypt('t', 'portal:1'));
    });
  });
});
