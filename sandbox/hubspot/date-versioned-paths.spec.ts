import { HubSpotSandbox } from './hubspot-sandbox';
import { canonicalSegments, pathSegments, routeKind } from './crm-router';

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);

describe('routing of the date-versioned (2026-03) paths', () => {
  it('maps each 2026-03 path onto the v3/v4 path of the same operation', () => {
    const canonical = (path: string): string => `/${canonicalSegments(pathSegments(path)).join('/')}`;
    expect(canonical('/crm/objects/2026-03/contacts')).toBe('/crm/v3/objects/contacts');
    expect(canonical('/crm/objects/2026-03/contacts/42')).toBe('/crm/v3/objects/contacts/42');
    expect(canonical('/crm/objects/2026-03/contacts/batch/create')).toBe('/crm/v3/objects/contacts/batch/create');
    expect(canonical('/crm/objects/2026-03/contacts/search')).toBe('/crm/v3/objects/contacts/search');
    expect(canonical('/crm/objects/2026-03/contacts/42/associations/companies')).toBe('/crm/v4/objects/contacts/42/associations/companies');
    expect(canonical('/crm/objects/2026-03/contacts/42/associations/default/companies/7')).toBe('/crm/v4/objects/contacts/42/associations/default/companies/7');
    expect(canonical('/crm/associations/2026-03/contacts/companies/batch/read')).toBe('/crm/v4/associations/contacts/companies/batch/read');
    expect(canonical('/crm/associations/2026-03/contacts/companies/labels')).toBe('/crm/v4/associations/contacts/companies/labels');
    expect(canonical('/crm/associations/v4/contacts/companies/labels')).toBe('/crm/v4/associations/contacts/companies/labels');
    expect(canonical('/crm/properties/2026-03/deals/groups')).toBe('/crm/v3/properties/deals/groups');
    // v3/v4 paths, other versions and other areas are left alone.
    for (const path of ['/crm/v3/objects/contacts', '/crm/v4/associations/contacts/companies/batch/read', '/crm/objects/2026-09/contacts', '/crm/owners/2026-03', '/crm/associations/v4/contacts/companies/batch/read']) {
      expect(canonical(path)).toBe(path);
    }
  });

  it('counts POST /crm/objects/2026-03/{type}/search as a search call, as it does the v3 one', () => {
    const kind = (method: string, path: string) => routeKind(method, pathSegments(path));
    expect(kind('POST', '/crm/objects/2026-03/contacts/search')).toBe('search');
    expect(kind('POST', '/crm/v3/objects/contacts/search')).toBe('search');
    expect(kind('GET', '/crm/objects/2026-03/contacts/search')).toBe('standard');
    expect(kind('POST', '/crm/objects/2026-03/contacts/batch/read')).toBe('standard');
    expect(kind('POST', '/crm/objects/2026-03/contacts/42/associations/search')).toBe('standard');
    expect(kind('GET', '/__sandbox/health')).toBe('unknown');
  });
});

