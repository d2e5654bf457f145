import { randomBytes } from 'node:crypto';
import {
  EventStore,
  HubSpotApi,
  HubSpotClientFactory,
  HubSpotOAuth,
  Keyring,
  OperatorAlerts,
  PortalCredentials,
  PortalLifecycle,
  PortalTokens,
  TokenCipher,
  causedBy,
  startStory,
  type CallInit,
  type HubSpotCallResult,
  type HubSpotCredential,
  type HubSpotOperationName,
  type OperationParams,
  type PlatformEvent,
  type RenewableToken,
} from '@app/common';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { memoryLogger } from '../../../../test/support/logger';
import { HubSpotSandbox } from '../../../../sandbox/hubspot';
import { installAndExchange } from '../../../../sandbox/test-support/oauth-client.helper';

/**
 * PortalTokens against the HubSpot sandbox's OAuth (token endpoint over HTTP, 30-minute
 * access tokens on its clock) and a real Postgres shared by two PortalTokens instances
 * standing for two replicas: one refresh per portal across both, a 401 after HubSpot's
 * clock ran past the token's life refreshed once, and an uninstalled app pausing the
 * portal without a refresh storm.
 */
const APP_ID = 840_001;
const CLIENT_ID = 'portal-tokens-int-client';
const CLIENT_SECRET = 'portal-tokens-int-secret-0123456789';
const REDIRECT_URI = 'https://agency.example/oauth/callback';
const SCOPES = 'oauth crm.objects.contacts.read';
const SKEW_MS = 5 * 60_000;
const TOKEN_PATH = '/oauth/2026-03/token';

const CONCURRENT = 84_101;
const UNAUTHORIZED = 84_102;
const REVOKED = 84_103;
const RECONNECTED = 84_104;
const RECONNECTED_REVOKED = 84_105;
const MISCONFIGURED = 84_106;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The HubSpot door, with HubSpot's token endpoint answering slowly: the other replica really finds the lease held. */
class SlowTokenEndpoint extends HubSpotApi {
  override async call<O extends HubSpotOperationName>(credential: HubSpotCredential, operation: O, params: OperationParams<O>, init?: CallInit): Promise<HubSpotCallResult> {
    if (operation === 'oauth.token') await sleep(300);
    return super.call(credential, operation, params, init);
  }
}

