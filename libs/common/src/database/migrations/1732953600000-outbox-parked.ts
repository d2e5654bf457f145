import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events the relay could not publish because Kafka refuses them for good (larger
 * than the broker accepts). They leave the outbox so they cannot block every other
 * event behind them, and wait here to be inspected and republished (runbook).
 */
export class OutboxParked1732953600000 implements MigrationInterface {
  name = 'OutboxParked1732953600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox_parked (
        outbox_id bigint PRIMARY KEY,
        topic text NOT NULL,
        message_key text NOT NULL,
        event_id uuid NOT NULL,
        reason text NOT NULL,
        parked_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outbox_parked`);
  }
}
