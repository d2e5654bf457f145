import { Client } from '@hubspot/api-client';
import { HubSpotSandbox } from './hubspot-sandbox';
import { failureOf } from '../test-support/api-failure.helper';
import { WebhookReceiver } from '../test-support/webhook-receiver.helper';

const RESET = /socket hang up|ECONNRESET|other side closed|network|fetch failed/i;

describe('HubSpotSandbox dropAfterApply fault', () => {
  let sandbox: HubSpotSandbox;
  let url: string;
  let client: Client;

  beforeEach(async () => {
    sandbox = new HubSpotSandbox();
    ({ url } = await sandbox.start());
    sandbox.addPortal({ portalId: 101, accessToken: 'pat-101', appId: 9001 });
    client = new Client({ accessToken: 'pat-101', basePath: url });
  });

  afterEach(async () => {
    await sandbox.stop();
  });

  it('statusAfterApply applies the write and answers that status instead', async () => {
    sandbox.injectFaults(101, [{ statusAfterApply: 502 }]);
    const failure = await failureOf(client.crm.contacts.batchApi.create({ inputs: [{ properties: { email: 'half@example.com' }, associations: [] }] }));
    expect(failure.code).toBe(502);
    expect(sandbox.listObjects(101, 'contacts').map((c) => c.properties.email)).toEqual(['half@example.com']);
  });

  it('delayAfterApplyMs applies the write at once and holds the answer back', async () => {
    sandbox.injectFaults(101, [{ delayAfterApplyMs: 300 }]);
    const started = Date.now();
    const answer = client.crm.contacts.batchApi.create({ inputs: [{ properties: { email: 'held@example.com' }, associations: [] }] });
    await new Promise((r) => setTimeout(r, 100));
    expect(sandbox.listObjects(101, 'contacts').map((c) => c.properties.email)).toEqual(['held@example.com']);
    expect((await answer).results).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('applies the write, then resets the connection without an answer', async () => {
    sandbox.injectFaults(101, [{ dropAfterApply: true }]);
    const failure = await failureOf(
      client.crm.contacts.batchApi.create({ inputs: [{ properties: { email: 'applied@example.com' }, associations: [], objectWriteTraceId: 'w-1' }] }),
    );
    expect(failure.code).toBeUndefined();
    expect(failure.message).toMatch(RESET);
    // HubSpot did the write although the client saw no answer.
    expect(sandbox.listObjects(101, 'contacts').map((c) => c.properties.email)).toEqual(['applied@example.com']);
    expect(sandbox.requests()).toEqual([expect.objectContaining({ method: 'POST', path: '/crm/v3/objects/contacts/batch/create', status: 201, outcome: 'fault' })]);
    expect(sandbox.rateLimitStats(101)).toMatchObject({ calls: 1, dailyUsed: 1 });

    // The fault is used up: a retry of the same create is answered, and now finds the contact there (409 on a single create).
    const retry = await failureOf(client.crm.contacts.basicApi.create({ properties: { email: 'applied@example.com' }, associations: [] }));
    expect(retry.code).toBe(409);
  });

  it('serves count calls that way, also for updates on 2026-03 paths, then answers again', async () => {
    const contact = sandbox.seedObject(101, 'contacts', { email: 'u@example.com' });
    sandbox.injectFaults(101, [{ dropAfterApply: true, count: 2 }]);
    const patch = (firstname: string) =>
      fetch(`${url}/crm/objects/2026-03/contacts/${contact.id}`, {
        method: 'PATCH',
        headers: { authorization: 'Bearer pat-101', 'content-type': 'application/json' },
        body: JSON.stringify({ properties: { firstname } }),
      });
    await expect(patch('One')).rejects.toThrow(RESET);
    expect(sandbox.getObject(101, 'contacts', contact.id)?.properties.firstname).toBe('One');
    await expect(patch('Two')).rejects.toThrow(RESET);
    expect(sandbox.getObject(101, 'contacts', contact.id)?.properties.firstname).toBe('Two');
    const answered = await patch('Three');
    expect(answered.status).toBe(200);
    expect(sandbox.requests().map((r) => `${r.outcome} ${r.status}`)).toEqual(['fault 200', 'fault 200', 'api 200']);
  });

  it('sends the webhooks of the applied write', async () => {
    const receiver = new WebhookReceiver();
    const target = `${await receiver.start()}/hooks`;
    try {
      sandbox.configureApp({ appId: 9001, clientSecret: 's', webhookTargetUrl: target, subscriptions: ['contact.creation'] });
      sandbox.injectFaults(101, [{ dropAfterApply: true }]);
      expect((await failureOf(client.crm.contacts.basicApi.create({ properties: { email: 'hook@example.com' }, associations: [] }))).message).toMatch(RESET);
      await receiver.waitFor(1);
      await sandbox.waitForWebhooks();
      expect(JSON.parse(receiver.received[0]?.body ?? '[]')).toEqual([expect.objectContaining({ subscriptionType: 'contact.creation', changeSource: 'INTEGRATION' })]);
    } finally {
      await receiver.stop();
    }
  });

  it('is injectable through POST /__sandbox/portals/:id/faults; malformed faults are refused', async () => {
    const post = (body: unknown) =>
      fetch(`${url}/__sandbox/portals/101/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post([{ dropAfterApply: true }])).status).toBe(200);
    await expect(
      fetch(`${url}/crm/v3/objects/contacts`, {
        method: 'POST',
        headers: { authorization: 'Bearer pat-101', 'content-type': 'application/json' },
        body: JSON.stringify({ properties: { email: 'admin@example.com' } }),
      }),
    ).rejects.toThrow(RESET);
    expect(sandbox.listObjects(101, 'contacts')).toHaveLength(1);
    for (const bad of [[{ dropAfterApply: false }], [{ dropAfterApply: true, status: 500 }], [{ sometimes: true }], [{ delayMs: 5, count: 0 }]]) {
      const res = await post(bad);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/not a fault/);
    }
    expect(() => sandbox.injectFaults(101, [{ dropAfterApply: 'yes' } as never])).toThrow(/not a fault/);
  });
});
