import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Finds an earlier decision of a portal by the hash of its rendered prompt, so the
 * same input with the same prompt version is never paid for twice.
 */
export class DecisionInputIndex1733126400000 implements MigrationInterface {
  name = 'DecisionInputIndex1733126400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX events_decision_prompt_hash ON events (portal_id, (data->'prompt'->>'hash')) WHERE type = 'DecisionMade'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX events_decision_prompt_hash`);
  }
}
