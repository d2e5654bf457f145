import { parseWorkflowPayload } from './workflow-payload.parser';

/** Issue 14 item 3, the pure part: which portal a workflow body names (the tenant rule compares it with the URL's). */
describe('the portal a workflow body names (security)', () => {
  it("reads origin.portalId and the enrolled object of a custom workflow action", () => {
    expect(parseWorkflowPayload({ callbackId: 'ap-1', origin: { portalId: 4202, actionDefinitionId: 9 }, object: { objectId: 7022, objectType: 'CONTACT' }, inputFields: {} }, undefined)).toEqual({
      ok: true, objectType: 'contacts', objectId: '7022', properties: {}, bodyPortalId: 4202,
    });
    expect(parseWorkflowPayload({ origin: { portalId: 4202 }, object: { objectId: '55', objectType: 'DEAL' } }, undefined)).toMatchObject({ ok: true, objectType: 'deals', objectId: '55' });
  });

  it('reads portalId and portal-id of the enrolled record; null when the body names no portal', () => {
    expect(parseWorkflowPayload({ vid: 1, 'portal-id': 4201, properties: {} }, undefined)).toMatchObject({ ok: true, bodyPortalId: 4201 });
    expect(parseWorkflowPayload({ dealId: 1, portalId: 4201, properties: {} }, undefined)).toMatchObject({ ok: true, bodyPortalId: 4201 });
    expect(parseWorkflowPayload({ id: '1', properties: {} }, 'contacts')).toMatchObject({ ok: true, bodyPortalId: null });
  });

  it('refuses a body whose portal fields disagree or are not portal ids', () => {
    expect(parseWorkflowPayload({ origin: { portalId: 4202 }, portalId: 4201, id: '1' }, 'contacts')).toMatchObject({ ok: false, reason: expect.stringContaining('more than one portal') });
    expect(parseWorkflowPayload({ vid: 1, 'portal-id': 4201, portalId: 4202 }, undefined)).toMatchObject({ ok: false });
    for (const portalId of ['4202', 0, -1, 2 ** 53, 1.5, null, {}, [4202]]) {
      expect(parseWorkflowPayload({ id: '1', portalId }, 'contacts')).toMatchObject({ ok: false, reason: expect.stringContaining('positive integers') });
    }
  });

  it('takes no portal or record id from the prototype, and no record id beyond 2^53', () => {
    const body = JSON.parse('{"id":"1","__proto__":{"portalId":4202}}') as unknown;
    expect(parseWorkflowPayload(body, 'contacts')).toMatchObject({ ok: true, bodyPortalId: null });
    expect(parseWorkflowPayload({ id: '99999999999999999999' }, 'contacts')).toMatchObject({ ok: false, reason: expect.stringContaining('no record id') });
    expect(parseWorkflowPayload({ id: '0' }, 'contacts')).toMatchObject({ ok: false });
  });
});
