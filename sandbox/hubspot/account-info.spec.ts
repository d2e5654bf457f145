import { HubSpotSandbox } from './hubspot-sandbox';
import { apiCall, installAndExchange } from '../test-support/oauth-client.helper';

const T0 = Date.UTC(2026, 11, 6, 15, 30, 0); // winter: US/Eastern is UTC-05:00

describe('HubSpotSandbox account info and token info', () => {
  let clock = T0;
  let sandbox: HubSpotSandbox;
  let url: string;

  beforeEach(async () => {
    clock = T0;
    sandbox = new HubSpotSandbox({ now: () => clock });
    ({ url } = await sandbox.start());
    sandbox.addPortal({ portalId: 501, accessToken: 'pat-501', tier: 'professional', scopes: ['crm.objects.contacts.read'], appId: 1501 });
    sandbox.addPortal({ portalId: 502, accessToken: 'pat-502', timeZone: 'Europe/Berlin', currency: 'EUR', dataHostingLocation: 'eu1', accountType: 'SANDBOX' });
    sandbox.configureApp({ appId: 1500, clientId: 'client-1500', clientSecret: 'secret-1500' });
  });

  afterEach(async () => {
    await sandbox.stop();
  });

  const install = (portalId: number, scope: string) =>
    installAndExchange(url, { clientId: 'client-1500', clientSecret: 'secret-1500', redirectUri: 'https://platform.example/cb', scope, portalId });

  it('GET /account-info/2026-03/details (and v3) answers PortalInformationResponse', async () => {
    const details = await apiCall(url, 'pat-501', 'GET', '/account-info/2026-03/details');
    expect(details.status).toBe(200);
    expect(details.body).toEqual({
      portalId: 501,
      accountType: 'STANDARD',
      timeZone: 'US/Eastern',
      companyCurrency: 'USD',
      additionalCurrencies: [],
      utcOffset: '-05:00',
      utcOffsetMilliseconds: -18_000_000,
      uiDomain: 'app.hubspot.com',
      dataHostingLocation: 'na1',
    });
    expect((await apiCall(url, 'pat-502', 'GET', '/account-info/v3/details')).body).toEqual({
      portalId: 502,
      accountType: 'SANDBOX',
      timeZone: 'Europe/Berlin',
      companyCurrency: 'EUR',
      additionalCurrencies: [],
      utcOffset: '+01:00',
      utcOffsetMilliseconds: 3_600_000,
      uiDomain: 'app-eu1.hubspot.com',
      dataHostingLocation: 'eu1',
    });
    expect(() => sandbox.addPortal({ portalId: 503, accessToken: 'pat-503', timeZone: 'Mars/Olympus' })).toThrow();
  });

  it('needs the oauth scope from OAuth tokens (403 MISSING_SCOPES), which HubSpot grants every OAuth install', async () => {
    const granted = (await install(502, 'crm.objects.contacts.read')).body;
    expect(granted.scopes).toContain('oauth');
    expect((await apiCall(url, granted.access_token, 'GET', '/account-info/2026-03/details')).body).toMatchObject({ portalId: 502 });

    sandbox.setInstallTarget({ portalId: 501, grantScopes: ['crm.objects.contacts.read'] });
    const withoutOauth = (await install(501, 'crm.objects.contacts.read')).body;
    expect(withoutOauth.scopes).toEqual(['crm.objects.contacts.read']);
    const refused = await apiCall(url, withoutOauth.access_token, 'GET', '/account-info/2026-03/details');
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ category: 'MISSING_SCOPES', errors: [{ context: { requiredGranularScopes: ['oauth'] } }] });
    expect((await apiCall(url, withoutOauth.access_token, 'DELETE', '/appinstalls/2026-03/external-install')).status).toBe(403);
  });

  it('GET /account-info/2026-03/api-usage/daily/private-apps reports the portal’s daily private-app calls and limit', async () => {
    await apiCall(url, 'pat-501', 'GET', '/crm/v3/objects/contacts');
    await apiCall(url, 'pat-501', 'GET', '/crm/v3/objects/contacts');
    const usage = await apiCall(url, 'pat-501', 'GET', '/account-info/2026-03/api-usage/daily/private-apps');
    expect(usage.status).toBe(200);
    expect(usage.body).toEqual({
      results: [
        {
          name: 'private-apps-api-calls-daily',
          usageLimit: 625_000,
          currentUsage: 3,
          collectedAt: '2026-12-06T15:30:00Z',
          fetchStatus: 'SUCCESS',
          resetsAt: '2026-12-07T00:00:00Z',
        },
      ],
    });
  });

  it('POST /oauth/v2/private-apps/get/access-token-info describes a static token; other tokens are 401', async () => {
    const info = await fetch(`${url}/oauth/v2/private-apps/get/access-token-info`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tokenKey: 'pat-501' }) });
    expect(info.status).toBe(200);
    expect(await info.json()).toEqual({ userId: expect.any(Number), hubId: 501, appId: 1501, scopes: ['crm.objects.contacts.read'] });
    const allScopes = (await (await fetch(`${url}/oauth/v2/private-apps/get/access-token-info`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tokenKey: 'pat-502' }) })).json()) as { scopes: string[] };
    expect(allScopes.scopes).toEqual(expect.arrayContaining(['crm.objects.contacts.write', 'tickets', 'crm.schemas.deals.write']));
    const oauthToken = (await install(502, 'crm.objects.contacts.read')).body.access_token as string;
    for (const tokenKey of ['nope', oauthToken]) {
      const refused = await fetch(`${url}/oauth/v2/private-apps/get/access-token-info`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tokenKey }) });
      expect(refused.status).toBe(401);
    }
  });
});
