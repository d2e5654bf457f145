import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { allTopics, AppConfig, CLOCK, KafkaBus, OperatorAlerts, PlatformModule, PortalRepository, PortalTokens, topicNames, type Clock } from '@app/common';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { KAFKA_BROKERS, uniquePrefix } from '../../../../test/support/kafka';
import { memoryLogger } from '../../../../test/support/logger';
import { TEST_CLIENT_SECRET, testConfig } from '../../../../test/support/platform';
import { HubSpotSandbox } from '../../../../sandbox/hubspot';
import { IngestModule } from '../ingest.module';
import { PortalConnector } from '../onboarding/portal-connector.service';
import { OAuthInstallService } from './oauth-install.service';

/**
 * The agency's OAuth install on the public ingest app, against the HubSpot sandbox's
 * authorize page and 2026-03 token endpoints: the install link, HubSpot's redirect back
 * with a code, the portal registered (or reconnected) with its account, scopes,
 * capabilities, encrypted tokens and properties; and every refusal changing nothing,
 * answering why, recording PortalInstallRefused and revoking whatever HubSpot granted.
 */
const PUBLIC_BASE_URL = 'https://connect.agency.example';
const CALLBACK = `${PUBLIC_BASE_URL}/oauth/callback`;
const CLIENT_ID = 'agency-public-app-client';
const APP_ID = 770_001;
const REVOKE_PATH = '/oauth/2026-03/token/revoke';

const HAPPY = 77_101;
const FORGED = 77_102;
const EXPIRED = 77_103;
const DENIED = 77_104;
const PINNED = 77_105;
const OTHER = 77_106;
const SCOPELESS = 77_107;
const REINSTALLED = 77_108;
const TWO_ALERTS = 77_109;
const OPEN = 77_110;
const TWO_TABS = 77_111;

interface Refusal {
  code: string;
  message: string;
}

