import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Replays pay for model calls too: the cost report now sums DecisionReplayed and
 * DecisionReplayFailed with the decisions, so its partial index covers them (the
 * replay runner's selection, a portal's DecisionMade by time, reads it as well).
 *
 * Built concurrently, outside a transaction, under a new name before the old one is
 * dropped: appends to events never wait for the build. A build that fails leaves an
 * invalid index, which the next run drops and builds again.
 */
export class ReplayCostIndex1733472000000 implements MigrationInterface {
  name = 'ReplayCostIndex1733472000000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS events_model_calls`);
    await q.query(
      `CREATE INDEX CONCURRENTLY events_model_calls ON events (portal_id, recorded_at) WHERE type IN ('DecisionMade', 'DecisionFailed', 'DecisionReplayed', 'DecisionReplayFailed')`,
    );
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS events_model_costs`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS events_model_costs ON events (portal_id, recorded_at) WHERE type IN ('DecisionMade', 'DecisionFailed')`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS events_model_calls`);
  }
}
