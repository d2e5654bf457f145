import type { INestApplication } from '@nestjs/common';
import { PERSONAS, PortalRepository, SENTIMENTS, STALL_REASONS, TICKET_CATEGORIES, TokenCipher, type PropertyBootstrapResult } from '@app/common';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { TEST_ADMIN_KEY, testConfig } from '../../../../test/support/platform';
import { adminDependencies, startAdminApp } from '../../../../test/support/admin';
import { HubSpotSandbox } from '../../../../sandbox/hubspot';

interface Listed {
  name: string;
  type: string;
  fieldType: string;
  groupName: string;
  options: Array<{ label: string; value: string; displayOrder: number; hidden: boolean }>;
}

interface Report {
  portalId: number;
  capabilities: string[];
  results: PropertyBootstrapResult[];
  summary: { created: number; present: number; optionsAdded: number; conflicting: number; failed: number };
}

const CONTACT_PROPS = ['ai_lead_score', 'ai_persona', 'ai_summary', 'ai_pain_points', 'ai_recommended_action'];
const TICKET_PROPS = ['ai_category', 'ai_sentiment', 'ai_summary'];
const DEAL_PROPS = ['ai_health_score', 'ai_stall_reason', 'ai_attention_flag', 'ai_next_step', 'ai_summary'];

