import { Client } from '@hubspot/api-client';
import { HubSpotSandbox } from './hubspot-sandbox';
import { failureOf } from '../test-support/api-failure.helper';

const T0 = Date.UTC(2026, 2, 1, 9, 0, 0);

describe('HubSpotSandbox owners', () => {
  let clock = T0;
  let sandbox: HubSpotSandbox;
  let url: string;

  beforeEach(async () => {
    clock = T0;
    sandbox = new HubSpotSandbox({ now: () => clock });
    ({ url } = await sandbox.start());
    sandbox.addPortal({ portalId: 201, accessToken: 'pat-201' });
  });

  afterEach(async () => {
    await sandbox.stop();
  });

  const call = async (path: string, init: { method?: string; body?: unknown; token?: string } = {}) => {
    const response = await fetch(`${url}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${init.token ?? 'pat-201'}`, 'content-type': 'application/json' },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
  };

  const addTeam = () => {
    sandbox.addOwner(201, { id: '11', email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace', userId: 501, teams: [{ id: '7', name: 'Sales', primary: true }] });
    sandbox.addOwner(201, { id: '12', email: 'Grace@Example.com', firstName: 'Grace' });
    sandbox.addOwner(201, { id: '13', email: 'queue@example.com', type: 'QUEUE' });
  };

  describe('reading', () => {
    it('gets an owner by id at the 2026-03 and the v3 paths, in the PublicOwner shape', async () => {
      addTeam();
      const expected = {
        id: '11',
        email: 'ada@example.com',
        type: 'PERSON',
        firstName: 'Ada',
        lastName: 'Lovelace',
        userId: 501,
        userIdIncludingInactive: 501,
        createdAt: '2026-03-01T09:00:00Z',
        updatedAt: '2026-03-01T09:00:00Z',
        archived: false,
        teams: [{ id: '7', name: 'Sales', primary: true }],
      };
      expect(await call('/crm/owners/2026-03/11')).toEqual({ status: 200, body: expected });
      expect(await call('/crm/v3/owners/11')).toEqual({ status: 200, body: expected });
      expect(await call('/crm/owners/2026-03/501?idProperty=userId')).toEqual({ status: 200, body: expected });
      expect((await call('/crm/owners/2026-03/13')).body).toMatchObject({ id: '13', type: 'QUEUE' });
      expect((await call('/crm/owners/2026-03/13')).body.userId).toBeUndefined();

      const sdk = await new Client({ accessToken: 'pat-201', basePath: url }).crm.owners.ownersApi.getById(11);
      expect(sdk).toMatchObject({ id: '11', email: 'ada@example.com', userId: 501, archived: false, teams: [{ id: '7', name: 'Sales', primary: true }] });
    });

    it('lists owners in pages, and by email (any case)', async () => {
      addTeam();
      const first = await call('/crm/owners/2026-03?limit=2');
      expect(first.status).toBe(200);
      expect(first.body.results.map((o: { id: string }) => o.id)).toEqual(['11', '12']);
      expect(first.body.paging.next.after).toBe('12');
      const second = await call(`/crm/owners/2026-03?limit=2&after=${first.body.paging.next.after}`);
      expect(second.body.results.map((o: { id: string }) => o.id)).toEqual(['13']);
      expect(second.body.paging).toBeUndefined();
      expect((await call('/crm/v3/owners/')).body.results).toHaveLength(3);
      expect((await call('/crm/v3/owners?email=grace@example.com')).body.results.map((o: { id: string }) => o.id)).toEqual(['12']);
      expect((await call('/crm/owners/2026-03?limit=0')).status).toBe(400);
    });

    it('answers 404 in HubSpot’s error shape for an unknown owner id, and 400 for one that is not a number', async () => {
      addTeam();
      const unknown = await call('/crm/owners/2026-03/999');
      expect(unknown).toMatchObject({ status: 404, body: { status: 'error', category: 'OBJECT_NOT_FOUND', context: { id: ['999'] }, correlationId: expect.any(String) } });
      const sdk = await failureOf(new Client({ accessToken: 'pat-201', basePath: url }).crm.owners.ownersApi.getById(999));
      expect(sdk.code).toBe(404);
      const notANumber = await call('/crm/v3/owners/bob');
      expect(notANumber).toMatchObject({ status: 400, body: { category: 'VALIDATION_ERROR', context: { ownerId: ['Must be a valid ID'] } } });
      // A portal without owners knows no owner id either.
      sandbox.addPortal({ portalId: 202, accessToken: 'pat-202' });
      expect((await call('/crm/owners/2026-03/11', { token: 'pat-202' })).status).toBe(404);
    });

    it('returns a deactivated (archived) owner only with archived=true, its user id only as userIdIncludingInactive', async () => {
      addTeam();
      clock = T0 + 60_000;
      sandbox.archiveOwner(201, '11');
      expect((await call('/crm/owners/2026-03/11')).status).toBe(404);
      const archived = await call('/crm/owners/2026-03/11?archived=true');
      expect(archived.status).toBe(200);
      expect(archived.body).toMatchObject({ id: '11', archived: true, userIdIncludingInactive: 501, updatedAt: '2026-03-01T09:01:00Z' });
      expect(archived.body.userId).toBeUndefined();
      expect((await call('/crm/owners/2026-03')).body.results.map((o: { id: string }) => o.id)).toEqual(['12', '13']);
      expect((await call('/crm/owners/2026-03?archived=true')).body.results.map((o: { id: string }) => o.id)).toEqual(['11']);
      expect((await call('/crm/owners/2026-03/12?archived=true')).status).toBe(404);
    });

    it('answers 403 MISSING_SCOPES on owners calls to a portal whose token lacks crm.objects.owners.read', async () => {
      sandbox.addPortal({ portalId: 203, accessToken: 'pat-203', scopes: ['crm.objects.contacts.read', 'crm.objects.contacts.write'] });
      sandbox.addOwner(203, { id: '31', email: 'x@example.com' });
      for (const path of ['/crm/owners/2026-03/31', '/crm/owners/2026-03', '/crm/v3/owners/31']) {
        const denied = await call(path, { token: 'pat-203' });
        expect(denied).toEqual({
          status: 403,
          body: {
            status: 'error',
            message: expect.stringContaining("This app hasn't been granted all required scopes"),
            correlationId: expect.any(String),
            errors: [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: ['crm.objects.owners.read'] } }],
            links: { scopes: 'https://developers.hubspot.com/scopes' },
            category: 'MISSING_SCOPES',
          },
        });
      }
      const sdk = await failureOf(new Client({ accessToken: 'pat-203', basePath: url }).crm.owners.ownersApi.getById(31));
      expect(sdk.code).toBe(403);
      // Scopes are checked on the owners endpoints only: the portal still reads contacts.
      expect((await call('/crm/v3/objects/contacts', { token: 'pat-203' })).status).toBe(200);
      sandbox.addPortal({ portalId: 204, accessToken: 'pat-204', scopes: ['crm.objects.owners.read'] });
      sandbox.addOwner(204, { id: '41', email: 'y@example.com' });
      expect((await call('/crm/owners/2026-03/41', { token: 'pat-204' })).status).toBe(200);
      expect(sandbox.portals().find((p) => p.portalId === 203)?.scopes).toEqual(['crm.objects.contacts.read', 'crm.objects.contacts.write']);
    });

    it('refuses a bad owner in addOwner and an unknown one in archiveOwner', () => {
      addTeam();
      expect(() => sandbox.addOwner(201, { id: '11', email: 'again@example.com' })).toThrow('owner 11 exists');
      expect(() => sandbox.addOwner(201, { email: 'not-an-email' })).toThrow('email is required');
      expect(() => sandbox.addOwner(201, { id: 'abc', email: 'a@example.com' })).toThrow('must be digits');
      expect(() => sandbox.archiveOwner(201, '999')).toThrow('no owner 999');
      expect(sandbox.addOwner(201, { email: 'auto@example.com' })).toMatchObject({ id: expect.stringMatching(/^\d+$/), userId: expect.any(Number) });
    });
  });

  describe('writes of hubspot_owner_id', () => {
    const ownerError = (value: string) => ({
      status: 400,
      body: {
        status: 'error',
        category: 'VALIDATION_ERROR',
        message: expect.stringContaining('Property values were not valid'),
        errors: [{ message: expect.stringContaining(`${value} was not a valid owner id`), code: 'INVALID_OWNER_ID', context: { propertyName: ['hubspot_owner_id'] } }],
      },
    });

    it('refuses an unknown or deactivated owner on create and update, accepts an active one or none', async () => {
      addTeam();
      sandbox.archiveOwner(201, '12');
      expect(await call('/crm/v3/objects/contacts', { method: 'POST', body: { properties: { email: 'a@x.io', hubspot_owner_id: '999' } } })).toMatchObject(ownerError('999'));
      expect(await call('/crm/v3/objects/deals', { method: 'POST', body: { properties: { dealname: 'Big', hubspot_owner_id: '12' } } })).toMatchObject(ownerError('12'));
      const created = await call('/crm/v3/objects/contacts', { method: 'POST', body: { properties: { email: 'b@x.io', hubspot_owner_id: '11' } } });
      expect(created.status).toBe(201);
      expect(created.body.properties.hubspot_owner_id).toBe('11');

      expect(await call(`/crm/v3/objects/contacts/${created.body.id}`, { method: 'PATCH', body: { properties: { hubspot_owner_id: '12' } } })).toMatchObject(ownerError('12'));
      expect((await call(`/crm/v3/objects/contacts/${created.body.id}`, { method: 'PATCH', body: { properties: { hubspot_owner_id: '13' } } })).status).toBe(200);
      // Clearing the owner is always allowed.
      expect((await call(`/crm/v3/objects/contacts/${created.body.id}`, { method: 'PATCH', body: { properties: { hubspot_owner_id: '' } } })).status).toBe(200);
      expect(sandbox.getObject(201, 'contacts', created.body.id)?.properties.hubspot_owner_id).toBeUndefined();
    });

    it('lists the owner error with every other invalid property of the request', async () => {
      addTeam();
      const response = await call('/crm/v3/objects/contacts', { method: 'POST', body: { properties: { email: 'c@x.io', nope: '1', hubspot_owner_id: '999' } } });
      expect(response.status).toBe(400);
      expect(response.body.errors.map((e: { code: string }) => e.code)).toEqual(['PROPERTY_DOESNT_EXIST', 'INVALID_OWNER_ID']);
    });

    it('in batches: per input with objectWriteTraceId (207), the whole batch without', async () => {
      addTeam();
      const traced = await call('/crm/v3/objects/tasks/batch/create', {
        method: 'POST',
        body: {
          inputs: [
            { objectWriteTraceId: 't1', properties: { hs_timestamp: '2026-03-02T09:00:00Z', hs_task_subject: 'Call', hubspot_owner_id: '11' } },
            { objectWriteTraceId: 't2', properties: { hs_timestamp: '2026-03-02T09:00:00Z', hs_task_subject: 'Call', hubspot_owner_id: '404' } },
          ],
        },
      });
      expect(traced.status).toBe(207);
      expect(traced.body.results).toEqual([expect.objectContaining({ properties: expect.objectContaining({ hubspot_owner_id: '11' }) })]);
      expect(traced.body.errors).toEqual([
        expect.objectContaining({ category: 'VALIDATION_ERROR', context: { objectWriteTraceId: ['t2'] }, errors: [expect.objectContaining({ code: 'INVALID_OWNER_ID', context: { propertyName: ['hubspot_owner_id'] } })] }),
      ]);

      const taskId = traced.body.results[0].id as string;
      const untraced = await call('/crm/v3/objects/tasks/batch/update', { method: 'POST', body: { inputs: [{ id: taskId, properties: { hubspot_owner_id: '404' } }] } });
      expect(untraced).toMatchObject(ownerError('404'));
      const tracedUpdate = await call('/crm/v3/objects/tasks/batch/update', { method: 'POST', body: { inputs: [{ id: taskId, objectWriteTraceId: 'u1', properties: { hubspot_owner_id: '404' } }] } });
      expect(tracedUpdate.status).toBe(207);
      expect(tracedUpdate.body.errors[0]).toMatchObject({ context: { objectWriteTraceId: ['u1'] }, errors: [{ code: 'INVALID_OWNER_ID' }] });
      expect(sandbox.getObject(201, 'tasks', taskId)?.properties.hubspot_owner_id).toBe('11');
    });

    it('takes any owner id on a portal that has no owners registered', async () => {
      const created = await call('/crm/v3/objects/contacts', { method: 'POST', body: { properties: { email: 'd@x.io', hubspot_owner_id: '424242' } } });
      expect(created.status).toBe(201);
      expect(sandbox.seedObject(201, 'tickets', { subject: 'Help', hs_pipeline: '0', hs_pipeline_stage: '1', hubspot_owner_id: '77' }).properties.hubspot_owner_id).toBe('77');
    });
  });

  describe('admin routes', () => {
    it('adds, lists and deactivates owners through /__sandbox', async () => {
      const admin = (path: string, method = 'GET', body?: unknown) =>
        fetch(`${url}/__sandbox/portals/201/owners${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
      expect(await admin('', 'POST', { id: '55', email: 'eve@example.com', firstName: 'Eve' })).toMatchObject({ status: 201, body: { id: '55', email: 'eve@example.com', archived: false } });
      expect(await admin('', 'POST', { id: '55', email: 'eve@example.com' })).toMatchObject({ status: 400, body: { error: expect.stringContaining('exists') } });
      expect(await admin('/55', 'DELETE')).toMatchObject({ status: 200, body: { id: '55', archived: true } });
      expect(await admin('/56', 'DELETE')).toMatchObject({ status: 400, body: { error: expect.stringContaining('no owner 56') } });
      expect(await admin('')).toMatchObject({ status: 200, body: { results: [{ id: '55', archived: true }] } });
      expect((await call('/crm/owners/2026-03/55')).status).toBe(404);
    });
  });
});
