import { loadConfig, LEAD_AI_REQUIREMENTS, MANAGEMENT_AI_REQUIREMENTS, SERVICE_AI_REQUIREMENTS, type AppConfig } from '@app/common';
import { AnthropicDouble } from '../sandbox/anthropic';
import { HubSpotSandbox } from '../sandbox/hubspot';
import { webhookSignatureHeaders } from '../sandbox/hubspot/webhook-signer';
import { createTestDatabase, type TestDatabase } from './support/database';
import { eventually, uniquePrefix } from './support/kafka';
import { TEST_ADMIN_KEY, TEST_CLIENT_SECRET, TEST_TOKEN_KEY, testEnv } from './support/platform';
import { freePort, oauthEnv, runNode, startService, stopService, TEST_CLIENT_ID, type RunningService } from './support/services';

/**
 * A portal's whole OAuth life through the built services as processes, on the real
 * Kafka and Postgres (docs/decisions/0020): installed through the install link, the
 * HubSpot sandbox's authorize page and the callback (registered with its account's
 * time zone and its scopes, the ai_* properties created by the bootstrap); scored
 * and written back with its OAuth token; its token expired on HubSpot's clock and
 * refreshed exactly once, for every service, with no writeback lost; then
 * uninstalled in HubSpot: the refresh is refused (invalid_grant), the portal paused
 * with `access-revoked`, and its webhooks still recorded (ignored).
 */