describe('property bootstrap (POST /admin/portals/:portalId/bootstrap, real Postgres, HubSpotSandbox)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let url: string;
  let portals: PortalRepository;
  const hubspot = new HubSpotSandbox();
  const auth = { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' };

  beforeAll(async () => {
    db = await createTestDatabase('bootstrap');
    const { url: hubspotUrl } = await hubspot.start();
    const config = testConfig('ingest', db.url, 'unused', { HUBSPOT_API_BASE_URL: hubspotUrl });
    portals = new PortalRepository(db.dataSource, new TokenCipher(config.tokenEncryptionKey!));
    ({ app, url } = await startAdminApp(adminDependencies(db, config, portals)));
  });
  afterAll(async () => {
    await app.close();
    await hubspot.stop();
    await db.drop();
  });

  /** A portal registered on the platform and in the sandbox, with the same token. */
  const aPortal = async (portalId: number, scopes?: string[]) => {
    hubspot.addPortal({ portalId, accessToken: `t-${portalId}`, ...(scopes ? { scopes } : {}) });
    await portals.register({ portalId, name: `Portal ${portalId}`, accessToken: `t-${portalId}` });
  };
  const bootstrap = async (portalId: number, body?: unknown) => {
    const response = await fetch(`${url}/admin/portals/${portalId}/bootstrap`, { method: 'POST', headers: auth, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    return { status: response.status, body: (await response.json()) as Report & { message: string[]; missingScopes: string[] } };
  };
  /** What HubSpot lists, read as any client reads it (not through the sandbox's internals). */
  const listing = async (portalId: number, objectType: string): Promise<Map<string, Listed>> => {
    const response = await fetch(`${hubspot.url}/crm/properties/2026-03/${objectType}`, { headers: { authorization: `Bearer t-${portalId}` } });
    return new Map(((await response.json()) as { results: Listed[] }).results.map((p) => [p.name, p]));
  };
  const groups = async (portalId: number, objectType: string): Promise<string[]> => {
    const response = await fetch(`${hubspot.url}/crm/properties/2026-03/${objectType}/groups`, { headers: { authorization: `Bearer t-${portalId}` } });
    return ((await response.json()) as { results: Array<{ name: string }> }).results.map((g) => g.name);
  };
  const writes = (portalId: number) => hubspot.requests().filter((r) => r.portalId === portalId && r.method !== 'GET');
  const outcome = (report: Report, objectType: string, name: string) => report.results.find((r) => r.objectType === objectType && r.name === name && r.kind === 'property');
  const values = (options: Listed['options']) => options.map((o) => o.value);

  it("creates a fresh portal's groups and every property with its declared type and options, and records PropertiesBootstrapped", async () => {
    await aPortal(501);
    const { status, body } = await bootstrap(501);

    expect(status).toBe(200);
    expect(body).toMatchObject({ portalId: 501, capabilities: ['lead-ai', 'service-ai', 'management-ai'], summary: { created: 16, present: 0, optionsAdded: 0, conflicting: 0, failed: 0 } });
    expect(body.results).toEqual(expect.arrayContaining([
      { objectType: 'contacts', name: 'ai_insights', kind: 'group', outcome: 'created' },
      { objectType: 'tickets', name: 'ai_insights', kind: 'group', outcome: 'created' },
      { objectType: 'deals', name: 'ai_insights', kind: 'group', outcome: 'created' },
      ...DEAL_PROPS.map((name) => ({ objectType: 'deals', name, kind: 'property', outcome: 'created' })),
      ...CONTACT_PROPS.map((name) => ({ objectType: 'contacts', name, kind: 'property', outcome: 'created' })),
      ...TICKET_PROPS.map((name) => ({ objectType: 'tickets', name, kind: 'property', outcome: 'created' })),
    ]));

    expect(await groups(501, 'contacts')).toContain('ai_insights');
    expect(await groups(501, 'tickets')).toContain('ai_insights');
    const contacts = await listing(501, 'contacts');
    expect(contacts.get('ai_lead_score')).toMatchObject({ type: 'number', fieldType: 'number', groupName: 'ai_insights', label: 'AI lead score' });
    expect(contacts.get('ai_summary')).toMatchObject({ type: 'string', fieldType: 'textarea', groupName: 'ai_insights' });
    expect(contacts.get('ai_persona')).toMatchObject({ type: 'enumeration', fieldType: 'select' });
    expect(contacts.get('ai_persona')!.options).toEqual(PERSONAS.map((value, displayOrder) => ({ label: expect.any(String), value, displayOrder, hidden: false })));
    const tickets = await listing(501, 'tickets');
    expect(values(tickets.get('ai_category')!.options)).toEqual([...TICKET_CATEGORIES]);
    expect(values(tickets.get('ai_sentiment')!.options)).toEqual([...SENTIMENTS]);
    expect(tickets.get('ai_summary')).toMatchObject({ type: 'string', fieldType: 'textarea' });
    const deals = await listing(501, 'deals');
    expect(deals.get('ai_health_score')).toMatchObject({ type: 'number', fieldType: 'number', groupName: 'ai_insights' });
    expect(deals.get('ai_attention_flag')).toMatchObject({ type: 'bool', fieldType: 'booleancheckbox' });
    expect(values(deals.get('ai_stall_reason')!.options)).toEqual([...STALL_REASONS]);

    const events = await db.dataSource.query(`SELECT type, data FROM events WHERE stream_id = 'portal-501' AND type <> 'PortalRegistered' ORDER BY stream_version`);
    expect(events).toEqual([{ type: 'PropertiesBootstrapped', data: { capabilities: ['lead-ai', 'service-ai', 'management-ai'], trigger: 'admin', results: body.results } }]);
  });

  it('is idempotent: run again, everything is present and only the listings are sent (one per object type and groups)', async () => {
    await aPortal(502);
    expect((await bootstrap(502)).status).toBe(200);
    hubspot.clearRequests();

    const { status, body } = await bootstrap(502);
    expect(status).toBe(200);
    expect(body.summary).toEqual({ created: 0, present: 16, optionsAdded: 0, conflicting: 0, failed: 0 });
    expect(writes(502)).toEqual([]);
    expect(hubspot.requests().filter((r) => r.portalId === 502).map((r) => r.path).sort()).toEqual([
      '/crm/properties/2026-03/contacts',
      '/crm/properties/2026-03/contacts/groups',
      '/crm/properties/2026-03/deals',
      '/crm/properties/2026-03/deals/groups',
      '/crm/properties/2026-03/tickets',
      '/crm/properties/2026-03/tickets/groups',
    ]);
    expect(await db.dataSource.query(`SELECT count(*)::int AS n FROM events WHERE stream_id = 'portal-502' AND type = 'PropertiesBootstrapped'`)).toEqual([{ n: 2 }]);
  });

  it('reports a same-named property of another type as conflicting and leaves it untouched', async () => {
    await aPortal(503);
    expect(hubspot.defineProperty(503, 'contacts', { name: 'ai_lead_score', label: 'Their score', type: 'string', fieldType: 'text', groupName: 'contactinformation' }).ok).toBe(true);
    hubspot.clearRequests();

    const { status, body } = await bootstrap(503, { capabilities: ['lead-ai'] });
    expect(status).toBe(200);
    expect(body.capabilities).toEqual(['lead-ai']);
    expect(outcome(body, 'contacts', 'ai_lead_score')).toEqual({
      objectType: 'contacts', name: 'ai_lead_score', kind: 'property', outcome: 'conflicting', detail: expect.stringMatching(/exists as string \(text\) but the platform writes number \(number\).*rename or delete it in HubSpot/),
    });
    expect(body.summary).toMatchObject({ created: 5, conflicting: 1, failed: 0 });
    expect((await listing(503, 'contacts')).get('ai_lead_score')).toMatchObject({ type: 'string', fieldType: 'text', label: 'Their score', groupName: 'contactinformation' });
    expect(writes(503).some((r) => JSON.stringify(r.body ?? {}).includes('ai_lead_score') || r.path.endsWith('/ai_lead_score'))).toBe(false);
    expect(hubspot.requests().some((r) => r.portalId === 503 && r.path.includes('/tickets'))).toBe(false);
  });

  it('adds only the missing options of an enumeration, keeping the existing ones', async () => {
    await aPortal(504);
    hubspot.defineProperty(504, 'tickets', {
      name: 'ai_sentiment', label: 'Mood', type: 'enumeration', fieldType: 'select', groupName: 'ticketinformation',
      options: [{ label: 'Happy', value: 'positive', displayOrder: 0, hidden: false }, { label: 'Theirs', value: 'their_own', displayOrder: 1, hidden: true }],
    });
    hubspot.clearRequests();

    const { status, body } = await bootstrap(504, { capabilities: ['service-ai'] });
    expect(status).toBe(200);
    expect(outcome(body, 'tickets', 'ai_sentiment')).toMatchObject({ outcome: 'options-added', detail: 'added options: neutral, frustrated, angry' });
    expect(body.summary).toEqual({ created: 3, present: 0, optionsAdded: 1, conflicting: 0, failed: 0 });
    const sentiment = (await listing(504, 'tickets')).get('ai_sentiment')!;
    expect(sentiment).toMatchObject({ label: 'Mood', groupName: 'ticketinformation' });
    expect(sentiment.options).toEqual([
      { label: 'Happy', value: 'positive', displayOrder: 0, hidden: false },
      { label: 'Theirs', value: 'their_own', displayOrder: 1, hidden: true },
      { label: 'Neutral', value: 'neutral', displayOrder: 2, hidden: false },
      { label: 'Frustrated', value: 'frustrated', displayOrder: 3, hidden: false },
      { label: 'Angry', value: 'angry', displayOrder: 4, hidden: false },
    ]);
    expect(writes(504).filter((r) => r.method === 'PATCH').map((r) => r.path)).toEqual(['/crm/properties/2026-03/tickets/ai_sentiment']);
  });

  it("bootstraps by default only the capabilities the portal's connection does not block", async () => {
    await aPortal(505);
    await db.dataSource.query(`UPDATE portals SET connection = $1 WHERE portal_id = 505`, [JSON.stringify({ capabilities: { enabled: ['lead-ai'], blocked: [{ capability: 'service-ai', missingScopes: ['tickets'] }, { capability: 'management-ai', missingScopes: ['crm.objects.deals.write'] }] } })]);
    const { status, body } = await bootstrap(505);
    expect(status).toBe(200);
    expect(body.capabilities).toEqual(['lead-ai']);
    expect(body.results.every((r) => r.objectType === 'contacts')).toBe(true);
  });

  it('answers 422 naming the missing write scope, after bootstrapping what the token may', async () => {
    await aPortal(506, ['crm.schemas.contacts.read', 'crm.schemas.contacts.write', 'crm.schemas.tickets.read', 'crm.schemas.deals.read', 'crm.schemas.deals.write']);
    const { status, body } = await bootstrap(506);
    expect(status).toBe(422);
    expect(body.missingScopes).toEqual(['crm.schemas.tickets.write or tickets']);
    expect(body.message).toEqual([expect.stringContaining('lacks crm.schemas.tickets.write or tickets')]);
    expect(body.results.filter((r) => r.objectType === 'contacts').every((r) => r.outcome === 'created')).toBe(true);
    expect(body.results.filter((r) => r.objectType === 'tickets').every((r) => r.outcome === 'failed')).toBe(true);
    expect((await listing(506, 'contacts')).has('ai_persona')).toBe(true);
    const [event] = await db.dataSource.query(`SELECT data FROM events WHERE stream_id = 'portal-506' AND type = 'PropertiesBootstrapped'`);
    expect(event.data.results).toEqual(body.results);
  });

  it('answers 503 and changes nothing when HubSpot cannot list the properties', async () => {
    await aPortal(507);
    hubspot.injectFaults(507, [{ status: 503 }]);
    hubspot.clearRequests();
    const { status, body } = await bootstrap(507);
    expect(status).toBe(503);
    expect(body.message).toEqual([expect.stringContaining('nothing was changed: retry later')]);
    expect(writes(507)).toEqual([]);
    expect(await db.dataSource.query(`SELECT type FROM events WHERE stream_id = 'portal-507' AND type <> 'PortalRegistered'`)).toEqual([]);
  });

  it('answers 404 for an unknown portal and 400 for an unknown capability', async () => {
    expect((await bootstrap(599)).status).toBe(404);
    const bad = await bootstrap(501, { capabilities: ['crystal-ball'] });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toEqual(['each capability must be one of lead-ai, service-ai, management-ai']);
    expect((await bootstrap(501, { capabilities: [] })).status).toBe(400);
  });
});
