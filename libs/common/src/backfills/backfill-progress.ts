import type { DataSource } from 'typeorm';

/**
 * What a backfill's records came to, counted in the event store. Everything a
 * BackfillRecordListed causes carries its correlation id (the backfill's id:
 * `causedBy` passes it on), so one index range (events_correlation_position)
 * holds the whole backfill; nothing is read but counts and ids.
 */
export interface BackfillCounts {
  /** BackfillRecordListed events recorded (records queued). */
  queued: number;
  /** DecisionMade: records decided (reused answers included). */
  decided: number;
  /** Of those, answers reused from an earlier decision with the same input (no model call). */
  reused: number;
  /** WritebackApplied: AI property updates HubSpot took. */
  written: number;
  /** Records whose decision failed (DecisionFailed, or dead-lettered before any decision). */
  failedDecisions: number;
  /** WritebackFailed. */
  failedWritebacks: number;
  /** TriggerSkipped: records not decided (their backfill was cancelled, the portal paused, HubSpot no longer has them). */
  skipped: number;
  /** WritebackSkipped (e.g. the record's personal data was erased before the write). */
  skippedWritebacks: number;
  /** Sum of the decisions' and failed decisions' costUsd (unpriced ones count 0). */
  costUsd: number;
  /** Records that reached an end (decided, failed or skipped) within the last `recentMs` before `now`. */
  settledRecently: number;
  firstSettledAt: Date | null;
}

/** The HubSpot calls recent records of a backfill cost: reads recorded in ContextFetched, writes by distinct call. */
export interface CallsSample {
  /** Records whose context was read (ContextFetched). */
  records: number;
  /** The HubSpot reads those contexts took. */
  reads: number;
  /** Writebacks applied (WritebackApplied). */
  writes: number;
  /** The distinct HubSpot calls that applied them. */
  writeCalls: number;
}

/** Event types that end a record's trigger (every one is caused by the trigger itself, so found by causation id). */
const SETTLING_TYPES = ['ContextFetched', 'TriggerSkipped', 'MessageDeadLettered'];

export class BackfillProgress {
  constructor(private readonly dataSource: DataSource) {}

  async counts(backfillId: string, now: Date, recentMs = 60_000): Promise<BackfillCounts> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE type = 'BackfillRecordListed') AS queued,
              count(*) FILTER (WHERE type = 'DecisionMade') AS decided,
              count(*) FILTER (WHERE type = 'DecisionMade' AND data ? 'reusedFrom') AS reused,
              count(*) FILTER (WHERE type = 'WritebackApplied') AS written,
              count(DISTINCT CASE WHEN type = 'DecisionFailed' THEN data->'trigger'->>'eventId' WHEN type = 'MessageDeadLettered' THEN data->>'originalEventId' END) AS failed_decisions,
              count(*) FILTER (WHERE type = 'WritebackFailed') AS failed_writebacks,
              count(*) FILTER (WHERE type = 'TriggerSkipped') AS skipped,
              count(*) FILTER (WHERE type = 'WritebackSkipped') AS skipped_writebacks,
              coalesce(sum((data->>'costUsd')::numeric) FILTER (WHERE type IN ('DecisionMade', 'DecisionFailed')), 0) AS cost,
              count(*) FILTER (WHERE type IN ('DecisionMade', 'DecisionFailed', 'TriggerSkipped') AND recorded_at >= $2) AS settled_recently,
              min(recorded_at) FILTER (WHERE type IN ('DecisionMade', 'DecisionFailed', 'TriggerSkipped')) AS first_settled_at
         FROM events
        WHERE correlation_id = $1
          AND type IN ('BackfillRecordListed', 'DecisionMade', 'DecisionFailed', 'MessageDeadLettered', 'TriggerSkipped', 'WritebackApplied', 'WritebackFailed', 'WritebackSkipped')`,
      [backfillId, new Date(now.getTime() - recentMs)],
    )) as Array<Record<string, string | Date | null>>;
    const n = (key: string) => Number(row?.[key] ?? 0);
    return {
      queued: n('queued'),
      decided: n('decided'),
      reused: n('reused'),
      written: n('written'),
      failedDecisions: n('failed_decisions'),
      failedWritebacks: n('failed_writebacks'),
      skipped: n('skipped'),
      skippedWritebacks: n('skipped_writebacks'),
      costUsd: Math.round(n('cost') * 1_000_000) / 1_000_000,
      settledRecently: n('settled_recently'),
      firstSettledAt: (row?.first_settled_at as Date | null) ?? null,
    };
  }

  /**
   * Which of these queued records (BackfillRecordListed ids) reached an end: a context
   * was fetched (a decision or a failed one follows in the same transaction), or the
   * trigger was skipped or dead-lettered. An index lookup by causation id per record.
   */
  async settled(recordEventIds: readonly string[]): Promise<Set<string>> {
    if (recordEventIds.length === 0) return new Set();
    const rows: Array<{ causation_id: string }> = await this.dataSource.query(
      `SELECT DISTINCT causation_id FROM events WHERE causation_id = ANY($1::text[]) AND type = ANY($2::text[])`,
      [recordEventIds, SETTLING_TYPES],
    );
    return new Set(rows.map((r) => r.causation_id));
  }

  /** The backfill's queued records that have not reached an end (a runner taking it over starts from these). */
  async unsettled(backfillId: string): Promise<string[]> {
    const rows: Array<{ event_id: string }> = await this.dataSource.query(
      `SELECT l.event_id::text AS event_id FROM events l
        WHERE l.correlation_id = $1 AND l.type = 'BackfillRecordListed'
          AND NOT EXISTS (SELECT 1 FROM events o WHERE o.causation_id = l.event_id::text AND o.type = ANY($2::text[]))`,
      [backfillId, SETTLING_TYPES],
    );
    return rows.map((r) => r.event_id);
  }

  /**
   * The HubSpot calls of the backfill's most recent records: each ContextFetched lists
   * the reads that built it; writes are counted by distinct call (the writer batches
   * many records into one), per writeback applied (writes trail the reads, so the
   * newest records' writes are not in the sample yet). From the newest `sample`
   * events of the backfill.
   */
  async callsSample(backfillId: string, sample = 600): Promise<CallsSample> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE type = 'ContextFetched') AS records,
              coalesce(sum(coalesce(jsonb_array_length(data->'reads'), 1)) FILTER (WHERE type = 'ContextFetched'), 0) AS reads,
              count(*) FILTER (WHERE type = 'WritebackApplied') AS writes,
              count(DISTINCT data->>'callId') FILTER (WHERE type = 'WritebackApplied') AS write_calls
         FROM (SELECT type, data FROM events WHERE correlation_id = $1 ORDER BY global_position DESC LIMIT $2) recent`,
      [backfillId, sample],
    )) as Array<Record<string, string>>;
    return { records: Number(row?.records ?? 0), reads: Number(row?.reads ?? 0), writes: Number(row?.writes ?? 0), writeCalls: Number(row?.write_calls ?? 0) };
  }
}
