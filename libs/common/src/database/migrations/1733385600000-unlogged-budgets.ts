import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The HubSpot budget rows change on every HubSpot call. As a logged table each
 * change was a WAL flush (an fsync) on the path of every read and write, competing
 * with the event store's commits, which must be durable. Budget state is a cache
 * of HubSpot's own counters and can be rebuilt from its headers, so it need not
 * survive a Postgres crash (see decision 14): unlogged, its updates skip the WAL.
 */
export class UnloggedBudgets1733385600000 implements MigrationInterface {
  name = 'UnloggedBudgets1733385600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE hubspot_budgets SET UNLOGGED`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE hubspot_budgets SET LOGGED`);
  }
}
