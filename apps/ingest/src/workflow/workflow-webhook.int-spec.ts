import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { allTopics, KafkaBus, PersonalData, PlatformModule, PortalRepository, topicNames, type AppConfig } from '@app/common';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { collectMessages, KAFKA_BROKERS, uniquePrefix } from '../../../../test/support/kafka';
import { memoryLogger } from '../../../../test/support/logger';
import { TEST_CLIENT_SECRET, testConfig } from '../../../../test/support/platform';
import { IngestModule } from '../ingest.module';
import { signatureV3 } from '../webhooks/hubspot-signature';
import { createHash } from 'node:crypto';

const PUBLIC_BASE_URL = 'https://hooks.agency.example';
const PORTAL = 4100;
const API_KEY = 'workflow-key-0123456789abcdef';
const PRIVATE_PORTAL = 4101;
const PRIVATE_APP_SECRET = 'private-app-secret-4101-abcdefghij';

describe('POST /webhooks/hubspot/workflow/:portalId (real Postgres and Kafka)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let url: string;
  let config: AppConfig;
  const prefix = uniquePrefix('workflow');
  const topics = topicNames(prefix);

  beforeAll(async () => {
    db = await createTestDatabase('workflow');
    config = testConfig('ingest', db.url, prefix, { PUBLIC_BASE_URL, PORTAL_CACHE_MS: '0' });
    const { logger } = memoryLogger();
    const bus = new KafkaBus({ brokers: KAFKA_BROKERS, clientId: 'workflow-test-setup', logger });
    await bus.ensureTopics(allTopics(topics), 2, 1);
    await bus.disconnect();
    const moduleRef = await Test.createTestingModule({ imports: [PlatformModule.forRoot(config, 'ingest', logger), IngestModule] }).compile();
    app = moduleRef.createNestApplication({ bodyParser: false, logger: false });
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const portals = app.get(PortalRepository);
    await portals.register({ portalId: PORTAL, name: 'Workflow Co', accessToken: 't' });
    await portals.updateSettings(PORTAL, { settings: { workflowApiKeySha256: createHash('sha256').update(API_KEY).digest('hex') } });
    await portals.register({ portalId: PRIVATE_PORTAL, name: 'Private App Co', accessToken: 'pat', secrets: { mode: 'private-app', clientSecret: PRIVATE_APP_SECRET, appId: 601 } });
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const path = `/webhooks/hubspot/workflow/${PORTAL}?objectType=contacts`;
  const post = (body: string, headers: Record<string, string>, target = path) =>
    fetch(`${url}${target}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  // HubSpot signs workflow calls with v3 (plus the legacy v2, accepted only with HUBSPOT_LEGACY_SIGNATURES=workflow-v2:
  // see signature-policy.security.int-spec.ts).
  const v3 = (body: string, target = path, secret = TEST_CLIENT_SECRET) => {
    const timestamp = String(Date.now());
    return { 'x-hubspot-signature-v3': signatureV3(secret, 'POST', `${PUBLIC_BASE_URL}${target}`, body, timestamp), 'x-hubspot-request-timestamp': timestamp };
  };

  it('accepts a v3-signed record, records it and publishes it; a retry of the same delivery is a duplicate', async () => {
    const collector = await collectMessages([topics.webhooksRaw]);
    const body = JSON.stringify({ vid: 501, 'portal-id': PORTAL, properties: { email: { value: 'a@b.io' }, lifecyclestage: { value: 'lead' } } });
    const response = await post(body, v3(body));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ outcome: 'accepted' });
    expect(await (await post(body, v3(body))).json()).toMatchObject({ outcome: 'duplicate' });

    const [message] = await collector.waitFor(1);
    await new Promise((r) => setTimeout(r, 300));
    await collector.stop();
    expect(collector.messages).toHaveLength(1);
    expect(message!.key).toBe(String(PORTAL));
    // Published sealed (docs/decisions/0019): the property names readable, their values and the raw body opened with the platform's keys.
    const published = JSON.parse(message!.value!);
    expect(published).toMatchObject({
      type: 'WorkflowWebhookReceived',
      data: { objectType: 'contacts', objectId: '501', properties: { email: null, lifecyclestage: null }, authenticatedBy: 'signature-v3' },
    });
    expect(JSON.stringify(published)).not.toContain('a@b.io');
    expect(await app.get(PersonalData).openData(published)).toMatchObject({ properties: { email: 'a@b.io', lifecyclestage: 'lead' } });
  });

  it("accepts the portal's API key instead of a signature", async () => {
    const response = await post(JSON.stringify({ id: '77', properties: { firstname: 'Kim' } }), { 'x-hubspot-ai-key': API_KEY });
    expect(response.status).toBe(200);
    const [row] = await db.dataSource.query(`SELECT data->>'authenticatedBy' AS auth FROM events WHERE stream_id = 'crm-${PORTAL}-contacts-77'`);
    expect(row.auth).toBe('api-key');
  });

  it('answers 401 for a wrong key, a v3 signature over another URL, or none', async () => {
    const body = JSON.stringify({ id: '78', properties: {} });
    expect((await post(body, { 'x-hubspot-ai-key': 'wrong-key-wrong-key-wrong-key' })).status).toBe(401);
    expect((await post(body, v3(body, `/webhooks/hubspot/workflow/${PORTAL}`))).status).toBe(401);
    expect((await post(body, {})).status).toBe(401);
    const [row] = await db.dataSource.query(`SELECT count(*)::int AS n FROM events WHERE stream_id = 'crm-${PORTAL}-contacts-78'`);
    expect(row.n).toBe(0);
  });

  it('answers 400 with the reason for a record it cannot use, and for a body of another portal presented with the key', async () => {
    const noId = JSON.stringify({ 'portal-id': PORTAL, properties: { email: 'x@y.io' } });
    const response = await post(noId, v3(noId));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toContain('no record id');
    const otherPortal = JSON.stringify({ vid: 5, 'portal-id': 999, properties: {} });
    expect((await post(otherPortal, { 'x-hubspot-ai-key': API_KEY })).status).toBe(400);
    // Signed, a body of another portal is not this URL's tenant's: 403 (workflow-tenant.security.int-spec.ts).
    expect((await post(otherPortal, v3(otherPortal))).status).toBe(403);
    const [row] = await db.dataSource.query(`SELECT count(*)::int AS n FROM events WHERE stream_id = 'crm-${PORTAL}-contacts-5'`);
    expect(row.n).toBe(0);
  });

  it("verifies a private-app portal's call with that app's own secret, records and publishes it; the public app's secret is refused", async () => {
    const privatePath = `/webhooks/hubspot/workflow/${PRIVATE_PORTAL}?objectType=contacts`;
    const body = JSON.stringify({ vid: 601, 'portal-id': PRIVATE_PORTAL, properties: { firstname: { value: 'Ana' } } });
    const collector = await collectMessages([topics.webhooksRaw]);
    const refused = await post(body, v3(body, privatePath), privatePath);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ message: 'unauthorized' });
    const response = await post(body, v3(body, privatePath, PRIVATE_APP_SECRET), privatePath);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ outcome: 'accepted' });

    // The collector reads the topic from its beginning: the earlier tests' records come first.
    const deadline = Date.now() + 20_000;
    const ofPrivatePortal = () => collector.messages.filter((m) => m.key === String(PRIVATE_PORTAL));
    while (ofPrivatePortal().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await collector.stop();
    const [message, ...more] = ofPrivatePortal();
    expect(more).toHaveLength(0);
    expect(JSON.parse(message!.value!)).toMatchObject({ type: 'WorkflowWebhookReceived', portalId: PRIVATE_PORTAL, data: { objectId: '601', authenticatedBy: 'signature-v3' } });
    const [row] = await db.dataSource.query(`SELECT count(*)::int AS n FROM events WHERE stream_id = 'crm-${PRIVATE_PORTAL}-contacts-601'`);
    expect(row.n).toBe(1);
  });
});
