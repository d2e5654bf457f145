import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createHash } from 'node:crypto';
import { PlatformModule, PortalRepository } from '@app/common';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { uniquePrefix } from '../../../../test/support/kafka';
import { memoryLogger } from '../../../../test/support/logger';
import { TEST_CLIENT_SECRET, testConfig } from '../../../../test/support/platform';
import { IngestModule } from '../ingest.module';
import { signatureV3 } from '../webhooks/hubspot-signature';

/**
 * Issue 14 item 3: the workflow route is bound to its tenant. The app secret signs
 * every portal's workflow calls alike, so a signature alone does not say which
 * portal may use a URL: the signed body must name the portal (origin.portalId,
 * portalId or portal-id) and it must be the URL's. The per-portal key
 * (X-HubSpot-AI-Key) authenticates the portal itself. And nothing unauthenticated
 * costs a database query.
 */
const PUBLIC_BASE_URL = 'https://hooks.agency.example';
const TENANT_A = 4201;
const TENANT_B = 4202;
const KEY_A = 'tenant-a-key-0123456789abcdef';
const KEY_B = 'tenant-b-key-0123456789abcdef';

describe('workflow route bound to its tenant (security, real Postgres)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let url: string;
  let portals: PortalRepository;

  beforeAll(async () => {
    db = await createTestDatabase('wftenant');
    const config = testConfig('ingest', db.url, uniquePrefix('wftenant'), { PUBLIC_BASE_URL, KAFKA_BROKERS: '127.0.0.1:1', PORTAL_CACHE_MS: '0' });
    const moduleRef = await Test.createTestingModule({ imports: [PlatformModule.forRoot(config, 'ingest', memoryLogger().logger), IngestModule] }).compile();
    app = moduleRef.createNestApplication({ bodyParser: false, logger: false });
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    portals = app.get(PortalRepository);
    for (const [portalId, key] of [[TENANT_A, KEY_A], [TENANT_B, KEY_B]] as const) {
      await portals.register({ portalId, name: `Tenant ${portalId}`, accessToken: 't' });
      await portals.updateSettings(portalId, { settings: { workflowApiKeySha256: createHash('sha256').update(key).digest('hex') } });
    }
  });
  afterAll(async () => {
    await app?.close();
    await db.drop();
  });
  afterEach(() => jest.restoreAllMocks());

  const pathOf = (portalId: number | string) => `/webhooks/hubspot/workflow/${portalId}?objectType=contacts`;
  const signed = (body: string, path: string) => {
    const timestamp = String(Date.now());
    return { 'x-hubspot-signature-v3': signatureV3(TEST_CLIENT_SECRET, 'POST', `${PUBLIC_BASE_URL}${path}`, body, timestamp), 'x-hubspot-request-timestamp': timestamp };
  };
  const post = (path: string, body: string, headers: Record<string, string>) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const recorded = async (portalId: number, objectId: string): Promise<number> =>
    Number((await db.dataSource.query('SELECT count(*) AS n FROM events WHERE stream_id = $1', [`crm-${portalId}-contacts-${objectId}`]))[0].n);

  it("refuses a call HubSpot signed for tenant A's record when it is posted to tenant B's URL, and records nothing", async () => {
    for (const [i, body] of [
      JSON.stringify({ vid: 7001, 'portal-id': TENANT_A, properties: {} }),
      JSON.stringify({ objectId: 7002, portalId: TENANT_A, properties: {} }),
      JSON.stringify({ origin: { portalId: TENANT_A, actionDefinitionId: 1 }, object: { objectId: 7003, objectType: 'CONTACT' }, inputFields: {} }),
    ].entries()) {
      const response = await post(pathOf(TENANT_B), body, signed(body, pathOf(TENANT_B)));
      expect(response.status).toBe(403);
      expect(await recorded(TENANT_B, String(7001 + i))).toBe(0);
      expect(await recorded(TENANT_A, String(7001 + i))).toBe(0);
    }
  });

  it('refuses a signed body that names no portal: the signature alone does not say whose URL it is', async () => {
    const body = JSON.stringify({ id: '7010', properties: { email: 'x@y.io' } });
    const response = await post(pathOf(TENANT_B), body, signed(body, pathOf(TENANT_B)));
    expect(response.status).toBe(403);
    expect(await recorded(TENANT_B, '7010')).toBe(0);
  });

  it("accepts a signed body of the URL's own portal, in each of HubSpot's shapes (origin.portalId included)", async () => {
    const bodies = [
      JSON.stringify({ vid: 7021, 'portal-id': TENANT_B, properties: { email: { value: 'a@b.io' } } }),
      JSON.stringify({ origin: { portalId: TENANT_B, actionDefinitionId: 9 }, object: { objectId: 7022, objectType: 'CONTACT' }, inputFields: {} }),
    ];
    for (const body of bodies) expect((await post(pathOf(TENANT_B), body, signed(body, pathOf(TENANT_B)))).status).toBe(200);
    expect(await recorded(TENANT_B, '7021')).toBe(1);
    expect(await recorded(TENANT_B, '7022')).toBe(1);
  });

  it("refuses tenant A's key on tenant B's URL, and accepts B's own key (the key authenticates the portal)", async () => {
    const body = JSON.stringify({ id: '7031', properties: {} });
    expect((await post(pathOf(TENANT_B), body, { 'x-hubspot-ai-key': KEY_A })).status).toBe(401);
    expect(await recorded(TENANT_B, '7031')).toBe(0);
    expect((await post(pathOf(TENANT_B), body, { 'x-hubspot-ai-key': KEY_B })).status).toBe(200);
    expect(await recorded(TENANT_B, '7031')).toBe(1);
  });

  it('spends no database query on an unauthenticated request', async () => {
    const lookups = jest.spyOn(portals, 'findMany');
    const body = JSON.stringify({ id: '7041', 'portal-id': 4299, properties: {} });
    const stale = { 'x-hubspot-signature-v3': signatureV3(TEST_CLIENT_SECRET, 'POST', `${PUBLIC_BASE_URL}${pathOf(4299)}`, body, String(Date.now() - 600_000)), 'x-hubspot-request-timestamp': String(Date.now() - 600_000) };
    const attempts: Array<Record<string, string>> = [
      {},
      { 'x-hubspot-signature-v3': 'AAAA', 'x-hubspot-request-timestamp': String(Date.now()) },
      stale,
      { 'x-hubspot-ai-key': 'short' },
      { 'x-hubspot-ai-key': 'x'.repeat(300) },
    ];
    for (const [i, headers] of attempts.entries()) {
      expect((await post(pathOf(4290 + i), body, headers)).status).toBe(401);
    }
    expect(lookups).not.toHaveBeenCalled();
  });

  it('answers 400 (never 500) for portal ids beyond 2^53 in the URL, before any lookup', async () => {
    const lookups = jest.spyOn(portals, 'findMany');
    const body = JSON.stringify({ id: '7051', properties: {} });
    for (const portalId of ['99999999999999999999', '9007199254740993', '0', '-4']) {
      const response = await post(pathOf(portalId), body, { 'x-hubspot-ai-key': KEY_B });
      expect(response.status).toBe(400);
    }
    expect(lookups).not.toHaveBeenCalled();
  });
});
