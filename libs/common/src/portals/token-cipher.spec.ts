import { randomBytes } from 'node:crypto';
import { TokenCipher, TokenDecryptionError } from './token-cipher';

describe('TokenCipher', () => {
  const cipher = new TokenCipher(randomBytes(32));

  it('round-trips a token and never stores it in clear', () => {
    const encrypted = cipher.encrypt('pat-na1-secret-token', 42);
    expect(encrypted).not.toContain('pat-na1-secret-token');
    expect(encrypted).toMatch(/^v2:legacy:/);
    expect(cipher.decrypt(encrypted, 42)).toBe('pat-na1-secret-token');
  });

  it('uses a fresh IV each time', () => {
    expect(cipher.encrypt('t', 1)).not.toBe(cipher.encrypt('t', 1));
  });

  it('refuses a ciphertext moved to another portal', () => {
    expect(() => cipher.decrypt(cipher.encrypt('t', 1), 2)).toThrow(TokenDecryptionError);
  });

  it('refuses a tampered ciphertext and a wrong key', () => {
    const encrypted = cipher.encrypt('token', 7);
    const parts = encrypted.split(':');
    const tampered = [...parts.slice(0, 4), Buffer.from('x' + Buffer.from(parts[4]!, 'base64').toString('latin1'), 'latin1').toString('base64')].join(':');
    expect(() => cipher.decrypt(tampered, 7)).toThrow(TokenDecryptionError);
    expect(() => new TokenCipher(randomBytes(32)).decrypt(encrypted, 7)).toThrow(TokenDecryptionError);
  });

  it('requires a 32-byte key', () => {
    expect(() => new TokenCipher(randomBytes(16))).toThrow('32-byte');
  });
});
