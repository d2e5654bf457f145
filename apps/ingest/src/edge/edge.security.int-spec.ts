/**
 * The public edge under hostile clients (issue 14, items 2 and 6): no cost before
 * authentication, tight timeouts, a connection cap, a bound on buffered bodies, a
 * per-source limit on failed authentications with sampled logs, 413 that closes the
 * connection, an exact content type, a JSON depth limit, and /metrics behind a key.
 * Every case failed on the code before; run with `jest --testPathPattern security`.
 */
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createHash } from 'node:crypto';
import { PlatformModule, type AppConfig } from '@app/common';
import { adminDependencies, startAdminApp } from '../../../../test/support/admin';
import { aHubSpotEvent } from '../../../../test/support/builders';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { uniquePrefix } from '../../../../test/support/kafka';
import { memoryLogger } from '../../../../test/support/logger';
import { TEST_ADMIN_KEY, TEST_CLIENT_SECRET, testConfig } from '../../../../test/support/platform';
import { postHead, rawConnection, type RawConnection } from '../../../../test/support/raw-http';
import { IngestModule } from '../ingest.module';
import { IngestMetrics } from '../metrics/ingest-metrics';
import { signatureV3 } from '../webhooks/hubspot-signature';
import { listenPublic } from './public-server';

const PUBLIC_BASE_URL = 'https://hooks.agency.example';
const PORTAL = 62515;
const WORKFLOW_KEY = 'workflow-key-0123456789abcdef';
const METRICS_KEY = 'metrics-key-0123456789abcdef';
const MIB = 1024 * 1024;

interface Ingest {
  app: INestApplication;
  url: string;
  port: number;
  lines: string[];
}

async function startIngest(db: TestDatabase, extra: Record<string, string>): Promise<Ingest> {
  // Kafka is not needed to acknowledge: events wait in the outbox.
  const config = testConfig('ingest', db.url, uniquePrefix('edge'), { PUBLIC_BASE_URL, KAFKA_BROKERS: '127.0.0.1:1', PORTAL_CACHE_MS: '0', ...extra });
  const { logger, lines } = memoryLogger();
  const moduleRef = await Test.createTestingModule({ imports: [PlatformModule.forRoot(config, 'ingest', logger), IngestModule] }).compile();
  const app = moduleRef.createNestApplication({ bodyParser: false, logger: false });
  await listenPublic(app, config, 0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url, port: Number(new URL(url).port), lines };
}

function signedHeaders(body: string, path = '/webhooks/hubspot', contentType = 'application/json'): Record<string, string> {
  const timestamp = String(Date.now());
  return {
    'content-type': contentType,
    'x-hubspot-signature-v3': signatureV3(TEST_CLIENT_SECRET, 'POST', `${PUBLIC_BASE_URL}${path}`, body, timestamp),
    'x-hubspot-request-timestamp': timestamp,
  };
}

const BAD_SIGNATURE = { 'content-type': 'application/json', 'x-hubspot-signature-v3': 'bm90IGEgc2lnbmF0dXJl', 'x-hubspot-request-timestamp': '1' };

/** Nested arrays and objects, `depth` levels deep, around a value. */
function nested(depth: number): string {
  let text = '1';
  for (let i = 0; i < depth; i++) text = i % 2 ? `[${text}]` : `{"a":${text}}`;
  return text;
}