describe('PortalTokens (real Postgres, two replicas, HubSpot sandbox OAuth over HTTP)', () => {
  let db: TestDatabase;
  const sandbox = new HubSpotSandbox();
  /** The platform's clock, moved by the tests (HubSpot's is moved apart: sandbox.advanceClock). */
  let offsetMs = 0;
  const clock = () => new Date(Date.now() + offsetMs);
  let eventStore: EventStore;
  let lifecycle: PortalLifecycle;
  let credentials: PortalCredentials;
  let api: HubSpotApi;
  const cipher = new TokenCipher(Keyring.single(randomBytes(32)));

  /** One replica: its own door to HubSpot, its own credentials store on the shared database, its own alerts. */
  function replica(name: string): PortalTokens {
    const door = new SlowTokenEndpoint(new HubSpotClientFactory(sandbox.url));
    const oauth = new HubSpotOAuth(door, { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    const events = new EventStore(db.dataSource);
    const alerts = new OperatorAlerts(events, memoryLogger().logger, clock);
    return new PortalTokens(new PortalCredentials(db.dataSource, cipher), oauth, events, alerts, clock, { refreshSkewMs: SKEW_MS, cacheMs: 60_000, waitForOtherReplicaMs: 10_000 }, memoryLogger().logger, name);
  }

  /** Installs the app in a sandbox portal (authorize + code exchange), registers the portal by its events and stores its tokens. */
  async function connect(portalId: number): Promise<{ accessToken: string; refreshToken: string }> {
    sandbox.addPortal({ portalId, accessToken: `static-${portalId}`, appType: 'public' });
    const exchanged = await installAndExchange(sandbox.url, { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI, scope: SCOPES, portalId });
    expect(exchanged.status).toBe(200);
    const body = exchanged.body as { access_token: string; refresh_token: string; expires_in: number; hub_id: number };
    expect(body.hub_id).toBe(portalId);
    const now = clock();
    const registered = startStory({ type: 'PortalRegistered', portalId, data: { name: `Portal ${portalId}`, status: 'active', settings: {}, via: 'oauth-install' } }, now);
    const connected = causedBy(
      registered,
      { type: 'PortalConnected', portalId, data: { mode: 'oauth', appId: APP_ID, hubDomain: `portal${portalId}.hubspot.com`, scopes: SCOPES.split(' '), capabilities: { enabled: [], blocked: [] }, reconnect: false } },
      now,
    );
    await lifecycle.record(portalId, [registered, connected] as PlatformEvent[], (manager) =>
      credentials.save(portalId, { mode: 'oauth', accessToken: body.access_token, refreshToken: body.refresh_token, expiresAt: new Date(now.getTime() + body.expires_in * 1000), appId: APP_ID }, manager),
    );
    return { accessToken: body.access_token, refreshToken: body.refresh_token };
  }

  const tokenRequests = () => sandbox.requests().filter((r) => r.method === 'POST' && r.path === TOKEN_PATH);
  const accessTokensIssued = (portalId: number) => sandbox.issuedTokens().filter((t) => t.kind === 'access_token' && t.portalId === portalId);
  const portalEvents = async (portalId: number, type: string) =>
    (await db.dataSource.query(`SELECT data, data::text AS raw FROM events WHERE stream_id = $1 AND type = $2 ORDER BY stream_version`, [`portal-${portalId}`, type])) as Array<{ data: Record<string, unknown>; raw: string }>;
  const credentialRow = async (portalId: number) =>
    ((await db.dataSource.query(`SELECT token_version, refresh_lease_owner, access_token_expires_at FROM portal_credentials WHERE portal_id = $1`, [portalId])) as Array<{ token_version: number; refresh_lease_owner: string | null; access_token_expires_at: Date }>)[0]!;

  beforeAll(async () => {
    db = await createTestDatabase('portaltokens');
    await sandbox.start();
    sandbox.configureApp({ appId: APP_ID, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [REDIRECT_URI] });
    eventStore = new EventStore(db.dataSource);
    lifecycle = new PortalLifecycle(eventStore, db.dataSource);
    credentials = new PortalCredentials(db.dataSource, cipher);
    api = new HubSpotApi(new HubSpotClientFactory(sandbox.url));
  });
  afterAll(async () => {
    await sandbox.stop();
    await db.drop();
  });

  it('refreshes an expiring token exactly once for 20 concurrent callers on two replicas; all get the new token, stored and announced without its text', async () => {
    const { accessToken: first, refreshToken } = await connect(CONCURRENT);
    const a = replica('replica-a');
    const b = replica('replica-b');
    sandbox.clearRequests();

    // 30 minutes left: no refresh, the stored token as it is.
    expect(await a.accessToken(CONCURRENT)).toBe(first);
    expect(await b.accessToken(CONCURRENT)).toBe(first);
    expect(tokenRequests()).toHaveLength(0);
    const before = await credentialRow(CONCURRENT);

    // 26 minutes later (platform clock): 4 minutes left, inside the 5-minute skew. The replicas'
    // caches must not outlive the point where the token needs refreshing.
    offsetMs += 26 * 60_000;
    const issuedBefore = accessTokensIssued(CONCURRENT).length;
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).accessToken(CONCURRENT)));

    expect(tokenRequests()).toHaveLength(1);
    expect(accessTokensIssued(CONCURRENT)).toHaveLength(issuedBefore + 1);
    const fresh = accessTokensIssued(CONCURRENT).at(-1)!;
    expect(fresh.status).toBe('active');
    expect(new Set(tokens)).toEqual(new Set([fresh.token]));
    expect(fresh.token).not.toBe(first);

    // Stored: the new token, its version bumped once, its expiry 30 minutes from now; the lease released.
    const stored = await credentials.read(CONCURRENT);
    expect(stored).toMatchObject({ mode: 'oauth', accessToken: fresh.token, refreshToken, version: before.token_version + 1 });
    expect(Math.abs(stored!.expiresAt!.getTime() - (clock().getTime() + 1800_000))).toBeLessThan(10_000);
    expect((await credentialRow(CONCURRENT)).refresh_lease_owner).toBeNull();

    // One PortalTokenRefreshed, by one of the replicas, with neither token in it.
    const refreshed = await portalEvents(CONCURRENT, 'PortalTokenRefreshed');
    expect(refreshed).toHaveLength(1);
    expect(refreshed[0]!.data).toEqual({ expiresAt: stored!.expiresAt!.toISOString(), reason: 'expiring', by: expect.any(String) });
    expect([a.replicaId, b.replicaId]).toContain(refreshed[0]!.data.by);
    expect(refreshed[0]!.raw).not.toContain(fresh.token);
    expect(refreshed[0]!.raw).not.toContain(refreshToken);
    expect(refreshed[0]!.raw).not.toContain(first);

    // The new token works at HubSpot; asked again, nobody refreshes.
    expect(await api.call(fresh.token, 'account.details', {})).toMatchObject({ ok: true, status: 200 });
    expect(await Promise.all([a.accessToken(CONCURRENT), b.accessToken(CONCURRENT), replica('replica-c').accessToken(CONCURRENT)])).toEqual([fresh.token, fresh.token, fresh.token]);
    expect(tokenRequests()).toHaveLength(1);
  });

  it('after HubSpot refuses a token whose 30 minutes ran out on its clock, concurrent afterUnauthorized calls on both replicas refresh once', async () => {
    const { accessToken: old } = await connect(UNAUTHORIZED);
    const a = replica('replica-a');
    const b = replica('replica-b');
    // HubSpot's clock runs past the token's life; ours does not: the platform still thinks it fresh.
    sandbox.advanceClock(31 * 60_000);
    sandbox.clearRequests();
    expect(await a.accessToken(UNAUTHORIZED)).toBe(old);
    expect(tokenRequests()).toHaveLength(0);
    const refused = await api.call(old, 'account.details', {});
    expect(refused).toMatchObject({ ok: false, error: { code: 401, body: { category: 'EXPIRED_AUTHENTICATION' } } });
    const before = await credentialRow(UNAUTHORIZED);

    const renewed = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).afterUnauthorized(UNAUTHORIZED, old)));

    expect(tokenRequests()).toHaveLength(1);
    const fresh = accessTokensIssued(UNAUTHORIZED).at(-1)!;
    expect(fresh.token).not.toBe(old);
    expect(new Set(renewed)).toEqual(new Set([fresh.token]));
    expect((await credentialRow(UNAUTHORIZED)).token_version).toBe(before.token_version + 1);
    const events = await portalEvents(UNAUTHORIZED, 'PortalTokenRefreshed');
    expect(events.map((e) => e.data.reason)).toEqual(['unauthorized']);

    // Calls still holding the old token, through the door: refused, renewed with the stored token (no refresh), sent again.
    const renewable = (replicaTokens: PortalTokens): RenewableToken => ({
      current: old,
      async renew(used: string) {
        const next = await replicaTokens.afterUnauthorized(UNAUTHORIZED, used);
        if (next) this.current = next;
        return next;
      },
    });
    const credentialsUsed = [a, b, a, b].map(renewable);
    const answers = await Promise.all(credentialsUsed.map((credential) => api.call(credential, 'account.details', {})));
    expect(answers.map((answer) => answer.ok)).toEqual([true, true, true, true]);
    expect(credentialsUsed.map((credential) => credential.current)).toEqual([fresh.token, fresh.token, fresh.token, fresh.token]);
    expect(tokenRequests()).toHaveLength(1);
    expect(await portalEvents(UNAUTHORIZED, 'PortalTokenRefreshed')).toHaveLength(1);
  });

  it('a reconnection while a refresh runs wins: the refresh neither overwrites the new tokens nor, when HubSpot refuses it, pauses the reconnected portal', async () => {
    for (const [portalId, uninstallFirst] of [[RECONNECTED, false], [RECONNECTED_REVOKED, true]] as const) {
      await connect(portalId);
      const a = replica('replica-a');
      if (uninstallFirst) sandbox.uninstall(portalId, APP_ID);
      offsetMs += 26 * 60_000;
      // The token endpoint answers after 300 ms: the client reinstalls meanwhile (new tokens stored, version bumped).
      const refreshing = a.accessToken(portalId);
      await sleep(100);
      await credentials.save(portalId, { mode: 'oauth', accessToken: `reinstalled-${portalId}`, refreshToken: `reinstalled-refresh-${portalId}`, expiresAt: new Date(clock().getTime() + 30 * 60_000), appId: APP_ID });
      expect(await refreshing).toBe(`reinstalled-${portalId}`);
      expect((await credentials.read(portalId))?.accessToken).toBe(`reinstalled-${portalId}`);
      expect(await portalEvents(portalId, 'PortalAlertRaised')).toEqual([]);
      expect(await portalEvents(portalId, 'PortalTokenRefreshed')).toEqual([]);
      const [row] = (await db.dataSource.query(`SELECT status FROM portals WHERE portal_id = $1`, [portalId])) as Array<{ status: string }>;
      expect(row!.status).toBe('active');
      offsetMs = 0;
    }
  });

  it('a service with the wrong client secret asks HubSpot once a minute, not once per call, keeps the old token while it lasts, and raises no access-revoked', async () => {
    const { accessToken: old } = await connect(MISCONFIGURED);
    const misconfigured = new PortalTokens(
      new PortalCredentials(db.dataSource, cipher),
      new HubSpotOAuth(new HubSpotApi(new HubSpotClientFactory(sandbox.url)), { clientId: CLIENT_ID, clientSecret: 'not-the-app-secret' }),
      new EventStore(db.dataSource),
      new OperatorAlerts(new EventStore(db.dataSource), memoryLogger().logger, clock),
      clock,
      { refreshSkewMs: SKEW_MS, cacheMs: 0 },
    );
    sandbox.clearRequests();
    offsetMs += 26 * 60_000;
    for (let i = 0; i < 10; i += 1) expect(await misconfigured.accessToken(MISCONFIGURED)).toBe(old);
    expect(tokenRequests()).toHaveLength(1);
    expect(tokenRequests()[0]!.status).toBeGreaterThanOrEqual(400);
    // HubSpot refuses the old token (a 401): the caller gets a retriable refusal, still without asking HubSpot again.
    await expect(misconfigured.afterUnauthorized(MISCONFIGURED, old)).rejects.toMatchObject({ name: 'TokenUnavailableError', retriable: true });
    expect(tokenRequests()).toHaveLength(1);
    // A minute later it asks again.
    offsetMs += 61_000;
    await misconfigured.afterUnauthorized(MISCONFIGURED, old).catch(() => undefined);
    expect(tokenRequests()).toHaveLength(2);
    expect(await portalEvents(MISCONFIGURED, 'PortalAlertRaised')).toEqual([]);
    offsetMs = 0;
  });

  it('an uninstalled app: HubSpot answers invalid_grant once for both replicas, the portal is paused with one access-revoked, and the token endpoint is not asked again', async () => {
    const { accessToken: old, refreshToken } = await connect(REVOKED);
    const a = replica('replica-a');
    const b = replica('replica-b');
    sandbox.uninstall(REVOKED, APP_ID);
    sandbox.clearRequests();
    const before = await credentialRow(REVOKED);

    offsetMs += 26 * 60_000;
    const started = Date.now();
    // The replica waiting for the lease learns the refusal from the credentials: no second call, no stall until its wait ends.
    const tokens = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).accessToken(REVOKED)));
    expect(Date.now() - started).toBeLessThan(10_000);

    // One refresh, refused for good.
    expect(tokenRequests()).toHaveLength(1);
    expect(tokenRequests()[0]!.status).toBe(400);
    expect(sandbox.issuedTokens().find((t) => t.token === refreshToken)).toMatchObject({ kind: 'refresh_token', status: 'revoked' });
    // The callers get the stale token (nothing better exists; the portal is paused by then).
    expect(new Set(tokens)).toEqual(new Set([old]));

    // Paused with the alert, through the portal's events.
    const [portal] = (await db.dataSource.query(`SELECT status, alerts FROM portals WHERE portal_id = $1`, [REVOKED])) as Array<{ status: string; alerts: Record<string, { message: string }> }>;
    expect(portal!.status).toBe('paused');
    expect(Object.keys(portal!.alerts)).toEqual(['access-revoked']);
    expect(portal!.alerts['access-revoked']!.message).toMatch(/reconnect/i);
    const alerts = await portalEvents(REVOKED, 'PortalAlertRaised');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.data).toMatchObject({ alert: 'access-revoked', pause: true, hubspotStatus: 400 });
    expect(alerts[0]!.raw).not.toContain(refreshToken);
    expect(await portalEvents(REVOKED, 'PortalTokenRefreshed')).toEqual([]);
    // Nothing stored changed.
    expect((await credentialRow(REVOKED)).token_version).toBe(before.token_version);
    expect((await credentialRow(REVOKED)).refresh_lease_owner).toBeNull();

    // No storm: later calls, and a 401 on the old token, do not ask HubSpot again.
    expect(await a.accessToken(REVOKED)).toBe(old);
    offsetMs += 10 * 60_000;
    expect(await a.accessToken(REVOKED)).toBe(old);
    expect(await a.afterUnauthorized(REVOKED, old)).toBeUndefined();
    expect(await b.afterUnauthorized(REVOKED, old)).toBeUndefined();
    // A replica started after the refusal knows it from the credentials too.
    expect(await replica('replica-c').accessToken(REVOKED)).toBe(old);
    expect(tokenRequests()).toHaveLength(1);
    expect(await portalEvents(REVOKED, 'PortalAlertRaised')).toHaveLength(1);
  });
});
