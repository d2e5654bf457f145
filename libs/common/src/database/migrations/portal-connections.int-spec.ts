import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ensureDatabaseExists, EventStore, PortalCredentials, PortalLifecycle, TokenCipher } from '@app/common';
import { MIGRATIONS } from './index';
import { POSTGRES_URL } from '../../../../../test/support/database';
import { TEST_TOKEN_KEY } from '../../../../../test/support/platform';
import { PortalConnections1733817600000 } from './1733817600000-portal-connections';

/**
 * Upgrading a database whose portals were registered before their every change was
 * an event: the tokens move to portal_credentials (still readable), and each portal's
 * row is imported into its stream, so rebuilding the projection gives the same rows.
 */
describe('migration 1733817600000: portals become a projection (real Postgres)', () => {
  const name = `hubspot_ai_test_upgrade_${randomBytes(4).toString('hex')}`;
  const url = `${POSTGRES_URL}/${name}`;
  let dataSource: DataSource;

  beforeAll(async () => {
    await ensureDatabaseExists(url);
    const before = MIGRATIONS.slice(0, MIGRATIONS.indexOf(PortalConnections1733817600000));
    dataSource = await new DataSource({ type: 'postgres', url, migrations: before }).initialize();
    await dataSource.runMigrations({ transaction: 'each' });
  });
  afterAll(async () => {
    if (dataSource.isInitialized) await dataSource.destroy();
    const admin = await new DataSource({ type: 'postgres', url: `${POSTGRES_URL}/postgres` }).initialize();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.destroy();
  });

  it('moves the tokens, imports each portal as it stood, and a rebuild gives the same rows', async () => {
    const cipher = new TokenCipher(Buffer.from(TEST_TOKEN_KEY, 'base64'));
    const old = [
      { id: 501, name: 'Old Active', status: 'active', settings: { hubspot: { tier: 'professional' }, enabledSubscriptions: ['contact.creation'] }, alerts: {} },
      { id: 502, name: 'Old Paused', status: 'paused', settings: {}, alerts: { 'access-revoked': { message: 'HubSpot answered 401', raisedAt: '2026-11-30T08:00:00.000Z' } } },
    ];
    for (const p of old) {
      await dataSource.query(`INSERT INTO portals (portal_id, name, status, access_token_encrypted, settings, alerts, created_at, updated_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, '2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z')`, [
        p.id, p.name, p.status, cipher.encrypt(`pat-${p.id}`, p.id), JSON.stringify(p.settings), JSON.stringify(p.alerts),
      ]);
    }
    // Portal 501 already has a story (registered under the old code).
    await dataSource.query(`INSERT INTO events (event_id, stream_id, stream_version, type, portal_id, correlation_id, occurred_at, recorded_at, schema_version, data)
      VALUES (gen_random_uuid(), 'portal-501', 1, 'PortalRegistered', 501, 'c', now(), now(), 1, '{"name":"Old Active"}'::jsonb)`);

    await dataSource.runMigrations({ transaction: 'each' }); // nothing new: the old list
    await dataSource.destroy();
    dataSource = await new DataSource({ type: 'postgres', url, migrations: MIGRATIONS }).initialize();
    expect((await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name)).toContain('PortalConnections1733817600000');

    const credentials = new PortalCredentials(dataSource, cipher);
    expect((await credentials.read(501))?.accessToken).toBe('pat-501');
    expect((await credentials.read(502))?.accessToken).toBe('pat-502');

    const imported = await dataSource.query(`SELECT stream_id, stream_version, data FROM events WHERE type = 'PortalStateImported' ORDER BY stream_id`);
    expect(imported).toEqual([
      { stream_id: 'portal-501', stream_version: 2, data: expect.objectContaining({ name: 'Old Active', status: 'active', settings: old[0]!.settings, alerts: {} }) },
      { stream_id: 'portal-502', stream_version: 1, data: expect.objectContaining({ name: 'Old Paused', status: 'paused', alerts: old[1]!.alerts }) },
    ]);
    expect(JSON.stringify(imported)).not.toContain('pat-50');

    const rows = () => dataSource.query(`SELECT portal_id, name, status, settings, alerts, account, connection, created_at FROM portals ORDER BY portal_id`);
    const beforeRebuild = await rows();
    await dataSource.query(`UPDATE portals SET status = 'disabled', settings = '{}'::jsonb`);
    await new PortalLifecycle(new EventStore(dataSource), dataSource).rebuildAll();
    expect(await rows()).toEqual(beforeRebuild);
  });
});