describe('public edge security (real Postgres)', () => {
  let db: TestDatabase;
  const open: RawConnection[] = [];
  const raw = (port: number, head?: string) => {
    const connection = rawConnection(port, head);
    open.push(connection);
    return connection;
  };

  beforeAll(async () => {
    db = await createTestDatabase('edge');
    const { portals } = adminDependencies(db, testConfig('ingest', db.url, uniquePrefix('edge')));
    await portals.register({ portalId: PORTAL, name: 'Edge', accessToken: 't' });
    await portals.updateSettings(PORTAL, { settings: { workflowApiKeySha256: createHash('sha256').update(WORKFLOW_KEY).digest('hex') } });
  });
  afterEach(() => {
    for (const connection of open.splice(0)) connection.destroy();
  });
  afterAll(async () => {
    await db.drop();
  });

  describe('authentication before any cost', () => {
    let ingest: Ingest;
    beforeAll(async () => {
      ingest = await startIngest(db, { EDGE_AUTH_FAILURES_PER_MINUTE: '0' });
    });
    afterAll(async () => {
      await ingest.app.close();
    });

    it('answers 401 to a request without a signature header before its body arrives, and closes the connection', async () => {
      const connection = raw(ingest.port, postHead('/webhooks/hubspot', { 'content-type': 'application/json', 'content-length': MIB }));
      const response = await connection.responseWithin(2_000);
      expect(response?.status).toBe(401);
      expect(response?.headers.connection).toBe('close');
      expect(await connection.closesWithin(2_000)).toBe(true);
    });

    it('does the same on the workflow route without a signature or the per-portal key header', async () => {
      const connection = raw(ingest.port, postHead(`/webhooks/hubspot/workflow/${PORTAL}`, { 'content-type': 'application/json', 'content-length': MIB }));
      const response = await connection.responseWithin(2_000);
      expect(response?.status).toBe(401);
      expect(response?.headers.connection).toBe('close');
      expect(await connection.closesWithin(2_000)).toBe(true);
    });

    it('reads the body of a request that carries a credential header (the signature covers the body)', async () => {
      const body = JSON.stringify({ id: '5', properties: {} });
      const connection = raw(ingest.port, postHead(`/webhooks/hubspot/workflow/${PORTAL}?objectType=contacts`, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-hubspot-ai-key': WORKFLOW_KEY }));
      expect(await connection.responseWithin(300)).toBeUndefined();
      await connection.write(body);
      expect((await connection.responseWithin(5_000))?.status).toBe(200);
    });
  });

  describe('failed authentications from one source', () => {
    let ingest: Ingest;
    beforeAll(async () => {
      ingest = await startIngest(db, { EDGE_AUTH_FAILURES_PER_MINUTE: '5' });
    });
    afterAll(async () => {
      await ingest.app.close();
    });

    it('are limited per minute (429 with Retry-After, before the body is read), logged sampled and counted', async () => {
      const body = JSON.stringify([aHubSpotEvent({ portalId: PORTAL })]);
      for (let i = 0; i < 3; i++) expect((await fetch(`${ingest.url}/webhooks/hubspot`, { method: 'POST', headers: BAD_SIGNATURE, body })).status).toBe(401);
      for (let i = 0; i < 2; i++) expect((await fetch(`${ingest.url}/webhooks/hubspot`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(401);

      // Over the limit: refused before the body, whatever the request carries.
      const connection = raw(ingest.port, postHead('/webhooks/hubspot', { ...signedHeaders(body), 'content-length': Buffer.byteLength(body) }));
      const throttled = await connection.responseWithin(2_000);
      expect(throttled?.status).toBe(429);
      expect(Number(throttled?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(throttled?.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(throttled?.headers.connection).toBe('close');
      expect(await connection.closesWithin(2_000)).toBe(true);
      for (let i = 0; i < 20; i++) expect((await fetch(`${ingest.url}/webhooks/hubspot/workflow/${PORTAL}`, { method: 'POST', headers: BAD_SIGNATURE, body })).status).toBe(429);

      // 5 failures and 21 refusals, but only the first few per source and minute are logged.
      const logged = ingest.lines.map((l) => JSON.parse(l) as { level: string; msg: string }).filter((l) => l.level === 'warn' && /authenticat|signature/i.test(l.msg));
      expect(logged.length).toBeGreaterThan(0);
      expect(logged.length).toBeLessThanOrEqual(3);
      const metrics = await ingest.app.get(IngestMetrics).registry.getSingleMetricAsString('hubspot_ai_ingest_auth_failures_total');
      expect(metrics).toMatch(/hubspot_ai_ingest_auth_failures_total\{[^}]*route="app"[^}]*reason="rejected"[^}]*\} 3/);
      expect(metrics).toMatch(/hubspot_ai_ingest_auth_failures_total\{[^}]*route="app"[^}]*reason="missing-credentials"[^}]*\} 2/);
      expect(await ingest.app.get(IngestMetrics).registry.getSingleMetricAsString('hubspot_ai_ingest_auth_throttled_total')).toMatch(/route="workflow"\} 20/);
    });
  });

  describe('connection cap', () => {
    let ingest: Ingest;
    beforeAll(async () => {
      ingest = await startIngest(db, { EDGE_AUTH_FAILURES_PER_MINUTE: '0', EDGE_MAX_CONNECTIONS: '8' });
    });
    afterAll(async () => {
      await ingest.app.close();
    });

    it('accepts no more connections than the cap', async () => {
      const held = Array.from({ length: 8 }, () => raw(ingest.port));
      await Promise.all(held.map((c) => c.connected));
      await new Promise((r) => setTimeout(r, 100));
      const extra = raw(ingest.port);
      expect(await extra.closesWithin(800)).toBe(true);
      expect(held.some((c) => c.isClosed())).toBe(false);
      held[0]!.destroy();
      await new Promise((r) => setTimeout(r, 100));
      expect((await fetch(`${ingest.url}/health/live`)).status).toBe(200);
    });
  });

  describe('timeouts and buffered bodies', () => {
    let ingest: Ingest;
    beforeAll(async () => {
      ingest = await startIngest(db, {
        EDGE_AUTH_FAILURES_PER_MINUTE: '0',
        EDGE_HEADERS_TIMEOUT_MS: '1000',
        EDGE_BODY_TIMEOUT_MS: '1500',
        EDGE_MAX_BUFFERED_BODY_BYTES: String(MIB),
      });
    });
    afterAll(async () => {
      await ingest.app.close();
    });

    it('closes a connection whose headers do not arrive within the headers timeout', async () => {
      const connection = raw(ingest.port, 'POST /webhooks/hubspot HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      expect(await connection.closesWithin(3_500)).toBe(true);
    });

    it('closes a connection that sends nothing within the headers timeout', async () => {
      const connection = raw(ingest.port);
      await connection.connected;
      expect(await connection.closesWithin(3_500)).toBe(true);
    });

    it('answers 408 and closes when a body trickles in slower than the body timeout', async () => {
      const connection = raw(ingest.port, postHead('/webhooks/hubspot', { ...BAD_SIGNATURE, 'content-length': MIB }));
      const trickle = setInterval(() => void connection.write('x'.repeat(100)), 200);
      try {
        const response = await connection.responseWithin(4_000);
        expect(response?.status).toBe(408);
        expect(await connection.closesWithin(2_000)).toBe(true);
      } finally {
        clearInterval(trickle);
      }
    });

    it('answers 503 with Retry-After when the bodies being read would exceed the buffer budget', async () => {
      const first = raw(ingest.port, postHead('/webhooks/hubspot', { ...BAD_SIGNATURE, 'content-length': 900 * 1024 }));
      await first.write('x'.repeat(600 * 1024));
      await new Promise((r) => setTimeout(r, 200));
      const second = raw(ingest.port, postHead('/webhooks/hubspot', { ...BAD_SIGNATURE, 'content-length': 900 * 1024 }));
      await second.write('x'.repeat(600 * 1024));
      const refused = await second.responseWithin(2_000);
      expect(refused?.status).toBe(503);
      expect(Number(refused?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(refused?.headers.connection).toBe('close');
      expect(first.isClosed()).toBe(false);
    });
  });

  describe('item 6: 413, content type, JSON depth', () => {
    let ingest: Ingest;
    beforeAll(async () => {
      ingest = await startIngest(db, { EDGE_AUTH_FAILURES_PER_MINUTE: '0' });
    });
    afterAll(async () => {
      await ingest.app.close();
    });

    it('answers 413 to a chunked body over 1 MiB with Connection: close and closes the connection', async () => {
      const connection = raw(ingest.port, postHead('/webhooks/hubspot', { ...BAD_SIGNATURE, 'transfer-encoding': 'chunked' }));
      const chunk = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 20 && !connection.isClosed(); i++) await connection.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
      const response = await connection.responseWithin(2_000);
      expect(response?.status).toBe(413);
      expect(response?.headers.connection).toBe('close');
      expect(await connection.closesWithin(2_000)).toBe(true);
    });

    it('answers 413 to a declared length over 1 MiB with Connection: close, without reading the body', async () => {
      const connection = raw(ingest.port, postHead('/webhooks/hubspot', { ...BAD_SIGNATURE, 'content-length': 2 * MIB }));
      const response = await connection.responseWithin(2_000);
      expect(response?.status).toBe(413);
      expect(response?.headers.connection).toBe('close');
      expect(await connection.closesWithin(2_000)).toBe(true);
    });

    it('matches the media type exactly: application/jsonx and application/json-seq are 415, parameters are fine', async () => {
      const body = JSON.stringify([aHubSpotEvent({ portalId: PORTAL })]);
      const post = (contentType: string) => fetch(`${ingest.url}/webhooks/hubspot`, { method: 'POST', headers: signedHeaders(body, '/webhooks/hubspot', contentType), body });
      expect((await post('application/jsonx')).status).toBe(415);
      expect((await post('application/json-seq')).status).toBe(415);
      expect((await post('application/json;evil')).status).toBe(415);
      expect((await post('application/json; charset=latin1')).status).toBe(415);
      expect((await post('application/json; charset=utf-8')).status).toBe(200);
      expect((await post('Application/JSON')).status).toBe(200);
    });

    it('answers 400 to signed JSON nested deeper than 32 levels on both routes (it used to be 503, retried for a day)', async () => {
      const app = JSON.stringify([aHubSpotEvent({ portalId: PORTAL, propertyValue: 'x' })]).replace('"x"', nested(5_000));
      const appAnswer = await fetch(`${ingest.url}/webhooks/hubspot`, { method: 'POST', headers: signedHeaders(app), body: app });
      expect(appAnswer.status).toBe(400);
      expect(((await appAnswer.json()) as { message: string }).message).toMatch(/nest/i);

      const path = `/webhooks/hubspot/workflow/${PORTAL}?objectType=contacts`;
      const workflow = `{"id":"6","properties":{"note":${nested(5_000)}}}`;
      const workflowAnswer = await fetch(`${ingest.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hubspot-ai-key': WORKFLOW_KEY }, body: workflow });
      expect(workflowAnswer.status).toBe(400);

      const shallow = `{"id":"7","properties":{"note":${nested(20)}}}`;
      expect((await fetch(`${ingest.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hubspot-ai-key': WORKFLOW_KEY }, body: shallow })).status).not.toBe(400);
    });
  });

  describe('/metrics', () => {
    let ingest: Ingest;
    let admin: { app: INestApplication; url: string };
    let config: AppConfig;
    beforeAll(async () => {
      ingest = await startIngest(db, { METRICS_API_KEY: METRICS_KEY });
      config = testConfig('ingest', db.url, uniquePrefix('edge'), { METRICS_API_KEY: METRICS_KEY });
      admin = await startAdminApp({ ...adminDependencies(db, config), metrics: ingest.app.get(IngestMetrics) });
    });
    afterAll(async () => {
      await admin.app.close();
      await ingest.app.close();
    });

    it('is not served on the public port, and needs the metrics key (or the admin key) on the admin port', async () => {
      expect((await fetch(`${ingest.url}/metrics`)).status).toBe(404);
      expect((await fetch(`${admin.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${admin.url}/metrics`, { headers: { authorization: 'Bearer wrong-key-wrong-key-wrong' } })).status).toBe(401);
      const scraped = await fetch(`${admin.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_KEY}` } });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('hubspot_ai_ingest_webhook_requests_total');
      expect((await fetch(`${admin.url}/metrics`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } })).status).toBe(200);
    });
  });
});
