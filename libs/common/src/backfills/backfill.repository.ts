import { returnedRows } from '../database/returned-rows';
import type { DataSource, EntityManager } from 'typeorm';
import { isUniqueViolation } from '../database/postgres-errors';
import type { CrmObjectType } from '../events/event-types';

export const BACKFILL_STATUSES = ['running', 'paused', 'cancelled', 'completed', 'failed'] as const;
export type BackfillStatus = (typeof BACKFILL_STATUSES)[number];

/** Statuses a backfill can still go on from (at most one per portal: the table's unique index). */
export const OPEN_BACKFILL_STATUSES: readonly BackfillStatus[] = ['running', 'paused', 'failed'];

/** One backfill's working state (the `backfills` row; its story is the events of its stream). */
export interface BackfillRow {
  backfillId: string;
  portalId: number;
  capability: string;
  objectType: CrmObjectType;
  since: Date | null;
  limit: number | null;
  status: BackfillStatus;
  /** Why it failed (status failed). */
  reason: string | null;
  hubspotStatus: number | null;
  /** The last hs_object_id listed; null before the first page. */
  cursor: string | null;
  /** Record ids listed and not yet queued, in id order. */
  pending: string[];
  /** Records listed so far (queued or pending). */
  listed: number;
  /** Records queued so far (a BackfillRecordListed each). */
  queued: number;
  /** How many the listing expects in all (HubSpot's total, capped by the limit); null before the first page. */
  expected: number | null;
  /** The search has nothing more to list. */
  exhausted: boolean;
  leaseOwner: string | null;
  leaseUntil: Date | null;
  requestedAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export interface NewBackfill {
  backfillId: string;
  portalId: number;
  capability: string;
  objectType: CrmObjectType;
  since: Date | null;
  limit: number | null;
  requestedAt: Date;
}

/**
 * A change that must commit together with the events describing it found the row
 * elsewhere than expected (an operator paused or cancelled it meanwhile, or another
 * replica took the lease): thrown inside the transaction, so nothing of it commits.
 */
export class BackfillChanged extends Error {
  constructor(readonly backfillId: string) {
    super(`backfill ${backfillId} changed meanwhile`);
  }
}

/** The portal already has an unfinished backfill (backfills_one_open_per_portal): thrown inside the request's transaction. */
export class BackfillAlreadyOpen extends Error {
  constructor(readonly portalId: number) {
    super(`portal ${portalId} already has an unfinished backfill`);
  }
}

interface Row {
  backfill_id: string;
  portal_id: string;
  capability: string;
  object_type: CrmObjectType;
  since: Date | null;
  record_limit: number | null;
  status: BackfillStatus;
  reason: string | null;
  hubspot_status: number | null;
  cursor: string | null;
  pending: string[];
  listed: number;
  queued: number;
  expected: number | null;
  exhausted: boolean;
  lease_owner: string | null;
  lease_until: Date | null;
  requested_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

/**
 * The `backfills` table (docs/decisions/0021). Every change of status, cursor or
 * counters is made inside the transaction that appends the events telling it
 * (EventStore.appendAll's `alsoInTransaction`), guarded by the status it expects and,
 * for a runner, by its lease: a row that moved meanwhile throws BackfillChanged.
 */
export class BackfillRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Throws BackfillAlreadyOpen when the portal has an unfinished one. */
  async insertIn(manager: EntityManager, backfill: NewBackfill): Promise<void> {
    try {
      await this.insert(manager, backfill);
    } catch (error) {
      if (isUniqueViolation(error)) throw new BackfillAlreadyOpen(backfill.portalId);
      throw error;
    }
  }

  private async insert(manager: EntityManager, backfill: NewBackfill): Promise<void> {
    await manager.query(
      `INSERT INTO backfills (backfill_id, portal_id, capability, object_type, since, record_limit, status, requested_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'running', $7, $7)`,
      [backfill.backfillId, backfill.portalId, backfill.capability, backfill.objectType, backfill.since, backfill.limit, backfill.requestedAt],
    );
  }

  async find(portalId: number, backfillId: string): Promise<BackfillRow | undefined> {
    const rows: Row[] = await this.dataSource.query(`SELECT * FROM backfills WHERE backfill_id = $1 AND portal_id = $2`, [backfillId, portalId]);
    return rows[0] && toBackfill(rows[0]);
  }

  /** The portal's backfills, newest first. */
  async listByPortal(portalId: number, limit = 100): Promise<BackfillRow[]> {
    const rows: Row[] = await this.dataSource.query(`SELECT * FROM backfills WHERE portal_id = $1 ORDER BY requested_at DESC LIMIT $2`, [portalId, limit]);
    return rows.map(toBackfill);
  }

  /** The portal's unfinished backfill (running, paused or failed), if any. */
  async findOpen(portalId: number): Promise<BackfillRow | undefined> {
    const rows: Row[] = await this.dataSource.query(`SELECT * FROM backfills WHERE portal_id = $1 AND status = ANY($2::text[]) LIMIT 1`, [portalId, OPEN_BACKFILL_STATUSES]);
    return rows[0] && toBackfill(rows[0]);
  }

  /** Only the status (a primary-key lookup per record a backfill queued). */
  async status(backfillId: string): Promise<BackfillStatus | undefined> {
    const rows: Array<{ status: BackfillStatus }> = await this.dataSource.query(`SELECT status FROM backfills WHERE backfill_id = $1`, [backfillId]);
    return rows[0]?.status;
  }

