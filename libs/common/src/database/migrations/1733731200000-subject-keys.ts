import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Crypto-shredding (docs/decisions/0019): the data keys that seal personal data in
 * the event store, one per portal, data subject and UTC day, each wrapped by the
 * keyring (TOKEN_ENCRYPTION_KEY(S)). Erasing a subject, or a day past a portal's
 * retention, empties `wrapped_key` and keeps the row as a tombstone: the events
 * sealed with it stay in the append-only log and can no longer be read, and a key
 * id once erased is never written again.
 *
 * `portal_offboardings`: portals removed through DELETE /admin/portals/:id, whose
 * personal data is erased once their retention period after offboarding is over.
 */
export class SubjectKeys1733731200000 implements MigrationInterface {
  name = 'SubjectKeys1733731200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE subject_keys (
        key_id uuid PRIMARY KEY,
        portal_id bigint NOT NULL,
        subject text NOT NULL,
        day date NOT NULL,
        wrapped_key text,
        created_at timestamptz NOT NULL DEFAULT now(),
        erased_at timestamptz,
        erased_reason text,
        CONSTRAINT subject_keys_erased_has_no_key CHECK ((erased_at IS NULL) = (wrapped_key IS NOT NULL))
      )`);
    // One live key per portal, subject and day; erased rows stay as tombstones beside a newer key.
    await q.query(`CREATE UNIQUE INDEX subject_keys_live ON subject_keys (portal_id, subject, day) WHERE erased_at IS NULL`);
    await q.query(`CREATE INDEX subject_keys_subject ON subject_keys (portal_id, subject)`);
    // Retention walks the live keys by day.
    await q.query(`CREATE INDEX subject_keys_live_day ON subject_keys (day, portal_id) WHERE erased_at IS NULL`);

    await q.query(`
      CREATE TABLE portal_offboardings (
        portal_id bigint PRIMARY KEY,
        offboarded_at timestamptz NOT NULL,
        personal_data_days integer NOT NULL,
        erase_personal_data_at timestamptz NOT NULL,
        personal_data_erased_at timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE portal_offboardings`);
    await q.query(`DROP TABLE subject_keys`);
  }
}