describe('HubSpotSandbox on 2026-03 paths', () => {
  let clock = T0;
  let sandbox: HubSpotSandbox;
  let url: string;

  beforeEach(async () => {
    clock = T0;
    sandbox = new HubSpotSandbox({ now: () => clock });
    ({ url } = await sandbox.start());
    sandbox.addPortal({ portalId: 101, accessToken: 'pat-101', tier: 'professional' });
  });

  afterEach(async () => {
    await sandbox.stop();
  });

  const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: 'Bearer pat-101', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text), headers: res.headers };
  };
  /** An answer without what differs between two calls (correlation ids, batch timestamps). */
  const comparable = (answer: { status: number; body: any }): unknown =>
    JSON.parse(JSON.stringify(answer), (key, value) => (['correlationId', 'startedAt', 'completedAt'].includes(key) ? undefined : value));

  it('answers object reads, lists, searches and property reads exactly as v3 does', async () => {
    const contact = sandbox.seedObject(101, 'contacts', { email: 'ada@example.com', firstname: 'Ada', lifecyclestage: 'lead' });
    sandbox.seedObject(101, 'contacts', { email: 'bob@example.com', lifecyclestage: 'customer' });
    const same = async (method: string, tail: string, body?: unknown, v3Area = 'objects') => {
      const dated = await api(method, `/crm/${v3Area}/2026-03/${tail}`, body);
      const v3 = await api(method, `/crm/v3/${v3Area}/${tail}`, body);
      expect(comparable(dated)).toEqual(comparable(v3));
      return dated;
    };
    expect((await same('GET', `contacts/${contact.id}?properties=email,firstname`)).body).toMatchObject({ id: contact.id, properties: { firstname: 'Ada' } });
    expect((await same('GET', 'contacts/ada@example.com?idProperty=email')).status).toBe(200);
    expect((await same('GET', 'contacts?limit=1')).body.paging.next.after).toBe(contact.id);
    expect((await same('GET', 'contacts/999999')).status).toBe(404);
    const search = { filterGroups: [{ filters: [{ propertyName: 'lifecyclestage', operator: 'EQ', value: 'lead' }] }], properties: ['email'], limit: 10 };
    expect((await same('POST', 'contacts/search', search)).body).toMatchObject({ total: 1, results: [{ id: contact.id }] });
    expect((await same('GET', 'contacts', undefined, 'properties')).body.results.length).toBeGreaterThan(10);
    expect((await same('GET', 'contacts/lifecyclestage', undefined, 'properties')).body).toMatchObject({ name: 'lifecyclestage' });
    expect((await same('GET', 'contacts/groups', undefined, 'properties')).status).toBe(200);
    expect((await same('GET', 'widgets/1')).status).toBe(400);
    expect(sandbox.rateLimitStats(101).searchCalls).toBe(2);
  });

  it('writes through 2026-03: create, update, batch create/read/update/upsert/archive, archive, property create', async () => {
    const created = await api('POST', '/crm/objects/2026-03/contacts', { properties: { email: 'new@example.com' } });
    expect(created.status).toBe(201);
    expect(sandbox.getObject(101, 'contacts', created.body.id)?.properties.email).toBe('new@example.com');
    expect((await api('PATCH', `/crm/objects/2026-03/contacts/${created.body.id}`, { properties: { firstname: 'N' } })).body.properties.firstname).toBe('N');
    expect((await api('POST', '/crm/objects/2026-03/contacts', { properties: { email: 'NEW@example.com' } })).status).toBe(409);

    const batch = await api('POST', '/crm/objects/2026-03/contacts/batch/create', {
      inputs: [{ properties: { email: 'b1@example.com' } }, { properties: { email: 'b2@example.com' } }],
    });
    expect(batch.status).toBe(201);
    const ids = batch.body.results.map((r: { id: string }) => r.id);
    const read = await api('POST', '/crm/objects/2026-03/contacts/batch/read', { inputs: [...ids, '999999'].map((id) => ({ id })), properties: ['email'] });
    expect(read.status).toBe(207);
    expect(read.body.results.map((r: { properties: { email: string } }) => r.properties.email).sort()).toEqual(['b1@example.com', 'b2@example.com']);
    expect((await api('POST', '/crm/objects/2026-03/contacts/batch/update', { inputs: ids.map((id: string) => ({ id, properties: { firstname: 'B' } })) })).status).toBe(200);
    const upsert = await api('POST', '/crm/objects/2026-03/contacts/batch/upsert', {
      inputs: [{ id: 'b1@example.com', idProperty: 'email', properties: { lastname: 'One' } }, { id: 'b3@example.com', idProperty: 'email', properties: {} }],
    });
    expect(upsert.body.results.map((r: { new: boolean }) => r.new).sort()).toEqual([false, true]);
    expect((await api('POST', '/crm/objects/2026-03/contacts/batch/archive', { inputs: [{ id: ids[0] }] })).status).toBe(204);
    expect((await api('DELETE', `/crm/objects/2026-03/contacts/${created.body.id}`)).status).toBe(204);
    const remaining = sandbox.listObjects(101, 'contacts').map((c) => c.id);
    expect(remaining).toHaveLength(2);
    expect(remaining).toContain(ids[1]);
    expect(sandbox.getObject(101, 'contacts', created.body.id)?.archived).toBe(true);

    const property = await api('POST', '/crm/properties/2026-03/contacts', { name: 'ai_score', label: 'AI score', type: 'number', fieldType: 'number', groupName: 'contactinformation' });
    expect(property.status).toBe(201);
    expect((await api('GET', '/crm/v3/properties/contacts/ai_score')).body).toMatchObject({ name: 'ai_score', type: 'number' });
  });

  it('serves v4 associations under /crm/objects/2026-03/.../associations and /crm/associations/2026-03, answering as v4', async () => {
    const contact = sandbox.seedObject(101, 'contacts', { email: 'c@example.com' });
    const [acme, globex] = [sandbox.seedObject(101, 'companies', { name: 'Acme' }), sandbox.seedObject(101, 'companies', { name: 'Globex' })];
    const lonely = sandbox.seedObject(101, 'contacts', { email: 'lonely@example.com' });

    const byDefault = await api('PUT', `/crm/objects/2026-03/contacts/${contact.id}/associations/default/companies/${acme.id}`);
    expect(byDefault.status).toBe(200);
    expect(byDefault.body.results.map((r: { associationSpec: { associationTypeId: number } }) => r.associationSpec.associationTypeId)).toEqual([279, 280]);
    const labeled = await api('PUT', `/crm/objects/2026-03/contacts/${contact.id}/associations/companies/${globex.id}`, [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 }]);
    expect(labeled.status).toBe(201);
    expect(labeled.body.labels).toEqual(['Primary']);

    const dated = await api('GET', `/crm/objects/2026-03/contacts/${contact.id}/associations/companies`);
    const v4 = await api('GET', `/crm/v4/objects/contacts/${contact.id}/associations/companies`);
    expect(comparable(dated)).toEqual(comparable(v4));
    expect(dated.body.results).toEqual([
      { toObjectId: Number(acme.id), associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 279, label: null }] },
      {
        toObjectId: Number(globex.id),
        associationTypes: [
          { category: 'HUBSPOT_DEFINED', typeId: 1, label: 'Primary' },
          { category: 'HUBSPOT_DEFINED', typeId: 279, label: null },
        ],
      },
    ]);

    const batchBody = { inputs: [{ id: contact.id }, { id: lonely.id }] };
    const batchDated = await api('POST', '/crm/associations/2026-03/contacts/companies/batch/read', batchBody);
    const batchV4 = await api('POST', '/crm/v4/associations/contacts/companies/batch/read', batchBody);
    expect(batchDated.status).toBe(207);
    expect(comparable(batchDated)).toEqual(comparable(batchV4));

    const deal = sandbox.seedObject(101, 'deals', { dealname: 'D' });
    const associated = await api('POST', '/crm/associations/2026-03/deals/contacts/batch/associate/default', { inputs: [{ from: { id: deal.id }, to: { id: contact.id } }] });
    expect(associated.status).toBe(200);
    expect(sandbox.getObject(101, 'deals', deal.id)?.properties.num_associated_contacts).toBe('1');

    expect((await api('DELETE', `/crm/objects/2026-03/contacts/${contact.id}/associations/companies/${acme.id}`)).status).toBe(204);
    expect((await api('GET', `/crm/objects/2026-03/contacts/${contact.id}/associations/companies`)).body.results.map((r: { toObjectId: number }) => String(r.toObjectId))).toEqual([globex.id]);
  });

  it('applies the search limit to 2026-03 searches (one per-second budget with v3 searches)', async () => {
    const search = (path: string) => api('POST', path, { filterGroups: [], properties: [], limit: 1 });
    for (let i = 0; i < 3; i += 1) expect((await search('/crm/objects/2026-03/contacts/search')).status).toBe(200);
    for (let i = 0; i < 2; i += 1) expect((await search('/crm/v3/objects/contacts/search')).status).toBe(200);
    const limited = await search('/crm/objects/2026-03/contacts/search');
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ policyName: 'SECONDLY' });
    expect(limited.headers.get('x-hubspot-ratelimit-max')).toBeNull();
    expect(sandbox.rateLimitStats(101)).toMatchObject({ searchCalls: 6, rateLimitedSecondly: 1 });
    clock += 1_000;
    expect((await search('/crm/objects/2026-03/contacts/search')).status).toBe(200);
  });
});
