import type { DataSource, EntityManager } from 'typeorm';
import { isUniqueViolation } from '../database/postgres-errors';
import type { EventEnvelope } from '../events/envelope';
import type { PersonalData } from '../privacy/personal-data';

/** What the stream's current version must be for an append to go ahead. */
export type ExpectedVersion = number | 'any' | 'no-stream';

export interface AppendRequest {
  streamId: string;
  events: EventEnvelope[];
  expectedVersion?: ExpectedVersion;
  /** Also enqueue the newly appended events for publication on this topic (same transaction). */
  publishTo?: string;
  /**
   * The data subjects (`contacts:123`) whose personal data these events hold, for
   * sealing (docs/decisions/0019); per event when a function. Default: the record of
   * a CRM stream, else the record the payload names, else the portal.
   */
  subjects?: readonly string[] | ((event: EventEnvelope) => readonly string[] | undefined);
}

export interface Appended {
  kind: 'appended';
  streamId: string;
  /** Version of the last event in the stream after this append (versions start at 0). */
  streamVersion: number;
  appendedIds: string[];
  /** Events of this request that were already stored (idempotent re-append). */
  duplicateIds: string[];
}

export interface Duplicate {
  kind: 'duplicate';
  streamId: string;
  duplicateIds: string[];
}

export interface Conflict {
  kind: 'conflict';
  streamId: string;
  expectedVersion: ExpectedVersion;
  actualVersion: number;
}

export type AppendResult = Appended | Duplicate | Conflict;
export type AppendAllResult = { kind: 'committed'; results: Array<Appended | Duplicate> } | Conflict;

export interface StoredEvent extends EventEnvelope {
  streamId: string;
  streamVersion: number;
  globalPosition: string;
}

const NO_STREAM = -1;

/**
 * The Postgres event store: append-only, a global position, a version per stream
 * with optimistic concurrency, and idempotent appends keyed by event id.
 *
 * Appends to a stream are serialised with a transaction-scoped advisory lock, so
 * the version check and the insert cannot interleave; the unique constraints stay
 * as the last line of defence.
 */
export class EventStore {
  constructor(
    private readonly dataSource: DataSource,
    /** Seals personal fields on append and opens them on read; absent (tests, tools without the keyring): stored as given. */
    readonly personalData?: PersonalData,
  ) {}

  async append(request: AppendRequest): Promise<AppendResult> {
    const result = await this.appendAll([request]);
    return result.kind === 'committed' ? result.results[0]! : result;
  }

  /**
   * Appends to several streams atomically: all of them, or (on a conflict) none.
   * `alsoInTransaction` runs in the same transaction after a successful append, with
   * the results, for state that must commit or roll back together with the events.
   */
  async appendAll(requests: AppendRequest[], alsoInTransaction?: (manager: EntityManager, results: Array<Appended | Duplicate>) => Promise<void>): Promise<AppendAllResult> {
    const attempt = async () => {
      const afterCommit: Array<() => void> = [];
      const result = await this.dataSource.transaction(async (manager) => {
        const appended = await this.appendInTransaction(manager, requests, afterCommit);
        if (appended.kind === 'committed' && alsoInTransaction) await alsoInTransaction(manager, appended.results);
        return appended;
      });
      for (const done of afterCommit) done();
      return result;
    };
    try {
      return await attempt();
    } catch (error) {
      // A concurrent transaction stored one of these event ids in between: retry once,
      // and the retry reports it as a duplicate.
      if (isUniqueViolation(error)) return attempt();
      throw error;
    }
  }

