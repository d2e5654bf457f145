import type { INestApplication } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { EventStore, OperatorAlerts, PORTAL_PROJECTION_EVENTS, PortalRepository, startStory, StreamIds, TokenCipher, type AppConfig, type StoredEvent } from '@app/common';
import { memoryLogger } from '../../../../test/support/logger';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { TEST_ADMIN_KEY, TEST_CLIENT_SECRET, testConfig } from '../../../../test/support/platform';
import { adminDependencies, startAdminApp } from '../../../../test/support/admin';
import { HubSpotSandbox } from '../../../../sandbox/hubspot';
import type { AdminDependencies } from './admin.module';
import { ConnectionInspector } from '../onboarding/connection-inspector';
import { PortalConnector } from '../onboarding/portal-connector.service';
import { OAuthInstallService } from '../oauth/oauth-install.service';

type Json = Record<string, any>;

/**
 * A portal's life as events (docs/decisions/0020), the `portals` table as their
 * projection, disconnecting (OAuth and static tokens) and settings templates, through
 * the admin API on a real Postgres with the HubSpot sandbox behind it.
 */
describe('portal history, projection rebuild and disconnection (real Postgres, sandbox)', () => {
  const hubspot = new HubSpotSandbox();
  const auth = { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' };
  const CLIENT_ID = 'hubspot-ai-history-client';
  const APP_ID = 770_001;
  const PUBLIC_BASE_URL = 'http://127.0.0.1:9';
  let db: TestDatabase;
  let app: INestApplication;
  let url: string;
  let config: AppConfig;
  let deps: AdminDependencies;
  let portals: PortalRepository;
  let install: OAuthInstallService;

  beforeAll(async () => {
    db = await createTestDatabase('portal_history');
    const { url: hubspotUrl } = await hubspot.start();
    // The public app the platform's OAuth installs go through (HUBSPOT_CLIENT_ID / HUBSPOT_CLIENT_SECRET).
    hubspot.configureApp({ appId: APP_ID, clientId: CLIENT_ID, clientSecret: TEST_CLIENT_SECRET, redirectUris: [`${PUBLIC_BASE_URL}/oauth/callback`] });
    config = testConfig('ingest', db.url, 'unused', {
      HUBSPOT_API_BASE_URL: hubspotUrl,
      HUBSPOT_CLIENT_ID: CLIENT_ID,
      HUBSPOT_AUTHORIZE_URL: `${hubspotUrl}/oauth/authorize`,
      PUBLIC_BASE_URL,
    });
    portals = new PortalRepository(db.dataSource, new TokenCipher(config.tokenEncryptionKey!));
    deps = adminDependencies(db, config, portals);
    ({ app, url } = await startAdminApp(deps));
    // The install flow (an operator's install link, GET /oauth/callback), on the admin app's connector.
    install = new OAuthInstallService(config, deps.oauth, app.get(ConnectionInspector), app.get(PortalConnector), deps.eventStore, db.dataSource, deps.clock);
  });
  afterAll(async () => {
    await app?.close();
    await hubspot.stop();
    await db?.drop();
  });

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = auth) => {
    const response = await fetch(`${url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Json, text };
  };
  const register = (body: Json) => call('POST', '/admin/portals', body);
  const patch = (portalId: number, body: Json) => call('PATCH', `/admin/portals/${portalId}`, body);
  const history = (portalId: number) => call('GET', `/admin/portals/${portalId}/events`);
  const alerts = () => new OperatorAlerts(new EventStore(db.dataSource), memoryLogger().logger, () => new Date());
  const snapshot = async () => db.dataSource.query(`SELECT p.*, to_jsonb(p)::text AS exact FROM portals p ORDER BY portal_id`) as Promise<Json[]>;
  const credentialsRow = async (portalId: number) => (await db.dataSource.query(`SELECT * FROM portal_credentials WHERE portal_id = $1`, [portalId]))[0] as Json | undefined;

  /** Installs the public app in the portal through the platform's OAuth flow: start, HubSpot's authorize page, callback. */
  const installByOAuth = async (portalId: number): Promise<{ accessToken: string; refreshToken: string }> => {
    // An operator's link (POST /admin/install-links), so the portal starts active.
    const started = await install.mint({ portalId });
    if (started.kind !== 'minted') throw new Error(`install refused: ${started.message}`);
    const approved = await fetch(started.url, { redirect: 'manual' });
    expect(approved.status).toBe(302);
    const callback = new URL(approved.headers.get('location')!);
    expect(`${callback.origin}${callback.pathname}`).toBe(`${PUBLIC_BASE_URL}/oauth/callback`);
    const outcome = await install.complete({ code: callback.searchParams.get('code')!, state: callback.searchParams.get('state')! });
    if (outcome.kind !== 'connected') throw new Error(`install refused: ${outcome.message}`);
    const issued = hubspot.issuedTokens().filter((t) => t.portalId === portalId && t.appId === APP_ID && t.status === 'active');
    const accessToken = issued.find((t) => t.kind === 'access_token')!.token;
    const refreshToken = issued.find((t) => t.kind === 'refresh_token')!.token;
    // What the platform stored is what HubSpot issued.
    expect(await portals.credentials.read(portalId)).toMatchObject({ mode: 'oauth', accessToken, refreshToken, appId: APP_ID });
    return { accessToken, refreshToken };
  };

  describe("a portal's life as events", () => {
    const PORTAL = 501;
    const TOKEN = 'pat-na1-history-token-5f1c9e';
    const CLIENT_SECRET = 'private-app-client-secret-7d2a41b9';
    const WORKFLOW_KEY = 'workflow-key-of-portal-501-abcdef0123';

    it('lists registration, connection, settings (before and after, only what changed), status and alerts, oldest first, without any secret', async () => {
      hubspot.addPortal({ portalId: PORTAL, accessToken: TOKEN, timeZone: 'Europe/Berlin', currency: 'EUR', dataHostingLocation: 'eu1' });
      const registered = await register({
        portalId: PORTAL,
        name: 'History Co',
        accessToken: TOKEN,
        clientSecret: CLIENT_SECRET,
        hubspot: { tier: 'starter', appType: 'private' },
        aiLimits: { changeDecisionsPerRecordPerDay: 3 },
        retention: { personalDataDays: 90 },
        privacy: { forbiddenFields: ['message'] },
      });
      expect(registered.status).toBe(201);
      expect(registered.body).toMatchObject({ connection: { mode: 'private-app' }, onboarding: { kind: 'registered', mode: 'private-app' } });
      expect(await portals.credentials.read(PORTAL)).toMatchObject({ mode: 'private-app', accessToken: TOKEN, clientSecret: CLIENT_SECRET });
      // Not the portal's life: what the enricher records on the portal's stream for a webhook about no object.
      const skipped = startStory({ type: 'TriggerSkipped' as const, portalId: PORTAL, data: { trigger: { eventId: '00000000-0000-4000-8000-000000000001', type: 'app.install' }, reason: 'no handler for app.install' } }, new Date());
      await new EventStore(db.dataSource).append({ streamId: StreamIds.portal(PORTAL), events: [skipped] });

      const changed = await patch(PORTAL, {
        name: 'History Co (renamed)',
        hubspot: { tier: 'professional' },
        aiLimits: { changeDecisionsPerRecordPerDay: 5 },
        enabledSubscriptions: ['contact.creation', 'ticket.creation', 'contact.creation'],
        workflowApiKey: WORKFLOW_KEY,
        // Sent again unchanged: not a change.
        retention: { personalDataDays: 90 },
        privacy: { forbiddenFields: ['message'] },
      });
      expect(changed.status).toBe(200);
      expect((await patch(PORTAL, { status: 'paused' })).body).toMatchObject({ status: 'paused' });
      expect((await patch(PORTAL, { status: 'active' })).body).toMatchObject({ status: 'active' });
      await alerts().raise(undefined, PORTAL, { alert: 'property-bootstrap-needed', message: 'ai_lead_score is missing', hubspotStatus: 400, pause: false });
      expect((await call('GET', `/admin/portals/${PORTAL}`)).body.alerts).toMatchObject({ 'property-bootstrap-needed': { message: 'ai_lead_score is missing' } });
      const cleared = await patch(PORTAL, { clearAlerts: true });
      expect(cleared.body).toMatchObject({ status: 'active', alerts: {} });
      // A PATCH that changes nothing records nothing.
      expect((await patch(PORTAL, { name: 'History Co (renamed)', status: 'active', aiLimits: { changeDecisionsPerRecordPerDay: 5 }, clearAlerts: true })).status).toBe(200);

      const answer = await history(PORTAL);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ portalId: PORTAL, streamId: `portal-${PORTAL}` });
      const events = answer.body.events as StoredEvent[];
      expect(events.map((e) => e.type)).toEqual([
        'PortalRegistered',
        'PortalConnected',
        'PortalAccountRead',
        'PropertiesBootstrapped',
        'PortalSettingsChanged',
        'PortalStatusChanged',
        'PortalStatusChanged',
        'PortalAlertRaised',
        'PortalAlertsCleared',
      ]);
      // Oldest first: stream versions and global positions ascending.
      expect(events.map((e) => e.streamVersion).every((v, i, all) => i === 0 || v > all[i - 1]!)).toBe(true);
      const positions = events.map((e) => BigInt(e.globalPosition));
      expect(positions.every((p, i) => i === 0 || p > positions[i - 1]!)).toBe(true);
      expect(events.every((e) => e.portalId === PORTAL && e.streamId === `portal-${PORTAL}`)).toBe(true);

      const [registeredEvent, connected, account, bootstrapped, settings, paused, resumed, raised, alertsCleared] = events as Array<StoredEvent & { data: Json }>;
      expect(registeredEvent!.data).toEqual({
        name: 'History Co',
        status: 'active',
        via: 'admin',
        settings: { hubspot: { tier: 'starter', appType: 'private' }, aiLimits: { changeDecisionsPerRecordPerDay: 3 }, retention: { personalDataDays: 90 }, privacy: { forbiddenFields: ['message'] } },
      });
      expect(connected!.data).toMatchObject({ mode: 'private-app', reconnect: false, capabilities: { enabled: ['lead-ai', 'service-ai', 'management-ai'], blocked: [] } });
      expect(account!.data).toMatchObject({ timeZone: 'Europe/Berlin', currency: 'EUR', dataHostingLocation: 'eu1' });
      // Registration is one story: what onboarding did is caused by the registration.
      for (const e of [connected, account, bootstrapped]) expect(e).toMatchObject({ correlationId: registeredEvent!.id });

      const byPath = (changes: Json[]) => [...changes].sort((a, b) => String(a.path).localeCompare(String(b.path)));
      expect(settings!.data.requestedBy).toBe('admin');
      expect(byPath(settings!.data.changes)).toEqual(byPath([
        { path: 'name', before: 'History Co', after: 'History Co (renamed)' },
        { path: 'hubspot', before: { tier: 'starter', appType: 'private' }, after: { tier: 'professional', appType: 'private' } },
        { path: 'aiLimits', before: { changeDecisionsPerRecordPerDay: 3 }, after: { changeDecisionsPerRecordPerDay: 5 } },
        { path: 'enabledSubscriptions', after: ['contact.creation', 'ticket.creation'] },
        { path: 'workflowApiKeySha256', after: createHash('sha256').update(WORKFLOW_KEY).digest('hex') },
      ]));
      expect(paused!.data).toMatchObject({ from: 'active', to: 'paused', requestedBy: 'admin' });
      expect(resumed!.data).toMatchObject({ from: 'paused', to: 'active', requestedBy: 'admin' });
      expect(raised!.data).toMatchObject({ alert: 'property-bootstrap-needed', message: 'ai_lead_score is missing', pause: false });
      expect(alertsCleared!.data).toEqual({ alerts: ['property-bootstrap-needed'], requestedBy: 'admin' });

      // The projection is what the events say.
      const [row] = await db.dataSource.query(`SELECT * FROM portals WHERE portal_id = $1`, [PORTAL]);
      expect(row).toMatchObject({
        name: 'History Co (renamed)',
        status: 'active',
        alerts: {},
        settings: {
          hubspot: { tier: 'professional', appType: 'private' },
          aiLimits: { changeDecisionsPerRecordPerDay: 5 },
          retention: { personalDataDays: 90 },
          privacy: { forbiddenFields: ['message'] },
          enabledSubscriptions: ['contact.creation', 'ticket.creation'],
          workflowApiKeySha256: createHash('sha256').update(WORKFLOW_KEY).digest('hex'),
        },
      });

      // No secret anywhere in the log, the projection or the answer: not the token, the client secret or the workflow key.
      const everyEvent = ((await db.dataSource.query(`SELECT e::text AS raw FROM events e`)) as Array<{ raw: string }>).map((r) => r.raw).join('\n');
      const everyPortal = ((await db.dataSource.query(`SELECT p::text AS raw FROM portals p`)) as Array<{ raw: string }>).map((r) => r.raw).join('\n');
      for (const secret of [TOKEN, CLIENT_SECRET, WORKFLOW_KEY]) {
        expect(everyEvent).not.toContain(secret);
        expect(everyPortal).not.toContain(secret);
        expect(answer.text).not.toContain(secret);
      }
    });

    it('answers 404 for a portal that was never registered, 400 for a non-numeric id, 401 without the key', async () => {
      expect((await history(987_654)).status).toBe(404);
      expect((await call('GET', '/admin/portals/abc/events')).status).toBe(400);
      expect((await call('GET', `/admin/portals/${PORTAL}/events`, undefined, { 'content-type': 'application/json' })).status).toBe(401);
    });
  });

  describe('disconnecting a portal', () => {
    it('OAuth: revokes the refresh token and uninstalls the app at HubSpot, erases the tokens, pauses the portal and keeps its story', async () => {
      const PORTAL = 601;
      hubspot.addPortal({ portalId: PORTAL, accessToken: 'static-token-601-unused' });
      const { accessToken, refreshToken } = await installByOAuth(PORTAL);
      const before = await call('GET', `/admin/portals/${PORTAL}`);
      expect(before.body).toMatchObject({ status: 'active', connection: { mode: 'oauth', appId: APP_ID } });
      hubspot.clearRequests();

      const answer = await call('DELETE', `/admin/portals/${PORTAL}/connection?uninstall=true`);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ portalId: PORTAL, revokedAtHubSpot: true, uninstalled: true, tokensErased: true, status: 'paused', warnings: [], eventId: expect.any(String) });

      // HubSpot was asked, with the portal's own tokens: the uninstall, and the revocation of the refresh token.
      const asked = hubspot.requests().map((r) => ({ method: r.method, path: r.path, token: r.token, status: r.status }));
      expect(asked).toEqual(expect.arrayContaining([
        { method: 'DELETE', path: '/appinstalls/2026-03/external-install', token: accessToken, status: expect.any(Number) },
        expect.objectContaining({ method: 'POST', path: '/oauth/2026-03/token/revoke', status: 200 }),
      ]));
      expect(asked.find((r) => r.path === '/appinstalls/2026-03/external-install')!.status).toBeLessThan(300);
      expect(hubspot.installs().find((i) => i.portalId === PORTAL && i.appId === APP_ID)).toMatchObject({ active: false, uninstalledAt: expect.any(Number) });
      expect(hubspot.issuedTokens().find((t) => t.token === refreshToken)).toMatchObject({ status: 'revoked' });

      expect(await credentialsRow(PORTAL)).toBeUndefined();
      const after = await call('GET', `/admin/portals/${PORTAL}`);
      expect(after.status).toBe(200);
      expect(after.body).toMatchObject({ status: 'paused', connection: { mode: 'oauth', disconnectedAt: expect.any(String) } });

      const events = (await history(PORTAL)).body.events as Array<StoredEvent & { data: Json }>;
      expect(events.map((e) => e.type)).toEqual(['PortalRegistered', 'PortalConnected', 'PortalAccountRead', 'PropertiesBootstrapped', 'PortalDisconnected', 'PortalStatusChanged']);
      const disconnected = events[4]!;
      expect(disconnected.id).toBe(answer.body.eventId);
      expect(disconnected.data).toMatchObject({ requestedBy: 'admin', revokedAtHubSpot: true, uninstalled: true });
      expect(events[5]).toMatchObject({ causationId: disconnected.id, data: { from: 'active', to: 'paused' } });
      expect(events[0]!.data).toMatchObject({ via: 'oauth-install' });
      const everyEvent = ((await db.dataSource.query(`SELECT e::text AS raw FROM events e WHERE portal_id = $1`, [PORTAL])) as Array<{ raw: string }>).map((r) => r.raw).join('\n');
      expect(everyEvent).not.toContain(accessToken);
      expect(everyEvent).not.toContain(refreshToken);

      // Disconnecting again: nothing left to revoke, nothing to pause.
      const again = await call('DELETE', `/admin/portals/${PORTAL}/connection`);
      expect(again.body).toMatchObject({ revokedAtHubSpot: false, uninstalled: false, status: 'paused' });
    });

    it('OAuth without uninstall: the refresh token is revoked and the app stays installed', async () => {
      const PORTAL = 602;
      hubspot.addPortal({ portalId: PORTAL, accessToken: 'static-token-602-unused' });
      const { refreshToken } = await installByOAuth(PORTAL);
      const answer = await call('DELETE', `/admin/portals/${PORTAL}/connection?uninstall=false`);
      expect(answer.body).toMatchObject({ revokedAtHubSpot: true, uninstalled: false, tokensErased: true, status: 'paused', warnings: [] });
      expect(hubspot.issuedTokens().find((t) => t.token === refreshToken)).toMatchObject({ status: 'revoked' });
      expect(hubspot.installs().find((i) => i.portalId === PORTAL && i.appId === APP_ID)).toMatchObject({ active: true });
      expect(await credentialsRow(PORTAL)).toBeUndefined();
      const events = (await history(PORTAL)).body.events as Array<StoredEvent & { data: Json }>;
      expect(events.find((e) => e.type === 'PortalDisconnected')!.data).toMatchObject({ revokedAtHubSpot: true, uninstalled: false });
    });

    it('OAuth, idle for longer than its access token lives: the token is refreshed to uninstall with, then revoked', async () => {
      const PORTAL = 605;
      hubspot.addPortal({ portalId: PORTAL, accessToken: 'static-token-605-unused' });
      const { accessToken } = await installByOAuth(PORTAL);
      // 31 minutes later, at HubSpot and here: the stored access token has expired (HubSpot answers it 401).
      hubspot.advanceClock(31 * 60_000);
      await db.dataSource.query(`UPDATE portal_credentials SET access_token_expires_at = now() - interval '1 minute' WHERE portal_id = $1`, [PORTAL]);
      expect(hubspot.issuedTokens().find((t) => t.token === accessToken)).toMatchObject({ status: 'expired' });
      hubspot.clearRequests();

      const answer = await call('DELETE', `/admin/portals/${PORTAL}/connection?uninstall=true`);
      expect(answer.body).toMatchObject({ revokedAtHubSpot: true, uninstalled: true, tokensErased: true, status: 'paused', warnings: [] });
      expect(hubspot.installs().find((i) => i.portalId === PORTAL && i.appId === APP_ID)).toMatchObject({ active: false });
      const uninstall = hubspot.requests().find((r) => r.path === '/appinstalls/2026-03/external-install')!;
      expect(uninstall.token).not.toBe(accessToken);
      expect(uninstall.status).toBeLessThan(300);
      expect(hubspot.issuedTokens().filter((t) => t.portalId === PORTAL && t.kind === 'refresh_token').map((t) => t.status)).toEqual(['revoked']);
      expect(await credentialsRow(PORTAL)).toBeUndefined();
    });

    it('a static token: erased and paused, with a warning that it must be rotated in HubSpot', async () => {
      const PORTAL = 603;
      const TOKEN = 'pat-na1-static-603';
      hubspot.addPortal({ portalId: PORTAL, accessToken: TOKEN });
      expect((await register({ portalId: PORTAL, name: 'Static', accessToken: TOKEN })).status).toBe(201);
      expect(await credentialsRow(PORTAL)).toBeDefined();
      hubspot.clearRequests();

      const answer = await call('DELETE', `/admin/portals/${PORTAL}/connection`);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ portalId: PORTAL, revokedAtHubSpot: false, uninstalled: false, tokensErased: true, status: 'paused' });
      expect(answer.body.warnings).toEqual([expect.stringMatching(/cannot be revoked through HubSpot's API: rotate it in the app's settings in HubSpot/)]);
      // Nothing HubSpot could do with a static token was attempted.
      expect(hubspot.requests().filter((r) => r.path.includes('revoke') || r.path.includes('appinstalls'))).toEqual([]);
      expect(await credentialsRow(PORTAL)).toBeUndefined();
      expect((await call('GET', `/admin/portals/${PORTAL}`)).body).toMatchObject({ status: 'paused' });
      const events = (await history(PORTAL)).body.events as Array<StoredEvent & { data: Json }>;
      expect(events.slice(-2).map((e) => [e.type, e.data.revokedAtHubSpot ?? e.data.to])).toEqual([['PortalDisconnected', false], ['PortalStatusChanged', 'paused']]);

      // Asked to uninstall too: HubSpot cannot uninstall a private app through its API, and the token still has to be rotated.
      const OTHER = 606;
      hubspot.addPortal({ portalId: OTHER, accessToken: 'pat-na1-static-606' });
      expect((await register({ portalId: OTHER, name: 'Static too', accessToken: 'pat-na1-static-606', clientSecret: 'private-app-secret-of-606-0123' })).status).toBe(201);
      const uninstalling = await call('DELETE', `/admin/portals/${OTHER}/connection?uninstall=true`);
      expect(uninstalling.body).toMatchObject({ revokedAtHubSpot: false, uninstalled: false, tokensErased: true, status: 'paused' });
      expect(uninstalling.body.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/a private app's token cannot be revoked through HubSpot's API: rotate it/)]));
      expect(await credentialsRow(OTHER)).toBeUndefined();
    });

    it('answers 404 for an unknown portal and 400 for uninstall=maybe, changing nothing', async () => {
      expect((await call('DELETE', '/admin/portals/987654/connection')).status).toBe(404);
      const PORTAL = 604;
      hubspot.addPortal({ portalId: PORTAL, accessToken: 'pat-604' });
      expect((await register({ portalId: PORTAL, name: 'Kept', accessToken: 'pat-604' })).status).toBe(201);
      const bad = await call('DELETE', `/admin/portals/${PORTAL}/connection?uninstall=maybe`);
      expect(bad.status).toBe(400);
      expect(bad.body.message).toEqual(['uninstall must be true or false']);
      expect(await credentialsRow(PORTAL)).toBeDefined();
      expect((await call('GET', `/admin/portals/${PORTAL}`)).body).toMatchObject({ status: 'active' });
      expect((await call('DELETE', `/admin/portals/${PORTAL}/connection`, undefined, { 'content-type': 'application/json' })).status).toBe(401);
    });
  });

  describe('the portals table is a projection of the log', () => {
    it('rebuilds it identically (every column), also after it was corrupted, and keeps the credentials', async () => {
      const add = async (portalId: number, body: Json = {}) => {
        hubspot.addPortal({ portalId, accessToken: `pat-${portalId}` });
        const created = await register({ portalId, name: `Portal ${portalId}`, accessToken: `pat-${portalId}`, ...body });
        expect(created.status).toBe(201);
      };
      // Settings changed, twice, one setting added then changed.
      await add(701, { hubspot: { tier: 'professional' } });
      expect((await patch(701, { name: 'Renamed 701', hubspot: { headroom: 0.3 }, aiLimits: { changeDecisionsPerRecordPerDay: 1 }, enabledSubscriptions: ['contact.creation'] })).status).toBe(200);
      expect((await patch(701, { aiLimits: { changeDecisionsPerRecordPerDay: 2 }, workflowApiKey: 'workflow-key-of-portal-701-0123456789' })).status).toBe(200);
      // Paused by an operator.
      await add(702);
      expect((await patch(702, { status: 'paused' })).status).toBe(200);
      // Alerts: one raised with a pause and kept, one raised and cleared.
      await add(703);
      await alerts().raise(undefined, 703, { alert: 'model-request-rejected', message: 'the model refused', hubspotStatus: null, pause: false });
      expect((await patch(703, { clearAlerts: true })).status).toBe(200);
      await alerts().raise(undefined, 703, { alert: 'access-revoked', message: 'HubSpot answered 401', hubspotStatus: 401, pause: true });
      // Offboarded: its row goes, its events stay.
      await add(704, { retention: { personalDataDays: 30 } });
      const offboarded = await call('DELETE', '/admin/portals/704');
      expect(offboarded.status).toBe(200);
      expect((await call('GET', '/admin/portals/704')).status).toBe(404);
      expect(((await history(704)).body.events as StoredEvent[]).map((e) => e.type).at(-1)).toBe('PortalOffboarded');
      // Disconnected (a static token).
      await add(705);
      expect((await call('DELETE', '/admin/portals/705/connection')).status).toBe(200);
      // Reconnected with a new token.
      await add(706);
      hubspot.addPortal({ portalId: 706, accessToken: 'pat-706-rotated' });
      expect((await patch(706, { accessToken: 'pat-706-rotated', status: 'paused' })).status).toBe(200);
      // Disabled.
      await add(707);
      expect((await patch(707, { status: 'disabled', name: 'Gone quiet' })).status).toBe(200);
      // Offboarded, then registered again: a new row, on the same stream.
      await add(708, { aiLimits: { changeDecisionsPerRecordPerDay: 9 } });
      expect((await call('DELETE', '/admin/portals/708')).status).toBe(200);
      expect((await register({ portalId: 708, name: 'Back again', accessToken: 'pat-708' })).status).toBe(201);

      const original = await snapshot();
      expect(original.map((r) => Number(r.portal_id))).toEqual(expect.arrayContaining([701, 702, 703, 705, 706, 707, 708]));
      expect(original.find((r) => Number(r.portal_id) === 708)).toMatchObject({ name: 'Back again', settings: {}, status: 'active' });
      expect(original.map((r) => Number(r.portal_id))).not.toContain(704);
      expect(original.find((r) => Number(r.portal_id) === 703)).toMatchObject({ status: 'paused', alerts: { 'access-revoked': { message: 'HubSpot answered 401' } } });
      const credentials = await db.dataSource.query(`SELECT * FROM portal_credentials ORDER BY portal_id`);
      const projected = Number((await db.dataSource.query(`SELECT count(*)::int AS n FROM events WHERE type = ANY($1::text[])`, [PORTAL_PROJECTION_EVENTS]))[0].n);

      const rebuilt = await call('POST', '/admin/projections/portals/rebuild');
      expect(rebuilt.status).toBe(200);
      expect(rebuilt.body).toEqual({ events: projected, portals: original.length });
      expect(await snapshot()).toEqual(original);

      // Corrupted: every row wrong, one missing, one that never was.
      await db.dataSource.query(`UPDATE portals SET status = 'disabled', name = 'corrupt', settings = '{}', alerts = '{}', account = '{}', connection = '{}', created_at = now(), updated_at = now()`);
      await db.dataSource.query(`DELETE FROM portals WHERE portal_id = 701`);
      await db.dataSource.query(`INSERT INTO portals (portal_id, name, status) VALUES (704, 'offboarded, back from the dead', 'active'), (999999, 'never registered', 'active')`);
      expect(await snapshot()).not.toEqual(original);
      const restored = await call('POST', '/admin/projections/portals/rebuild');
      expect(restored.body).toEqual({ events: projected, portals: original.length });
      expect(await snapshot()).toEqual(original);
      // Secrets are not part of the projection: a rebuild leaves them.
      expect(await db.dataSource.query(`SELECT * FROM portal_credentials ORDER BY portal_id`)).toEqual(credentials);
      // And the rebuilt table is what the API serves.
      expect((await call('GET', '/admin/portals/701')).body).toMatchObject({ name: 'Renamed 701', settings: { hubspot: { tier: 'professional', headroom: 0.3 }, aiLimits: { changeDecisionsPerRecordPerDay: 2 }, workflowApiKeySet: true } });
      expect((await call('GET', '/admin/portals/704')).status).toBe(404);
      expect((await call('POST', '/admin/projections/portals/rebuild', undefined, { 'content-type': 'application/json' })).status).toBe(401);
    });
  });

  it('POST /admin/install-links mints a single-use link to HubSpot\'s authorize page for one client, and names what is wrong', async () => {
    await call('PUT', '/admin/settings-templates/links-test', { hubspot: { tier: 'professional' } });
    const minted = await call('POST', '/admin/install-links', { template: 'links-test', portalId: 4242, ttlHours: 24 });
    expect(minted.status).toBe(201);
    const link = new URL(minted.body.url);
    expect(link.pathname).toBe('/oauth/4242/authorize');
    expect(link.searchParams.get('state')).toMatch(/^[0-9a-f-]{36}\.[A-Za-z0-9_-]+$/);
    expect(Date.parse(minted.body.expiresAt) - Date.now()).toBeGreaterThan(23 * 3_600_000);
    expect(minted.body).toMatchObject({ template: 'links-test', portalId: 4242 });
    const [row] = await db.dataSource.query(`SELECT approved, template, expected_portal_id::int AS portal FROM oauth_states WHERE state_id = $1`, [link.searchParams.get('state')!.split('.')[0]]);
    expect(row).toEqual({ approved: true, template: 'links-test', portal: 4242 });

    expect((await call('POST', '/admin/install-links', { template: 'no-such-template' })).body.message).toEqual([expect.stringContaining('there is no settings template named "no-such-template"')]);
    expect((await call('POST', '/admin/install-links', { ttlHours: 500, portalId: -1 })).body.message).toEqual(expect.arrayContaining(['ttlHours must be a whole number of hours from 1 to 168', 'portalId must be positive']));
    expect((await call('POST', '/admin/install-links', {}, { 'content-type': 'application/json' })).status).toBe(401);
  });

  describe('settings templates', () => {
    const template = {
      hubspot: { tier: 'professional', appType: 'public' },
      aiLimits: { changeDecisionsPerRecordPerDay: 4 },
      retention: { personalDataDays: 180 },
      privacy: { forbiddenFields: ['message'] },
      promptVersions: { 'lead-scoring': 1 },
    };

    it('stores a named template (200, with its install link) and shows it', async () => {
      const put = await call('PUT', '/admin/settings-templates/agency-default', template);
      expect(put.status).toBe(200);
      expect(put.body).toEqual({ name: 'agency-default', settings: template, installLink: '/oauth/install?template=agency-default' });
      expect(await call('GET', '/admin/settings-templates/agency-default')).toMatchObject({ status: 200, body: { name: 'agency-default', settings: template } });

      // PUT replaces the whole template.
      const replaced = await call('PUT', '/admin/settings-templates/agency-default', { aiLimits: { changeDecisionsPerRecordPerDay: 1 } });
      expect(replaced.status).toBe(200);
      expect((await call('GET', '/admin/settings-templates/agency-default')).body.settings).toEqual({ aiLimits: { changeDecisionsPerRecordPerDay: 1 } });
      const listed = await call('GET', '/admin/settings-templates');
      expect(listed.body.templates.filter((t: Json) => t.name === 'agency-default')).toEqual([{ name: 'agency-default', settings: { aiLimits: { changeDecisionsPerRecordPerDay: 1 } }, updatedAt: expect.any(String) }]);
    });

    it('answers 400 naming the field for invalid settings, storing nothing', async () => {
      const bad = await call('PUT', '/admin/settings-templates/bad-one', { hubspot: { tier: 'gold' }, aiLimits: { changeDecisionsPerRecordPerDay: 5000 }, extra: true });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toEqual(expect.arrayContaining([
        'hubspot.tier must be one of free, starter, professional, enterprise',
        expect.stringContaining('aiLimits.changeDecisionsPerRecordPerDay must be a whole number from 0 to 1000'),
        'property extra should not exist',
      ]));
      expect((await call('GET', '/admin/settings-templates/bad-one')).status).toBe(404);
    });

    it('answers 404 for a bad or unknown name and 401 without the admin key', async () => {
      expect((await call('PUT', '/admin/settings-templates/Agency%20Default', template)).status).toBe(404);
      expect((await call('PUT', `/admin/settings-templates/${'a'.repeat(65)}`, template)).status).toBe(404);
      expect((await call('GET', '/admin/settings-templates/Agency%20Default')).status).toBe(404);
      expect((await call('GET', '/admin/settings-templates/no-such-template')).status).toBe(404);
      const anonymous = { 'content-type': 'application/json' };
      expect((await call('PUT', '/admin/settings-templates/sneaky', template, anonymous)).status).toBe(401);
      expect((await call('GET', '/admin/settings-templates/agency-default', undefined, anonymous)).status).toBe(401);
      expect((await call('PUT', '/admin/settings-templates/sneaky', template, { ...anonymous, authorization: 'Bearer wrong' })).status).toBe(401);
      expect((await call('GET', '/admin/settings-templates/sneaky')).status).toBe(404);
    });
  });
});
