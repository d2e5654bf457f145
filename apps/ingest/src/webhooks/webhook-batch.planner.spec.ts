import { topicNames, type Portal } from '@app/common';
import { planWebhookBatch, webhookEventId } from './webhook-batch.planner';

const topics = topicNames('test');
const now = new Date('2026-11-28T10:00:00Z');
const portal = (portalId: number, status: Portal['status'] = 'active'): Portal => ({ portalId, name: `p${portalId}`, status, settings: {}, createdAt: '', updatedAt: '' });
const anEvent = (overrides: Record<string, unknown> = {}) => ({
  eventId: 1, subscriptionId: 9, portalId: 62515, appId: 54321, occurredAt: 1764324000000, subscriptionType: 'contact.creation', attemptNumber: 0, objectId: 123, changeSource: 'CRM', changeFlag: 'NEW', ...overrides,
});

describe('planWebhookBatch', () => {
  it('accepts a valid event of a registered portal and publishes it to the raw topic', () => {
    const plan = planWebhookBatch([anEvent()], new Map([[62515, portal(62515)]]), topics, now);
    expect(plan).toMatchObject({ accepted: 1, ignored: 0, rejected: 0 });
    expect(plan.requests).toEqual([
      expect.objectContaining({ streamId: 'crm-62515-contacts-123', publishTo: topics.webhooksRaw, events: [expect.objectContaining({ type: 'WebhookEventReceived', portalId: 62515 })] }),
    ]);
    const [event] = plan.requests[0]!.events;
    expect(event!.correlationId).toBe(event!.id);
    expect(event!.occurredAt).toBe(new Date(1764324000000).toISOString());
  });

  it('records events of unregistered or inactive portals as ignored, without publishing them', () => {
    const plan = planWebhookBatch([anEvent({ portalId: 1 }), anEvent({ portalId: 2 })], new Map([[2, portal(2, 'paused')]]), topics, now);
    expect(plan).toMatchObject({ accepted: 0, ignored: 2 });
    expect(plan.requests.every((r) => r.publishTo === undefined)).toBe(true);
    expect(plan.requests.map((r) => (r.events[0]!.data as { reason: string }).reason)).toEqual(['portal-not-registered', 'portal-not-active']);
  });

  it('rejects events missing required fields while the valid ones proceed', () => {
    const plan = planWebhookBatch([anEvent({ objectId: undefined }), 'nonsense', anEvent({ eventId: 2 })], new Map([[62515, portal(62515)]]), topics, now);
    expect(plan).toMatchObject({ accepted: 1, rejected: 2 });
    const rejected = plan.requests.filter((r) => r.events[0]!.type === 'WebhookEventRejected');
    expect(rejected.map((r) => (r.events[0]!.data as { reason: string }).reason)).toEqual(expect.arrayContaining(['objectId must be a positive integer', 'event is not an object']));
  });

  it('records unknown subscription types as ignored', () => {
    const plan = planWebhookBatch([anEvent({ subscriptionType: 'spaceship.launch' })], new Map([[62515, portal(62515)]]), topics, now);
    expect(plan).toMatchObject({ accepted: 0, ignored: 1 });
  });

  it('accepts eventType as a synonym of subscriptionType', () => {
    const plan = planWebhookBatch([anEvent({ subscriptionType: undefined, eventType: 'contact.creation' })], new Map([[62515, portal(62515)]]), topics, now);
    expect(plan.accepted).toBe(1);
  });

  it('orders events by occurredAt', () => {
    const plan = planWebhookBatch([anEvent({ eventId: 2, occurredAt: 2000 }), anEvent({ eventId: 1, occurredAt: 1000 })], new Map([[62515, portal(62515)]]), topics, now);
    expect(plan.requests.map((r) => (r.events[0]!.data as { hubspot: { eventId: number } }).hubspot.eventId)).toEqual([1, 2]);
  });

  it('gives a redelivery (higher attemptNumber) the same id, and a different event a different id', () => {
    const first = webhookEventId(anEvent() as never);
    expect(webhookEventId(anEvent({ attemptNumber: 3 }) as never)).toBe(first);
    expect(webhookEventId(anEvent({ occurredAt: 1764324000001 }) as never)).not.toBe(first);
    expect(webhookEventId(anEvent({ portalId: 62516 }) as never)).not.toBe(first);
  });
});