  /**
   * Takes the lease of running backfills nobody holds (or whose holder's lease ran
   * out), oldest first, skipping rows another replica is claiming this instant.
   */
  async claim(owner: string, leaseMs: number, max: number): Promise<BackfillRow[]> {
    const result: unknown = await this.dataSource.query(
      `UPDATE backfills SET lease_owner = $1, lease_until = now() + ($2 || ' milliseconds')::interval
        WHERE backfill_id IN (
          SELECT backfill_id FROM backfills
           WHERE status = 'running' AND (lease_until IS NULL OR lease_until < now() OR lease_owner = $1)
           ORDER BY requested_at LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING *`,
      [owner, String(leaseMs), max],
    );
    return returnedRows<Row>(result).map(toBackfill);
  }

  /** Extends the lease and reads the row; undefined once it is no longer running or no longer this owner's. */
  async renew(backfillId: string, owner: string, leaseMs: number): Promise<BackfillRow | undefined> {
    const result: unknown = await this.dataSource.query(
      `UPDATE backfills SET lease_until = now() + ($3 || ' milliseconds')::interval
        WHERE backfill_id = $1 AND lease_owner = $2 AND status = 'running' RETURNING *`,
      [backfillId, owner, String(leaseMs)],
    );
    const row = returnedRows<Row>(result)[0];
    return row && toBackfill(row);
  }

  async release(backfillId: string, owner: string): Promise<void> {
    await this.dataSource.query(`UPDATE backfills SET lease_owner = NULL, lease_until = NULL WHERE backfill_id = $1 AND lease_owner = $2`, [backfillId, owner]);
  }

  /** A page listed: the new cursor, the ids still to queue and the counts (the runner's, under its lease). */
  async recordPageIn(
    manager: EntityManager,
    backfillId: string,
    owner: string,
    page: { cursor: string | null; pending: string[]; listed: number; expected: number | null; exhausted: boolean },
  ): Promise<void> {
    await this.updateOwned(manager, backfillId, owner, `cursor = $3, pending = $4::jsonb, listed = $5, expected = $6, exhausted = $7`, [
      page.cursor,
      JSON.stringify(page.pending),
      page.listed,
      page.expected,
      page.exhausted,
    ]);
  }

  /** Some pending ids were queued (their BackfillRecordListed events append in the same transaction). */
  async recordQueuedIn(manager: EntityManager, backfillId: string, owner: string, pending: string[], queued: number): Promise<void> {
    await this.updateOwned(manager, backfillId, owner, `pending = $3::jsonb, queued = $4`, [JSON.stringify(pending), queued]);
  }

  /** The runner ends its part: completed (everything listed and queued) or failed (an operator must look). */
  async finishIn(manager: EntityManager, backfillId: string, owner: string, end: { status: 'completed' | 'failed'; reason: string | null; hubspotStatus: number | null }): Promise<void> {
    await this.updateOwned(
      manager,
      backfillId,
      owner,
      `status = $3, reason = $4, hubspot_status = $5, lease_owner = NULL, lease_until = NULL, finished_at = CASE WHEN $3 = 'completed' THEN now() ELSE finished_at END`,
      [end.status, end.reason, end.hubspotStatus],
    );
  }

  /**
   * An operator's pause, resume or cancel: from one of `from` to `to`, whoever holds
   * the lease (a runner notices at its next step). Throws BackfillChanged when the
   * status is not one of `from`.
   */
  async transitionIn(manager: EntityManager, backfillId: string, from: readonly BackfillStatus[], to: BackfillStatus): Promise<void> {
    const result: unknown = await manager.query(
      `UPDATE backfills SET status = $2, updated_at = now(),
              reason = CASE WHEN $2 = 'running' THEN NULL ELSE reason END,
              hubspot_status = CASE WHEN $2 = 'running' THEN NULL ELSE hubspot_status END,
              finished_at = CASE WHEN $2 = 'cancelled' THEN now() ELSE finished_at END,
              lease_owner = CASE WHEN $2 = 'running' THEN lease_owner ELSE NULL END,
              lease_until = CASE WHEN $2 = 'running' THEN lease_until ELSE NULL END
        WHERE backfill_id = $1 AND status = ANY($3::text[]) RETURNING backfill_id`,
      [backfillId, to, from],
    );
    if (returnedRows(result).length === 0) throw new BackfillChanged(backfillId);
  }

  private async updateOwned(manager: EntityManager, backfillId: string, owner: string, set: string, params: unknown[]): Promise<void> {
    const result: unknown = await manager.query(`UPDATE backfills SET ${set}, updated_at = now() WHERE backfill_id = $1 AND lease_owner = $2 AND status = 'running' RETURNING backfill_id`, [
      backfillId,
      owner,
      ...params,
    ]);
    if (returnedRows(result).length === 0) throw new BackfillChanged(backfillId);
  }
}

function toBackfill(row: Row): BackfillRow {
  return {
    backfillId: row.backfill_id,
    portalId: Number(row.portal_id),
    capability: row.capability,
    objectType: row.object_type,
    since: row.since,
    limit: row.record_limit,
    status: row.status,
    reason: row.reason,
    hubspotStatus: row.hubspot_status,
    cursor: row.cursor,
    pending: row.pending,
    listed: row.listed,
    queued: row.queued,
    expected: row.expected,
    exhausted: row.exhausted,
    leaseOwner: row.lease_owner,
    leaseUntil: row.lease_until,
    requestedAt: row.requested_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}
