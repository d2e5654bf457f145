import { createCipheriv, randomBytes } from 'node:crypto';

/** A token as the platform stored it before key ids (format v1: AES-256-GCM, AAD portal:<id>, 16-byte tag). */
export function legacyCiphertext(key: Buffer, plaintext: string, portalId: number): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`portal:${portalId}`, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join(':');
}
