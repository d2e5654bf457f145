import { createHash, createHmac } from 'crypto';
import { HubSpotSandbox } from '../hubspot-sandbox';
import { WebhookReceiver, type ReceivedWebhook } from '../../test-support/webhook-receiver.helper';
import { installAndExchange } from '../../test-support/oauth-client.helper';
import type { WebhookEvent } from '../hubspot.types';

/** HubSpot's documented v3 recipe, written independently of the signer. */
function v3(secret: string, uri: string, r: ReceivedWebhook): string {
  return createHmac('sha256', secret).update(`POST${uri}${r.body}${String(r.headers['x-hubspot-request-timestamp'])}`, 'utf8').digest('base64');
}
const v1 = (secret: string, r: ReceivedWebhook): string => createHash('sha256').update(secret + r.body).digest('hex');
const events = (r: ReceivedWebhook): WebhookEvent[] => JSON.parse(r.body) as WebhookEvent[];

describe('HubSpotSandbox apps: per-app secrets, installs and webhooks', () => {
  let sandbox: HubSpotSandbox;
  let receiver: WebhookReceiver;
  let base: string;
  let url: string;

  beforeEach(async () => {
    receiver = new WebhookReceiver();
    base = await receiver.start();
    sandbox = new HubSpotSandbox({ webhookRetry: { delayMs: () => 10, timeoutMs: 300, batchWindowMs: 30, maxRetries: 1 } });
    ({ url } = await sandbox.start());
  });

  afterEach(async () => {
    await sandbox.stop();
    await receiver.stop();
  });

  it('signs each private app’s webhooks with its own secret and sends it only its own portal’s events', async () => {
    sandbox.addPortal({ portalId: 401, accessToken: 'pat-401' });
    sandbox.addPortal({ portalId: 402, accessToken: 'pat-402' });
    const hookA = `${base}/hooks/a`;
    const hookB = `${base}/hooks/b`;
    sandbox.configureApp({ appId: 1401, clientSecret: 'secret-a', privatePortalId: 401, webhookTargetUrl: hookA, subscriptions: ['contact.creation'] });
    sandbox.configureApp({ appId: 1402, clientSecret: 'secret-b', privatePortalId: 402, webhookTargetUrl: hookB, subscriptions: ['contact.creation'] });
    expect(sandbox.portals().map((p) => [p.portalId, p.appId])).toEqual([
      [401, 1401],
      [402, 1402],
    ]);
    sandbox.seedObject(401, 'contacts', { email: 'a@example.com' }, { fireWebhooks: true });
    sandbox.seedObject(402, 'contacts', { email: 'b@example.com' }, { fireWebhooks: true });
    await sandbox.waitForWebhooks();

    const toA = receiver.received.filter((r) => r.path === '/hooks/a');
    const toB = receiver.received.filter((r) => r.path === '/hooks/b');
    expect(toA.flatMap(events).map((e) => [e.portalId, e.appId])).toEqual([[401, 1401]]);
    expect(toB.flatMap(events).map((e) => [e.portalId, e.appId])).toEqual([[402, 1402]]);
    for (const [request, own, other, uri] of [
      [toA[0], 'secret-a', 'secret-b', hookA],
      [toB[0], 'secret-b', 'secret-a', hookB],
    ] as const) {
      if (!request) throw new Error('missing webhook');
      expect(request.headers['x-hubspot-signature-v3']).toBe(v3(own, uri, request));
      expect(request.headers['x-hubspot-signature-v3']).not.toBe(v3(other, uri, request));
      expect(request.headers['x-hubspot-signature']).toBe(v1(own, request));
      expect(request.headers['x-hubspot-signature']).not.toBe(v1(other, request));
    }
    expect(() => sandbox.sendWebhook([{ portalId: 402, objectId: 1 }], { appId: 1401 })).toThrow(/private app of portal 401/);
    expect(sandbox.sendWebhook([{ objectId: 2 }], { appId: 1401 })[0]?.portalId).toBe(401);
  });

  it('sends a public app the events of the portals that installed it through OAuth (batched together), until uninstalled', async () => {
    const hook = `${base}/hooks/public`;
    sandbox.addPortal({ portalId: 411, accessToken: 'pat-411' });
    sandbox.addPortal({ portalId: 412, accessToken: 'pat-412' });
    sandbox.addPortal({ portalId: 413, accessToken: 'pat-413' });
    sandbox.configureApp({ appId: 1410, clientId: 'client-pub', clientSecret: 'secret-pub', webhookTargetUrl: hook, subscriptions: ['contact.creation'] });
    for (const portalId of [411, 412]) {
      const installed = await installAndExchange(url, { clientId: 'client-pub', clientSecret: 'secret-pub', redirectUri: 'https://platform.example/cb', scope: 'crm.objects.contacts.read', portalId });
      expect(installed.status).toBe(200);
    }
    for (const portalId of [411, 412, 413]) sandbox.seedObject(portalId, 'contacts', { email: `x@p${portalId}.example` }, { fireWebhooks: true });
    await sandbox.waitForWebhooks();
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    if (!request) throw new Error('no webhook');
    expect(events(request).map((e) => e.portalId)).toEqual([411, 412]);
    expect(request.headers['x-hubspot-signature-v3']).toBe(v3('secret-pub', hook, request));

    sandbox.uninstall(411, 1410);
    for (const portalId of [411, 412]) sandbox.seedObject(portalId, 'contacts', { email: `y@p${portalId}.example` }, { fireWebhooks: true });
    await sandbox.waitForWebhooks();
    expect(receiver.received.slice(1).flatMap(events).map((e) => e.portalId)).toEqual([412]);
  });

  it('stops a private app’s webhooks when it is uninstalled from its portal', async () => {
    sandbox.addPortal({ portalId: 421, accessToken: 'pat-421' });
    sandbox.configureApp({ appId: 1421, clientSecret: 's', privatePortalId: 421, webhookTargetUrl: `${base}/hooks/p`, subscriptions: ['contact.creation'] });
    sandbox.uninstall(421);
    sandbox.seedObject(421, 'contacts', { email: 'z@example.com' }, { fireWebhooks: true });
    await sandbox.waitForWebhooks();
    expect(receiver.received).toHaveLength(0);
  });

  it('keeps a legacy app (configured without OAuth fields) receiving the events of the portals naming it', async () => {
    sandbox.addPortal({ portalId: 431, accessToken: 'pat-431', appId: 1431 });
    sandbox.addPortal({ portalId: 432, accessToken: 'pat-432', appId: 9999 });
    sandbox.configureApp({ appId: 1431, clientSecret: 's', webhookTargetUrl: `${base}/hooks/legacy`, subscriptions: ['contact.creation'] });
    sandbox.addPortal({ portalId: 433, accessToken: 'pat-433' });
    expect(sandbox.portals().find((p) => p.portalId === 433)?.appId).toBe(1431);
    for (const portalId of [431, 432, 433]) sandbox.seedObject(portalId, 'contacts', { email: `l@p${portalId}.example` }, { fireWebhooks: true });
    await sandbox.waitForWebhooks();
    expect(receiver.received.flatMap(events).map((e) => e.portalId).sort()).toEqual([431, 433]);
  });

  it('sends an OAuth app nothing from portals that did not install it, even when they have no app', async () => {
    sandbox.addPortal({ portalId: 441, accessToken: 'pat-441' });
    sandbox.configureApp({ appId: 1441, clientId: 'client-441', clientSecret: 's', webhookTargetUrl: `${base}/hooks/o`, subscriptions: ['contact.creation'] });
    expect(sandbox.portals()[0]?.appId).toBeNull();
    sandbox.seedObject(441, 'contacts', { email: 'n@example.com' }, { fireWebhooks: true });
    await sandbox.waitForWebhooks();
    expect(receiver.received).toHaveLength(0);
  });
});