  /**
   * Takes the append locks of these streams for the rest of the caller's transaction,
   * in one round trip and a fixed order so that two lockers never deadlock. For
   * callers that must hold them before touching other rows (see the coalescer).
   */
  async lockStreams(manager: EntityManager, streamIds: string[]): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtextextended(s, 0)) FROM (SELECT DISTINCT unnest($1::text[]) AS s ORDER BY 1) AS locks', [streamIds]);
  }

  /** The same append, inside a transaction the caller already holds (data keys it creates are not cached: the commit is the caller's). */
  appendAllIn(manager: EntityManager, requests: AppendRequest[]): Promise<AppendAllResult> {
    return this.appendInTransaction(manager, requests, []);
  }

  private async appendInTransaction(manager: EntityManager, requests: AppendRequest[], afterCommit: Array<() => void>): Promise<AppendAllResult> {
    const streamIds = [...new Set(requests.map((r) => r.streamId))].sort();
    // The streams' locks, then which ids exist and where each stream stands: one round trip
    // (migration AppendLockAndRead; the same locks as lockStreams).
    const [state] = (await manager.query('SELECT existing, versions FROM event_store_lock_and_read($1::text[], $2::uuid[])', [
      streamIds,
      requests.flatMap((r) => r.events.map((e) => e.id)),
    ])) as Array<{ existing: string[]; versions: Record<string, number> }>;
    const existing = new Set<string>(state!.existing);
    const versions = new Map<string, number>(Object.entries(state!.versions).map(([stream, version]) => [stream, Number(version)]));

    const results: Array<Appended | Duplicate> = [];
    const rows: Row[] = [];
    const outbox: OutboxRow[] = [];
    for (const request of requests) {
      const fresh = dedupe(request.events).filter((e) => !existing.has(e.id));
      const duplicateIds = request.events.filter((e) => existing.has(e.id)).map((e) => e.id);
      const current = versions.get(request.streamId) ?? NO_STREAM;
      if (fresh.length === 0) {
        results.push({ kind: 'duplicate', streamId: request.streamId, duplicateIds });
        continue;
      }
      const expected = request.expectedVersion ?? 'any';
      if (!versionMatches(expected, current)) {
        return { kind: 'conflict', streamId: request.streamId, expectedVersion: expected, actualVersion: current };
      }
      fresh.forEach((event, i) => {
        const subjects = typeof request.subjects === 'function' ? request.subjects(event) : request.subjects;
        rows.push({ event, streamId: request.streamId, version: current + 1 + i, subjects });
        existing.add(event.id);
        if (request.publishTo) outbox.push({ topic: request.publishTo, event });
      });
      const streamVersion = current + fresh.length;
      versions.set(request.streamId, streamVersion);
      results.push({ kind: 'appended', streamId: request.streamId, streamVersion, appendedIds: fresh.map((e) => e.id), duplicateIds });
    }

    if (rows.length > 0) {
      if (this.personalData?.enabled) {
        // Personal fields are sealed with their subjects' data keys (fetched or created in this transaction).
        const sealed = await this.personalData.seal(manager, rows.map((r) => ({ event: r.event, streamId: r.streamId, subjects: r.subjects })));
        sealed.events.forEach((event, i) => (rows[i]!.event = event));
        afterCommit.push(sealed.confirm);
      }
      await insertEventsAndOutbox(manager, rows, outbox);
    }
    return { kind: 'committed', results };
  }

  async readStream(streamId: string, fromVersion = 0): Promise<StoredEvent[]> {
    return this.select('WHERE stream_id = $1 AND stream_version >= $2 ORDER BY stream_version', [streamId, fromVersion]);
  }

  /** Every event of one story (one webhook or schedule tick and all it caused), in order. */
  async readByCorrelation(correlationId: string): Promise<StoredEvent[]> {
    return this.select('WHERE correlation_id = $1 ORDER BY global_position', [correlationId]);
  }

  async readByPortal(portalId: number, afterPosition = '0', limit = 1000): Promise<StoredEvent[]> {
    return this.select('WHERE portal_id = $1 AND global_position > $2 ORDER BY global_position LIMIT $3', [portalId, afterPosition, limit]);
  }

  async readAll(afterPosition = '0', limit = 1000): Promise<StoredEvent[]> {
    return this.select('WHERE global_position > $1 ORDER BY global_position LIMIT $2', [afterPosition, limit]);
  }

  /** Events of these types, in global order (a projection's rebuild). */
  async readByTypes(types: readonly string[], afterPosition = '0', limit = 1000): Promise<StoredEvent[]> {
    return this.select('WHERE type = ANY($1::text[]) AND global_position > $2 ORDER BY global_position LIMIT $3', [types, afterPosition, limit]);
  }

  /** Events of a type directly caused by an event: "was this trigger already decided?" */
  async findCausedBy(causationId: string, type: string): Promise<StoredEvent[]> {
    return this.select('WHERE causation_id = $1 AND type = $2 ORDER BY global_position', [causationId, type]);
  }

  /** Which of these event ids are recorded (one round trip for a whole batch). */
  async existingIds(eventIds: string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const rows: Array<{ event_id: string }> = await this.dataSource.query('SELECT event_id FROM events WHERE event_id = ANY($1::uuid[])', [eventIds]);
    return new Set(rows.map((r) => r.event_id));
  }

  /** When each of these events was recorded, for those that are (one round trip; the events are not read). */
  async recordedAt(eventIds: string[]): Promise<Map<string, Date>> {
    if (eventIds.length === 0) return new Map();
    const rows: Array<{ event_id: string; recorded_at: Date }> = await this.dataSource.query('SELECT event_id, recorded_at FROM events WHERE event_id = ANY($1::uuid[])', [eventIds]);
    return new Map(rows.map((r) => [r.event_id, new Date(r.recorded_at)]));
  }

  /** Whether one event id is recorded, without reading the event (an index lookup). */
  async has(eventId: string): Promise<boolean> {
    return (await this.existingIds([eventId])).has(eventId);
  }

  async findById(eventId: string): Promise<StoredEvent | undefined> {
    return (await this.select('WHERE event_id = $1', [eventId]))[0];
  }

  private async select(where: string, params: unknown[]): Promise<StoredEvent[]> {
    const rows: EventRow[] = await this.dataSource.query(`SELECT * FROM events ${where}`, params);
    const events = rows.map(toStoredEvent);
    // Sealed personal fields opened, or marked erased (docs/decisions/0019).
    return this.personalData ? this.personalData.open(events) : events;
  }
}

