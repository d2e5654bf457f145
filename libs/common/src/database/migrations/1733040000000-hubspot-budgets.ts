import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per portal holding its HubSpot budget (token buckets, today's call
 * count, what HubSpot's headers last said). Shared by every service and replica
 * that calls HubSpot; updated with optimistic concurrency on `version`. Portals
 * also get the alerts the writer raises.
 */
export class HubSpotBudgets1733040000000 implements MigrationInterface {
  name = 'HubSpotBudgets1733040000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE hubspot_budgets (
        portal_id bigint PRIMARY KEY,
        state jsonb NOT NULL,
        version bigint NOT NULL DEFAULT 1,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // What an operator must fix for a portal (revoked token, missing properties), by kind.
    await q.query(`ALTER TABLE portals ADD COLUMN alerts jsonb NOT NULL DEFAULT '{}'::jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE portals DROP COLUMN alerts`);
    await q.query(`DROP TABLE hubspot_budgets`);
  }
}
