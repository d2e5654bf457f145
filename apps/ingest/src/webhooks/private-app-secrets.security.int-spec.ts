import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { allTopics, KafkaBus, PlatformModule, PortalRepository, topicNames, type AppConfig } from '@app/common';
import { aHubSpotEvent } from '../../../../test/support/builders';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { collectMessages, KAFKA_BROKERS, uniquePrefix } from '../../../../test/support/kafka';
import { memoryLogger } from '../../../../test/support/logger';
import { TEST_CLIENT_SECRET, testConfig } from '../../../../test/support/platform';
import { IngestModule } from '../ingest.module';
import { IngestMetrics } from '../metrics/ingest-metrics';
import { signatureV3 } from './hubspot-signature';
import { NO_PORTAL_SECRET_TTL_MS } from './portal-secret-cache';

/**
 * Each legacy private app (and each single-account app) signs its webhooks with its own
 * client secret: ingest verifies a request naming one such portal with that portal's
 * secret, never another's and never the public app's (HUBSPOT_CLIENT_SECRET), which
 * still verifies portals without a secret of their own and the public app's batches.
 */
const PUBLIC_BASE_URL = 'https://hooks.agency.example';
const APP_URI = `${PUBLIC_BASE_URL}/webhooks/hubspot`;
const A = 71001;
const B = 71002;
const PUBLIC_PORTAL = 71003;
const BURST_PORTAL = 71004;
const UNKNOWN = 79999;
const SECRET_A = 'private-app-secret-a-0123456789';
const SECRET_B = 'private-app-secret-b-9876543210';
const SECRET_BURST = 'private-app-secret-burst-000000';

interface Ingest {
  app: INestApplication;
  url: string;
  lines: string[];
}

