import { HubSpotSandbox } from '../../../../sandbox/hubspot';
import { HubSpotClientFactory } from './hubspot-client.factory';

describe('HubSpotClientFactory against the HubSpot sandbox', () => {
  const sandbox = new HubSpotSandbox();
  let factory: HubSpotClientFactory;

  beforeAll(async () => {
    const { url } = await sandbox.start();
    factory = new HubSpotClientFactory(url + '/');
    sandbox.addPortal({ portalId: 101, accessToken: 'token-portal-101' });
    sandbox.addPortal({ portalId: 202, accessToken: 'token-portal-202' });
    for (let i = 0; i < 10; i++) {
      sandbox.seedObject(101, 'contacts', { email: `a${i}@one.io` }, String(1000 + i));
      sandbox.seedObject(202, 'contacts', { email: `b${i}@two.io` }, String(2000 + i));
    }
  });
  afterAll(() => sandbox.stop());

  it('gives each portal its own token, even with calls for two portals interleaved', async () => {
    // The SDK keeps retry/limiter settings in a process-wide singleton replaced by
    // every new Client(); the token must not leak across clients the same way.
    const calls = [];
    for (let i = 0; i < 10; i++) {
      calls.push(factory.forToken('token-portal-101').crm.contacts.basicApi.getById(String(1000 + i), ['email']));
      calls.push(factory.forToken('token-portal-202').crm.contacts.basicApi.getById(String(2000 + i), ['email']));
    }
    const results = await Promise.all(calls);
    expect(results.map((r) => r.properties.email)).toEqual(Array.from({ length: 10 }, (_, i) => [`a${i}@one.io`, `b${i}@two.io`]).flat());

    const seen = sandbox.requests().filter((r) => r.path.startsWith('/crm/v3/objects/contacts/'));
    expect(seen).toHaveLength(20);
    for (const request of seen) {
      const portal = request.path.includes('/contacts/1') ? 101 : 202;
      expect(request.token).toBe(`token-portal-${portal}`);
      expect(request.portalId).toBe(portal);
    }
  });

  it('reuses one client per token and strips a trailing slash from the base URL', () => {
    expect(factory.forToken('token-portal-101')).toBe(factory.forToken('token-portal-101'));
    expect(sandbox.requests().every((r) => !r.path.startsWith('//'))).toBe(true);
  });
});
