import { topicNames, type AppConfig, type EventStore, type Portal, type PortalRepository } from '@app/common';
import { memoryLogger } from '../../../../test/support/logger';
import type { IngestMetrics } from '../metrics/ingest-metrics';
import { signatureV2, signatureV3 } from '../webhooks/hubspot-signature';
import type { PortalCache } from '../webhooks/portal-cache';
import { PortalSecretCache } from '../webhooks/portal-secret-cache';
import { WorkflowWebhookService } from './workflow-webhook.service';

/**
 * A private app's workflow "Send a webhook" actions are signed with that app's own
 * client secret: the workflow route verifies a call with the secret of its URL's
 * portal, its own when it has one (and then only that), the public app's otherwise.
 */
const BASE_URL = 'https://hooks.agency.example';
const NOW = 1_700_000_000_000;
const PUBLIC = 'public-app-secret-0000';
const PRIVATE = 4301; // a private-app portal
const SHARED = 4302; // the public app's portal
const OWN: ReadonlyMap<number, string> = new Map([[PRIVATE, 'secret-of-private-app-4301']]);
const UNAUTHORIZED = { message: 'unauthorized' };

const pathOf = (portalId: number) => `/webhooks/hubspot/workflow/${portalId}?objectType=contacts`;
const bodyOf = (portalId: number, objectId = 501) => JSON.stringify({ vid: objectId, 'portal-id': portalId, properties: { firstname: { value: 'Kim' } } });

function v3(secret: string, portalId: number, body: string, timestamp = NOW) {
  return { 'x-hubspot-signature-v3': signatureV3(secret, 'POST', `${BASE_URL}${pathOf(portalId)}`, body, String(timestamp)), 'x-hubspot-request-timestamp': String(timestamp) };
}
function v2(secret: string, portalId: number, body: string) {
  return { 'x-hubspot-signature': signatureV2(secret, 'POST', `${BASE_URL}${pathOf(portalId)}`, body), 'x-hubspot-signature-version': 'v2' };
}
const request = (portalId: number, body: string, headers: Record<string, string>) => ({ method: 'POST', pathAndQuery: pathOf(portalId), contentType: 'application/json', rawBody: Buffer.from(body), headers });

/** The service with strict doubles: the registry answers secrets (as the real cache keeps them), the portal cache and the event store are counted. */
function setUp(options: { legacy?: string[]; registryDown?: boolean } = {}) {
  const config = { publicBaseUrl: BASE_URL, hubspotClientSecret: PUBLIC, hubspotLegacySignatures: options.legacy ?? [] } as unknown as AppConfig;
  const clientSecret = jest.fn(async (portalId: number) => {
    if (options.registryDown) throw new Error('connection refused');
    return OWN.get(portalId);
  });
  const clientSecrets = jest.fn(async (): Promise<Map<number, string>> => {
    throw new Error('a workflow call names one portal: no batch look-up');
  });
  const clock = () => new Date(NOW);
  const secrets = new PortalSecretCache({ credentials: { clientSecret, clientSecrets } } as unknown as PortalRepository, clock);
  const portal = (portalId: number) => ({ portalId, name: `Portal ${portalId}`, status: 'active', settings: {} }) as unknown as Portal;
  const lookUp = jest.fn(async (ids: number[]) => new Map(ids.map((id) => [id, portal(id)])));
  const append = jest.fn(async () => ({ kind: 'appended' as const }));
  const metrics = { signatures: { inc: jest.fn() }, events: { inc: jest.fn() } };
  const { logger, lines } = memoryLogger();
  const service = new WorkflowWebhookService(
    config,
    { append } as unknown as EventStore,
    { lookUp } as unknown as PortalCache,
    secrets,
    metrics as unknown as IngestMetrics,
    logger,
    topicNames('t'),
    clock,
  );
  return { service, clientSecret, lookUp, append, lines };
}

