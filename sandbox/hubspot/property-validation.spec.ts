import { HubSpotSandbox } from './hubspot-sandbox';
import { apiCall } from '../test-support/oauth-client.helper';

const BASE = '/crm/properties/2026-03/contacts';

describe('HubSpotSandbox property definitions (create and update)', () => {
  let sandbox: HubSpotSandbox;
  let url: string;

  beforeEach(async () => {
    sandbox = new HubSpotSandbox();
    ({ url } = await sandbox.start());
    sandbox.addPortal({ portalId: 701, accessToken: 'pat-701' });
  });

  afterEach(async () => {
    await sandbox.stop();
  });

  const post = (body: unknown, path = BASE) => apiCall(url, 'pat-701', 'POST', path, body);
  const patch = (name: string, body: unknown) => apiCall(url, 'pat-701', 'PATCH', `${BASE}/${name}`, body);
  const def = (extra: Record<string, unknown>) => ({ name: 'ai_x', label: 'AI x', groupName: 'contactinformation', ...extra });

  it('requires name, label, type, fieldType and groupName, and an existing group', async () => {
    const incomplete = await post({ name: 'ai_x', label: 'X' });
    expect(incomplete.status).toBe(400);
    expect(incomplete.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR', message: expect.stringContaining('type, fieldType, groupName') });
    const noGroup = await post(def({ type: 'string', fieldType: 'text', groupName: 'nope' }));
    expect(noGroup).toMatchObject({ status: 400, body: { message: 'Property group nope does not exist' } });
    expect((await post({ name: 'g1', label: 'G1' }, `${BASE}/groups`)).status).toBe(201);
    expect((await post(def({ type: 'string', fieldType: 'text', groupName: 'g1' }))).status).toBe(201);
  });

  it('refuses type/fieldType pairs HubSpot does not allow', async () => {
    for (const [type, fieldType] of [
      ['number', 'text'],
      ['string', 'number'],
      ['string', 'select'],
      ['bool', 'checkbox'],
      ['date', 'text'],
      ['nope', 'text'],
      ['string', 'nope'],
    ]) {
      expect({ type, fieldType, status: (await post(def({ type, fieldType }))).status }).toEqual({ type, fieldType, status: 400 });
    }
    for (const [i, [type, fieldType]] of [
      ['string', 'text'],
      ['string', 'textarea'],
      ['number', 'number'],
      ['datetime', 'date'],
      ['phone_number', 'phonenumber'],
    ].entries()) {
      expect((await post(def({ name: `ok_${i}`, type, fieldType }))).status).toBe(201);
    }
  });

  it('needs options with label and value for enumerations, and true/false for booleancheckbox', async () => {
    expect((await post(def({ type: 'enumeration', fieldType: 'select' }))).body.message).toContain('at least one option');
    expect((await post(def({ type: 'enumeration', fieldType: 'select', options: [{ value: 'a' }] }))).body.message).toContain('label and value are required');
    expect((await post(def({ type: 'enumeration', fieldType: 'radio', options: [{ label: 'A', value: 'a' }, { label: 'A2', value: 'a' }] }))).status).toBe(400);
    expect((await post(def({ type: 'bool', fieldType: 'booleancheckbox' }))).status).toBe(400);
    expect((await post(def({ type: 'bool', fieldType: 'booleancheckbox', options: [{ label: 'Yes', value: 'yes' }, { label: 'No', value: 'no' }] }))).status).toBe(400);
    expect((await post(def({ type: 'string', fieldType: 'text', options: [{ label: 'A', value: 'a' }] }))).status).toBe(400);
    const persona = await post(def({ name: 'ai_persona', type: 'enumeration', fieldType: 'select', options: [{ label: 'Buyer', value: 'buyer', displayOrder: 0, hidden: false }] }));
    expect(persona.status).toBe(201);
    expect(persona.body.options).toEqual([{ label: 'Buyer', value: 'buyer', displayOrder: 0, hidden: false }]);
    const flag = await post(def({ name: 'ai_flag', type: 'bool', fieldType: 'booleancheckbox', options: [{ label: 'Yes', value: 'true' }, { label: 'No', value: 'false' }] }));
    expect(flag.status).toBe(201);
    expect((await post(def({ name: 'ai_owner', type: 'enumeration', fieldType: 'select', externalOptions: true, referencedObjectType: 'OWNER' }))).status).toBe(201);
  });

  it('answers 409 CONFLICT for a property of the same name', async () => {
    expect((await post(def({ type: 'number', fieldType: 'number' }))).status).toBe(201);
    const dup = await post(def({ type: 'number', fieldType: 'number' }));
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual({ status: 'error', message: "Property named 'ai_x' already exists.", correlationId: expect.any(String), category: 'CONFLICT' });
    expect((await post(def({ name: 'email', type: 'string', fieldType: 'text' }))).status).toBe(409);
  });

  it('updates with PATCH: label, options, group; checks the result; refuses a type change once records hold values', async () => {
    expect((await post(def({ name: 'ai_tier', type: 'enumeration', fieldType: 'select', options: [{ label: 'A', value: 'a' }] }))).status).toBe(201);
    const updated = await patch('ai_tier', { label: 'AI tier', options: [{ label: 'A', value: 'a' }, { label: 'B', value: 'b' }] });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: 'ai_tier', label: 'AI tier', type: 'enumeration', options: [expect.objectContaining({ value: 'a' }), expect.objectContaining({ value: 'b' })] });
    const contact = sandbox.seedObject(701, 'contacts', { email: 'p@example.com' });
    expect((await apiCall(url, 'pat-701', 'PATCH', `/crm/v3/objects/contacts/${contact.id}`, { properties: { ai_tier: 'b' } })).status).toBe(200);
    expect((await patch('ai_tier', { options: [] })).status).toBe(400);
    expect((await patch('ai_tier', { groupName: 'nope' })).status).toBe(400);
    expect((await patch('ai_tier', { type: 'string', fieldType: 'text', options: [] })).body.message).toContain('records have values');
    expect((await patch('ai_tier', { hasUniqueValue: true })).status).toBe(400);

    expect((await post(def({ name: 'ai_note', type: 'string', fieldType: 'text' }))).status).toBe(201);
    expect((await patch('ai_note', { fieldType: 'textarea' })).body).toMatchObject({ fieldType: 'textarea' });
    expect((await patch('ai_note', { type: 'number', fieldType: 'number' })).body).toMatchObject({ type: 'number' });
    expect((await patch('email', { label: 'Mail' })).status).toBe(400);
    expect((await patch('missing_prop', { label: 'x' })).status).toBe(404);
    expect((await apiCall(url, 'pat-701', 'PATCH', '/crm/v3/properties/contacts/ai_note', { label: 'Note' })).body.label).toBe('Note');
  });
});
