import { Client } from '@hubspot/api-client';
import { HubSpotSandbox } from './hubspot-sandbox';
import { failureOf } from '../test-support/api-failure.helper';

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const USER_DEFINED = 'USER_DEFINED';

describe('HubSpotSandbox USER_DEFINED association labels', () => {
  let sandbox: HubSpotSandbox;
  let url: string;
  let client: Client;

  beforeEach(async () => {
    sandbox = new HubSpotSandbox({ now: () => T0 });
    ({ url } = await sandbox.start());
    sandbox.addPortal({ portalId: 101, accessToken: 'pat-101' });
    sandbox.addPortal({ portalId: 202, accessToken: 'pat-202' });
    client = new Client({ accessToken: 'pat-101', basePath: url });
  });

  afterEach(async () => {
    await sandbox.stop();
  });

  const api = async (method: string, path: string, body?: unknown, token = 'pat-101'): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
  };
  const typesOf = async (from: string, id: string, to: string): Promise<Record<string, Array<[number, string, string | null]>>> => {
    const page = await api('GET', `/crm/objects/2026-03/${from}/${id}/associations/${to}`);
    expect(page.status).toBe(200);
    return Object.fromEntries(
      (page.body.results as Array<{ toObjectId: number; associationTypes: Array<{ category: string; typeId: number; label: string | null }> }>).map((r) => [
        String(r.toObjectId),
        r.associationTypes.map((t) => [t.typeId, t.category, t.label] as [number, string, string | null]),
      ]),
    );
  };

  it('defines labels with portal-scoped type ids (from 1000, the reverse direction next) and lists them with the HubSpot-defined ones', async () => {
    expect(sandbox.defineAssociationLabel(101, 'contacts', 'companies', 'Decision maker')).toEqual({ typeId: 1000, reverseTypeId: 1001 });
    expect(sandbox.defineAssociationLabel(101, 'deals', 'contacts', 'Champion', { inverseLabel: 'Champions deal' })).toEqual({ typeId: 1002, reverseTypeId: 1003 });
    // Another portal hands out its own ids: the same number means something else there.
    expect(sandbox.defineAssociationLabel(202, 'deals', 'contacts', 'Billing contact')).toEqual({ typeId: 1000, reverseTypeId: 1001 });
    expect(() => sandbox.defineAssociationLabel(101, 'contacts', 'companies', 'Decision maker')).toThrow(/already exists/);

    for (const path of ['/crm/associations/2026-03/contacts/companies/labels', '/crm/associations/v4/contacts/companies/labels', '/crm/v4/associations/contacts/companies/labels']) {
      const listed = await api('GET', path);
      expect(listed.status).toBe(200);
      expect(listed.body).toEqual({
        results: [
          { category: 'HUBSPOT_DEFINED', typeId: 1, label: 'Primary' },
          { category: 'HUBSPOT_DEFINED', typeId: 279, label: null },
          { category: 'USER_DEFINED', typeId: 1000, label: 'Decision maker' },
        ],
      });
    }
    expect((await api('GET', '/crm/associations/2026-03/companies/contacts/labels')).body.results).toContainEqual({ category: 'USER_DEFINED', typeId: 1001, label: 'Decision maker' });
    expect((await api('GET', '/crm/associations/2026-03/contacts/deals/labels')).body.results).toEqual([
      { category: 'HUBSPOT_DEFINED', typeId: 4, label: null },
      { category: 'USER_DEFINED', typeId: 1003, label: 'Champions deal' },
    ]);
    expect((await api('GET', '/crm/associations/2026-03/deals/contacts/labels', undefined, 'pat-202')).body.results).toEqual([
      { category: 'HUBSPOT_DEFINED', typeId: 3, label: null },
      { category: 'USER_DEFINED', typeId: 1000, label: 'Billing contact' },
    ]);
    expect((await api('GET', '/crm/associations/2026-03/contacts/widgets/labels')).status).toBe(400);
  });

  it('creates a label with POST .../labels ({label, name}) answering 200 {results} as the spec says, and renames it with PUT', async () => {
    const created = await api('POST', '/crm/associations/2026-03/contacts/companies/labels', { label: 'Manager', name: 'manager', inverseLabel: 'Managed company' });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      results: [
        { category: USER_DEFINED, typeId: 1000, label: 'Manager' },
        { category: USER_DEFINED, typeId: 1001, label: 'Managed company' },
      ],
    });
    const v4 = await api('POST', '/crm/associations/v4/tickets/companies/labels', { label: 'Reported by', name: 'reported_by' });
    expect(v4.body.results.map((r: { typeId: number }) => r.typeId)).toEqual([1002, 1003]);
    expect((await api('POST', '/crm/associations/2026-03/contacts/companies/labels', { label: 'Other', name: 'manager' })).status).toBe(409);
    const missingName = await api('POST', '/crm/associations/2026-03/contacts/companies/labels', { label: 'No name' });
    expect(missingName.status).toBe(400);
    expect(missingName.body).toMatchObject({ category: 'VALIDATION_ERROR' });

    expect((await api('PUT', '/crm/associations/2026-03/contacts/companies/labels', { associationTypeId: 1000, label: 'Line manager' })).status).toBe(204);
    expect((await api('GET', '/crm/associations/2026-03/contacts/companies/labels')).body.results).toContainEqual({ category: USER_DEFINED, typeId: 1000, label: 'Line manager' });
    expect((await api('GET', '/crm/associations/2026-03/companies/contacts/labels')).body.results).toContainEqual({ category: USER_DEFINED, typeId: 1001, label: 'Managed company' });
    // A label without inverseLabel names both directions; renamed, both follow.
    expect((await api('PUT', '/crm/associations/v4/tickets/companies/labels', { associationTypeId: 1002, label: 'Raised by' })).status).toBe(204);
    expect((await api('GET', '/crm/associations/v4/companies/tickets/labels')).body.results).toContainEqual({ category: USER_DEFINED, typeId: 1003, label: 'Raised by' });
    expect((await api('PUT', '/crm/associations/2026-03/contacts/companies/labels', { associationTypeId: 279, label: 'Mine now' })).status).toBe(400);
    expect((await api('PUT', '/crm/associations/2026-03/contacts/companies/labels', { associationTypeId: 1002, label: 'Wrong pair' })).status).toBe(400);
  });

  it('takes a USER_DEFINED type on inline create associations: listed with its label, plus the unlabeled default, both directions', async () => {
    const { typeId, reverseTypeId } = sandbox.defineAssociationLabel(101, 'contacts', 'companies', 'Decision maker');
    const company = sandbox.seedObject(101, 'companies', { name: 'Acme' });
    const created = await client.crm.contacts.basicApi.create({
      properties: { email: 'dm@acme.example' },
      associations: [{ to: { id: company.id }, types: [{ associationCategory: USER_DEFINED as never, associationTypeId: typeId }] }],
    });
    expect(await typesOf('contacts', created.id, 'companies')).toEqual({
      [company.id]: [
        [279, 'HUBSPOT_DEFINED', null],
        [typeId, USER_DEFINED, 'Decision maker'],
      ],
    });
    expect(await typesOf('companies', company.id, 'contacts')).toEqual({
      [created.id]: [
        [280, 'HUBSPOT_DEFINED', null],
        [reverseTypeId, USER_DEFINED, 'Decision maker'],
      ],
    });
    const batch = await client.crm.associations.v4.batchApi.getPage('contacts', 'companies', { inputs: [{ id: created.id }] });
    expect(batch.results[0]?.to[0]?.associationTypes).toEqual([
      { category: 'HUBSPOT_DEFINED', typeId: 279, label: null },
      { category: USER_DEFINED, typeId, label: 'Decision maker' },
    ]);
    const v3 = await client.crm.contacts.basicApi.getById(created.id, undefined, undefined, ['companies']);
    expect(v3.associations?.companies?.results).toEqual([
      { id: company.id, type: 'decision_maker' },
      { id: company.id, type: 'contact_to_company_unlabeled' },
    ]);
    expect(sandbox.getObject(101, 'contacts', created.id)?.associations).toEqual([
      { toType: 'companies', toId: company.id, typeId, category: USER_DEFINED },
      { toType: 'companies', toId: company.id, typeId: 279, category: 'HUBSPOT_DEFINED' },
    ]);
  });

  it('refuses USER_DEFINED ids the portal does not have, or of another object pair, with 400 and stores nothing', async () => {
    const { typeId } = sandbox.defineAssociationLabel(202, 'contacts', 'companies', 'Only in 202');
    const dealLabel = sandbox.defineAssociationLabel(101, 'deals', 'companies', 'Financed by');
    const company = sandbox.seedObject(101, 'companies', { name: 'Acme' });
    const attempt = (associationTypeId: number) =>
      failureOf(
        client.crm.contacts.basicApi.create({
          properties: { email: `x${associationTypeId}@acme.example` },
          associations: [{ to: { id: company.id }, types: [{ associationCategory: USER_DEFINED as never, associationTypeId }] }],
        }),
      );
    const unknown = await attempt(typeId + 100);
    expect(unknown.code).toBe(400);
    expect(unknown.body).toMatchObject({ category: 'VALIDATION_ERROR', message: `association type id ${typeId + 100} of category USER_DEFINED does not exist in portal 101` });
    const otherPortal = await attempt(sandbox.defineAssociationLabel(202, 'contacts', 'deals', 'Pad').typeId);
    expect(otherPortal.code).toBe(400);
    const otherPair = await attempt(dealLabel.typeId);
    expect(otherPair.code).toBe(400);
    expect((otherPair.body as { message: string }).message).toBe('invalid from object type 0-1 for associations to be created. expected: 0-3');
    // A HUBSPOT_DEFINED id sent as USER_DEFINED is no USER_DEFINED type either.
    expect((await attempt(279)).code).toBe(400);
    expect(sandbox.listObjects(101, 'contacts')).toEqual([]);
  });

  it('associates with PUT .../associations/{to}/{toId} using a USER_DEFINED type; refuses unknown ones before storing anything', async () => {
    const { typeId } = sandbox.defineAssociationLabel(101, 'deals', 'contacts', 'Champion');
    const deal = sandbox.seedObject(101, 'deals', { dealname: 'Renewal' });
    const contact = sandbox.seedObject(101, 'contacts', { email: 'champ@acme.example' });
    const labeled = await client.crm.associations.v4.basicApi.create('deals', deal.id, 'contacts', contact.id, [{ associationCategory: USER_DEFINED as never, associationTypeId: typeId }]);
    expect(labeled.labels).toEqual(['Champion']);
    expect(await typesOf('deals', deal.id, 'contacts')).toEqual({ [contact.id]: [[3, 'HUBSPOT_DEFINED', null], [typeId, USER_DEFINED, 'Champion']] });
    expect(sandbox.getObject(101, 'deals', deal.id)?.properties.num_associated_contacts).toBe('1');

    const other = sandbox.seedObject(101, 'contacts', { email: 'other@acme.example' });
    for (const types of [
      [{ associationCategory: USER_DEFINED, associationTypeId: 4242 }],
      [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 }, { associationCategory: USER_DEFINED, associationTypeId: typeId + 1 }],
      [{ associationCategory: 'INTEGRATOR_DEFINED', associationTypeId: typeId }],
    ]) {
      const refused = await api('PUT', `/crm/objects/2026-03/deals/${deal.id}/associations/contacts/${other.id}`, types);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ category: 'VALIDATION_ERROR' });
    }
    expect(await typesOf('deals', deal.id, 'contacts')).toEqual({ [contact.id]: [[3, 'HUBSPOT_DEFINED', null], [typeId, USER_DEFINED, 'Champion']] });
  });

  it('refuses inline associations to records that do not exist (or are archived), as HubSpot does', async () => {
    const { typeId } = sandbox.defineAssociationLabel(101, 'notes', 'contacts', 'About');
    const archived = sandbox.seedObject(101, 'contacts', { email: 'gone@acme.example' });
    await client.crm.contacts.basicApi.archive(archived.id);
    for (const [category, associationTypeId, toId] of [
      ['HUBSPOT_DEFINED', 202, '999999'],
      [USER_DEFINED, typeId, '999999'],
      ['HUBSPOT_DEFINED', 202, archived.id],
    ] as const) {
      const refused = await failureOf(
        client.crm.objects.notes.basicApi.create({
          properties: { hs_note_body: 'x', hs_timestamp: String(T0) },
          associations: [{ to: { id: toId }, types: [{ associationCategory: category as never, associationTypeId }] }],
        }),
      );
      expect(refused.code).toBe(400);
      expect(refused.body).toMatchObject({ category: 'VALIDATION_ERROR', message: 'One or more associations are invalid', context: { INVALID_OBJECT_IDS: [toId], objectType: ['0-1'] } });
    }
    // In a traced batch only that input fails (207, with its trace id); the others are created.
    const contact = sandbox.seedObject(101, 'contacts', { email: 'here@acme.example' });
    const batch = await api('POST', '/crm/objects/2026-03/notes/batch/create', {
      inputs: [
        { properties: { hs_timestamp: String(T0) }, associations: [{ to: { id: contact.id }, types: [{ associationCategory: USER_DEFINED, associationTypeId: typeId }] }], objectWriteTraceId: 'n-ok' },
        { properties: { hs_timestamp: String(T0) }, associations: [{ to: { id: '999999' }, types: [{ associationCategory: USER_DEFINED, associationTypeId: typeId }] }], objectWriteTraceId: 'n-bad' },
      ],
    });
    expect(batch.status).toBe(207);
    expect(batch.body.results).toHaveLength(1);
    expect(batch.body.errors).toEqual([expect.objectContaining({ message: 'One or more associations are invalid', context: { INVALID_OBJECT_IDS: ['999999'], objectType: ['0-1'], objectWriteTraceId: ['n-bad'] } })]);
    expect(sandbox.listObjects(101, 'notes')).toHaveLength(1);
  });
});
