import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event store (append-only, global position, per-stream version, unique event id),
 * the outbox the relay publishes from, and the portal registry.
 */
export class InitialSchema1732780800000 implements MigrationInterface {
  name = 'InitialSchema1732780800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE events (
        global_position bigserial PRIMARY KEY,
        event_id uuid NOT NULL,
        stream_id text NOT NULL,
        stream_version integer NOT NULL,
        type text NOT NULL,
        portal_id bigint NOT NULL,
        correlation_id text NOT NULL,
        causation_id text,
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL,
        schema_version integer NOT NULL,
        data jsonb NOT NULL,
        CONSTRAINT events_event_id_unique UNIQUE (event_id),
        CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version)
      )`);
    await q.query(`CREATE INDEX events_portal_position ON events (portal_id, global_position)`);
    await q.query(`CREATE INDEX events_correlation_position ON events (correlation_id, global_position)`);
    await q.query(`CREATE INDEX events_causation ON events (causation_id) WHERE causation_id IS NOT NULL`);
    // Append-only: history is never rewritten, whoever holds the credentials.
    await q.query(`
      CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the event store is append-only: % is not allowed', TG_OP;
      END $$`);
    await q.query(`
      CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
      FOR EACH ROW EXECUTE FUNCTION events_are_append_only()`);
    await q.query(`CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only()`);

    await q.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        topic text NOT NULL,
        message_key text NOT NULL,
        event_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE portals (
        portal_id bigint PRIMARY KEY,
        name text NOT NULL,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'disabled')),
        access_token_encrypted text NOT NULL,
        settings jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE portals`);
    await q.query(`DROP TABLE outbox`);
    await q.query(`DROP TABLE events`);
    await q.query(`DROP FUNCTION events_are_append_only`);
  }
}