describe('OAuth install (GET /oauth/install, /oauth/callback; ingest app, real Postgres, HubSpot sandbox)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let url: string;
  let config: AppConfig;
  const sandbox = new HubSpotSandbox();
  const prefix = uniquePrefix('oauthinstall');
  /** The platform's clock, movable (the install state's time to live). */
  let offsetMs = 0;
  const clock: Clock = () => new Date(Date.now() + offsetMs);

  beforeAll(async () => {
    db = await createTestDatabase('oauthinstall');
    const { url: hubspotUrl } = await sandbox.start();
    config = testConfig('ingest', db.url, prefix, {
      PUBLIC_BASE_URL,
      HUBSPOT_CLIENT_ID: CLIENT_ID,
      HUBSPOT_AUTHORIZE_URL: `${hubspotUrl}/oauth/authorize`,
      HUBSPOT_API_BASE_URL: hubspotUrl,
      PORTAL_CACHE_MS: '0',
      // The production default (tests elsewhere turn it off): forged states count against their source.
      EDGE_AUTH_FAILURES_PER_MINUTE: '20',
    });
    sandbox.configureApp({
      appId: APP_ID,
      clientId: CLIENT_ID,
      clientSecret: TEST_CLIENT_SECRET,
      redirectUris: [CALLBACK],
      requiredScopes: config.hubspotOauthScopes,
      optionalScopes: config.hubspotOauthOptionalScopes,
    });
    const { logger } = memoryLogger();
    const bus = new KafkaBus({ brokers: KAFKA_BROKERS, clientId: 'oauthinstall-test-setup', logger });
    await bus.ensureTopics(allTopics(topicNames(prefix)), 3, 1);
    await bus.disconnect();
    const moduleRef = await Test.createTestingModule({ imports: [PlatformModule.forRoot(config, 'ingest', logger), IngestModule] })
      .overrideProvider(CLOCK)
      .useValue(clock)
      .compile();
    app = moduleRef.createNestApplication({ bodyParser: false, logger: false });
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await app?.close();
    await sandbox.stop();
    await db.drop();
  });
  afterEach(() => {
    offsetMs = 0;
    sandbox.setInstallTarget(null);
  });

  /** A HubSpot account the app can be installed in. */
  const aHubSpotAccount = (portalId: number, account: { timeZone?: string; currency?: string; dataHostingLocation?: string } = {}) =>
    sandbox.addPortal({ portalId, accessToken: `static-${portalId}`, appType: 'public', ...account });

  /** An operator's link for one client (POST /admin/install-links mints it this way): HubSpot's authorize URL with an approved state. */
  async function installLink(query: { template?: string; portalId?: string } = {}): Promise<URL> {
    const minted = await app.get(OAuthInstallService).mint({ ...(query.template ? { template: query.template } : {}), ...(query.portalId ? { portalId: Number(query.portalId) } : {}) });
    if (minted.kind !== 'minted') throw new Error(minted.message);
    return new URL(minted.url);
  }

  /** The open link, GET /oauth/install, redirects not followed: HubSpot's authorize URL it sends the installer to. */
  async function openLink(query: Record<string, string> = {}): Promise<URL> {
    const qs = new URLSearchParams(query).toString();
    const response = await fetch(`${url}/oauth/install${qs ? `?${qs}` : ''}`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('cache-control')).toBe('no-store');
    return new URL(response.headers.get('location')!);
  }

  /** The installer's browser at HubSpot's authorize page: where HubSpot redirects it (our callback, with code or error, and state). */
  async function authorize(link: URL): Promise<URL> {
    const response = await fetch(link, { redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status !== 302 || !location) throw new Error(`HubSpot's authorize page did not redirect (${response.status}): ${await response.text()}`);
    const back = new URL(location);
    expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
    return back;
  }

  /** HubSpot's redirect, arriving at ingest (behind PUBLIC_BASE_URL). */
  async function callback(redirect: URL, { json = true }: { json?: boolean } = {}) {
    const response = await fetch(`${url}/oauth/callback${redirect.search}`, { redirect: 'manual', headers: json ? { accept: 'application/json' } : {} });
    const text = await response.text();
    return { status: response.status, type: response.headers.get('content-type') ?? '', text, body: json ? (JSON.parse(text) as Record<string, any>) : undefined };
  }

  const portalRow = async (portalId: number) =>
    ((await db.dataSource.query(`SELECT status, alerts, account, connection, name FROM portals WHERE portal_id = $1`, [portalId])) as Array<Record<string, any>>)[0];
  const credentialRow = async (portalId: number) =>
    ((await db.dataSource.query(`SELECT *, row_to_json(portal_credentials)::text AS raw FROM portal_credentials WHERE portal_id = $1`, [portalId])) as Array<Record<string, any>>)[0];
  const streamTypes = async (portalId: number) =>
    ((await db.dataSource.query(`SELECT type FROM events WHERE stream_id = $1 ORDER BY stream_version`, [`portal-${portalId}`])) as Array<{ type: string }>).map((e) => e.type);
  const refusals = async () =>
    (await db.dataSource.query(`SELECT stream_id, data FROM events WHERE type = 'PortalInstallRefused' ORDER BY global_position`)) as Array<{ stream_id: string; data: Record<string, any> }>;
  const issued = (portalId: number, kind: 'code' | 'access_token' | 'refresh_token') => sandbox.issuedTokens().filter((t) => t.portalId === portalId && t.kind === kind);
  const revokeRequests = () => sandbox.requests().filter((r) => r.method === 'POST' && r.path === REVOKE_PATH);

  /** A refusal: the answer, exactly one new PortalInstallRefused with that code, and no portal or credentials for any of `portals`. */
  async function expectRefused(run: () => Promise<{ status: number; body?: Record<string, any> }>, expected: { status: number; code: string; message: RegExp; stream: number }, portals: number[]): Promise<Refusal> {
    const before = (await refusals()).length;
    const answer = await run();
    expect(answer.status).toBe(expected.status);
    expect(answer.body).toEqual({ code: expected.code, message: expect.stringMatching(expected.message) });
    const after = await refusals();
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)).toMatchObject({ stream_id: `portal-${expected.stream}`, data: { code: expected.code, reason: answer.body!.message } });
    for (const portalId of portals) {
      expect(await portalRow(portalId)).toBeUndefined();
      expect(await credentialRow(portalId)).toBeUndefined();
    }
    return answer.body as Refusal;
  }

  it('sends the installer to HubSpot with the app, scopes, callback and a state, then registers the portal from the code: account, scopes, capabilities, encrypted tokens, properties', async () => {
    aHubSpotAccount(HAPPY, { timeZone: 'Europe/Berlin', currency: 'EUR', dataHostingLocation: 'eu1' });
    sandbox.setInstallTarget({ portalId: HAPPY });

    const link = await installLink();
    expect(`${link.origin}${link.pathname}`).toBe(`${sandbox.url}/oauth/authorize`);
    expect(link.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(link.searchParams.get('scope')!.split(' ')).toEqual(config.hubspotOauthScopes);
    expect(link.searchParams.get('scope')!.split(' ')).toEqual(expect.arrayContaining(['oauth', 'crm.objects.contacts.write', 'crm.schemas.contacts.write']));
    expect(link.searchParams.get('optional_scope')!.split(' ')).toEqual(config.hubspotOauthOptionalScopes);
    expect(link.searchParams.get('optional_scope')!.split(' ')).toContain('tickets');
    expect(link.searchParams.get('redirect_uri')).toBe(CALLBACK);
    const state = link.searchParams.get('state')!;
    expect(state).toMatch(/^[0-9a-f-]{36}\.[A-Za-z0-9_-]+$/);
    // Each link gets its own state.
    expect((await installLink()).searchParams.get('state')).not.toBe(state);

    const redirect = await authorize(link);
    expect(redirect.searchParams.get('state')).toBe(state);
    expect(redirect.searchParams.get('code')).toBeTruthy();
    const answer = await callback(redirect);

    expect(answer.status).toBe(201);
    expect(answer.type).toMatch(/application\/json/);
    const granted = [...new Set([...config.hubspotOauthScopes, ...config.hubspotOauthOptionalScopes])].sort();
    expect(answer.body).toMatchObject({
      kind: 'registered',
      portal: {
        portalId: HAPPY,
        name: `portal${HAPPY}.hubspot.com`,
        status: 'active',
        account: { timeZone: 'Europe/Berlin', currency: 'EUR', dataHostingLocation: 'eu1' },
        connection: { mode: 'oauth', appId: APP_ID, hubDomain: `portal${HAPPY}.hubspot.com`, scopes: granted, capabilities: { enabled: ['lead-ai', 'service-ai', 'management-ai'], blocked: [] } },
      },
      capabilities: { enabled: ['lead-ai', 'service-ai', 'management-ai'], blocked: [] },
    });
    // The installer sees no settings or alerts (the operator's business).
    expect(Object.keys(answer.body!.portal).sort()).toEqual(['account', 'connection', 'name', 'portalId', 'status']);
    // The projection says the same.
    const row = await portalRow(HAPPY);
    expect(row).toMatchObject({ status: 'active', alerts: {}, account: { timeZone: 'Europe/Berlin', currency: 'EUR', dataHostingLocation: 'eu1' }, connection: { mode: 'oauth', scopes: granted, capabilities: { enabled: ['lead-ai', 'service-ai', 'management-ai'] } } });

    // The properties were created in the portal (read as any client reads them).
    const created = (answer.body!.bootstrap.results as Array<{ objectType: string; name: string; kind: string; outcome: string }>).filter((r) => r.kind === 'property' && r.outcome === 'created');
    expect(created.map((r) => `${r.objectType}.${r.name}`)).toEqual(expect.arrayContaining(['contacts.ai_lead_score', 'contacts.ai_persona', 'tickets.ai_category', 'tickets.ai_sentiment']));
    for (const objectType of ['contacts', 'tickets']) {
      const listing = await fetch(`${sandbox.url}/crm/properties/2026-03/${objectType}`, { headers: { authorization: `Bearer static-${HAPPY}` } });
      const names = ((await listing.json()) as { results: Array<{ name: string }> }).results.map((p) => p.name);
      expect(names).toEqual(expect.arrayContaining(created.filter((r) => r.objectType === objectType).map((r) => r.name)));
    }

    // The tokens HubSpot issued, stored encrypted: readable through the repository, never in the row's text or any event.
    const [access] = issued(HAPPY, 'access_token');
    const [refresh] = issued(HAPPY, 'refresh_token');
    expect(access).toMatchObject({ status: 'active' });
    expect(refresh).toMatchObject({ status: 'active' });
    const secrets = await app.get(PortalRepository).credentials.read(HAPPY);
    expect(secrets).toMatchObject({ mode: 'oauth', accessToken: access!.token, refreshToken: refresh!.token, appId: APP_ID });
    expect(Math.abs(secrets!.expiresAt!.getTime() - (Date.now() + 1800_000))).toBeLessThan(60_000);
    const stored = await credentialRow(HAPPY);
    expect(stored!.mode).toBe('oauth');
    expect(stored!.raw).not.toContain(access!.token);
    expect(stored!.raw).not.toContain(refresh!.token);
    const eventsText = (await db.dataSource.query(`SELECT string_agg(data::text, ' ') AS text FROM events WHERE stream_id = $1`, [`portal-${HAPPY}`]))[0].text as string;
    expect(eventsText).not.toContain(access!.token);
    expect(eventsText).not.toContain(refresh!.token);

    expect(await streamTypes(HAPPY)).toEqual(['PortalRegistered', 'PortalConnected', 'PortalAccountRead', 'PropertiesBootstrapped']);

    // The same callback again (a replayed redirect): the state is spent, nothing changes.
    const version = stored!.token_version;
    await expectRefused(() => callback(redirect), { status: 403, code: 'state-used', message: /already used/, stream: 0 }, []);
    expect((await credentialRow(HAPPY))!.token_version).toBe(version);
    expect(await streamTypes(HAPPY)).toEqual(['PortalRegistered', 'PortalConnected', 'PortalAccountRead', 'PropertiesBootstrapped']);
  });

  it('refuses a forged or tampered state before anything is exchanged, in JSON and in HTML; the real state still works once', async () => {
    aHubSpotAccount(FORGED);
    sandbox.setInstallTarget({ portalId: FORGED });
    const redirect = await authorize(await installLink());
    const state = redirect.searchParams.get('state')!;
    const [id, signature] = state.split('.') as [string, string];
    const code = redirect.searchParams.get('code')!;
    const withState = (forged: string) => {
      const copy = new URL(redirect);
      copy.searchParams.set('state', forged);
      return copy;
    };
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;

    const refused = await expectRefused(() => callback(withState(`${id}.${flipped}`)), { status: 403, code: 'state-invalid', message: /state is missing or was not issued here/, stream: 0 }, [FORGED]);
    expect(refused.message).toMatch(/Nothing was changed/);
    // Another state's signature, a made-up id, no state at all.
    const other = (await installLink()).searchParams.get('state')!;
    await expectRefused(() => callback(withState(`${id}.${other.split('.')[1]}`)), { status: 403, code: 'state-invalid', message: /not issued here/, stream: 0 }, [FORGED]);
    await expectRefused(() => callback(withState(`00000000-0000-4000-8000-000000000000.${signature}`)), { status: 403, code: 'state-invalid', message: /not issued here/, stream: 0 }, [FORGED]);
    const stateless = new URL(redirect);
    stateless.searchParams.delete('state');
    await expectRefused(() => callback(stateless), { status: 403, code: 'state-invalid', message: /not issued here/, stream: 0 }, [FORGED]);

    // In a browser (no JSON asked for): the same refusal as an HTML page.
    const before = (await refusals()).length;
    const page = await callback(withState(`${id}.${flipped}`), { json: false });
    expect(page.status).toBe(403);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.text).toContain('<h1>The portal was not connected</h1>');
    expect(page.text).toContain(refused.message.replace(/'/g, '&#39;'));
    expect(await refusals()).toHaveLength(before + 1);

    // The code was never exchanged; the genuine state was not spent by the forgeries.
    expect(issued(FORGED, 'code').find((c) => c.token === code)).toMatchObject({ status: 'active' });
    expect(issued(FORGED, 'access_token')).toEqual([]);
    // Replayed at the same moment: the state is consumed once, so one callback connects and the other is refused.
    const raced = await Promise.all([callback(redirect), callback(redirect)]);
    expect(raced.map((r) => r.status).sort()).toEqual([201, 403]);
    expect(raced.find((r) => r.status === 403)!.body).toMatchObject({ code: 'state-used' });
    expect(issued(FORGED, 'access_token')).toHaveLength(1);
    expect(await streamTypes(FORGED)).toEqual(['PortalRegistered', 'PortalConnected', 'PortalAccountRead', 'PropertiesBootstrapped']);
  });

  it('refuses an expired state (OAUTH_STATE_TTL_MS) without exchanging the code', async () => {
    aHubSpotAccount(EXPIRED);
    sandbox.setInstallTarget({ portalId: EXPIRED });
    const redirect = await authorize(await openLink());
    offsetMs = config.oauthStateTtlMs + 1_000;

    await expectRefused(() => callback(redirect), { status: 403, code: 'state-expired', message: /has expired.*start again from the install link/, stream: 0 }, [EXPIRED]);
    expect(issued(EXPIRED, 'code')).toMatchObject([{ status: 'active' }]);
    expect(issued(EXPIRED, 'access_token')).toEqual([]);
    // Expired stays expired (it is not "used" by the refusal, nor valid again).
    await expectRefused(() => callback(redirect), { status: 403, code: 'state-expired', message: /has expired/, stream: 0 }, [EXPIRED]);
  });

  it('refuses when the installer denies access at HubSpot (error=access_denied)', async () => {
    aHubSpotAccount(DENIED);
    sandbox.setInstallTarget({ portalId: DENIED, deny: true });
    const redirect = await authorize(await installLink());
    expect(redirect.searchParams.get('error')).toBe('access_denied');
    expect(redirect.searchParams.get('code')).toBeNull();

    await expectRefused(() => callback(redirect), { status: 400, code: 'denied', message: /did not grant access \(access_denied/, stream: 0 }, [DENIED]);
    expect(issued(DENIED, 'access_token')).toEqual([]);
    // Denied spends the state too.
    await expectRefused(() => callback(redirect), { status: 403, code: 'state-used', message: /already used/, stream: 0 }, [DENIED]);
  });

  it('refuses an install made in another portal than the link was for, and revokes the refresh token HubSpot issued', async () => {
    aHubSpotAccount(PINNED);
    aHubSpotAccount(OTHER);
    const link = await installLink({ portalId: String(PINNED) });
    // HubSpot pins the install to the account in the path.
    expect(link.pathname).toBe(`/oauth/${PINNED}/authorize`);
    expect(link.searchParams.get('state')).toBeTruthy();
    // The installer picks another account (the link's path stripped): HubSpot installs there.
    sandbox.setInstallTarget({ portalId: OTHER });
    const unpinned = new URL(link);
    unpinned.pathname = '/oauth/authorize';
    const redirect = await authorize(unpinned);
    sandbox.clearRequests();

    await expectRefused(
      () => callback(redirect),
      { status: 403, code: 'portal-mismatch', message: new RegExp(`installed in HubSpot portal ${OTHER}, but this link was for portal ${PINNED}`), stream: OTHER },
      [PINNED, OTHER],
    );
    const [refusal] = (await refusals()).slice(-1);
    expect(refusal!.data).toMatchObject({ expectedPortalId: PINNED, hubId: OTHER });
    const [refresh] = issued(OTHER, 'refresh_token');
    expect(refresh).toMatchObject({ status: 'revoked' });
    expect(revokeRequests()).toHaveLength(1);
    expect(revokeRequests()[0]!.status).toBe(200);
  });

  it('refuses an install HubSpot granted without a required scope, naming it, and revokes the refresh token', async () => {
    aHubSpotAccount(SCOPELESS);
    const without = 'crm.objects.contacts.write';
    sandbox.setInstallTarget({ portalId: SCOPELESS, grantScopes: [...config.hubspotOauthScopes, ...config.hubspotOauthOptionalScopes].filter((s) => s !== without) });
    const redirect = await authorize(await installLink());
    sandbox.clearRequests();

    const refused = await expectRefused(() => callback(redirect), { status: 422, code: 'scopes-missing', message: /without the required scopes crm\.objects\.contacts\.write:/, stream: SCOPELESS }, [SCOPELESS]);
    expect(refused.message).not.toMatch(/crm\.objects\.contacts\.read/);
    expect(issued(SCOPELESS, 'refresh_token')).toMatchObject([{ status: 'revoked' }]);
    expect(revokeRequests()).toHaveLength(1);
    // Revoked for real: HubSpot no longer refreshes it.
    const refresh = await fetch(`${sandbox.url}/oauth/2026-03/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: CLIENT_ID, client_secret: TEST_CLIENT_SECRET, refresh_token: issued(SCOPELESS, 'refresh_token')[0]!.token }).toString(),
    });
    expect(refresh.status).toBe(400);
    expect(((await refresh.json()) as { error: string }).error).toBe('invalid_grant');
  });

  /** Installs the app in the portal through the whole flow; the callback's JSON. */
  async function install(portalId: number, query: Record<string, string> = {}) {
    sandbox.setInstallTarget({ portalId });
    const answer = await callback(await authorize(await installLink(query)));
    sandbox.setInstallTarget(null);
    return answer;
  }

  /** HubSpot refuses the refresh (the app was uninstalled): PortalTokens pauses the portal with access-revoked. */
  async function revokeThroughRefresh(portalId: number): Promise<void> {
    const used = (await app.get(PortalRepository).credentials.read(portalId))!.accessToken;
    sandbox.uninstall(portalId, APP_ID);
    expect(await app.get(PortalTokens).afterUnauthorized(portalId, used)).toBeUndefined();
    expect(await portalRow(portalId)).toMatchObject({ status: 'paused', alerts: { 'access-revoked': expect.anything() } });
  }

  it('reconnects a portal reinstalled after an uninstall: new tokens, access-revoked cleared, active again, and its tokens refresh again', async () => {
    aHubSpotAccount(REINSTALLED, { timeZone: 'America/Chicago' });
    expect((await install(REINSTALLED)).status).toBe(201);
    const first = await credentialRow(REINSTALLED);
    await revokeThroughRefresh(REINSTALLED);

    const answer = await install(REINSTALLED, { portalId: String(REINSTALLED) });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ kind: 'reconnected', portal: { portalId: REINSTALLED, status: 'active', connection: { mode: 'oauth' }, account: { timeZone: 'America/Chicago' } } });
    expect(await portalRow(REINSTALLED)).toMatchObject({ status: 'active', alerts: {} });
    expect(await streamTypes(REINSTALLED)).toEqual([
      'PortalRegistered',
      'PortalConnected',
      'PortalAccountRead',
      'PropertiesBootstrapped',
      'PortalAlertRaised',
      'PortalConnected',
      'PortalAlertsCleared',
      'PortalStatusChanged',
      'PortalAccountRead',
      'PropertiesBootstrapped',
    ]);
    const reconnected = await db.dataSource.query(`SELECT data FROM events WHERE stream_id = $1 AND type = 'PortalConnected' ORDER BY stream_version`, [`portal-${REINSTALLED}`]);
    expect(reconnected.map((e: { data: { reconnect: boolean } }) => e.data.reconnect)).toEqual([false, true]);
    const [refresh] = issued(REINSTALLED, 'refresh_token').filter((t) => t.status === 'active');
    const secrets = await app.get(PortalRepository).credentials.read(REINSTALLED);
    expect(secrets!.refreshToken).toBe(refresh!.token);
    expect(secrets!.version).toBeGreaterThan(first!.token_version);

    // The refusal remembered for the old tokens does not block the new ones: 26 minutes on, the token is refreshed.
    offsetMs = 26 * 60_000;
    const renewed = await app.get(PortalTokens).accessToken(REINSTALLED);
    expect(renewed).not.toBe(secrets!.accessToken);
    expect(issued(REINSTALLED, 'access_token').find((t) => t.token === renewed)).toMatchObject({ status: 'active' });
  });

  it('a reconnect clears access-revoked but leaves the portal paused while another alert remains', async () => {
    aHubSpotAccount(TWO_ALERTS);
    expect((await install(TWO_ALERTS)).status).toBe(201);
    await app.get(OperatorAlerts).raise(undefined, TWO_ALERTS, { alert: 'model-request-rejected', message: 'the model refused our requests', hubspotStatus: null, pause: true });
    await revokeThroughRefresh(TWO_ALERTS);

    const answer = await install(TWO_ALERTS);

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ kind: 'reconnected', portal: { status: 'paused' } });
    const row = await portalRow(TWO_ALERTS);
    expect(row!.status).toBe('paused');
    expect(Object.keys(row!.alerts)).toEqual(['model-request-rejected']);
    expect(await streamTypes(TWO_ALERTS)).not.toContain('PortalStatusChanged');
  });
  it('the open link (GET /oauth/install) works for anyone, so the portal it installs waits, paused, for an operator; it never undoes an operator\'s disconnect', async () => {
    aHubSpotAccount(OPEN, { timeZone: 'Europe/Paris' });
    sandbox.setInstallTarget({ portalId: OPEN });
    const link = await openLink();
    expect(`${link.origin}${link.pathname}`).toBe(`${sandbox.url}/oauth/authorize`);
    expect(link.searchParams.get('client_id')).toBe(CLIENT_ID);
    const answer = await callback(await authorize(link));
    expect(answer.status).toBe(201);
    expect(await portalRow(OPEN)).toMatchObject({ status: 'paused', alerts: { 'install-approval-needed': { message: expect.stringContaining('POST /admin/install-links') } } });
    expect(await streamTypes(OPEN)).toEqual(['PortalRegistered', 'PortalConnected', 'PortalAlertRaised', 'PortalAccountRead', 'PropertiesBootstrapped']);

    // Approved and later disconnected by the operator: an install through the open link reconnects it but leaves it paused.
    await app.get(PortalRepository).updateSettings(OPEN, { status: 'active' });
    await app.get(PortalRepository).clearAlerts(OPEN);
    await app.get(PortalConnector).disconnect(OPEN, { uninstall: false, requestedBy: 'admin' });
    sandbox.setInstallTarget({ portalId: OPEN });
    expect((await callback(await authorize(await openLink()))).status).toBe(200);
    expect(await portalRow(OPEN)).toMatchObject({ status: 'paused', alerts: { 'install-approval-needed': { message: expect.stringContaining('after an operator disconnected it') } } });
    // An operator's link does.
    sandbox.setInstallTarget({ portalId: OPEN });
    expect((await callback(await authorize(await installLink({ portalId: String(OPEN) })))).status).toBe(200);
    expect(await portalRow(OPEN)).toMatchObject({ status: 'active', alerts: {} });
  });

  it('two installs of a new portal at once (two tabs): one registers it, the other reconnects it; neither overwrites the other', async () => {
    aHubSpotAccount(TWO_TABS);
    sandbox.setInstallTarget({ portalId: TWO_TABS });
    const redirects = [await authorize(await installLink()), await authorize(await installLink())];
    const answers = await Promise.all(redirects.map((r) => callback(r)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 201]);
    expect(answers.map((a) => a.body!.kind).sort()).toEqual(['reconnected', 'registered']);
    const types = await streamTypes(TWO_TABS);
    expect(types.filter((t) => t === 'PortalRegistered')).toHaveLength(1);
    expect(types.filter((t) => t === 'PortalConnected')).toHaveLength(2);
    expect(await portalRow(TWO_TABS)).toMatchObject({ status: 'active' });
  });

  // Last: it leaves this test's source throttled for a minute.
  it('throttles a source guessing states like one forging signatures: past EDGE_AUTH_FAILURES_PER_MINUTE, 429 before anything is recorded', async () => {
    const before = (await refusals()).length;
    const forged = new URL(`${url}/oauth/callback`);
    forged.searchParams.set('code', 'guessed');
    const answers: Array<{ status: number; retryAfter: string | null }> = [];
    for (let i = 0; i < 25; i += 1) {
      forged.searchParams.set('state', `00000000-0000-4000-8000-${String(i).padStart(12, '0')}.guess`);
      const response = await fetch(forged, { headers: { accept: 'application/json' } });
      await response.text();
      answers.push({ status: response.status, retryAfter: response.headers.get('retry-after') });
    }
    const refused = answers.filter((a) => a.status === 403).length;
    const throttled = answers.filter((a) => a.status === 429);
    expect(refused + throttled.length).toBe(25);
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled.every((a) => Number(a.retryAfter) > 0)).toBe(true);
    // Only the refusals before the limit were recorded (the earlier tests' forgeries count against the same source).
    expect(refused).toBeLessThanOrEqual(config.edgeAuthFailuresPerMinute);
    expect((await refusals()).length).toBe(before + refused);
  });
});
