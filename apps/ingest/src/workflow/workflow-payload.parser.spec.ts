import { parseWorkflowPayload } from './workflow-payload.parser';

describe('parseWorkflowPayload', () => {
  it('reads a legacy contact record (vid, portal-id, {value} properties)', () => {
    expect(parseWorkflowPayload({ vid: 501, 'portal-id': 62515, properties: { email: { value: 'a@b.io', versions: [] }, firstname: { value: 'Ann' } } }, undefined)).toEqual({
      ok: true, objectType: 'contacts', objectId: '501', properties: { email: 'a@b.io', firstname: 'Ann' }, bodyPortalId: 62515,
    });
  });

  it('reads a deal record and a CRM v3 record with a type hint', () => {
    expect(parseWorkflowPayload({ dealId: 9, portalId: 1, properties: { amount: { value: '100' } } }, undefined)).toMatchObject({ ok: true, objectType: 'deals', objectId: '9' });
    expect(parseWorkflowPayload({ id: '77', properties: { subject: 'Broken', hs_object_id: '77' } }, 'tickets')).toMatchObject({ ok: true, objectType: 'tickets', objectId: '77', properties: { subject: 'Broken' } });
    expect(parseWorkflowPayload({ properties: { hs_object_id: '5' } }, 'companies')).toMatchObject({ ok: true, objectId: '5' });
  });

  it('says what is wrong with a body it cannot use', () => {
    expect(parseWorkflowPayload([], undefined)).toEqual({ ok: false, reason: 'body must be a JSON object (the enrolled record)' });
    expect(parseWorkflowPayload({ properties: {} }, 'contacts')).toMatchObject({ ok: false, reason: expect.stringContaining('no record id') });
    expect(parseWorkflowPayload({ id: 5 }, undefined)).toMatchObject({ ok: false, reason: expect.stringContaining('?objectType=') });
    expect(parseWorkflowPayload({ id: 5 }, 'planets')).toMatchObject({ ok: false, reason: expect.stringContaining('objectType must be one of') });
    expect(parseWorkflowPayload({ id: 5, properties: 'x' }, 'contacts')).toEqual({ ok: false, reason: 'properties must be an object' });
  });
});
