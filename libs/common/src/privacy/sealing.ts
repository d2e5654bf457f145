import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { PersonalField } from './personal-fields';
import { isPlainObject } from '../util/json';

/**
 * The sealed part of an event's payload: its personal fields as one JSON object,
 * AES-256-GCM under a content key derived from the data keys of every subject the
 * data is about (`keys`, in order). Destroying any one of those keys makes the part
 * unreadable: a ticket's snapshot that quotes its requester is gone when either the
 * ticket or the contact is erased. Bound (AAD) to its portal and event id, so a
 * sealed part copied into another event does not open.
 */
export interface SealedPart {
  v: 1;
  /** The payload's fields sealed here (names only). */
  fields: string[];
  keys: string[];
  iv: string;
  tag: string;
  ct: string;
}

/** Where a payload keeps its sealed part. */
export const SEALED_FIELD = 'sealed';
/** What a reader finds instead of the personal fields once a key is gone. */
export const ERASED_FIELD = 'erased';

export interface ErasedMarker {
  /** The payload's fields that were sealed and are gone (a `values` map keeps its keys, with null values). */
  fields: string[];
  /** The subjects whose erased keys sealed them. */
  subjects: string[];
  /** When the first of those keys was erased, and why (`privacy-deletion`, `admin-request`, `retention`, `offboarding`, `key-missing`). */
  at: string | null;
  reason: string;
}

export interface DataKey {
  keyId: string;
  /** 32 bytes. */
  key: Buffer;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SealedPartError extends Error {}

/** The personal part of a payload, split from the rest: undefined when the payload holds none. */
export function splitPersonal(data: unknown, fields: readonly PersonalField[]): { clear: Record<string, unknown>; personal: Record<string, unknown> } | undefined {
  if (fields.length === 0 || !isPlainObject(data) || SEALED_FIELD in data) return undefined;
  let clear: Record<string, unknown> | undefined;
  const personal: Record<string, unknown> = {};
  for (const field of fields) {
    const segments = field.path.split('.');
    if (getPath(data, segments) === undefined) continue;
    clear ??= { ...data };
    const parent = cloneParents(clear, segments);
    const last = segments[segments.length - 1]!;
    const value = parent[last];
    personal[field.path] = value;
    if (field.mode === 'values' && isPlainObject(value)) parent[last] = Object.fromEntries(Object.keys(value).map((k) => [k, null]));
    else delete parent[last];
  }
  return clear ? { clear, personal } : undefined;
}

/** The payload with its personal fields back in place (the sealed part removed). */
export function joinPersonal(clear: Record<string, unknown>, personal: Record<string, unknown>): Record<string, unknown> {
  const joined: Record<string, unknown> = { ...clear };
  delete joined[SEALED_FIELD];
  for (const [path, value] of Object.entries(personal)) {
    const segments = path.split('.');
    cloneParents(joined, segments)[segments[segments.length - 1]!] = value;
  }
  return joined;
}

/** The payload once its sealed part can no longer be opened: the clear fields and the erased marker. */
export function erasedView(stored: Record<string, unknown>, marker: ErasedMarker): Record<string, unknown> {
  const view: Record<string, unknown> = { ...stored };
  delete view[SEALED_FIELD];
  view[ERASED_FIELD] = marker;
  return view;
}

export function sealPart(personal: Record<string, unknown>, keys: readonly DataKey[], aad: string): SealedPart {
  const ordered = [...keys].sort((a, b) => (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0));
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', contentKey(ordered), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(JSON.stringify(personal), 'utf8'), cipher.final()]);
  return { v: 1, fields: Object.keys(personal), keys: ordered.map((k) => k.keyId), iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), ct: ct.toString('base64') };
}

/** Opens a sealed part with its keys, given in the part's order. Throws SealedPartError when it does not open. */
export function openPart(part: SealedPart, keys: readonly DataKey[], aad: string): Record<string, unknown> {
  if (keys.length !== part.keys.length || keys.some((k, i) => k.keyId !== part.keys[i])) throw new SealedPartError('the keys given are not the sealed part’s keys');
  const iv = Buffer.from(part.iv, 'base64');
  const tag = Buffer.from(part.tag, 'base64');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SealedPartError('malformed sealed part');
  try {
    const decipher = createDecipheriv('aes-256-gcm', contentKey(keys), iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    const plain = Buffer.concat([decipher.update(Buffer.from(part.ct, 'base64')), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new SealedPartError('the sealed part does not open with its keys in this event');
  }
}

/** The sealed part of a stored payload, if it has one. */
export function sealedPartOf(data: unknown): SealedPart | undefined {
  if (!isPlainObject(data)) return undefined;
  const part = data[SEALED_FIELD];
  if (!isPlainObject(part) || part.v !== 1 || !Array.isArray(part.keys) || typeof part.ct !== 'string') return undefined;
  return part as unknown as SealedPart;
}

/** Whether a payload, as a reader got it, lost its personal fields to an erasure. */
export function isErased(data: unknown): data is Record<string, unknown> & { erased: ErasedMarker } {
  return isPlainObject(data) && isPlainObject(data[ERASED_FIELD]);
}

/** What a sealed part is bound to. */
export function sealedAad(portalId: number, eventId: string): string {
  return `hubspot-ai/sealed/v1/portal:${portalId}/event:${eventId}`;
}

/** HKDF's `info` may hold at most 1,024 bytes (Node refuses more): about 27 key ids. */
const MAX_HKDF_INFO_BYTES = 1024;

/**
 * One subject's key as is (through HKDF); several: HKDF over all of them, so that each is needed.
 * The info names the key ids; a list too long for HKDF's info (a digest quoting hundreds of
 * deals) is named by its SHA-256 instead. Shorter lists keep the info they were sealed with.
 */
function contentKey(keys: readonly DataKey[]): Buffer {
  if (keys.length === 0) throw new SealedPartError('a sealed part needs at least one key');
  const ikm = Buffer.concat(keys.map((k) => k.key));
  const ids = keys.map((k) => k.keyId).join(',');
  let info = Buffer.from(`hubspot-ai/sealed/v1/${ids}`, 'utf8');
  if (info.length > MAX_HKDF_INFO_BYTES) info = Buffer.from(`hubspot-ai/sealed/v1/sha256:${createHash('sha256').update(ids, 'utf8').digest('hex')}`, 'utf8');
  return Buffer.from(hkdfSync('sha256', ikm, Buffer.alloc(0), info, 32));
}

function getPath(data: Record<string, unknown>, segments: string[]): unknown {
  let node: unknown = data;
  for (const segment of segments) {
    if (!isPlainObject(node) || !Object.prototype.hasOwnProperty.call(node, segment)) return undefined;
    node = node[segment];
  }
  return node;
}

/** Copies the objects along a path (the caller's objects are never changed); returns the last parent. */
function cloneParents(root: Record<string, unknown>, segments: string[]): Record<string, unknown> {
  let node = root;
  for (const segment of segments.slice(0, -1)) {
    const child = node[segment];
    const copy: Record<string, unknown> = isPlainObject(child) ? { ...child } : {};
    node[segment] = copy;
    node = copy;
  }
  return node;
}
