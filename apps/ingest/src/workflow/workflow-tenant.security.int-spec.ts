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
 * costs a portal lookup (a well-formed signature costs the cached look-up of its
 * portal's secret).
 *
 * A private app signs its portal's workflow calls with its own client secret: the
 * URL's portal is verified with that secret, never the public app's, and the signed
 * body must still name the URL's portal.
 */
const PUBLIC_BASE_URL = 'https://hooks.agency.example';
const TENANT_A = 4201;
const TENANT_B = 4202;
const KEY_A = 'tenant-a-key-0123456789abcdef';
const KEY_B = 'tenant-b-key-0123456789abcdef';
const PRIVATE_TENANT = 4203;
const SECRET_PRIVATE = 'private-app-secret-4203-0123456789';

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
    await portals.register({ portalId: PRIVATE_TENANT, name: 'Private tenant', accessToken: 'pat', secrets: { mode: 'private-app', clientSecret: SECRET_PRIVATE, appId: 503 } });
  });
  afterAll(async () => {
    await app?.close();
    await db.drop();
  });
  afterEach(() => jest.restoreAllMocks());

  const pathOf = (portalId: number | string) => `/webhooks/hubspot/workflow/${portalId}?objectType=contacts`;
  const signed = (body: string, path: string, secret = TEST_CLIENT_SECRET) => {
    const timestamp = String(Date.now());
    return { 'x-hubspot-signature-v3': signatureV3(secret, 'POST', `${PUBLIC_BASE_URL}${path}`, body, timestamp), 'x-hubspot-request-timestamp': timestamp };
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

  it("verifies a private-app portal's call with that app's own secret, and refuses the public app's secret (401, nothing recorded)", async () => {
    const body = JSON.stringify({ vid: 7061, 'portal-id': PRIVATE_TENANT, properties: {} });
    const refused = await post(pathOf(PRIVATE_TENANT), body, signed(body, pathOf(PRIVATE_TENANT)));
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ message: 'unauthorized' });
    expect(await recorded(PRIVATE_TENANT, '7061')).toBe(0);
    const accepted = await post(pathOf(PRIVATE_TENANT), body, signed(body, pathOf(PRIVATE_TENANT), SECRET_PRIVATE));
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ outcome: 'accepted' });
    expect(await recorded(PRIVATE_TENANT, '7061')).toBe(1);
  });

  it("refuses the private app's secret on another tenant's URL (401), and a body of another portal it signed (403)", async () => {
    const forB = JSON.stringify({ vid: 7071, 'portal-id': TENANT_B, properties: {} });
    const onB = await post(pathOf(TENANT_B), forB, signed(forB, pathOf(TENANT_B), SECRET_PRIVATE));
    expect(onB.status).toBe(401);
    expect(await onB.json()).toEqual({ message: 'unauthorized' });
    const response = await post(pathOf(PRIVATE_TENANT), forB, signed(forB, pathOf(PRIVATE_TENANT), SECRET_PRIVATE));
    expect(response.status).toBe(403);
    expect(await recorded(TENANT_B, '7071')).toBe(0);
    expect(await recorded(PRIVATE_TENANT, '7071')).toBe(0);
  });

  it('answers 503, never 200, to a publicly signed call while its portal\'s own secret cannot be read', async () => {
    const unreadable = 4240;
    jest.spyOn(portals.credentials, 'clientSecret').mockRejectedValue(new Error('connection refused'));
    const body = JSON.stringify({ vid: 7081, 'portal-id': unreadable, properties: {} });
    expect((await post(pathOf(unreadable), body, signed(body, pathOf(unreadable)))).status).toBe(503);
    expect((await post(pathOf(unreadable), body, signed(body, pathOf(unreadable), 'forged-secret'))).status).toBe(401);
    expect(await recorded(unreadable, '7081')).toBe(0);
  });

  it('costs a well-formed but forged signature one cached secret look-up per portal, and no portal lookup', async () => {
    const lookups = jest.spyOn(portals, 'findMany');
    const secretLookUps = jest.spyOn(portals.credentials, 'clientSecret');
    const answers: number[] = [];
    for (const portalId of [PRIVATE_TENANT + 50, PRIVATE_TENANT + 50, PRIVATE_TENANT + 51, PRIVATE_TENANT + 51]) {
      const body = JSON.stringify({ id: '7091', 'portal-id': portalId, properties: {} });
      answers.push((await post(pathOf(portalId), body, { 'x-hubspot-signature-v3': 'AAAA', 'x-hubspot-request-timestamp': String(Date.now()) })).status);
    }
    expect(answers).toEqual([401, 401, 401, 401]);
    expect(secretLookUps.mock.calls).toEqual([[PRIVATE_TENANT + 50], [PRIVATE_TENANT + 51]]);
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
