import { DecryptionError, Keyring, UnknownKeyError } from '../crypto/keyring';

/** A portal token that cannot be read (see DecryptionError). */
export { DecryptionError as TokenDecryptionError } from '../crypto/keyring';

/**
 * Portal access tokens at rest, through the keyring (AES-256-GCM, key id in the
 * ciphertext). The portal id is bound as additional authenticated data, so a
 * ciphertext copied onto another portal's row fails to decrypt instead of lending
 * that portal someone else's token.
 */
export class TokenCipher {
  readonly keyring: Keyring;

  /** A keyring, or one key (TOKEN_ENCRYPTION_KEY: key id "legacy"). */
  constructor(keys: Keyring | Buffer) {
    if (Buffer.isBuffer(keys) && keys.length !== 32) throw new Error('TokenCipher needs a 32-byte key');
    this.keyring = Buffer.isBuffer(keys) ? Keyring.single(keys) : keys;
  }

  encrypt(plaintext: string, portalId: number): string {
    return this.keyring.encrypt(plaintext, portalTokenContext(portalId));
  }

  decrypt(encoded: string, portalId: number): string {
    try {
      return this.keyring.decrypt(encoded, portalTokenContext(portalId));
    } catch (error) {
      if (error instanceof UnknownKeyError) throw new UnknownKeyError(error.keyId, `portal ${portalId}: token`);
      if (error instanceof DecryptionError) throw new DecryptionError(`portal ${portalId}: token: ${error.message}`);
      throw error;
    }
  }
}

/** The AAD of a portal's token: its row. */
export function portalTokenContext(portalId: number | string): string {
  return `portal:${portalId}`;
}