interface Row {
  event: EventEnvelope;
  streamId: string;
  version: number;
  subjects?: readonly string[];
}

interface OutboxRow {
  topic: string;
  event: EventEnvelope;
}

interface EventRow {
  global_position: string;
  event_id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  portal_id: string;
  correlation_id: string;
  causation_id: string | null;
  occurred_at: Date;
  recorded_at: Date;
  schema_version: number;
  data: unknown;
}

function versionMatches(expected: ExpectedVersion, current: number): boolean {
  if (expected === 'any') return true;
  if (expected === 'no-stream') return current === NO_STREAM;
  return expected === current;
}

function dedupe(events: EventEnvelope[]): EventEnvelope[] {
  const seen = new Set<string>();
  return events.filter((e) => (seen.has(e.id) ? false : (seen.add(e.id), true)));
}

/** Inserts the events and their outbox rows in one statement (one round trip). */
async function insertEventsAndOutbox(manager: EntityManager, rows: Row[], outbox: OutboxRow[]): Promise<void> {
  const insertEvents = `INSERT INTO events (event_id, stream_id, stream_version, type, portal_id, correlation_id, causation_id, occurred_at, recorded_at, schema_version, data)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::timestamptz[], $9::timestamptz[], $10::int[], $11::jsonb[])`;
  const eventParams = [
    rows.map((r) => r.event.id),
    rows.map((r) => r.streamId),
    rows.map((r) => r.version),
    rows.map((r) => r.event.type),
    rows.map((r) => r.event.portalId),
    rows.map((r) => r.event.correlationId),
    rows.map((r) => r.event.causationId),
    rows.map((r) => r.event.occurredAt),
    rows.map((r) => r.event.recordedAt),
    rows.map((r) => r.event.schemaVersion),
    rows.map((r) => toJsonb(r.event.data ?? null)),
  ];
  if (outbox.length === 0) {
    await manager.query(insertEvents, eventParams);
    return;
  }
  // A data-modifying CTE always runs; the outbox rows keep the order given. They
  // reference the event rather than copy it: the relay reads the event when it publishes.
  await manager.query(
    `WITH inserted AS (${insertEvents})
     INSERT INTO outbox (topic, message_key, event_id)
     SELECT * FROM unnest($12::text[], $13::text[], $14::uuid[])`,
    [...eventParams, outbox.map((r) => r.topic), outbox.map((r) => String(r.event.portalId)), outbox.map((r) => r.event.id)],
  );
}

/**
 * JSON text for a jsonb column. Postgres refuses two things JSON.stringify can emit
 * from user data: the NUL character and lone UTF-16 surrogates (JSON.stringify
 * writes both as \u escapes; paired surrogates it writes as characters). Each
 * becomes U+FFFD, rather than failing the append and turning one odd property
 * value into endless webhook retries. Escaped backslashes are left alone.
 */
export function toJsonb(value: unknown): string {
  return JSON.stringify(value).replace(/(?<!\\)((?:\\\\)*)\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})/g, '$1\\ufffd');
}

/** The columns of an events row that make up an envelope, data aside. */
export type EnvelopeColumns = Pick<EventRow, 'event_id' | 'type' | 'portal_id' | 'correlation_id' | 'causation_id' | 'occurred_at' | 'recorded_at' | 'schema_version'>;

export function envelopeHeadOf(row: EnvelopeColumns): Omit<EventEnvelope, 'data'> {
  return {
    id: row.event_id,
    type: row.type,
    portalId: Number(row.portal_id),
    occurredAt: row.occurred_at.toISOString(),
    recordedAt: row.recorded_at.toISOString(),
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    schemaVersion: row.schema_version,
  };
}

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    ...envelopeHeadOf(row),
    data: row.data,
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    globalPosition: String(row.global_position),
  };
}