describe('OAuth connection: install, refresh, uninstall', () => {
  const PORTAL = 62_601;
  const APP_ID = 54_401;
  /** The portal's help desk, another integration with a private-app token: the test reads the sandbox with it. */
  const HELP_DESK_TOKEN = 'pat-na1-e2e-helpdesk';
  const HELP_DESK_APP_ID = 54_402;
  const TOKEN_PATHS = new Set(['/oauth/2026-03/token', '/oauth/v3/token']);
  const hubspot = new HubSpotSandbox({ webhookRetry: { delayMs: (retry) => 200 * retry } });
  const claude = new AnthropicDouble();
  const prefix = uniquePrefix('e2e-oauth');
  const services: RunningService[] = [];
  /** Every service started, kept after they stop: their whole output is scanned for secrets at the end. */
  const started: RunningService[] = [];
  const METRICS_KEY = 'e2e-metrics-key-0123456789';
  const ANTHROPIC_KEY = 'sk-ant-test-key';
  const opsUrls: Record<'enricher' | 'writer' | 'scheduler', string> = { enricher: '', writer: '', scheduler: '' };
  let db: TestDatabase;
  let config: AppConfig;
  let hubspotUrl: string;
  let publicUrl: string;
  let adminUrl: string;
  let webhookId = 9_000_000;

  const admin = (path: string, init: RequestInit = {}) =>
    fetch(`${adminUrl}${path}`, { ...init, headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json', ...init.headers } });
  const events = (type: string, portalId = PORTAL): Promise<Array<{ stream_id: string; data: Record<string, any> }>> =>
    db.dataSource.query(`SELECT stream_id, data FROM events WHERE type = $1 AND portal_id = $2 ORDER BY global_position`, [type, portalId]);
  /** Calls to HubSpot's token endpoint (the code exchange and every refresh). */
  const tokenRequests = () => hubspot.requests().filter((r) => r.outcome === 'oauth' && r.method === 'POST' && TOKEN_PATHS.has(r.path));
  const accessTokens = () => hubspot.issuedTokens().filter((t) => t.kind === 'access_token' && t.portalId === PORTAL && t.appId === APP_ID);

  /**
   * A contact.creation webhook as HubSpot sends it, signed (v3) at the platform's time. Sent by
   * the test once the sandbox's clock is ahead: the sandbox signs with its own clock, which ingest
   * would rightly refuse as a timestamp from the future.
   */
  const deliverContactCreation = async (objectId: string): Promise<void> => {
    const target = `${publicUrl}/webhooks/hubspot`;
    const now = Date.now();
    webhookId += 1;
    const body = JSON.stringify([
      { eventId: webhookId, subscriptionId: 2_000_001, portalId: PORTAL, appId: APP_ID, occurredAt: now, subscriptionType: 'contact.creation', attemptNumber: 0, objectId: Number(objectId), changeFlag: 'NEW', changeSource: 'CRM' },
    ]);
    const response = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json', ...webhookSignatureHeaders({ clientSecret: TEST_CLIENT_SECRET, method: 'POST', uri: target, body, timestamp: now }) }, body });
    expect(response.status).toBeLessThan(300);
  };

  const scored = (contactId: string) =>
    eventually(async () => {
      const stored = hubspot.getObject(PORTAL, 'contacts', contactId);
      return stored?.properties.ai_lead_score ? stored : undefined;
    }, 45_000, `contact ${contactId} to be scored and written back`);
  /** Every writeback of the contact's decision applied (its properties and the follow-up task). */
  const settled = (contactId: string) =>
    eventually(async () => {
      const [received] = await db.dataSource.query(`SELECT correlation_id FROM events WHERE type = 'WebhookEventReceived' AND data->>'objectId' = $1`, [contactId]);
      if (!received) return false;
      const types = ((await db.dataSource.query(`SELECT type FROM events WHERE correlation_id = $1`, [received.correlation_id])) as Array<{ type: string }>).map((e) => e.type);
      const requested = types.filter((t) => t === 'WritebackRequested').length;
      return requested > 0 && types.filter((t) => t === 'WritebackApplied').length === requested;
    }, 30_000, `every writeback of contact ${contactId} to be applied`);

  beforeAll(async () => {
    db = await createTestDatabase('e2eoauth');
    const [ingestPort, adminPort] = [await freePort(), await freePort()];
    const [enricherOps, writerOps, schedulerOps] = [await freePort(), await freePort(), await freePort()];
    opsUrls.enricher = `http://127.0.0.1:${enricherOps}`;
    opsUrls.writer = `http://127.0.0.1:${writerOps}`;
    opsUrls.scheduler = `http://127.0.0.1:${schedulerOps}`;
    hubspotUrl = (await hubspot.start()).url;
    const claudeUrl = (await claude.start()).url;
    publicUrl = `http://127.0.0.1:${ingestPort}`;
    const env = testEnv(db.url, prefix, {
      HUBSPOT_API_BASE_URL: hubspotUrl,
      ...oauthEnv(hubspotUrl, publicUrl, APP_ID),
      ANTHROPIC_API_KEY: ANTHROPIC_KEY,
      METRICS_API_KEY: METRICS_KEY,
      ENRICHER_OPS_PORT: String(enricherOps),
      WRITER_OPS_PORT: String(writerOps),
      SCHEDULER_OPS_PORT: String(schedulerOps),
      ANTHROPIC_BASE_URL: claudeUrl,
      INGEST_PORT: String(ingestPort),
      ADMIN_PORT: String(adminPort),
      KAFKA_TOPIC_PARTITIONS: '3',
      LOG_LEVEL: 'info',
    });
    config = loadConfig(env, 'ingest');
    await runNode('dist/tools/main.js', ['db:migrate'], env);
    await runNode('dist/tools/main.js', ['kafka:topics'], env);
    // The scheduler plays no part in a connection; it runs for its health and metrics.
    for (const name of ['ingest', 'enricher', 'writer', 'scheduler'] as const) services.push(startService(name, env));
    started.push(...services);
    adminUrl = `http://127.0.0.1:${adminPort}`;

    // The client's HubSpot account, and the agency's public app as registered in HubSpot (same client, redirect URL and scopes).
    hubspot.addPortal({ portalId: PORTAL, accessToken: HELP_DESK_TOKEN, appId: HELP_DESK_APP_ID, tier: 'professional', timeZone: 'Asia/Tokyo', currency: 'JPY', dataHostingLocation: 'eu1', hubDomain: 'kyoto-realty.example' });
    hubspot.addOwner(PORTAL, { id: '77', email: 'lead-owner@kyoto-realty.example' });
    hubspot.configureApp({
      appId: APP_ID,
      clientId: TEST_CLIENT_ID,
      clientSecret: TEST_CLIENT_SECRET,
      redirectUris: [`${publicUrl}/oauth/callback`],
      requiredScopes: config.hubspotOauthScopes,
      optionalScopes: config.hubspotOauthOptionalScopes,
      webhookTargetUrl: `${publicUrl}/webhooks/hubspot`,
      subscriptions: ['contact.creation'],
    });
    await eventually(async () => (await fetch(`${publicUrl}/health/ready`).catch(() => undefined))?.status === 200, 60_000, 'ingest to be ready');
  });

  afterAll(async () => {
    const codes = await Promise.all(services.map((s) => stopService(s)));
    await hubspot.stop();
    await claude.stop();
    await db.drop();
    if (codes.some((c) => c !== 0)) {
      for (const s of services) process.stdout.write(`--- ${s.name}\n${s.output.slice(-40).join('\n')}\n`);
    }
  });

  it('installs through the install link, HubSpot’s authorize page and the callback: the portal is registered with its time zone and scopes, its ai_* properties created', async () => {
    const template = await admin('/admin/settings-templates/e2e-oauth', { method: 'PUT', body: JSON.stringify({ hubspot: { tier: 'professional', appType: 'public' }, leadRouting: { defaultOwnerId: '77', followUpHours: 4 } }) });
    expect(template.status).toBe(200);
    hubspot.setInstallTarget({ portalId: PORTAL });

    // The client's link, minted by the operator (the open GET /oauth/install would register the portal paused until approved).
    const minted = await admin('/admin/install-links', { method: 'POST', body: JSON.stringify({ template: 'e2e-oauth', portalId: PORTAL }) });
    expect(minted.status).toBe(201);
    const authorize = new URL(((await minted.json()) as { url: string }).url);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${hubspotUrl}/oauth/${PORTAL}/authorize`);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      client_id: TEST_CLIENT_ID,
      scope: config.hubspotOauthScopes.join(' '),
      optional_scope: config.hubspotOauthOptionalScopes.join(' '),
      redirect_uri: `${publicUrl}/oauth/callback`,
      state: expect.stringMatching(/^[0-9a-f-]{36}\.[\w-]+$/),
    });

    const approved = await fetch(authorize, { redirect: 'manual' });
    expect(approved.status).toBe(302);
    const callback = new URL(approved.headers.get('location')!);
    expect(`${callback.origin}${callback.pathname}`).toBe(`${publicUrl}/oauth/callback`);
    expect(callback.searchParams.get('state')).toBe(authorize.searchParams.get('state'));
    expect(callback.searchParams.get('code')).toBeTruthy();

    const connected = await fetch(callback, { headers: { accept: 'application/json' } });
    const answer = (await connected.json()) as Record<string, any>;
    expect(connected.status).toBe(201);
    const granted = [...new Set([...config.hubspotOauthScopes, ...config.hubspotOauthOptionalScopes, 'oauth'])].sort();
    expect(answer).toMatchObject({
      kind: 'registered',
      portal: { portalId: PORTAL, status: 'active', account: { timeZone: 'Asia/Tokyo', currency: 'JPY', dataHostingLocation: 'eu1' }, connection: { mode: 'oauth', appId: APP_ID, scopes: granted } },
      capabilities: { enabled: ['lead-ai', 'service-ai', 'management-ai'], blocked: [] },
    });
    const bootstrap = answer.bootstrap.results as Array<{ objectType: string; name: string; kind: string; outcome: string }>;
    expect(bootstrap.every((r) => r.outcome === 'created')).toBe(true);
    // The state is single-use: the same callback again changes nothing.
    expect((await fetch(callback, { headers: { accept: 'application/json' } })).status).toBe(403);

    const portal = (await (await admin(`/admin/portals/${PORTAL}`)).json()) as Record<string, any>;
    expect(portal).toMatchObject({ status: 'active', alerts: {}, account: { timeZone: 'Asia/Tokyo' }, connection: { mode: 'oauth', scopes: granted }, settings: { leadRouting: { defaultOwnerId: '77' } } });

    // The bootstrap created every capability property in HubSpot (read with the help desk's own token).
    for (const [objectType, requirements] of [['contacts', LEAD_AI_REQUIREMENTS], ['tickets', SERVICE_AI_REQUIREMENTS], ['deals', MANAGEMENT_AI_REQUIREMENTS]] as const) {
      const response = await fetch(`${hubspotUrl}/crm/v3/properties/${objectType}`, { headers: { authorization: `Bearer ${HELP_DESK_TOKEN}` } });
      const names = ((await response.json()) as { results: Array<{ name: string }> }).results.map((p) => p.name);
      const wanted = requirements.properties.filter((p) => p.objectType === objectType).map((p) => p.name);
      expect(names).toEqual(expect.arrayContaining(wanted));
      expect(bootstrap.filter((r) => r.objectType === objectType && r.kind === 'property').map((r) => r.name).sort()).toEqual([...wanted].sort());
    }
    expect(tokenRequests()).toHaveLength(1);
  });

  it('scores a contact created in HubSpot and writes it back with the portal’s OAuth token', async () => {
    const contact = hubspot.seedObject(PORTAL, 'contacts', { email: 'aiko@kyoto-realty.example', firstname: 'Aiko', jobtitle: 'Broker Owner', company: 'Kyoto Realty' }, { fireWebhooks: true });
    await scored(contact.id);
    // The follow-up task too: nothing of this contact may still be on its way when HubSpot's clock moves on.
    await settled(contact.id);
    const [first] = accessTokens();
    const writes = await eventually(async () => {
      const found = hubspot.requests().filter((r) => r.path.endsWith('/contacts/batch/update') && JSON.stringify(r.body).includes(`"id":"${contact.id}"`));
      return found.length > 0 ? found : undefined;
    }, 10_000, 'the writeback request');
    expect(writes.map((w) => [w.status, w.token])).toEqual([[200, first!.token]]);
    expect(accessTokens()).toHaveLength(1);
  });

  it('refreshes the token once when it expired on HubSpot’s clock, and the next contact is still scored and written back', async () => {
    const since = hubspot.requests().at(-1)?.seq ?? 0;
    const expired = accessTokens()[0]!.token;
    // 35 minutes later on HubSpot's clock: the 30-minute access token has expired there (the platform's clock still gives it time).
    hubspot.advanceClock(35 * 60_000);
    const contact = hubspot.seedObject(PORTAL, 'contacts', { email: 'ren@osaka-homes.example', firstname: 'Ren', jobtitle: 'Marketing Manager', company: 'Osaka Homes' });
    await deliverContactCreation(contact.id);
    await scored(contact.id);
    await settled(contact.id);

    // One refresh for every service (PortalTokens: one refresh lease per portal in Postgres, the others take the stored
    // result): the enricher, whose read HubSpot refused first, refreshed; the writer used the token it stored.
    const tokenCalls = tokenRequests();
    expect(tokenCalls.map((r) => r.status)).toEqual([200, 200]); // the code exchange, then the one refresh
    const refreshed = await events('PortalTokenRefreshed');
    expect(refreshed).toHaveLength(1);
    expect(refreshed[0]!.data).toMatchObject({ reason: 'unauthorized', by: expect.stringMatching(/^enricher@/) });
    const tokens = accessTokens();
    expect(tokens).toHaveLength(2);
    const renewed = tokens[1]!.token;

    // HubSpot refused the expired token at most once per service that called it (enricher, writer), never the renewed one.
    const refused = hubspot.requests().filter((r) => r.seq > since && r.status === 401);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeLessThanOrEqual(2);
    expect(refused.every((r) => r.token === expired)).toBe(true);
    // The writer's write went through with the renewed token (after its own 401 with the cached expired one, if it had one).
    const writes = hubspot.requests().filter((r) => r.seq > since && r.path.endsWith('/contacts/batch/update'));
    expect(writes.filter((w) => w.status === 200).map((w) => w.token)).toEqual([renewed]);
    expect(writes.filter((w) => w.status !== 200).every((w) => w.status === 401 && w.token === expired)).toBe(true);
    // Nothing failed or was dead-lettered on the way.
    for (const type of ['WritebackFailed', 'MessageDeadLettered', 'DecisionFailed', 'PortalAlertRaised']) expect(await events(type)).toEqual([]);
    expect(((await (await admin(`/admin/portals/${PORTAL}`)).json()) as { status: string }).status).toBe('active');
  });

  it('pauses the portal with access-revoked once HubSpot refuses the refresh after an uninstall, and still records its webhooks (ignored)', async () => {
    hubspot.uninstall(PORTAL, APP_ID);
    // HubSpot sends the app no more events of the portal; one already on its way still arrives.
    const contact = hubspot.seedObject(PORTAL, 'contacts', { email: 'kenji@nara-estates.example', firstname: 'Kenji', jobtitle: 'Broker', company: 'Nara Estates' });
    await deliverContactCreation(contact.id);

    const portal = await eventually(async () => {
      const found = (await (await admin(`/admin/portals/${PORTAL}`)).json()) as { status: string; alerts: Record<string, { message: string }> };
      return found.status === 'paused' ? found : undefined;
    }, 30_000, 'the portal to be paused');
    expect(Object.keys(portal.alerts)).toEqual(['access-revoked']);
    // The refresh was tried once, and refused for good (invalid_grant: only that pauses).
    expect(tokenRequests().map((r) => r.status)).toEqual([200, 200, 400]);
    const [raised] = await events('PortalAlertRaised');
    expect(raised!.data).toMatchObject({ alert: 'access-revoked', pause: true, hubspotStatus: 400 });
    expect(hubspot.getObject(PORTAL, 'contacts', contact.id)?.properties.ai_lead_score).toBeFalsy();

    // Ingest caches a portal for PORTAL_CACHE_MS: once that passed, a further webhook finds it paused.
    await new Promise((resolve) => setTimeout(resolve, config.portalCacheMs + 200));
    const later = hubspot.seedObject(PORTAL, 'contacts', { email: 'mei@kobe-living.example', firstname: 'Mei' });
    await deliverContactCreation(later.id);
    const [ignored] = await eventually(async () => {
      const rows = await db.dataSource.query(`SELECT data FROM events WHERE type = 'WebhookEventIgnored' AND stream_id = $1`, [`crm-${PORTAL}-contacts-${later.id}`]);
      return rows.length > 0 ? rows : undefined;
    }, 15_000, 'the webhook of the paused portal to be recorded');
    expect(ignored.data).toMatchObject({ reason: 'portal-not-active', hubspot: { portalId: PORTAL, objectId: Number(later.id) } });
    // Nothing more was asked of HubSpot: no further refresh, no call for the ignored contact.
    expect(tokenRequests()).toHaveLength(3);
  });

  it('every service answers /health/ready and /metrics, with the families of what it did', async () => {
    const scrape = async (url: string) => {
      const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_KEY}` } });
      expect(response.status).toBe(200);
      return response.text();
    };
    const live = await fetch(`${publicUrl}/health/ready`, { headers: { 'x-request-id': 'e2e-probe-1' } });
    expect(live.status).toBe(200);
    expect(live.headers.get('x-request-id')).toBe('e2e-probe-1');
    for (const url of Object.values(opsUrls)) {
      const ready = await eventually(async () => {
        const response = await fetch(`${url}/health/ready`);
        return response.status === 200 ? ((await response.json()) as { status: string }) : undefined;
      }, 30_000, `${url} to be ready`);
      expect(ready.status).toBe('ready');
      expect((await fetch(`${url}/metrics`)).status).toBe(401);
    }

    const ingest = await scrape(adminUrl);
    expect(ingest).toMatch(/hubspot_ai_ingest_webhook_events_total\{[^}]*outcome="accepted"[^}]*\} [1-9]/);
    expect(ingest).toMatch(/hubspot_ai_hubspot_calls_total\{operation="oauth\.token",status="200",service="ingest"\} 1/);
    const enricher = await scrape(opsUrls.enricher);
    expect(enricher).toMatch(/hubspot_ai_model_calls_total\{provider="anthropic",model="[^"]+",outcome="answered",service="enricher"\} [1-9]/);
    expect(enricher).toMatch(/hubspot_ai_model_tokens_total\{provider="anthropic",model="[^"]+",kind="input",service="enricher"\} [1-9]/);
    expect(enricher).toMatch(/hubspot_ai_model_latency_seconds_count\{[^}]*provider="anthropic"[^}]*\} [1-9]/);
    expect(enricher).toMatch(/hubspot_ai_kafka_messages_handled_total\{group="[^"]+",topic="[^"]+",outcome="done",service="enricher"\} [1-9]/);
    expect(enricher).toMatch(/hubspot_ai_kafka_consumer_lag\{group="[^"]+",topic="[^"]+",partition="\d+",service="enricher"\} \d+/);
    expect(enricher).toContain('hubspot_ai_ready{service="enricher"} 1');
    const writer = await scrape(opsUrls.writer);
    expect(writer).toMatch(/hubspot_ai_hubspot_calls_total\{operation="[^"]+",status="200",service="writer"\} [1-9]/);
    expect(writer).toContain('# TYPE hubspot_ai_writer_queue_depth gauge');
    expect(writer).toContain('hubspot_ai_ready{service="writer"} 1');
    const scheduler = await scrape(opsUrls.scheduler);
    expect(scheduler).toMatch(/hubspot_ai_scheduler_runs_total\{job="daily-review",outcome="ok",service="scheduler"\} [1-9]/);
    expect(scheduler).toContain('hubspot_ai_ready{service="scheduler"} 1');
  });

  it('shuts every service down cleanly on SIGTERM', async () => {
    const codes = await Promise.all(services.splice(0).map((s) => stopService(s)));
    expect(codes).toEqual([0, 0, 0, 0]);
  });

  it('no log line of any service holds a secret or token it used (keys, the client secret, every token and code HubSpot issued)', () => {
    const issued = hubspot.issuedTokens().map((t) => t.token);
    expect(issued.length).toBeGreaterThanOrEqual(4);
    const secrets = [TEST_CLIENT_SECRET, TEST_ADMIN_KEY, TEST_TOKEN_KEY, Buffer.from(TEST_TOKEN_KEY, 'base64').toString('hex'), METRICS_KEY, ANTHROPIC_KEY, HELP_DESK_TOKEN, ...issued];
    const lines = started.flatMap((s) => s.output.map((line) => ({ service: s.name, line })));
    expect(lines.length).toBeGreaterThan(20);
    const leaks = lines.flatMap(({ service, line }) => secrets.filter((secret) => line.includes(secret)).map((secret) => `${service}: ${secret.slice(0, 6)}… in ${line.slice(0, 160)}`));
    expect(leaks).toEqual([]);
  });
});
