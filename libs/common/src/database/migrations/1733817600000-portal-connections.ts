import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Connecting real portals (issue 15):
 *
 * - `portal_credentials`: a portal's secrets, apart from the `portals` row (which
 *   becomes a projection of the portal's events and can be rebuilt from the log;
 *   secrets are never in an event). Each ciphertext is bound to its portal and
 *   column (AAD). `mode`: `oauth` (public app: 30-minute access tokens refreshed
 *   with the refresh token), `private-app` (a static token and the app's own client
 *   secret, which signs its webhooks), `token` (a pasted token, as before).
 *   `refresh_lease_*`: the one replica refreshing the token right now;
 *   `refresh_refused_version`: the token version whose refresh HubSpot refused for
 *   good (`invalid_grant`), so no replica asks again until the portal reconnects.
 * - `portals.account`, `portals.connection`: what HubSpot said about the account and
 *   the connection (time zone, currency, hosting; mode, scopes, capabilities).
 * - `oauth_states`: the `state` of each install started, single-use and short-lived;
 *   `approved`: minted by an operator (POST /admin/install-links), so the portal it
 *   installs starts active; an open link's install waits for approval.
 * - `settings_templates`: named settings an install link can apply.
 */
export class PortalConnections1733817600000 implements MigrationInterface {
  name = 'PortalConnections1733817600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE portal_credentials (
        portal_id bigint PRIMARY KEY,
        mode text NOT NULL CHECK (mode IN ('oauth', 'private-app', 'token')),
        access_token_encrypted text NOT NULL,
        access_token_expires_at timestamptz,
        refresh_token_encrypted text,
        client_secret_encrypted text,
        app_id bigint,
        token_version integer NOT NULL DEFAULT 1,
        refresh_lease_owner text,
        refresh_lease_until timestamptz,
        refresh_refused_version integer,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT portal_credentials_oauth_refreshable CHECK (mode <> 'oauth' OR refresh_token_encrypted IS NOT NULL)
      )`);
    await q.query(`INSERT INTO portal_credentials (portal_id, mode, access_token_encrypted) SELECT portal_id, 'token', access_token_encrypted FROM portals`);
    // The table becomes a projection of the log: each portal registered before gets its
    // row as it stands now as an event (PortalStateImported), so a rebuild starts there.
    await q.query(`
      INSERT INTO events (event_id, stream_id, stream_version, type, portal_id, correlation_id, causation_id, occurred_at, recorded_at, schema_version, data)
      SELECT p.id, 'portal-' || p.portal_id, coalesce((SELECT max(stream_version) FROM events v WHERE v.stream_id = 'portal-' || p.portal_id), 0) + 1,
             'PortalStateImported', p.portal_id, p.id::text, NULL, now(), now(), 1,
             jsonb_build_object('name', p.name, 'status', p.status, 'settings', p.settings, 'alerts', p.alerts, 'createdAt', to_jsonb(p.created_at))
      FROM (SELECT gen_random_uuid() AS id, portals.* FROM portals) p
      ORDER BY p.portal_id`);
    await q.query(`ALTER TABLE portals DROP COLUMN access_token_encrypted`);
    await q.query(`ALTER TABLE portals ADD COLUMN account jsonb NOT NULL DEFAULT '{}'::jsonb, ADD COLUMN connection jsonb NOT NULL DEFAULT '{}'::jsonb`);
    await q.query(`
      CREATE TABLE oauth_states (
        state_id uuid PRIMARY KEY,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        template text,
        expected_portal_id bigint,
        approved boolean NOT NULL DEFAULT false
      )`);
    await q.query(`CREATE INDEX oauth_states_expires_at ON oauth_states (expires_at)`);
    await q.query(`
      CREATE TABLE settings_templates (
        name text PRIMARY KEY,
        settings jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE settings_templates`);
    await q.query(`DROP TABLE oauth_states`);
    await q.query(`ALTER TABLE portals DROP COLUMN connection, DROP COLUMN account, ADD COLUMN access_token_encrypted text`);
    await q.query(`UPDATE portals p SET access_token_encrypted = c.access_token_encrypted FROM portal_credentials c WHERE c.portal_id = p.portal_id`);
    await q.query(`DROP TABLE portal_credentials`);
  }
}
