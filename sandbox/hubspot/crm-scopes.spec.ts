import { HubSpotSandbox } from './hubspot-sandbox';
import { apiCall, installAndExchange } from '../test-support/oauth-client.helper';
import { requiredScopes } from './crm-scopes';
import { canonicalSegments, pathSegments } from './crm-router';

const MISSING = (scope: string) => ({ category: 'MISSING_SCOPES', errors: [{ message: expect.any(String), context: { requiredGranularScopes: expect.arrayContaining([scope]) } }] });

describe('HubSpotSandbox scopes on the CRM endpoints', () => {
  let sandbox: HubSpotSandbox;
  let url: string;

  beforeEach(async () => {
    sandbox = new HubSpotSandbox();
    ({ url } = await sandbox.start());
    sandbox.addPortal({ portalId: 601, accessToken: 'read-only', scopes: ['crm.objects.contacts.read', 'crm.objects.companies.read'] });
    sandbox.addPortal({ portalId: 602, accessToken: 'everything' });
  });

  afterEach(async () => {
    await sandbox.stop();
  });

  it('needs the read scope to read and search, the write scope to write (403 in the owners endpoints’ shape)', async () => {
    const contact = sandbox.seedObject(601, 'contacts', { email: 'a@example.com' });
    expect((await apiCall(url, 'read-only', 'GET', `/crm/v3/objects/contacts/${contact.id}`)).status).toBe(200);
    expect((await apiCall(url, 'read-only', 'POST', '/crm/objects/2026-03/contacts/search', { filterGroups: [] })).status).toBe(200);
    expect((await apiCall(url, 'read-only', 'POST', '/crm/v3/objects/contacts/batch/read', { inputs: [{ id: contact.id }] })).status).toBe(200);
    const write = await apiCall(url, 'read-only', 'PATCH', `/crm/v3/objects/contacts/${contact.id}`, { properties: { firstname: 'X' } });
    expect(write.status).toBe(403);
    expect(write.body).toMatchObject({ status: 'error', ...MISSING('crm.objects.contacts.write'), links: { scopes: expect.any(String) } });
    expect((await apiCall(url, 'read-only', 'POST', '/crm/v3/objects/contacts/batch/create', { inputs: [] })).status).toBe(403);
    expect((await apiCall(url, 'read-only', 'GET', '/crm/v3/objects/deals')).body).toMatchObject(MISSING('crm.objects.deals.read'));
    expect((await apiCall(url, 'read-only', 'GET', '/crm/v3/objects/tickets')).body).toMatchObject(MISSING('tickets'));
    expect((await apiCall(url, 'read-only', 'GET', '/crm/v3/objects/notes')).status).toBe(200);
    expect((await apiCall(url, 'read-only', 'POST', '/crm/v3/objects/notes', { properties: {} })).body).toMatchObject(MISSING('crm.objects.contacts.write'));
    expect(sandbox.getObject(601, 'contacts', contact.id)?.properties.firstname).toBeUndefined();
  });

  it('checks property reads and writes, and both types of an association', async () => {
    const contact = sandbox.seedObject(601, 'contacts', { email: 'b@example.com' });
    const company = sandbox.seedObject(601, 'companies', { name: 'Acme' });
    expect((await apiCall(url, 'read-only', 'GET', '/crm/properties/2026-03/contacts')).status).toBe(200);
    expect((await apiCall(url, 'read-only', 'GET', '/crm/v3/properties/deals')).body).toMatchObject(MISSING('crm.schemas.deals.read'));
    const create = await apiCall(url, 'read-only', 'POST', '/crm/properties/2026-03/contacts', { name: 'x', label: 'X', type: 'string', fieldType: 'text', groupName: 'contactinformation' });
    expect(create.body).toMatchObject(MISSING('crm.schemas.contacts.write'));
    expect((await apiCall(url, 'read-only', 'POST', '/crm/properties/2026-03/contacts/groups', { name: 'g', label: 'G' })).status).toBe(403);
    expect((await apiCall(url, 'read-only', 'GET', `/crm/v4/objects/contacts/${contact.id}/associations/companies`)).status).toBe(200);
    expect((await apiCall(url, 'read-only', 'GET', `/crm/v4/objects/contacts/${contact.id}/associations/deals`)).body).toMatchObject(MISSING('crm.objects.deals.read'));
    expect((await apiCall(url, 'read-only', 'PUT', `/crm/objects/2026-03/contacts/${contact.id}/associations/default/companies/${company.id}`)).body).toMatchObject(
      MISSING('crm.objects.contacts.write'),
    );
    const [c2, co2] = [sandbox.seedObject(602, 'contacts', { email: 'c2@example.com' }), sandbox.seedObject(602, 'companies', { name: 'Globex' })];
    expect((await apiCall(url, 'everything', 'PUT', `/crm/objects/2026-03/contacts/${c2.id}/associations/default/companies/${co2.id}`)).status).toBe(200);
  });

  it('keeps every scope for a portal added without scopes, and applies an OAuth token’s granted scopes', async () => {
    expect((await apiCall(url, 'everything', 'POST', '/crm/v3/objects/tickets', { properties: { subject: 'Hi', hs_pipeline_stage: '1' } })).status).toBe(201);
    sandbox.configureApp({ appId: 1600, clientId: 'client-1600', clientSecret: 's' });
    sandbox.setInstallTarget({ portalId: 602, grantScopes: ['crm.objects.contacts.read'] });
    const tokens = (await installAndExchange(url, { clientId: 'client-1600', clientSecret: 's', redirectUri: 'https://platform.example/cb', scope: 'crm.objects.contacts.read crm.objects.contacts.write', portalId: 602 })).body;
    expect((await apiCall(url, tokens.access_token, 'GET', '/crm/v3/objects/contacts')).status).toBe(200);
    expect((await apiCall(url, tokens.access_token, 'POST', '/crm/v3/objects/contacts', { properties: { email: 'c@example.com' } })).body).toMatchObject(MISSING('crm.objects.contacts.write'));
    expect((await apiCall(url, tokens.access_token, 'GET', '/crm/v3/owners')).status).toBe(403);
  });

  it('maps paths to requirements (lists of alternatives, all needed)', () => {
    const req = (method: string, path: string) => requiredScopes(method, canonicalSegments(pathSegments(path)));
    expect(req('GET', '/crm/objects/2026-03/0-3/1')).toEqual([['crm.objects.deals.read']]);
    expect(req('POST', '/crm/objects/2026-03/emails/batch/upsert')).toEqual([['crm.objects.contacts.write', 'sales-email-read']]);
    expect(req('POST', '/crm/associations/2026-03/notes/deals/batch/associate/default')).toEqual([['crm.objects.contacts.write'], ['crm.objects.deals.write']]);
    expect(req('PATCH', '/crm/properties/2026-03/tickets/x')).toEqual([['crm.schemas.tickets.write', 'tickets']]);
    expect(req('GET', '/crm/v3/owners')).toBeUndefined();
  });
});
