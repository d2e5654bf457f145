import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { allTopics, EventStore, PersonalData, PlatformModule, PortalRepository, topicNames, type AppConfig } from '@app/common';
import { adminDependencies, startAdminApp } from '../../../../test/support/admin';
import { aHubSpotEvent } from '../../../../test/support/builders';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { collectMessages, eventually, KAFKA_BROKERS, uniquePrefix } from '../../../../test/support/kafka';
import { memoryLogger } from '../../../../test/support/logger';
import { TEST_ADMIN_KEY, TEST_CLIENT_SECRET, testConfig } from '../../../../test/support/platform';
import { KafkaBus } from '@app/common';
import { IngestModule } from '../ingest.module';
import { IngestMetrics } from '../metrics/ingest-metrics';
import { signatureV1, signatureV3 } from './hubspot-signature';

const PUBLIC_BASE_URL = 'https://hooks.agency.example';
const PORTAL = 62515;
const APP_ID = 54321;

async function startIngest(config: AppConfig): Promise<{ app: INestApplication; url: string }> {
  const { logger } = memoryLogger();
  const moduleRef = await Test.createTestingModule({ imports: [PlatformModule.forRoot(config, 'ingest', logger), IngestModule] }).compile();
  const app = moduleRef.createNestApplication({ bodyParser: false, logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}

function signedPost(url: string, body: string, options: { timestamp?: number; contentType?: string; headers?: Record<string, string>; uri?: string } = {}) {
  const timestamp = String(options.timestamp ?? Date.now());
  const uri = options.uri ?? `${PUBLIC_BASE_URL}/webhooks/hubspot`;
  return fetch(`${url}/webhooks/hubspot`, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/json',
      'x-hubspot-signature-v3': signatureV3(TEST_CLIENT_SECRET, 'POST', uri, body, timestamp),
      'x-hubspot-request-timestamp': timestamp,
      ...options.headers,
    },
    body,
  });
}