describe('private-app webhook secrets (security, real Postgres and Kafka)', () => {
  let db: TestDatabase;
  const prefix = uniquePrefix('privsecrets');
  const topics = topicNames(prefix);
  const started: Ingest[] = [];
  let ingest: Ingest;

  async function startIngest(extra: Record<string, string> = {}): Promise<Ingest> {
    const config: AppConfig = testConfig('ingest', db.url, prefix, { PUBLIC_BASE_URL, ...extra });
    const { logger, lines } = memoryLogger();
    const moduleRef = await Test.createTestingModule({ imports: [PlatformModule.forRoot(config, 'ingest', logger), IngestModule] }).compile();
    const app = moduleRef.createNestApplication({ bodyParser: false, logger: false });
    await app.listen(0, '127.0.0.1');
    const instance = { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1'), lines };
    started.push(instance);
    return instance;
  }

  beforeAll(async () => {
    db = await createTestDatabase('privsecrets');
    const { logger } = memoryLogger();
    const bus = new KafkaBus({ brokers: KAFKA_BROKERS, clientId: 'privsecrets-test-setup', logger });
    await bus.ensureTopics(allTopics(topics), 3, 1);
    await bus.disconnect();
    ingest = await startIngest();
    const portals = ingest.app.get(PortalRepository);
    await portals.register({ portalId: A, name: 'Private A', accessToken: 'pat-a', secrets: { mode: 'private-app', clientSecret: SECRET_A, appId: 501 } });
    await portals.register({ portalId: B, name: 'Private B', accessToken: 'pat-b', secrets: { mode: 'private-app', clientSecret: SECRET_B, appId: 502 } });
    await portals.register({ portalId: PUBLIC_PORTAL, name: 'Public', accessToken: 'pat-public' });
    await portals.register({ portalId: BURST_PORTAL, name: 'Private burst', accessToken: 'pat-burst', secrets: { mode: 'private-app', clientSecret: SECRET_BURST, appId: 504 } });
  });
  afterAll(async () => {
    for (const one of started) await one.app.close();
    await db.drop();
  });

  const post = (to: Ingest, body: string, secret: string) => {
    const timestamp = String(Date.now());
    return fetch(`${to.url}/webhooks/hubspot`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hubspot-signature-v3': signatureV3(secret, 'POST', APP_URI, body, timestamp), 'x-hubspot-request-timestamp': timestamp },
      body,
    });
  };
  const bodyOf = (...events: Array<[portalId: number, objectId: number]>) => JSON.stringify(events.map(([portalId, objectId]) => aHubSpotEvent({ portalId, objectId })));
  const eventsIn = async (portalId: number, objectId: number): Promise<number> =>
    Number((await db.dataSource.query('SELECT count(*) AS n FROM events WHERE stream_id = $1', [`crm-${portalId}-contacts-${objectId}`]))[0].n);
  const allEvents = async (): Promise<number> => Number((await db.dataSource.query('SELECT count(*) AS n FROM events'))[0].n);
  const metric = async (of: Ingest, name: string, labels: Record<string, string>): Promise<number> => {
    const text = await of.app.get(IngestMetrics).registry.metrics();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
    return line ? Number(line.split(' ').pop()) : 0;
  };
  const spyOnSecretLookUps = (of: Ingest) => jest.spyOn(of.app.get(PortalRepository).credentials, 'clientSecret');
  const lookUpsOf = (spy: jest.SpyInstance, portalId: number) => spy.mock.calls.filter(([id]) => id === portalId).length;

  it('verifies two private apps, each with its own secret, and records (and publishes) their events', async () => {
    const collector = await collectMessages([topics.webhooksRaw]);
    const a = await post(ingest, bodyOf([A, 1]), SECRET_A);
    const b = await post(ingest, bodyOf([B, 1]), SECRET_B);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(await a.json()).toMatchObject({ received: 1, accepted: 1 });
    expect(await b.json()).toMatchObject({ received: 1, accepted: 1 });
    expect(await eventsIn(A, 1)).toBe(1);
    expect(await eventsIn(B, 1)).toBe(1);
    const messages = await collector.waitFor(2);
    await collector.stop();
    expect(messages.map((m) => m.key).sort()).toEqual([String(A), String(B)]);
  });

  it("refuses a request signed with A's secret that names portal B (401, the uniform answer, nothing recorded)", async () => {
    const before = await allEvents();
    const failuresBefore = await metric(ingest, 'hubspot_ai_ingest_auth_failures_total', { route: 'app', reason: 'rejected' });
    const response = await post(ingest, bodyOf([B, 2]), SECRET_A);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'unauthorized' });
    // Nor is the public app's secret a way in for a private-app portal.
    expect((await post(ingest, bodyOf([B, 2]), TEST_CLIENT_SECRET)).status).toBe(401);
    expect(await eventsIn(B, 2)).toBe(0);
    expect(await allEvents()).toBe(before);
    expect(await metric(ingest, 'hubspot_ai_ingest_auth_failures_total', { route: 'app', reason: 'rejected' })).toBe(failuresBefore + 2);
  });

  it("still verifies a portal without its own secret, and the public app's batches, with the public app's secret", async () => {
    const single = await post(ingest, bodyOf([PUBLIC_PORTAL, 1]), TEST_CLIENT_SECRET);
    expect(single.status).toBe(200);
    expect(await eventsIn(PUBLIC_PORTAL, 1)).toBe(1);
    expect((await post(ingest, bodyOf([PUBLIC_PORTAL, 2]), SECRET_A)).status).toBe(401);
    expect(await eventsIn(PUBLIC_PORTAL, 2)).toBe(0);
    // Several portals, none with a secret of its own (one not even registered): recorded as before.
    const batch = await post(ingest, bodyOf([PUBLIC_PORTAL, 3], [UNKNOWN, 3]), TEST_CLIENT_SECRET);
    expect(batch.status).toBe(200);
    expect(await batch.json()).toMatchObject({ received: 2, accepted: 1, ignored: 1 });
  });

  it('refuses a batch naming a private-app portal among others, however signed, and logs why (401, nothing recorded)', async () => {
    // Its own instance: failed authentications are logged sampled per source, so this one is the first.
    const audit = await startIngest();
    const before = await allEvents();
    const mixed = bodyOf([PUBLIC_PORTAL, 4], [A, 4]);
    const response = await post(audit, mixed, TEST_CLIENT_SECRET);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'unauthorized' });
    expect((await post(audit, mixed, SECRET_A)).status).toBe(401);
    expect(await allEvents()).toBe(before);
    const logged = audit.lines.filter((l) => l.includes('webhook authentication failed'));
    expect(logged.some((l) => l.includes('mixed portals with a private-app portal'))).toBe(true);
  });

  it('costs at most one secret look-up per portal id per cache interval under a burst of forged requests', async () => {
    const spy = spyOnSecretLookUps(ingest);
    try {
      const burstStart = Date.now();
      const forged = (portalId: number, i: number) => post(ingest, bodyOf([portalId, 100 + i]), `forged-secret-${i}`);
      const answers = await Promise.all([
        ...Array.from({ length: 25 }, (_, i) => forged(UNKNOWN + 1, i)),
        ...Array.from({ length: 25 }, (_, i) => forged(BURST_PORTAL, i)),
        // A forged batch of several portals: refused before any look-up.
        ...Array.from({ length: 10 }, (_, i) => post(ingest, bodyOf([UNKNOWN + 2, i], [UNKNOWN + 3, i], [BURST_PORTAL, i]), `forged-batch-${i}`)),
      ]);
      const intervals = 1 + Math.floor((Date.now() - burstStart) / NO_PORTAL_SECRET_TTL_MS);
      expect(answers.map((r) => r.status)).toEqual(Array(60).fill(401));
      const bodies = new Set(await Promise.all(answers.map((r) => r.text())));
      expect([...bodies]).toEqual([JSON.stringify({ message: 'unauthorized' })]);
      expect(lookUpsOf(spy, UNKNOWN + 1)).toBeLessThanOrEqual(intervals);
      expect(lookUpsOf(spy, BURST_PORTAL)).toBe(1);
      expect(lookUpsOf(spy, UNKNOWN + 2) + lookUpsOf(spy, UNKNOWN + 3)).toBe(0);
      // The private app's real request still gets through (its secret came from the cache).
      expect((await post(ingest, bodyOf([BURST_PORTAL, 1]), SECRET_BURST)).status).toBe(200);
      expect(lookUpsOf(spy, BURST_PORTAL)).toBe(1);
    } finally {
      spy.mockRestore();
    }
  });

  it("keeps the edge's per-source limit on failed authentications: over it, refused before any look-up (429)", async () => {
    const limited = await startIngest({ EDGE_AUTH_FAILURES_PER_MINUTE: '5' });
    const spy = spyOnSecretLookUps(limited);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await post(limited, bodyOf([UNKNOWN + 4 + i, 1]), 'forged')).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
      expect(spy).toHaveBeenCalledTimes(5);
      expect(await metric(limited, 'hubspot_ai_ingest_auth_throttled_total', { route: 'app' })).toBe(3);
    } finally {
      spy.mockRestore();
    }
  });

  it('never logs a client secret', () => {
    for (const one of started) for (const line of one.lines) for (const secret of [SECRET_A, SECRET_B, SECRET_BURST, TEST_CLIENT_SECRET]) expect(line).not.toContain(secret);
  });
});
