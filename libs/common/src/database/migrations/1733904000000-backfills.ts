import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Backfills (docs/decisions/0021): scoring a portal's existing records. The
 * `backfills` row is the working state of one backfill, kept in step with the
 * events of its stream (`backfill-<portal>-<id>`) in the same transactions:
 *
 * - `status`: running, paused, cancelled, completed or failed (an operator's
 *   resume restarts a paused or failed one);
 * - `cursor`: the last `hs_object_id` listed (the next search asks for ids above
 *   it), `pending`: ids listed and not yet queued, `listed` / `queued`: counts,
 *   `expected`: how many the listing expects in all (HubSpot's `total`, capped by
 *   the limit), `exhausted`: the search has nothing more;
 * - `lease_owner` / `lease_until`: the one enricher working it right now.
 *
 * The search filter is not kept here: it may name a person, so it lives only in
 * the sealed BackfillRequested event (docs/decisions/0019).
 */
export class Backfills1733904000000 implements MigrationInterface {
  name = 'Backfills1733904000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE backfills (
        backfill_id uuid PRIMARY KEY,
        portal_id bigint NOT NULL,
        capability text NOT NULL,
        object_type text NOT NULL,
        since timestamptz,
        record_limit integer,
        status text NOT NULL CHECK (status IN ('running', 'paused', 'cancelled', 'completed', 'failed')),
        reason text,
        hubspot_status integer,
        cursor text,
        pending jsonb NOT NULL DEFAULT '[]'::jsonb,
        listed integer NOT NULL DEFAULT 0,
        queued integer NOT NULL DEFAULT 0,
        expected integer,
        exhausted boolean NOT NULL DEFAULT false,
        lease_owner text,
        lease_until timestamptz,
        requested_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX backfills_portal ON backfills (portal_id, requested_at)`);
    // The runners look for running backfills whose lease is free or expired.
    await q.query(`CREATE INDEX backfills_running ON backfills (lease_until) WHERE status = 'running'`);
    // One unfinished backfill per portal: two would each take the portal's whole backfill share.
    await q.query(`CREATE UNIQUE INDEX backfills_one_open_per_portal ON backfills (portal_id) WHERE status IN ('running', 'paused', 'failed')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE backfills`);
  }
}
