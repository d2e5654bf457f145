import { Client } from '@hubspot/api-client';
import { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/objects/notes';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts';
import { HubSpotSandbox } from './hubspot-sandbox';
import { failureOf } from '../test-support/api-failure.helper';

const HUBSPOT_DEFINED = AssociationSpecAssociationCategoryEnum.HubspotDefined;
const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);

describe('HubSpotSandbox through @hubspot/api-client', () => {
  let clock = T0;
  let sandbox: HubSpotSandbox;
  let url: string;
  let client: Client;

  beforeEach(async () => {
    clock = T0;
    sandbox = new HubSpotSandbox({ now: () => clock });
    ({ url } = await sandbox.start());
    sandbox.addPortal({ portalId: 101, accessToken: 'pat-101', tier: 'professional' });
    client = new Client({ accessToken: 'pat-101', basePath: url });
  });

  afterEach(async () => {
    await sandbox.stop();
  });

  describe('objects', () => {
    it('gets a contact by id with default or requested properties', async () => {
      const seeded = sandbox.seedObject(101, 'contacts', { email: 'ada@example.com', firstname: 'Ada', jobtitle: 'CTO' });
      const plain = await client.crm.contacts.basicApi.getById(seeded.id);
      expect(plain.id).toBe(seeded.id);
      expect(plain.archived).toBe(false);
      expect(plain.createdAt).toEqual(new Date(T0));
      expect(Object.keys(plain.properties).sort()).toEqual(['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname']);
      expect(plain.properties.lastname).toBeNull();

      const picked = await client.crm.contacts.basicApi.getById(seeded.id, ['jobtitle', 'phone', 'not_a_property'], undefined, undefined, false);
      expect(picked.properties).toEqual({
        createdate: '2025-06-01T12:00:00Z',
        hs_object_id: seeded.id,
        jobtitle: 'CTO',
        lastmodifieddate: '2025-06-01T12:00:00Z',
        phone: null,
      });
      const byEmail = await client.crm.contacts.basicApi.getById('ADA@example.com', ['email'], undefined, undefined, false, 'email');
      expect(byEmail.id).toBe(seeded.id);
    });

    it('surfaces an unknown id as ApiException 404 with HubSpot body', async () => {
      const failure = await failureOf(client.crm.contacts.basicApi.getById('424242'));
      expect(failure.code).toBe(404);
      expect(failure.body).toMatchObject({
        status: 'error',
        message: 'Object not found.  objectId are usually numeric.',
        category: 'OBJECT_NOT_FOUND',
        context: { id: ['424242'] },
      });
    });

    it('updates with PATCH and returns the object', async () => {
      const seeded = sandbox.seedObject(101, 'contacts', { email: 'bob@example.com' });
      clock += 5_000;
      const updated = await client.crm.contacts.basicApi.update(seeded.id, { properties: { lifecyclestage: 'marketingqualifiedlead', firstname: 'Bob' } });
      expect(updated.properties).toMatchObject({ lifecyclestage: 'marketingqualifiedlead', firstname: 'Bob', lastmodifieddate: '2025-06-01T12:00:05Z' });
      expect(updated.updatedAt).toEqual(new Date(T0 + 5_000));
      expect(sandbox.getObject(101, 'contacts', seeded.id)?.properties.lifecyclestage).toBe('marketingqualifiedlead');
    });

    it('rejects a property that does not exist with 400 VALIDATION_ERROR in HubSpot words', async () => {
      const seeded = sandbox.seedObject(101, 'contacts', { email: 'c@example.com' });
      const failure = await failureOf(client.crm.contacts.basicApi.update(seeded.id, { properties: { ai_lead_score: '80' } }));
      expect(failure.code).toBe(400);
      const body = failure.body as { category: string; message: string };
      expect(body.category).toBe('VALIDATION_ERROR');
      expect(body.message).toBe(
        'Property values were not valid: [{"isValid":false,"message":"Property \\"ai_lead_score\\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"ai_lead_score","localizedErrorMessage":"Property \\"ai_lead_score\\" does not exist","portalId":101}]',
      );
      expect(sandbox.getObject(101, 'contacts', seeded.id)?.properties.ai_lead_score).toBeUndefined();
    });

    it('validates enumeration options and numbers', async () => {
      const seeded = sandbox.seedObject(101, 'deals', { dealname: 'Big deal' });
      const failure = await failureOf(client.crm.deals.basicApi.update(seeded.id, { properties: { dealstage: 'nope', amount: 'lots' } }));
      expect(failure.code).toBe(400);
      const message = (failure.body as { message: string }).message;
      expect(message).toContain('"error":"INVALID_OPTION"');
      expect(message).toContain('"name":"amount"');
    });

    it('creates contacts (201), refuses a duplicate email with 409, and archives', async () => {
      const created = await client.crm.contacts.basicApi.create({ properties: { email: 'new@example.com', firstname: 'N' }, associations: [] });
      expect(created.properties).toMatchObject({ email: 'new@example.com', hs_object_id: created.id });
      const dup = await failureOf(client.crm.contacts.basicApi.create({ properties: { email: 'NEW@example.com' }, associations: [] }));
      expect(dup.code).toBe(409);
      expect(dup.body).toMatchObject({ category: 'CONFLICT', message: `Contact already exists. Existing ID: ${created.id}` });
      await client.crm.contacts.basicApi.archive(created.id);
      expect((await failureOf(client.crm.contacts.basicApi.getById(created.id))).code).toBe(404);
      expect((await client.crm.contacts.basicApi.getById(created.id, undefined, undefined, undefined, true)).archived).toBe(true);
    });

    it('keeps portals apart', async () => {
      sandbox.addPortal({ portalId: 202, accessToken: 'pat-202' });
      const other = sandbox.seedObject(202, 'contacts', { email: 'x@other.example' });
      expect((await failureOf(client.crm.contacts.basicApi.getById(other.id))).code).toBe(404);
      const client202 = new Client({ accessToken: 'pat-202', basePath: url });
      expect((await client202.crm.contacts.basicApi.getById(other.id)).id).toBe(other.id);
    });

    it('answers 401 with HubSpot body for a wrong or missing token', async () => {
      const wrong = new Client({ accessToken: 'pat-nope', basePath: url });
      const failure = await failureOf(wrong.crm.contacts.basicApi.getById('1'));
      expect(failure.code).toBe(401);
      expect(failure.body).toMatchObject({
        status: 'error',
        message:
          'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
        category: 'INVALID_AUTHENTICATION',
      });
      const raw = await fetch(`${url}/crm/v3/objects/contacts/1`);
      expect(raw.status).toBe(401);
      const body = (await raw.json()) as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(['status', 'message', 'correlationId', 'category']);
      expect(sandbox.requests().filter((r) => r.status === 401).map((r) => r.token)).toEqual(['pat-nope', null]);
    });

    it('creates a note associated with a contact (type 202) and requires hs_timestamp', async () => {
      const contact = sandbox.seedObject(101, 'contacts', { email: 'n@example.com' });
      const note = await client.crm.objects.notes.basicApi.create({
        properties: { hs_note_body: 'Scored 87: strong fit', hs_timestamp: String(T0) },
        associations: [{ to: { id: contact.id }, types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: 202 }] }],
      });
      expect(note.properties).toMatchObject({ hs_note_body: 'Scored 87: strong fit', hs_timestamp: '2025-06-01T12:00:00Z' });
      const page = await client.crm.associations.v4.basicApi.getPage('notes', note.id, 'contacts');
      // v4 sends toObjectId as a JSON number although the SDK types it as string (HubSpot's docs show numbers).
      expect(page.results.map((r) => [String(r.toObjectId), r.associationTypes[0]?.typeId])).toEqual([[contact.id, 202]]);
      const reverse = await client.crm.associations.v4.basicApi.getPage('contacts', contact.id, 'notes');
      expect(reverse.results[0]?.associationTypes[0]?.typeId).toBe(201);

      const missing = await failureOf(
        client.crm.objects.notes.basicApi.create({ properties: { hs_note_body: 'no timestamp' }, associations: [] }),
      );
      expect(missing.code).toBe(400);
      expect(missing.body).toMatchObject({ message: 'Error creating NOTE. Some required properties were not set.', category: 'VALIDATION_ERROR', context: { properties: ['hs_timestamp'] } });

      const wrongType = await failureOf(
        client.crm.objects.notes.basicApi.create({
          properties: { hs_note_body: 'x', hs_timestamp: String(T0) },
          associations: [{ to: { id: contact.id }, types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: 204 }] }],
        }),
      );
      expect(wrongType.code).toBe(400);
      expect((wrongType.body as { message: string }).message).toBe('invalid from object type 0-46 for associations to be created. expected: 0-27');
    });
  });

  describe('batches', () => {
    it('batch update answers 207 with an OBJECT_NOT_FOUND entry for unknown ids, and applies the rest', async () => {
      const a = sandbox.seedObject(101, 'contacts', { email: 'a@example.com' });
      const res = await client.crm.contacts.batchApi.update({
        inputs: [
          { id: a.id, properties: { firstname: 'Alpha' } },
          { id: '999999', properties: { firstname: 'Ghost' } },
        ],
      });
      expect(res.status).toBe('COMPLETE');
      expect(res.results.map((r) => r.properties.firstname)).toEqual(['Alpha']);
      const withErrors = res as typeof res & { numErrors?: number; errors?: Array<{ category: string; context: Record<string, string[]> }> };
      expect(withErrors.numErrors).toBe(1);
      expect(withErrors.errors?.[0]).toMatchObject({ category: 'OBJECT_NOT_FOUND', context: { ids: ['999999'] } });
      expect(sandbox.requests().at(-1)?.status).toBe(207);
    });

    it('rejects more than 100 inputs with 400', async () => {
      const inputs = Array.from({ length: 101 }, (_, i) => ({ id: String(i + 1) }));
      const failure = await failureOf(client.crm.contacts.batchApi.read({ inputs, properties: [], propertiesWithHistory: [] }));
      expect(failure.code).toBe(400);
      expect(failure.body).toMatchObject({ category: 'VALIDATION_ERROR' });
    });

    it('batch create returns 201, or 207 with per-input errors when inputs carry objectWriteTraceId', async () => {
      const ok = await client.crm.contacts.batchApi.create({ inputs: [{ properties: { email: 'b1@example.com' }, associations: [] }] });
      expect(ok.results).toHaveLength(1);
      expect(sandbox.requests().at(-1)?.status).toBe(201);

      const atomic = await failureOf(
        client.crm.contacts.batchApi.create({
          inputs: [
            { properties: { email: 'b2@example.com' }, associations: [] },
            { properties: { bogus: 'x' }, associations: [] },
          ],
        }),
      );
      expect(atomic.code).toBe(400);
      expect(sandbox.listObjects(101, 'contacts').map((c) => c.properties.email)).toEqual(['b1@example.com']);

      const partial = await client.crm.contacts.batchApi.create({
        inputs: [
          { properties: { email: 'b3@example.com' }, associations: [], objectWriteTraceId: 't-1' },
          { properties: { bogus: 'x' }, associations: [], objectWriteTraceId: 't-2' },
        ],
      });
      const multi = partial as typeof partial & { numErrors?: number; errors?: Array<{ context: Record<string, string[]> }> };
      expect(sandbox.requests().at(-1)?.status).toBe(207);
      expect(multi.results.map((r) => r.properties.email)).toEqual(['b3@example.com']);
      expect(multi.numErrors).toBe(1);
      expect(multi.errors?.[0]?.context.objectWriteTraceId).toEqual(['t-2']);
    });

    it('batch read returns found objects and a 207 error for missing ones', async () => {
      const a = sandbox.seedObject(101, 'companies', { name: 'Acme', domain: 'acme.example' });
      const res = await client.crm.companies.batchApi.read({ inputs: [{ id: a.id }, { id: '5' }], properties: ['name'], propertiesWithHistory: [] });
      expect(res.results.map((r) => r.properties.name)).toEqual(['Acme']);
      expect(sandbox.requests().at(-1)?.status).toBe(207);
    });
  });

  describe('search', () => {
    it('filters, pages with after, and returns total', async () => {
      for (let i = 0; i < 5; i += 1) sandbox.seedObject(101, 'contacts', { email: `s${i}@example.com`, lifecyclestage: i % 2 === 0 ? 'lead' : 'customer' });
      const first = await client.crm.contacts.searchApi.doSearch({
        filterGroups: [{ filters: [{ propertyName: 'lifecyclestage', operator: FilterOperatorEnum.Eq, value: 'lead' }] }],
        properties: ['email'],
        sorts: [],
        limit: 2,
        after: '0',
      });
      expect(first.total).toBe(3);
      expect(first.results.map((r) => r.properties.email)).toEqual(['s0@example.com', 's2@example.com']);
      expect(first.paging?.next?.after).toBe('2');
      const second = await client.crm.contacts.searchApi.doSearch({
        filterGroups: [{ filters: [{ propertyName: 'lifecyclestage', operator: FilterOperatorEnum.Eq, value: 'lead' }] }],
        properties: ['email'],
        sorts: [],
        limit: 2,
        after: first.paging?.next?.after ?? '',
      });
      expect(second.results.map((r) => r.properties.email)).toEqual(['s4@example.com']);
      expect(second.paging).toBeUndefined();
    });

    it('has its own 5 per second limit with SECONDLY 429s and no rate-limit headers', async () => {
      const search = (): Promise<unknown> =>
        client.crm.contacts.searchApi.doSearchWithHttpInfo({ filterGroups: [], properties: [], sorts: [], limit: 1, after: '0' });
      const ok = (await search()) as { headers: Record<string, string> };
      expect(Object.keys(ok.headers).filter((h) => h.startsWith('x-hubspot-ratelimit'))).toEqual([]);
      for (let i = 0; i < 4; i += 1) await search();
      const limited = await failureOf(search());
      expect(limited.code).toBe(429);
      expect((limited.body as { message: string }).message).toBe('You have reached your secondly limit.');
      expect(sandbox.rateLimitStats(101)).toMatchObject({ rateLimited: 1, rateLimitedSecondly: 1 });
      clock += 1_000;
      await expect(search()).resolves.toBeDefined();
    });
  });

  describe('rate limits', () => {
    it('sends X-HubSpot-RateLimit-* headers and answers 429 past the 10-second window', async () => {
      sandbox.addPortal({ portalId: 303, accessToken: 'pat-303', limits: { perTenSeconds: 3, daily: 1000 } });
      const limitedClient = new Client({ accessToken: 'pat-303', basePath: url });
      const seeded = sandbox.seedObject(303, 'contacts', { email: 'r@example.com' });
      const remaining: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        const info = await limitedClient.crm.contacts.basicApi.getByIdWithHttpInfo(seeded.id);
        remaining.push(info.headers['x-hubspot-ratelimit-remaining'] ?? '');
        expect(info.headers).toMatchObject({
          'x-hubspot-ratelimit-max': '3',
          'x-hubspot-ratelimit-interval-milliseconds': '10000',
          'x-hubspot-ratelimit-daily': '1000',
        });
      }
      expect(remaining).toEqual(['2', '1', '0']);

      const limited = await failureOf(limitedClient.crm.contacts.basicApi.getById(seeded.id));
      expect(limited.code).toBe(429);
      expect(limited.body).toMatchObject({ status: 'error', message: 'You have reached your ten_secondly_rolling limit.' });
      expect(limited.headers).toMatchObject({ 'x-hubspot-ratelimit-remaining': '0', 'x-hubspot-ratelimit-max': '3', 'x-hubspot-ratelimit-daily-remaining': '997' });
      const raw = await fetch(`${url}/crm/v3/objects/contacts/${seeded.id}`, { headers: { authorization: 'Bearer pat-303' } });
      const rawBody = (await raw.json()) as Record<string, unknown>;
      expect(rawBody).toMatchObject({ errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' });
      expect(Object.keys(rawBody)).toEqual(['status', 'message', 'errorType', 'correlationId', 'policyName', 'groupName']);
      expect(sandbox.rateLimitStats(303)).toMatchObject({ rateLimited: 2, rateLimitedTenSecondly: 2, dailyUsed: 3 });
      expect(sandbox.rateLimitStats(101).rateLimited).toBe(0);

      clock += 10_000;
      await expect(limitedClient.crm.contacts.basicApi.getById(seeded.id)).resolves.toMatchObject({ id: seeded.id });
    });

    it('answers DAILY 429s once the day is used up', async () => {
      sandbox.addPortal({ portalId: 304, accessToken: 'pat-304', limits: { perTenSeconds: 100, daily: 2 } });
      const c = new Client({ accessToken: 'pat-304', basePath: url });
      const seeded = sandbox.seedObject(304, 'contacts', { email: 'd@example.com' });
      await c.crm.contacts.basicApi.getById(seeded.id);
      await c.crm.contacts.basicApi.getById(seeded.id);
      const limited = await failureOf(c.crm.contacts.basicApi.getById(seeded.id));
      expect(limited.code).toBe(429);
      expect((limited.body as { message: string }).message).toBe('You have reached your daily limit.');
      expect(sandbox.rateLimitStats(304)).toMatchObject({ rateLimitedDaily: 1 });
    });

    it('gives public OAuth apps 110 per 10 s and no daily headers', async () => {
      sandbox.addPortal({ portalId: 305, accessToken: 'oauth-305', appType: 'public' });
      const c = new Client({ accessToken: 'oauth-305', basePath: url });
      const seeded = sandbox.seedObject(305, 'contacts', { email: 'p@example.com' });
      const info = await c.crm.contacts.basicApi.getByIdWithHttpInfo(seeded.id);
      expect(info.headers['x-hubspot-ratelimit-max']).toBe('110');
      expect(info.headers['x-hubspot-ratelimit-daily']).toBeUndefined();
      expect(info.headers['x-hubspot-ratelimit-daily-remaining']).toBeUndefined();
    });
  });

  describe('properties', () => {
    it('creates properties (201), answers 409 for duplicates and 400 for incomplete definitions', async () => {
      const created = await client.crm.properties.coreApi.create('contacts', {
        name: 'ai_lead_score',
        label: 'AI lead score',
        type: 'number' as never,
        fieldType: 'number' as never,
        groupName: 'contactinformation',
      });
      expect(created).toMatchObject({ name: 'ai_lead_score', type: 'number', hubspotDefined: false });
      const dup = await failureOf(
        client.crm.properties.coreApi.create('contacts', { name: 'ai_lead_score', label: 'x', type: 'number' as never, fieldType: 'number' as never, groupName: 'contactinformation' }),
      );
      expect(dup.code).toBe(409);
      const raw = await fetch(`${url}/crm/v3/properties/contacts`, {
        method: 'POST',
        headers: { authorization: 'Bearer pat-101', 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'half', label: 'Half' }),
      });
      expect(raw.status).toBe(400);
      expect(((await raw.json()) as { message: string }).message).toContain('type, fieldType, groupName');

      const contact = sandbox.seedObject(101, 'contacts', { email: 'p@example.com' });
      const updated = await client.crm.contacts.basicApi.update(contact.id, { properties: { ai_lead_score: '87' } });
      expect(updated.properties.ai_lead_score).toBe('87');
      expect((await client.crm.properties.coreApi.getByName('contacts', 'ai_lead_score')).label).toBe('AI lead score');
      expect((await failureOf(client.crm.properties.coreApi.getByName('contacts', 'missing_prop'))).code).toBe(404);
    });
  });

  describe('associations v4', () => {
    it('associates with the default type and reads in batch (207 for records without associations)', async () => {
      const contact = sandbox.seedObject(101, 'contacts', { email: 'v4@example.com' });
      const lonely = sandbox.seedObject(101, 'contacts', { email: 'lonely@example.com' });
      const company = sandbox.seedObject(101, 'companies', { name: 'Acme' });
      const res = await client.crm.associations.v4.basicApi.createDefault('contacts', contact.id, 'companies', company.id);
      expect(res.results.map((r) => r.associationSpec.associationTypeId)).toEqual([279, 280]);
      const page = await client.crm.associations.v4.batchApi.getPage('contacts', 'companies', { inputs: [{ id: contact.id }, { id: lonely.id }] });
      expect(page.results.map((r) => [r._from.id, r.to.map((t) => String(t.toObjectId))])).toEqual([[contact.id, [company.id]]]);
      expect(sandbox.requests().at(-1)?.status).toBe(207);
      const withAssociations = await client.crm.contacts.basicApi.getById(contact.id, undefined, undefined, ['companies']);
      expect(withAssociations.associations?.companies?.results).toEqual([{ id: company.id, type: 'contact_to_company_unlabeled' }]);
    });
  });

  describe('faults and inspection', () => {
    it('serves injected 5xx faults to the next calls of that portal only, then recovers', async () => {
      const seeded = sandbox.seedObject(101, 'contacts', { email: 'f@example.com' });
      sandbox.injectFaults(101, [{ status: 503, count: 2 }, { status: 502 }]);
      expect((await failureOf(client.crm.contacts.basicApi.getById(seeded.id))).code).toBe(503);
      expect((await failureOf(client.crm.contacts.basicApi.getById(seeded.id))).code).toBe(503);
      expect((await failureOf(client.crm.contacts.basicApi.getById(seeded.id))).code).toBe(502);
      await expect(client.crm.contacts.basicApi.getById(seeded.id)).resolves.toMatchObject({ id: seeded.id });
      expect(sandbox.requests().map((r) => r.outcome)).toEqual(['fault', 'fault', 'fault', 'api']);
    });

    it('serves a storm (forMs) to every call of the portal until it is over, then the next faults, then the API', async () => {
      const seeded = sandbox.seedObject(101, 'contacts', { email: 's@example.com' });
      sandbox.injectFaults(101, [{ status: 429, forMs: 150 }, { status: 502 }]);
      for (let i = 0; i < 4; i++) expect((await failureOf(client.crm.contacts.basicApi.getById(seeded.id))).code).toBe(429);
      sandbox.advanceClock(200);
      expect((await failureOf(client.crm.contacts.basicApi.getById(seeded.id))).code).toBe(502);
      await expect(client.crm.contacts.basicApi.getById(seeded.id)).resolves.toMatchObject({ id: seeded.id });
      expect(() => sandbox.injectFaults(101, [{ drop: true, forMs: 10 } as never])).toThrow(/not a fault/);
    });

    it('drops the connection for a drop fault', async () => {
      sandbox.injectFaults(101, [{ drop: true }]);
      const failure = await failureOf(client.crm.contacts.basicApi.getById('1'));
      expect(failure.code).toBeUndefined();
      expect(failure.message).toMatch(/socket hang up|ECONNRESET|network|fetch failed/i);
    });

    it('logs every call with method, path, portal, token and status', async () => {
      const seeded = sandbox.seedObject(101, 'contacts', { email: 'l@example.com' });
      await client.crm.contacts.basicApi.update(seeded.id, { properties: { firstname: 'L' } });
      expect(sandbox.requests()).toEqual([
        expect.objectContaining({
          method: 'PATCH',
          path: `/crm/v3/objects/contacts/${seeded.id}`,
          portalId: 101,
          token: 'pat-101',
          status: 200,
          time: T0,
          body: { properties: { firstname: 'L' } },
        }),
      ]);
      expect(sandbox.rateLimitStats(101)).toMatchObject({ calls: 1, rateLimited: 0 });
    });
  });

  describe('admin surface', () => {
    it('lets another process add portals, seed and read objects and list requests', async () => {
      const post = (path: string, body: unknown): Promise<Response> =>
        fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await post('/__sandbox/portals', { portalId: 777, accessToken: 'pat-777', tier: 'starter' })).status).toBe(201);
      const seeded = (await (await post('/__sandbox/portals/777/objects/contacts', { properties: { email: 'demo@example.com' } })).json()) as { id: string };
      const c = new Client({ accessToken: 'pat-777', basePath: url });
      await c.crm.contacts.basicApi.update(seeded.id, { properties: { firstname: 'Demo' } });
      const object = (await (await fetch(`${url}/__sandbox/portals/777/objects/contacts/${seeded.id}`)).json()) as { properties: Record<string, string> };
      expect(object.properties.firstname).toBe('Demo');
      const requests = (await (await fetch(`${url}/__sandbox/requests?portalId=777`)).json()) as { results: Array<{ method: string; status: number }> };
      expect(requests.results.map((r) => `${r.method} ${r.status}`)).toEqual(['PATCH 200']);
      const stats = (await (await fetch(`${url}/__sandbox/portals/777/rate-limit`)).json()) as { calls: number };
      expect(stats.calls).toBe(1);
      expect((await post('/__sandbox/portals/777/faults', [{ status: 500 }])).status).toBe(200);
      expect((await failureOf(c.crm.contacts.basicApi.getById(seeded.id))).code).toBe(500);
    });
  });
});
