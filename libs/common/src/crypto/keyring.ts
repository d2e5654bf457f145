import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** The key id of ciphertexts written before key ids existed (format v1), and of TOKEN_ENCRYPTION_KEY. */
export const LEGACY_KEY_ID = 'legacy';

/** Letters, digits, dot, underscore and dash: never the format's separator (`:`) nor the list's (`,`). */
export const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

const KEY_BYTES = 32;
const IV_BYTES = 12;
/** GCM tags are pinned to the full 16 bytes: a shorter (still "valid") tag is refused. */
export const AUTH_TAG_BYTES = 16;

export interface KeyringKey {
  id: string;
  /** 32 raw bytes (AES-256). */
  key: Buffer;
}

/** A ciphertext that cannot be read: malformed, tampered, bound to another context, or under another key. */
export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecryptionError';
  }
}

/** A well-formed ciphertext under a key id this keyring does not hold. */
export class UnknownKeyError extends DecryptionError {
  constructor(
    readonly keyId: string,
    subject = 'ciphertext',
  ) {
    super(`${subject} is encrypted with key "${keyId}", which is not configured`);
    this.name = 'UnknownKeyError';
  }
}

interface Parsed {
  version: 'v1' | 'v2';
  keyId: string;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

/**
 * AES-256-GCM under several keys: the active one encrypts, every one decrypts.
 *
 *   v2:<keyId>:<iv>:<tag>:<ciphertext>   (base64 parts; 12-byte IV, 16-byte tag)
 *   v1:<iv>:<tag>:<ciphertext>           (before key ids; read as key "legacy")
 *
 * Every call names a context (AAD): the row or subject the plaintext belongs to,
 * e.g. `portal:123`, so a ciphertext copied elsewhere does not decrypt. In v2 the
 * header (`v2:<keyId>:`) is authenticated with it. Errors never carry plaintext,
 * key material or the context.
 */
export class Keyring {
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(keys: ReadonlyArray<KeyringKey>, readonly activeKeyId: string) {
    if (keys.length === 0) throw new Error('a keyring needs at least one key');
    const map = new Map<string, Buffer>();
    for (const { id, key } of keys) {
      if (!KEY_ID_PATTERN.test(id)) throw new Error(`key id "${id}" may contain only letters, digits, dot, underscore and dash`);
      if (key.length !== KEY_BYTES) throw new Error(`key "${id}" must be 32 bytes`);
      if (map.has(id)) throw new Error(`key id "${id}" appears twice`);
      map.set(id, Buffer.from(key));
    }
    if (!map.has(activeKeyId)) throw new Error(`the active key "${activeKeyId}" is not one of the keys (${[...map.keys()].join(', ')})`);
    this.keys = map;
  }

  /** One key, active: TOKEN_ENCRYPTION_KEY's keyring (id "legacy", so v1 ciphertexts read with it). */
  static single(key: Buffer, id: string = LEGACY_KEY_ID): Keyring {
    return new Keyring([{ id, key }], id);
  }

  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  has(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  encrypt(plaintext: string | Buffer, context: string | Buffer): string {
    const keyId = this.activeKeyId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(keyId)!, iv, { authTagLength: AUTH_TAG_BYTES });
    cipher.setAAD(aadOf('v2', keyId, context));
    const ciphertext = Buffer.concat([cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext), cipher.final()]);
    return ['v2', keyId, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join(':');
  }

  decrypt(encoded: string, context: string | Buffer): string {
    return this.decryptBytes(encoded, context).toString('utf8');
  }

  decryptBytes(encoded: string, context: string | Buffer): Buffer {
    const parsed = parse(encoded);
    const key = this.keys.get(parsed.keyId);
    if (!key) throw new UnknownKeyError(parsed.keyId);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, parsed.iv, { authTagLength: AUTH_TAG_BYTES });
      decipher.setAAD(aadOf(parsed.version, parsed.keyId, context));
      decipher.setAuthTag(parsed.tag);
      return Buffer.concat([decipher.update(parsed.ciphertext), decipher.final()]);
    } catch {
      throw new DecryptionError(`ciphertext does not decrypt with key "${parsed.keyId}" in this context`);
    }
  }

  /** True when the ciphertext is in the current format under the active key (nothing to re-encrypt). */
  isCurrent(encoded: string): boolean {
    return encoded.startsWith(`v2:${this.activeKeyId}:`);
  }

  /** The same plaintext under the active key, or the input itself when it already is. */
  reencrypt(encoded: string, context: string | Buffer): string {
    if (this.isCurrent(encoded)) {
      this.decryptBytes(encoded, context); // still refuse what does not decrypt
      return encoded;
    }
    return this.encrypt(this.decryptBytes(encoded, context), context);
  }

  /** The key id a ciphertext names ("legacy" for v1), without decrypting it; undefined when it is no ciphertext of ours. */
  static keyIdOf(encoded: string): string | undefined {
    try {
      return parse(encoded).keyId;
    } catch {
      return undefined;
    }
  }
}

function aadOf(version: 'v1' | 'v2', keyId: string, context: string | Buffer): Buffer {
  const bytes = typeof context === 'string' ? Buffer.from(context, 'utf8') : context;
  // v1 bound the context alone; v2 also binds its header.
  return version === 'v1' ? bytes : Buffer.concat([Buffer.from(`v2:${keyId}:`, 'utf8'), bytes]);
}

function parse(encoded: string): Parsed {
  const parts = encoded.split(':');
  let version: 'v1' | 'v2';
  let keyId: string;
  let rest: string[];
  if (parts[0] === 'v2' && parts.length === 5) {
    version = 'v2';
    keyId = parts[1]!;
    rest = parts.slice(2);
    if (!KEY_ID_PATTERN.test(keyId)) throw new DecryptionError('malformed key id in ciphertext');
  } else if (parts[0] === 'v1' && parts.length === 4) {
    version = 'v1';
    keyId = LEGACY_KEY_ID;
    rest = parts.slice(1);
  } else {
    throw new DecryptionError('unrecognised ciphertext format');
  }
  const [iv, tag, ciphertext] = rest.map(strictBase64) as [Buffer | undefined, Buffer | undefined, Buffer | undefined];
  if (!iv || !tag || !ciphertext) throw new DecryptionError('malformed ciphertext: parts must be base64');
  if (iv.length !== IV_BYTES) throw new DecryptionError(`malformed ciphertext: the IV must be ${IV_BYTES} bytes`);
  if (tag.length !== AUTH_TAG_BYTES) throw new DecryptionError(`malformed ciphertext: the authentication tag must be ${AUTH_TAG_BYTES} bytes`);
  return { version, keyId, iv, tag, ciphertext };
}

/** Canonical padded base64 only (Node's decoder silently skips anything else). */
function strictBase64(value: string): Buffer | undefined {
  if (value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return undefined;
  const bytes = Buffer.from(value, 'base64');
  return bytes.toString('base64') === value ? bytes : undefined;
}
