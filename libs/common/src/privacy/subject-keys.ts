import { returnedRows } from '../database/returned-rows';
import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { Keyring } from '../crypto/keyring';
import type { DataKey } from './sealing';

/** A data key as a reader finds it: usable, or destroyed (with when and why). */
export type FoundKey =
  | { kind: 'live'; keyId: string; key: Buffer; portalId: number; subject: string; day: string }
  | { kind: 'erased'; keyId: string; portalId: number | null; subject: string | null; day: string | null; at: string | null; reason: string };

/** Which key seals one subject's data of one UTC day in one portal. */
export interface KeySlot {
  portalId: number;
  subject: string;
  /** YYYY-MM-DD (UTC). */
  day: string;
}

export interface SubjectKeysOptions {
  /**
   * How long a process keeps a data key in memory. An erasure reaches the process
   * that made it at once; other processes may read (or seal with) a key they hold
   * for up to this long after it was erased: data sealed with it then is unreadable.
   */
  cacheMs?: number;
  maxEntries?: number;
  now?: () => number;
}

export const SUBJECT_KEY_CACHE_MS = 60_000;

/** The AAD a wrapped data key is bound to (as the keyring's column registry names it). */
export function subjectKeyContext(keyId: string): string {
  return `subject-key:${keyId}`;
}

interface KeyRow {
  key_id: string;
  portal_id: string;
  subject: string;
  day: string;
  wrapped_key: string | null;
  erased_at: Date | null;
  erased_reason: string | null;
}

/**
 * The `subject_keys` table: one data key per portal, data subject and UTC day,
 * wrapped by the keyring (the same keys as the portal tokens: one keyring for the
 * secrets at rest, rotated by `keys:rotate`). Keys are cached per process for
 * SUBJECT_KEY_CACHE_MS; erasing empties the wrapped key and keeps a tombstone row.
 */
