import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Replays pay for model calls too: the cost report now sums DecisionReplayed and
 * DecisionReplayFailed with the decisions, so its partial index covers them.
 * The replay runner's selection (a portal's DecisionMade by time) reads it as well.
 */
export class ReplayCostIndex1733472000000 implements MigrationInterface {
  name = 'ReplayCostIndex1733472000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX events_model_costs`);
    await q.query(`CREATE INDEX events_model_costs ON events (portal_id, recorded_at) WHERE type IN ('DecisionMade', 'DecisionFailed', 'DecisionReplayed', 'DecisionReplayFailed')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX events_model_costs`);
    await q.query(`CREATE INDEX events_model_costs ON events (portal_id, recorded_at) WHERE type IN ('DecisionMade', 'DecisionFailed')`);
  }
}
