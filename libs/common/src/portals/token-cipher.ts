import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const FORMAT = 'v1';

export class TokenDecryptionError extends Error {}

/**
 * AES-256-GCM for portal access tokens at rest. The portal id is bound as
 * additional authenticated data, so a ciphertext copied onto another portal's
 * row fails to decrypt instead of lending that portal someone else's token.
 */
export class TokenCipher {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('TokenCipher needs a 32-byte key');
  }

  encrypt(plaintext: string, portalId: number): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(aad(portalId));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join(':');
  }

  decrypt(encoded: string, portalId: number): string {
    const [format, iv, tag, ciphertext] = encoded.split(':');
    if (format !== FORMAT || !iv || !tag || ciphertext === undefined) throw new TokenDecryptionError('unrecognised token ciphertext format');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
      decipher.setAAD(aad(portalId));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new TokenDecryptionError(`portal ${portalId}: token does not decrypt with this key`);
    }
  }
}

function aad(portalId: number): Buffer {
  return Buffer.from(`portal:${portalId}`, 'utf8');
}