export class SubjectKeys {
  private readonly bySlot = new Map<string, { value: DataKey; expiresAt: number }>();
  private readonly byId = new Map<string, { value: FoundKey; expiresAt: number }>();
  private readonly cacheMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly dataSource: DataSource,
    /** Absent where no keyring is configured (the scheduler): such a process erases keys but neither seals nor opens. */
    private readonly keyring: Keyring | undefined,
    options: SubjectKeysOptions = {},
  ) {
    this.cacheMs = options.cacheMs ?? SUBJECT_KEY_CACHE_MS;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Where keys are read and made outside an append's transaction. */
  get source(): DataSource {
    return this.dataSource;
  }

  get canSealAndOpen(): boolean {
    return this.keyring !== undefined;
  }

  /**
   * The live key of each slot, created where there is none, in the caller's
   * transaction (one statement; a second only when another transaction created one
   * of them meanwhile). New keys are cached only once `confirm` is called after the
   * transaction committed: a rolled-back key must never seal anything.
   */
  async liveKeys(manager: EntityManager | DataSource, slots: KeySlot[]): Promise<{ keys: Map<string, DataKey>; confirm(): void }> {
    const keyring = this.requireKeyring();
    const keys = new Map<string, DataKey>();
    const missing = new Map<string, KeySlot>();
    const now = this.now();
    for (const slot of slots) {
      const id = slotId(slot);
      if (keys.has(id) || missing.has(id)) continue;
      const cached = this.bySlot.get(id);
      if (cached && cached.expiresAt > now) keys.set(id, cached.value);
      else missing.set(id, slot);
    }
    const fetched: Array<[string, DataKey, KeySlot]> = [];
    for (let attempt = 0; missing.size > 0 && attempt < 3; attempt += 1) {
      // Sorted, so two transactions wanting the same keys take them in the same order.
      const wanted = [...missing.values()].sort((a, b) => compare(slotId(a), slotId(b)));
      const candidates = wanted.map((slot) => {
        const keyId = randomUUID();
        return { slot, keyId, wrapped: keyring.encrypt(randomBytes(32), subjectKeyContext(keyId)) };
      });
      const rows: Array<{ key_id: string; portal_id: string; subject: string; day: string; wrapped_key: string }> = await manager.query(
        `WITH wanted AS (
           SELECT * FROM unnest($1::bigint[], $2::text[], $3::date[], $4::uuid[], $5::text[]) AS w(portal_id, subject, day, key_id, wrapped_key)
         ), inserted AS (
           INSERT INTO subject_keys (key_id, portal_id, subject, day, wrapped_key)
           SELECT key_id, portal_id, subject, day, wrapped_key FROM wanted
           ON CONFLICT (portal_id, subject, day) WHERE erased_at IS NULL DO NOTHING
           RETURNING key_id, portal_id, subject, day, wrapped_key
         )
         SELECT key_id::text, portal_id::text, subject, day::text, wrapped_key FROM inserted
         UNION ALL
         SELECT k.key_id::text, k.portal_id::text, k.subject, k.day::text, k.wrapped_key
           FROM subject_keys k JOIN wanted w USING (portal_id, subject, day)
          WHERE k.erased_at IS NULL`,
        [
          candidates.map((c) => c.slot.portalId),
          candidates.map((c) => c.slot.subject),
          candidates.map((c) => c.slot.day),
          candidates.map((c) => c.keyId),
          candidates.map((c) => c.wrapped),
        ],
      );
      for (const row of rows) {
        const slot = { portalId: Number(row.portal_id), subject: row.subject, day: row.day };
        const id = slotId(slot);
        if (!missing.has(id)) continue;
        const key = { keyId: row.key_id, key: this.unwrap(row.key_id, row.wrapped_key) };
        keys.set(id, key);
        missing.delete(id);
        fetched.push([id, key, slot]);
      }
      // What is still missing was created by a transaction that committed after this statement began: read again.
    }
    if (missing.size > 0) throw new Error(`could not create or find the data keys of ${[...missing.keys()].join(', ')}`);
    return {
      keys,
      confirm: () => {
        const expiresAt = this.now() + this.cacheMs;
        for (const [id, key, slot] of fetched) {
          this.remember(this.bySlot, id, key, expiresAt);
          this.remember(this.byId, key.keyId, { kind: 'live', keyId: key.keyId, key: key.key, ...slot }, expiresAt);
        }
      },
    };
  }

  /** The keys of these ids as they stand (one query for those not cached); an id with no row reads as erased (`key-missing`). */
  async byIds(keyIds: Iterable<string>): Promise<Map<string, FoundKey>> {
    const found = new Map<string, FoundKey>();
    const missing: string[] = [];
    const now = this.now();
    for (const keyId of new Set(keyIds)) {
      const cached = this.byId.get(keyId);
      if (cached && cached.expiresAt > now) found.set(keyId, cached.value);
      else missing.push(keyId);
    }
    if (missing.length === 0) return found;
    const valid = missing.filter((id) => UUID.test(id));
    const rows: KeyRow[] =
      valid.length === 0
        ? []
        : await this.dataSource.query(
            `SELECT key_id::text, portal_id::text, subject, day::text, wrapped_key, erased_at, erased_reason FROM subject_keys WHERE key_id = ANY($1::uuid[])`,
            [valid],
          );
    const expiresAt = now + this.cacheMs;
    for (const row of rows) {
      const value: FoundKey =
        row.wrapped_key === null
          ? { kind: 'erased', keyId: row.key_id, portalId: Number(row.portal_id), subject: row.subject, day: row.day, at: row.erased_at ? new Date(row.erased_at).toISOString() : null, reason: row.erased_reason ?? 'erased' }
          : { kind: 'live', keyId: row.key_id, key: this.unwrap(row.key_id, row.wrapped_key), portalId: Number(row.portal_id), subject: row.subject, day: row.day };
      found.set(row.key_id, value);
      this.remember(this.byId, row.key_id, value, expiresAt);
    }
    for (const keyId of missing) {
      if (!found.has(keyId)) found.set(keyId, { kind: 'erased', keyId, portalId: null, subject: null, day: null, at: null, reason: 'key-missing' });
    }
    return found;
  }

  /** Destroys every live key of these subjects of a portal; returns the keys destroyed, with their days. */
  async eraseSubjects(portalId: number, subjects: string[], reason: string, at: Date, manager: EntityManager | DataSource = this.dataSource): Promise<Array<{ keyId: string; day: string }>> {
    const rows = returnedRows<{ key_id: string; day: string }>(
      await manager.query(
        `UPDATE subject_keys SET wrapped_key = NULL, erased_at = $3, erased_reason = $4
          WHERE portal_id = $1 AND subject = ANY($2::text[]) AND erased_at IS NULL
          RETURNING key_id::text, day::text`,
        [portalId, subjects, at, reason],
      ),
    );
    this.forget(rows.map((r) => r.key_id));
    return rows.map((r) => ({ keyId: r.key_id, day: r.day }));
  }

  /** Destroys a portal's live keys of the days before `beforeDay` (retention); returns how many. */
  async eraseDaysBefore(portalId: number, beforeDay: string, reason: string, at: Date): Promise<number> {
    const rows = returnedRows<{ key_id: string }>(
      await this.dataSource.query(
        `UPDATE subject_keys SET wrapped_key = NULL, erased_at = $3, erased_reason = $4
          WHERE portal_id = $1 AND day < $2::date AND erased_at IS NULL
          RETURNING key_id::text`,
        [portalId, beforeDay, at, reason],
      ),
    );
    this.forget(rows.map((r) => r.key_id));
    return rows.length;
  }

  /** Destroys a portal's live keys created before `createdBefore` (offboarding); returns how many. */
  async eraseCreatedBefore(portalId: number, createdBefore: Date, reason: string, at: Date): Promise<number> {
    const rows = returnedRows<{ key_id: string }>(
      await this.dataSource.query(
        `UPDATE subject_keys SET wrapped_key = NULL, erased_at = $3, erased_reason = $4
          WHERE portal_id = $1 AND created_at < $2 AND erased_at IS NULL
          RETURNING key_id::text`,
        [portalId, createdBefore, at, reason],
      ),
    );
    this.forget(rows.map((r) => r.key_id));
    return rows.length;
  }

  /** Portals with live keys of a day before `beforeDay` (the days retention may have to erase). */
  async portalsWithKeysBefore(beforeDay: string): Promise<number[]> {
    const rows: Array<{ portal_id: string }> = await this.dataSource.query(
      `SELECT DISTINCT portal_id::text FROM subject_keys WHERE erased_at IS NULL AND day < $1::date`,
      [beforeDay],
    );
    return rows.map((r) => Number(r.portal_id));
  }

  /** Drops this process's cached keys of these ids (and every cached slot: a slot's key may be one of them). */
  forget(keyIds: string[]): void {
    if (keyIds.length === 0) return;
    for (const keyId of keyIds) this.byId.delete(keyId);
    const gone = new Set(keyIds);
    for (const [id, entry] of this.bySlot) if (gone.has(entry.value.keyId)) this.bySlot.delete(id);
  }

  private unwrap(keyId: string, wrapped: string): Buffer {
    const key = this.requireKeyring().decryptBytes(wrapped, subjectKeyContext(keyId));
    if (key.length !== 32) throw new Error(`data key ${keyId} is not 32 bytes`);
    // A cached key in its own 32 bytes: a slice of Node's shared pool would keep the whole 8 KB slab alive.
    const own = Buffer.allocUnsafeSlow(32);
    key.copy(own);
    key.fill(0);
    return own;
  }

  private requireKeyring(): Keyring {
    if (!this.keyring) throw new Error('sealing personal data needs the keyring (TOKEN_ENCRYPTION_KEY or TOKEN_ENCRYPTION_KEYS) in this service');
    return this.keyring;
  }

  private remember<V>(cache: Map<string, { value: V; expiresAt: number }>, id: string, value: V, expiresAt: number): void {
    cache.delete(id);
    cache.set(id, { value, expiresAt });
    if (cache.size <= this.maxEntries) return;
    // Full: the expired go, then (still full) the oldest tenth (a Map iterates in insertion order).
    const now = this.now();
    for (const [id, entry] of cache) if (entry.expiresAt <= now) cache.delete(id);
    if (cache.size <= this.maxEntries) return;
    let drop = Math.ceil(this.maxEntries / 10);
    for (const oldest of cache.keys()) {
      cache.delete(oldest);
      if (--drop <= 0) break;
    }
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function slotId(slot: KeySlot): string {
  return `${slot.portalId}|${slot.subject}|${slot.day}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