describe('POST /webhooks/hubspot (real Postgres and Kafka)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let url: string;
  let config: AppConfig;
  const prefix = uniquePrefix('ingest');
  const topics = topicNames(prefix);

  beforeAll(async () => {
    db = await createTestDatabase('ingest');
    config = testConfig('ingest', db.url, prefix, { PUBLIC_BASE_URL, HUBSPOT_APP_ID: String(APP_ID), COALESCE_WINDOW_MS: '400', PORTAL_CACHE_MS: '0' });
    const { logger } = memoryLogger();
    const bus = new KafkaBus({ brokers: KAFKA_BROKERS, clientId: 'ingest-test-setup', logger });
    await bus.ensureTopics(allTopics(topics), 3, 1);
    await bus.disconnect();
    ({ app, url } = await startIngest(config));
    await app.get(PortalRepository).register({ portalId: PORTAL, name: 'Acme', accessToken: 'pat-acme' });
  });
  afterAll(async () => {
    await app?.close();
    await db.drop();
  });

  const countEvents = async (type: string): Promise<number> =>
    Number((await db.dataSource.query('SELECT count(*) AS n FROM events WHERE type = $1', [type]))[0].n);

  it('records a signed event durably, answers 200 and publishes it keyed by portal; a redelivery is a duplicate', async () => {
    const collector = await collectMessages([topics.webhooksRaw]);
    const event = aHubSpotEvent({ portalId: PORTAL, objectId: 501 });
    const response = await signedPost(url, JSON.stringify([event]));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: 1, accepted: 1, coalesced: 0, ignored: 0, rejected: 0, duplicates: 0 });

    const redelivery = await signedPost(url, JSON.stringify([{ ...event, attemptNumber: 1 }]));
    expect(await redelivery.json()).toMatchObject({ accepted: 0, duplicates: 1 });

    const [message] = await collector.waitFor(1);
    await new Promise((r) => setTimeout(r, 500));
    expect(collector.messages).toHaveLength(1);
    await collector.stop();
    expect(message!.key).toBe(String(PORTAL));
    const published = JSON.parse(message!.value!);
    expect(published).toMatchObject({ type: 'WebhookEventReceived', portalId: PORTAL, data: { subscriptionType: 'contact.creation', objectType: 'contacts', objectId: '501' } });
    expect(await app.get(EventStore).findById(published.id)).toMatchObject({ streamId: `crm-${PORTAL}-contacts-501` });
  });

  it('rejects a missing, wrong or stale signature with 401 and records nothing', async () => {
    const before = await countEvents('WebhookEventReceived');
    const body = JSON.stringify([aHubSpotEvent({ portalId: PORTAL })]);
    const unsigned = await fetch(`${url}/webhooks/hubspot`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(401);
    // The same answer for every failure: the reason is in the server log only (signature-policy.security.int-spec.ts).
    expect(await unsigned.json()).toEqual({ message: 'unauthorized' });
    expect((await signedPost(url, body, { headers: { 'x-hubspot-signature-v3': 'AAAA' } })).status).toBe(401);
    expect((await signedPost(url, body, { timestamp: Date.now() - 6 * 60_000 })).status).toBe(401);
    expect(await countEvents('WebhookEventReceived')).toBe(before);
  });

  it('verifies against PUBLIC_BASE_URL, never a URL rebuilt from forwarding headers', async () => {
    const body = JSON.stringify([aHubSpotEvent({ portalId: PORTAL })]);
    const forged = await signedPost(url, body, { uri: 'https://evil.example/webhooks/hubspot', headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' } });
    expect(forged.status).toBe(401);
  });

  it('refuses the legacy v1 signature when v3 is absent (HUBSPOT_LEGACY_SIGNATURES is off by default)', async () => {
    const body = JSON.stringify([aHubSpotEvent({ portalId: PORTAL })]);
    const response = await fetch(`${url}/webhooks/hubspot`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hubspot-signature': signatureV1(TEST_CLIENT_SECRET, body), 'x-hubspot-signature-version': 'v1' },
      body,
    });
    expect(response.status).toBe(401);
  });

  it('accepts the legacy v1 signature when v3 is absent only with HUBSPOT_LEGACY_SIGNATURES=app-v1', async () => {
    const legacy = await startIngest(testConfig('ingest', db.url, prefix, { PUBLIC_BASE_URL, HUBSPOT_APP_ID: String(APP_ID), COALESCE_WINDOW_MS: '400', PORTAL_CACHE_MS: '0', HUBSPOT_LEGACY_SIGNATURES: 'app-v1' }));
    try {
      const body = JSON.stringify([aHubSpotEvent({ portalId: PORTAL })]);
      const response = await fetch(`${legacy.url}/webhooks/hubspot`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hubspot-signature': signatureV1(TEST_CLIENT_SECRET, body), 'x-hubspot-signature-version': 'v1' },
        body,
      });
      expect(response.status).toBe(200);
    } finally {
      await legacy.app.close();
    }
  });

  it('answers 400 for a body that is not JSON or not an array, 415 for another content type, 413 over 1 MB', async () => {
    const notJson = await signedPost(url, '{"eventId": 1,');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { message: string }).message).toMatch(/not valid JSON/);
    expect((await signedPost(url, '{"eventId":1}')).status).toBe(400);
    expect((await signedPost(url, '[]', { contentType: 'text/plain' })).status).toBe(415);
    const huge = JSON.stringify([aHubSpotEvent({ portalId: PORTAL, padding: 'x'.repeat(1024 * 1024) })]);
    expect((await signedPost(url, huge)).status).toBe(413);
  });

  it('records events missing required fields as rejected while the valid ones proceed', async () => {
    const valid = aHubSpotEvent({ portalId: PORTAL, objectId: 777 });
    const broken = aHubSpotEvent({ portalId: PORTAL, objectId: undefined, occurredAt: 'yesterday' });
    const response = await signedPost(url, JSON.stringify([broken, valid]));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ received: 2, accepted: 1, rejected: 1 });
    const [rejected] = await db.dataSource.query(`SELECT data FROM events WHERE type = 'WebhookEventRejected' AND stream_id = $1`, [`webhook-rejections-${PORTAL}`]);
    expect(rejected.data.reason).toBe('objectId must be a positive integer; occurredAt must be epoch milliseconds');
  });

  it('records webhooks of unregistered portals without processing them', async () => {
    const response = await signedPost(url, JSON.stringify([aHubSpotEvent({ portalId: 999_001, objectId: 5 })]));
    expect(await response.json()).toMatchObject({ accepted: 0, ignored: 1 });
    const [row] = await db.dataSource.query(`SELECT data FROM events WHERE stream_id = 'crm-999001-contacts-5'`);
    expect(row.data.reason).toBe('portal-not-registered');
    const [outbox] = await db.dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE message_key = '999001'`);
    expect(outbox.n).toBe(0);
  });

  it('coalesces a burst of property changes of one object into one ObjectChanged trigger', async () => {
    const collector = await collectMessages([topics.webhooksRaw]);
    const t = Date.now();
    const change = (eventId: number, propertyName: string, propertyValue: string, occurredAt: number, objectId = 900) =>
      aHubSpotEvent({ portalId: PORTAL, objectId, eventId, subscriptionType: 'contact.propertyChange', propertyName, propertyValue, occurredAt, changeSource: 'CRM_UI' });
    // Two requests, out of order, as HubSpot's concurrent deliveries arrive.
    const first = await signedPost(url, JSON.stringify([change(11, 'jobtitle', 'CTO', t - 300), change(13, 'jobtitle', 'CEO', t - 100)]));
    expect(await first.json()).toMatchObject({ coalesced: 2, accepted: 0 });
    await signedPost(url, JSON.stringify([change(12, 'lifecyclestage', 'lead', t - 200), change(14, 'city', 'Oslo', t - 50, 901)]));

    const published = await eventually(async () => {
      const changed = collector.messages.map((m) => JSON.parse(m.value!)).filter((e) => e.type === 'ObjectChanged');
      return changed.length >= 2 ? changed : undefined;
    }, 15_000, 'two ObjectChanged triggers');
    await new Promise((r) => setTimeout(r, 600));
    await collector.stop();
    const forContact = published.filter((e) => e.data.objectId === '900');
    expect(forContact).toHaveLength(1);
    // On Kafka the values are sealed (docs/decisions/0019), the names readable; the platform's keys open them.
    expect(forContact[0].data.properties).toEqual({ jobtitle: null, lifecyclestage: null });
    expect(((await app.get(PersonalData).openData(forContact[0])) as { properties: unknown }).properties).toEqual({ jobtitle: 'CEO', lifecyclestage: 'lead' });
    expect(forContact[0].data.sourceEventIds).toHaveLength(3);
    expect(collector.messages.filter((m) => JSON.parse(m.value!).type === 'WebhookEventReceived' && JSON.parse(m.value!).data.subscriptionType === 'contact.propertyChange')).toHaveLength(0);
    const [open] = await db.dataSource.query('SELECT count(*)::int AS n FROM coalescing_windows');
    expect(open.n).toBe(0);
  });

  it("never triggers on the platform's own writebacks", async () => {
    const ours = aHubSpotEvent({ portalId: PORTAL, objectId: 950, subscriptionType: 'contact.propertyChange', propertyName: 'lifecyclestage', propertyValue: 'customer', changeSource: 'INTEGRATION', sourceId: String(APP_ID) });
    const aiProperty = aHubSpotEvent({ portalId: PORTAL, objectId: 950, subscriptionType: 'contact.propertyChange', propertyName: 'ai_lead_score', propertyValue: '90', changeSource: 'CRM_UI' });
    const response = await signedPost(url, JSON.stringify([ours, aiProperty]));
    expect(await response.json()).toMatchObject({ ignored: 2, accepted: 0, coalesced: 0 });
    const rows = await db.dataSource.query(`SELECT data->>'reason' AS reason FROM events WHERE stream_id = 'crm-${PORTAL}-contacts-950'`);
    expect(rows.map((r: { reason: string }) => r.reason)).toEqual(['own-change', 'own-change']);
    const [windows] = await db.dataSource.query(`SELECT count(*)::int AS n FROM coalescing_windows WHERE object_id = '950'`);
    expect(windows.n).toBe(0);
  });

  it('records one event per HubSpot event even when two ingest replicas receive it at once', async () => {
    const replica = await startIngest(config);
    const body = JSON.stringify([aHubSpotEvent({ portalId: PORTAL, objectId: 31337 })]);
    const answers = await Promise.all([signedPost(url, body), signedPost(replica.url, body), signedPost(url, body)]);
    const bodies = (await Promise.all(answers.map((a) => a.json()))) as Array<{ accepted: number; duplicates: number }>;
    await replica.app.close();
    expect(bodies.map((b) => b.accepted).reduce((a, b) => a + b)).toBe(1);
    expect(bodies.map((b) => b.duplicates).reduce((a, b) => a + b)).toBe(2);
    const [row] = await db.dataSource.query(`SELECT count(*)::int AS n FROM events WHERE stream_id = 'crm-${PORTAL}-contacts-31337'`);
    expect(row.n).toBe(1);
  });

  it('exposes Prometheus metrics by outcome, portal and subscription type, with the ack latency and outbox lag, on the admin port only', async () => {
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
    const admin = await startAdminApp({ ...adminDependencies(db, config), metrics: app.get(IngestMetrics) });
    // Behind a key, as every admin route (edge/edge.security.int-spec.ts covers the refusals).
    const text = await (await fetch(`${admin.url}/metrics`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } })).text();
    await admin.app.close();
    expect(text).toMatch(new RegExp(`hubspot_ai_ingest_webhook_events_total\\{portal="${PORTAL}",subscription_type="contact.creation",outcome="accepted"\\} \\d+`));
    for (const outcome of ['received', 'duplicate', 'coalesced', 'ignored', 'rejected']) expect(text).toContain(`outcome="${outcome}"`);
    expect(text).toContain('hubspot_ai_ingest_ack_latency_seconds_bucket');
    expect(text).toMatch(/hubspot_ai_outbox_pending_events \d+/);
    expect(text).toMatch(/hubspot_ai_outbox_oldest_pending_seconds [\d.]+/);
  });

  it('acknowledges while Kafka is down and publishes the event once Kafka is back', async () => {
    const offline = await startIngest(testConfig('ingest', db.url, prefix, { PUBLIC_BASE_URL, KAFKA_BROKERS: '127.0.0.1:1', PORTAL_CACHE_MS: '0' }));
    await app.close(); // stop the healthy app's relay, so only the offline one could publish
    const ready = await fetch(`${offline.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'degraded', postgres: true, kafka: false });
    const event = aHubSpotEvent({ portalId: PORTAL, objectId: 4242 });
    const response = await signedPost(offline.url, JSON.stringify([event]));
    expect(response.status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    const [pending] = await db.dataSource.query(`SELECT count(*)::int AS n FROM outbox o JOIN events e USING (event_id) WHERE e.data->>'objectId' = '4242'`);
    expect(pending.n).toBe(1);
    await offline.app.close();

    const collector = await collectMessages([topics.webhooksRaw]);
    ({ app, url } = await startIngest(config)); // Kafka "back": a relay that reaches the broker
    await eventually(async () => collector.messages.find((m) => JSON.parse(m.value!).data.objectId === '4242'), 20_000, 'the stranded event to be published');
    await collector.stop();
  });

  it('answers 503 when Postgres cannot take the events, so HubSpot retries, and is not ready', async () => {
    await app.get(DataSource).destroy();
    const response = await signedPost(url, JSON.stringify([aHubSpotEvent({ portalId: PORTAL })]));
    expect(response.status).toBe(503);
    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'not-ready', postgres: false });
  });
});
