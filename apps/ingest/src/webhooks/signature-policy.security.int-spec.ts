import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { PlatformModule, PortalRepository, type AppConfig } from '@app/common';
import { aHubSpotEvent } from '../../../../test/support/builders';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { uniquePrefix } from '../../../../test/support/kafka';
import { memoryLogger } from '../../../../test/support/logger';
import { TEST_CLIENT_SECRET, testConfig } from '../../../../test/support/platform';
import { IngestModule } from '../ingest.module';
import { IngestMetrics } from '../metrics/ingest-metrics';
import { signatureV1, signatureV2, signatureV3 } from './hubspot-signature';

/**
 * Issue 14 item 1: no signature downgrade. HubSpot sends v3 with a legacy v1 on app
 * webhooks; v1 and v2 carry no timestamp, so accepting them lets any captured
 * request be replayed forever. By default only v3 passes; HUBSPOT_LEGACY_SIGNATURES
 * opens v1 (app route) or v2 (workflow route) explicitly, and counts every use.
 */
const PUBLIC_BASE_URL = 'https://hooks.agency.example';
const PORTAL = 62515;
const APP_URI = `${PUBLIC_BASE_URL}/webhooks/hubspot`;
const WORKFLOW_PATH = `/webhooks/hubspot/workflow/${PORTAL}?objectType=contacts`;

interface Ingest {
  app: INestApplication;
  url: string;
  lines: string[];
}

