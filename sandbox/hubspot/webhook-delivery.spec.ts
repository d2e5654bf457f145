import { createHash, createHmac } from 'crypto';
import { Client } from '@hubspot/api-client';
import { HubSpotSandbox } from './hubspot-sandbox';
import { WebhookReceiver } from '../test-support/webhook-receiver.helper';
import type { WebhookEvent } from './hubspot.types';

const SECRET = 'client-secret-for-tests';
const APP_ID = 555001;

/** Verification written independently of the signer under test: HubSpot's documented v3 recipe. */
function expectedV3(method: string, uri: string, body: string, timestamp: string): string {
  const decoded = uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => decodeURIComponent(m));
  return createHmac('sha256', SECRET).update(`${method}${decoded}${body}${timestamp}`, 'utf8').digest('base64');
}

describe('HubSpotSandbox webhooks', () => {
  let sandbox: HubSpotSandbox;
  let receiver: WebhookReceiver;
  let target: string;
  let client: Client;

  beforeEach(async () => {
    receiver = new WebhookReceiver();
    target = `${await receiver.start()}/hooks/hubspot`;
    sandbox = new HubSpotSandbox({ webhookRetry: { delayMs: () => 20, timeoutMs: 300, batchWindowMs: 5, maxRetries: 3 } });
    const { url } = await sandbox.start();
    sandbox.addPortal({ portalId: 62515, accessToken: 'pat-62515', appId: APP_ID });
    client = new Client({ accessToken: 'pat-62515', basePath: url });
  });

  afterEach(async () => {
    await sandbox.stop();
    await receiver.stop();
  });

  const configure = (subscriptions: string[], url = target): void =>
    sandbox.configureApp({ appId: APP_ID, clientSecret: SECRET, webhookTargetUrl: url, subscriptions });

  it('posts a signed contact.creation event when a contact is created through the API', async () => {
    configure(['contact.creation']);
    const before = Date.now();
    const created = await client.crm.contacts.basicApi.create({ properties: { email: 'hook@example.com' }, associations: [] });
    await receiver.waitFor(1);
    await sandbox.waitForWebhooks();

    const [request] = receiver.received;
    if (!request) throw new Error('no webhook received');
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/hooks/hubspot');
    expect(request.headers['content-type']).toBe('application/json');
    const timestamp = String(request.headers['x-hubspot-request-timestamp']);
    expect(Number(timestamp)).toBeGreaterThanOrEqual(before);
    expect(request.headers['x-hubspot-signature-v3']).toBe(expectedV3('POST', target, request.body, timestamp));
    expect(request.headers['x-hubspot-signature-version']).toBe('v1');
    expect(request.headers['x-hubspot-signature']).toBe(createHash('sha256').update(SECRET + request.body).digest('hex'));

    const events = JSON.parse(request.body) as WebhookEvent[];
    expect(events).toEqual([
      {
        eventId: expect.any(Number),
        subscriptionId: expect.any(Number),
        portalId: 62515,
        appId: APP_ID,
        occurredAt: expect.any(Number),
        subscriptionType: 'contact.creation',
        attemptNumber: 0,
        objectId: Number(created.id),
        changeSource: 'INTEGRATION',
        sourceId: String(APP_ID),
        changeFlag: 'NEW',
      },
    ]);
    expect(sandbox.webhookDeliveries()).toEqual([expect.objectContaining({ status: 200, ok: true, attemptNumber: 0, portalIds: [62515] })]);
  });

  it('emits propertyChange events (with property name and value) for subscribed changes only', async () => {
    configure(['contact.propertyChange:lifecyclestage', 'deal.creation']);
    const contact = sandbox.seedObject(62515, 'contacts', { email: 'pc@example.com' });
    await client.crm.contacts.basicApi.update(contact.id, { properties: { lifecyclestage: 'lead', firstname: 'Ignored' } });
    await client.crm.contacts.basicApi.update(contact.id, { properties: { lifecyclestage: 'lead' } }); // unchanged: no event
    await sandbox.waitForWebhooks();
    const events = receiver.received.flatMap((r) => JSON.parse(r.body) as WebhookEvent[]);
    expect(events).toEqual([
      expect.objectContaining({
        subscriptionType: 'contact.propertyChange',
        objectId: Number(contact.id),
        propertyName: 'lifecyclestage',
        propertyValue: 'lead',
        changeSource: 'INTEGRATION',
        sourceId: String(APP_ID),
      }),
    ]);
  });

  it('marks seeded records as CRM changes and only fires them when asked', async () => {
    configure(['contact.creation']);
    sandbox.seedObject(62515, 'contacts', { email: 'quiet@example.com' });
    const loud = sandbox.seedObject(62515, 'contacts', { email: 'loud@example.com' }, { fireWebhooks: true });
    await sandbox.waitForWebhooks();
    const events = receiver.received.flatMap((r) => JSON.parse(r.body) as WebhookEvent[]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ objectId: Number(loud.id), changeSource: 'CRM', changeFlag: 'NEW' });
    expect(events[0]?.sourceId).toBeUndefined();
  });

  it('retries failures (4xx/5xx and no answer in time) with attemptNumber + 1, re-signed', async () => {
    configure(['contact.creation']);
    receiver.answerNext(500, 'hang', 404, 200);
    sandbox.sendWebhook([{ portalId: 62515, objectId: 1, subscriptionType: 'contact.creation', changeFlag: 'NEW' }]);
    await receiver.waitFor(4);
    await sandbox.waitForWebhooks();
    const attempts = receiver.received.map((r) => (JSON.parse(r.body) as WebhookEvent[])[0]?.attemptNumber);
    expect(attempts).toEqual([0, 1, 2, 3]);
    for (const r of receiver.received) {
      expect(r.headers['x-hubspot-signature-v3']).toBe(expectedV3('POST', target, r.body, String(r.headers['x-hubspot-request-timestamp'])));
    }
    const deliveries = sandbox.webhookDeliveries();
    expect(deliveries.map((d) => [d.attemptNumber, d.status, d.ok])).toEqual([
      [0, 500, false],
      [1, null, false],
      [2, 404, false],
      [3, 200, true],
    ]);
    expect(deliveries[1]?.error).toMatch(/no response within 300 ms/);
  });

  it('gives up after maxRetries', async () => {
    configure(['contact.creation']);
    receiver.answerNext(503, 503, 503, 503, 503);
    sandbox.sendWebhook([{ portalId: 62515, objectId: 7 }]);
    await sandbox.waitForWebhooks();
    expect(receiver.received).toHaveLength(4);
    expect(sandbox.webhookDeliveries().every((d) => !d.ok)).toBe(true);
  });

  it('batches at most 100 events per request, mixing portals', async () => {
    configure(['contact.creation']);
    const events = Array.from({ length: 150 }, (_, i) => ({ portalId: i % 2 === 0 ? 62515 : 62516, objectId: i + 1 }));
    sandbox.sendWebhook(events);
    await sandbox.waitForWebhooks();
    const sizes = receiver.received.map((r) => (JSON.parse(r.body) as WebhookEvent[]).length);
    expect(sizes).toEqual([100, 50]);
    expect(sandbox.webhookDeliveries()[0]?.portalIds).toEqual([62515, 62516]);
  });

  it('signs the URI with only the listed escapes decoded', async () => {
    const escaped = `${target}/a%3Ab?x=%20y`;
    configure(['contact.creation'], escaped);
    sandbox.sendWebhook([{ portalId: 62515, objectId: 9 }]);
    await receiver.waitFor(1);
    const [r] = receiver.received;
    if (!r) throw new Error('no webhook received');
    expect(r.path).toBe('/hooks/hubspot/a%3Ab?x=%20y');
    const signed = createHmac('sha256', SECRET)
      .update(`POST${target}/a:b?x=%20y${r.body}${String(r.headers['x-hubspot-request-timestamp'])}`)
      .digest('base64');
    expect(r.headers['x-hubspot-signature-v3']).toBe(signed);
  });
});
