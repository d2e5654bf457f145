import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Open coalescing windows: property changes of one object collected until the
 * window closes, then flushed as one ObjectChanged trigger. A row lives only while
 * its window is open; the events themselves are in the event store.
 */
export class CoalescingWindows1732867200000 implements MigrationInterface {
  name = 'CoalescingWindows1732867200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE coalescing_windows (
        portal_id bigint NOT NULL,
        object_type text NOT NULL,
        object_id text NOT NULL,
        due_at timestamptz NOT NULL,
        changes jsonb NOT NULL,
        PRIMARY KEY (portal_id, object_type, object_id)
      )`);
    await q.query(`CREATE INDEX coalescing_windows_due ON coalescing_windows (due_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE coalescing_windows`);
  }
}