async function startIngest(db: TestDatabase, extra: Record<string, string>): Promise<Ingest> {
  // Kafka is not needed to acknowledge: events wait in the outbox.
  const config: AppConfig = testConfig('ingest', db.url, uniquePrefix('sigpolicy'), { PUBLIC_BASE_URL, KAFKA_BROKERS: '127.0.0.1:1', PORTAL_CACHE_MS: '0', LOG_LEVEL: 'info', ...extra });
  const { logger, lines } = memoryLogger();
  const moduleRef = await Test.createTestingModule({ imports: [PlatformModule.forRoot(config, 'ingest', logger), IngestModule] }).compile();
  const app = moduleRef.createNestApplication({ bodyParser: false, logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1'), lines };
}

const v3Headers = (body: string, uri = APP_URI, timestamp = String(Date.now())) => ({
  'x-hubspot-signature-v3': signatureV3(TEST_CLIENT_SECRET, 'POST', uri, body, timestamp),
  'x-hubspot-request-timestamp': timestamp,
});
const v1Headers = (body: string) => ({ 'x-hubspot-signature': signatureV1(TEST_CLIENT_SECRET, body), 'x-hubspot-signature-version': 'v1' });
const v2Headers = (body: string, uri: string) => ({ 'x-hubspot-signature': signatureV2(TEST_CLIENT_SECRET, 'POST', uri, body), 'x-hubspot-signature-version': 'v2' });

describe('signature policy (security, real Postgres)', () => {
  let db: TestDatabase;
  let strict: Ingest;
  let legacy: Ingest;

  beforeAll(async () => {
    db = await createTestDatabase('sigpolicy');
    strict = await startIngest(db, {});
    legacy = await startIngest(db, { HUBSPOT_LEGACY_SIGNATURES: 'app-v1,workflow-v2' });
    await strict.app.get(PortalRepository).register({ portalId: PORTAL, name: 'Acme', accessToken: 'pat-acme' });
  });
  afterAll(async () => {
    await strict?.app.close();
    await legacy?.app.close();
    await db.drop();
  });

  const post = (ingest: Ingest, path: string, body: string, headers: Record<string, string>) =>
    fetch(`${ingest.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const appBody = (objectId: number) => JSON.stringify([aHubSpotEvent({ portalId: PORTAL, objectId })]);
  const workflowBody = (vid: number) => JSON.stringify({ vid, 'portal-id': PORTAL, properties: { email: { value: `${vid}@b.io` } } });
  const eventsOf = async (streamId: string): Promise<number> => Number((await db.dataSource.query('SELECT count(*) AS n FROM events WHERE stream_id = $1', [streamId]))[0].n);
  const signatureCount = async (ingest: Ingest, route: string, by: string): Promise<number> => {
    const text = await ingest.app.get(IngestMetrics).registry.metrics();
    const line = text.split('\n').find((l) => l.startsWith('hubspot_ai_ingest_webhook_signatures_total{') && l.includes(`route="${route}"`) && l.includes(`authenticated_by="${by}"`));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  describe('by default (HUBSPOT_LEGACY_SIGNATURES unset): v3 only', () => {
    it('accepts a fresh v3 signature on the app route', async () => {
      const body = appBody(9001);
      expect((await post(strict, '/webhooks/hubspot', body, v3Headers(body))).status).toBe(200);
      expect(await signatureCount(strict, 'app', 'v3')).toBeGreaterThanOrEqual(1);
    });

    it('refuses a captured request whose v3 headers were stripped, leaving the valid v1 (401, nothing recorded)', async () => {
      const body = appBody(9002);
      const response = await post(strict, '/webhooks/hubspot', body, v1Headers(body));
      expect(response.status).toBe(401);
      expect(await eventsOf(`crm-${PORTAL}-contacts-9002`)).toBe(0);
    });

    it('refuses v1 when only the v3 signature was stripped and its timestamp left behind', async () => {
      const body = appBody(9003);
      const response = await post(strict, '/webhooks/hubspot', body, { ...v1Headers(body), 'x-hubspot-request-timestamp': String(Date.now()) });
      expect(response.status).toBe(401);
      expect(await eventsOf(`crm-${PORTAL}-contacts-9003`)).toBe(0);
    });

    it('refuses X-HubSpot-Signature-Version: v2 on the app route, however well signed', async () => {
      const body = appBody(9004);
      const response = await post(strict, '/webhooks/hubspot', body, v2Headers(body, APP_URI));
      expect(response.status).toBe(401);
      expect(await eventsOf(`crm-${PORTAL}-contacts-9004`)).toBe(0);
    });

    it('refuses a stale v3 even when a valid v1 rides along', async () => {
      const body = appBody(9005);
      const stale = v3Headers(body, APP_URI, String(Date.now() - 10 * 60_000));
      const response = await post(strict, '/webhooks/hubspot', body, { ...stale, ...v1Headers(body) });
      expect(response.status).toBe(401);
      expect(await eventsOf(`crm-${PORTAL}-contacts-9005`)).toBe(0);
    });

    it('refuses a v2-signed workflow call (v3 or the portal key only) and accepts a v3-signed one', async () => {
      const uri = `${PUBLIC_BASE_URL}${WORKFLOW_PATH}`;
      const refused = workflowBody(9006);
      expect((await post(strict, WORKFLOW_PATH, refused, v2Headers(refused, uri))).status).toBe(401);
      expect(await eventsOf(`crm-${PORTAL}-contacts-9006`)).toBe(0);
      const accepted = workflowBody(9007);
      const response = await post(strict, WORKFLOW_PATH, accepted, v3Headers(accepted, uri));
      expect(response.status).toBe(200);
      expect(await eventsOf(`crm-${PORTAL}-contacts-9007`)).toBe(1);
      const [row] = await db.dataSource.query(`SELECT data->>'authenticatedBy' AS auth FROM events WHERE stream_id = $1`, [`crm-${PORTAL}-contacts-9007`]);
      expect(row.auth).toBe('signature-v3');
    });

    it('answers every authentication failure on both routes with the same body, naming no check', async () => {
      const body = appBody(9008);
      const wf = workflowBody(9008);
      const wfUri = `${PUBLIC_BASE_URL}${WORKFLOW_PATH}`;
      const failures = [
        await post(strict, '/webhooks/hubspot', body, {}),
        await post(strict, '/webhooks/hubspot', body, { 'x-hubspot-signature-v3': 'AAAA', 'x-hubspot-request-timestamp': String(Date.now()) }),
        await post(strict, '/webhooks/hubspot', body, v3Headers(body, APP_URI, String(Date.now() - 10 * 60_000))),
        await post(strict, '/webhooks/hubspot', body, { 'x-hubspot-signature-v3': 'AAAA' }),
        await post(strict, '/webhooks/hubspot', body, v1Headers(body)),
        await post(strict, '/webhooks/hubspot', body, { ...v1Headers(body), 'x-hubspot-signature-version': 'v9' }),
        await post(strict, WORKFLOW_PATH, wf, {}),
        await post(strict, WORKFLOW_PATH, wf, v2Headers(wf, wfUri)),
        await post(strict, WORKFLOW_PATH, wf, { 'x-hubspot-ai-key': 'wrong-key-wrong-key-wrong-key' }),
        await post(strict, WORKFLOW_PATH, wf, v3Headers(wf, `${PUBLIC_BASE_URL}/elsewhere`)),
      ];
      const bodies = await Promise.all(failures.map(async (r) => ({ status: r.status, body: await r.text() })));
      for (const answer of bodies) expect(answer).toEqual(bodies[0]);
      expect(bodies[0]!.status).toBe(401);
      expect(bodies[0]!.body).not.toMatch(/signature|timestamp|v1|v2|v3|key|portal|old/i);
    });
  });

  describe('with HUBSPOT_LEGACY_SIGNATURES=app-v1,workflow-v2', () => {
    it('accepts v1 on the app route when no v3 is present, and counts and logs the legacy use', async () => {
      const before = await signatureCount(legacy, 'app', 'v1');
      const body = appBody(9101);
      const response = await post(legacy, '/webhooks/hubspot', body, v1Headers(body));
      expect(response.status).toBe(200);
      expect(await signatureCount(legacy, 'app', 'v1')).toBe(before + 1);
      expect(legacy.lines.some((l) => l.includes('legacy') && l.includes('"v1"'))).toBe(true);
    });

    it('still refuses v2 on the app route, a stale v3 with a valid v1, and v1 beside a left-over v3 timestamp', async () => {
      const body = appBody(9102);
      expect((await post(legacy, '/webhooks/hubspot', body, v2Headers(body, APP_URI))).status).toBe(401);
      const stale = v3Headers(body, APP_URI, String(Date.now() - 10 * 60_000));
      expect((await post(legacy, '/webhooks/hubspot', body, { ...stale, ...v1Headers(body) })).status).toBe(401);
      expect((await post(legacy, '/webhooks/hubspot', body, { ...v1Headers(body), 'x-hubspot-request-timestamp': String(Date.now()) })).status).toBe(401);
      expect(await eventsOf(`crm-${PORTAL}-contacts-9102`)).toBe(0);
    });

    it('accepts v2 on the workflow route (counted) but never v1 there', async () => {
      const uri = `${PUBLIC_BASE_URL}${WORKFLOW_PATH}`;
      const body = workflowBody(9103);
      const before = await signatureCount(legacy, 'workflow', 'v2');
      expect((await post(legacy, WORKFLOW_PATH, body, v2Headers(body, uri))).status).toBe(200);
      expect(await signatureCount(legacy, 'workflow', 'v2')).toBe(before + 1);
      const v1 = workflowBody(9104);
      expect((await post(legacy, WORKFLOW_PATH, v1, v1Headers(v1))).status).toBe(401);
      expect(await eventsOf(`crm-${PORTAL}-contacts-9104`)).toBe(0);
    });
  });

  it('never logs the client secret', () => {
    for (const line of [...strict.lines, ...legacy.lines]) expect(line).not.toContain(TEST_CLIENT_SECRET);
  });
});