describe('workflow route signing secret (security)', () => {
  describe('a portal with its own (private-app) secret', () => {
    it('verifies a call signed with that secret and records it', async () => {
      const { service, clientSecret, append } = setUp();
      const body = bodyOf(PRIVATE);
      const response = await service.receive(PRIVATE, request(PRIVATE, body, v3(OWN.get(PRIVATE)!, PRIVATE, body)));
      expect(response).toMatchObject({ status: 200, body: { outcome: 'accepted' } });
      expect(append).toHaveBeenCalledTimes(1);
      expect(append.mock.calls[0]).toMatchObject([{ events: [{ portalId: PRIVATE, data: { authenticatedBy: 'signature-v3' } }] }]);
      expect(clientSecret.mock.calls).toEqual([[PRIVATE]]);
    });

    it("refuses a call signed with the public app's secret: 401, the uniform answer, no portal lookup, nothing recorded", async () => {
      const { service, lookUp, append } = setUp();
      const body = bodyOf(PRIVATE);
      const response = await service.receive(PRIVATE, request(PRIVATE, body, v3(PUBLIC, PRIVATE, body)));
      expect(response).toMatchObject({ status: 401, body: UNAUTHORIZED, authFailure: expect.stringContaining(`portal ${PRIVATE}'s private-app secret`) });
      expect(lookUp).not.toHaveBeenCalled();
      expect(append).not.toHaveBeenCalled();
    });

    it('refuses, signed with its own secret, a body naming another portal (403, as for the public app)', async () => {
      const { service, append } = setUp();
      const body = bodyOf(SHARED);
      expect(await service.receive(PRIVATE, request(PRIVATE, body, v3(OWN.get(PRIVATE)!, PRIVATE, body)))).toEqual({ status: 403, body: { message: 'forbidden' } });
      expect(append).not.toHaveBeenCalled();
    });

    it('uses its own secret for a legacy v2 signature too, when HUBSPOT_LEGACY_SIGNATURES allows workflow-v2', async () => {
      const { service, append } = setUp({ legacy: ['workflow-v2'] });
      const body = bodyOf(PRIVATE, 502);
      expect(await service.receive(PRIVATE, request(PRIVATE, body, v2(PUBLIC, PRIVATE, body)))).toMatchObject({ status: 401, body: UNAUTHORIZED });
      expect(await service.receive(PRIVATE, request(PRIVATE, body, v2(OWN.get(PRIVATE)!, PRIVATE, body)))).toMatchObject({ status: 200, body: { outcome: 'accepted' } });
      expect(append.mock.calls[0]).toMatchObject([{ events: [{ data: { authenticatedBy: 'signature-v2' } }] }]);
    });
  });

  describe('a portal without a secret of its own', () => {
    it("verifies a call signed with the public app's secret", async () => {
      const { service, clientSecret } = setUp();
      const body = bodyOf(SHARED);
      expect(await service.receive(SHARED, request(SHARED, body, v3(PUBLIC, SHARED, body)))).toMatchObject({ status: 200, body: { outcome: 'accepted' } });
      expect(clientSecret.mock.calls).toEqual([[SHARED]]);
    });

    it("refuses a private app's secret: the URL's portal picks the secret, not the signer", async () => {
      const { service, append } = setUp();
      const body = bodyOf(SHARED);
      expect(await service.receive(SHARED, request(SHARED, body, v3(OWN.get(PRIVATE)!, SHARED, body)))).toMatchObject({ status: 401, body: UNAUTHORIZED });
      expect(append).not.toHaveBeenCalled();
    });
  });

  it('refuses missing, stale and downgraded signatures before any look-up', async () => {
    const { service, clientSecret, lookUp } = setUp();
    const body = bodyOf(PRIVATE);
    const own = OWN.get(PRIVATE)!;
    for (const headers of [{}, v3(own, PRIVATE, body, NOW - 6 * 60_000), v2(own, PRIVATE, body), { ...v2(own, PRIVATE, body), 'x-hubspot-request-timestamp': String(NOW) }]) {
      expect(await service.receive(PRIVATE, request(PRIVATE, body, headers))).toMatchObject({ status: 401, body: UNAUTHORIZED });
    }
    expect(clientSecret).not.toHaveBeenCalled();
    expect(lookUp).not.toHaveBeenCalled();
  });

  it('looks a portal\'s secret up once for a burst of calls (cached, found or not)', async () => {
    const { service, clientSecret } = setUp();
    const body = bodyOf(PRIVATE);
    await Promise.all(Array.from({ length: 20 }, (_, i) => service.receive(PRIVATE, request(PRIVATE, body, v3(i % 2 ? PUBLIC : `forged-${i}`, PRIVATE, body)))));
    await Promise.all(Array.from({ length: 20 }, () => service.receive(SHARED, request(SHARED, body, v3('forged', SHARED, body)))));
    expect(clientSecret.mock.calls).toEqual([[PRIVATE], [SHARED]]);
  });

  describe('when the registry cannot say whether the portal has its own secret', () => {
    it("asks HubSpot to retry (503) a call the public app's secret signed, and never accepts it", async () => {
      const { service, lookUp, append, lines } = setUp({ registryDown: true });
      const body = bodyOf(SHARED);
      expect(await service.receive(SHARED, request(SHARED, body, v3(PUBLIC, SHARED, body)))).toEqual({ status: 503, body: { message: 'portal registry unavailable; retry later' } });
      expect(lookUp).not.toHaveBeenCalled();
      expect(append).not.toHaveBeenCalled();
      expect(lines.some((l) => l.includes('portal secret lookup failed'))).toBe(true);
    });

    it("refuses (401) a call the public app's secret did not sign, so the edge still counts it", async () => {
      const { service, append } = setUp({ registryDown: true });
      const body = bodyOf(PRIVATE);
      expect(await service.receive(PRIVATE, request(PRIVATE, body, v3(OWN.get(PRIVATE)!, PRIVATE, body)))).toMatchObject({ status: 401, body: UNAUTHORIZED, authFailure: expect.stringContaining('could not be read') });
      expect(append).not.toHaveBeenCalled();
    });
  });

  it('never logs a client secret', async () => {
    const { service, lines } = setUp({ registryDown: true });
    const body = bodyOf(PRIVATE);
    await service.receive(PRIVATE, request(PRIVATE, body, v3(PUBLIC, PRIVATE, body)));
    await service.receive(PRIVATE, request(PRIVATE, body, v3(OWN.get(PRIVATE)!, PRIVATE, body)));
    for (const line of lines) for (const secret of [PUBLIC, OWN.get(PRIVATE)!]) expect(line).not.toContain(secret);
  });
});
