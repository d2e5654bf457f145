import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The cost report reads a portal's decisions and failed answers by day. Without
 * this it walks every event of the portal; with it, only the model's.
 */
export class ModelCostIndex1733299200000 implements MigrationInterface {
  name = 'ModelCostIndex1733299200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX events_model_costs ON events (portal_id, recorded_at) WHERE type IN ('DecisionMade', 'DecisionFailed')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX events_model_costs`);
  }
}
