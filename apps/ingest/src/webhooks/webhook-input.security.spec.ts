import { topicNames, type Portal } from '@app/common';
import { subscriptionLabel } from '../metrics/ingest-metrics';
import { planWebhookBatch } from './webhook-batch.planner';
import { isKnownSubscriptionType, objectTypeOf } from './webhook-event.parser';

/**
 * Issue 14 item 6: prototype keys are not subscription types, and the metrics
 * label of a subscription type takes only the known types (plus "other").
 */
const PROTOTYPE_TYPES = [
  'constructor.creation',
  'toString.propertyChange',
  '__proto__.creation',
  'hasOwnProperty.deletion',
  'valueOf.merge',
  'contact.constructor',
  'contact.toString',
  'contact.__proto__',
  'conversation.constructor',
  'conversation.hasOwnProperty',
];

const portal = { portalId: 62515, name: 'Acme', status: 'active', settings: {} } as unknown as Portal;
const context = { portals: new Map([[62515, portal]]), topics: topicNames('t'), now: new Date('2026-03-01T00:00:00Z'), coalesceWindowMs: 0 };
const event = (subscriptionType: string) => ({ eventId: 1, portalId: 62515, objectId: 9, occurredAt: 1_700_000_000_000, subscriptionType, attemptNumber: 0 });

describe('subscription types and labels (security)', () => {
  it.each(PROTOTYPE_TYPES)('%s is not a known subscription type', (type) => {
    expect(isKnownSubscriptionType(type)).toBe(false);
  });

  it.each(PROTOTYPE_TYPES.filter((t) => !/^(contact|conversation)\./.test(t)))('%s names no object type', (type) => {
    expect(objectTypeOf(type)).toBeNull();
  });

  it.each(PROTOTYPE_TYPES)('%s is recorded as ignored (unsupported), on a stream named by no prototype key', (type) => {
    const plan = planWebhookBatch([event(type)], context);
    expect(plan.planned[0]).toMatchObject({ outcome: 'ignored', reason: 'unsupported-subscription-type' });
    const streamId = plan.requests[0]!.streamId;
    expect(streamId).not.toMatch(/constructor|toString|__proto__|hasOwnProperty|valueOf|function|object Object|undefined/);
  });

  it('still knows the real subscription types', () => {
    for (const type of ['contact.creation', 'contact.propertyChange', 'company.merge', 'deal.deletion', 'ticket.privacyDeletion', 'conversation.newMessage']) {
      expect(isKnownSubscriptionType(type)).toBe(true);
    }
    expect(objectTypeOf('contact.creation')).toBe('contacts');
    expect(planWebhookBatch([event('deal.creation')], context).requests[0]!.streamId).toBe('crm-62515-deals-9');
  });

  it('labels metrics with the known subscription types only, everything else as "other"', () => {
    expect(subscriptionLabel('contact.creation')).toBe('contact.creation');
    expect(subscriptionLabel('conversation.newMessage')).toBe('conversation.newMessage');
    for (const type of ['contact.abcdefgh', 'contact.zzz', 'deal.anything', 'ticket.x', 'conversation.foo', 'contact.constructor', 'constructor.creation', '__proto__.creation', 'contact.creation.extra', '']) {
      expect(subscriptionLabel(type)).toBe('other');
    }
  });

  it('keeps the label set bounded however many distinct types arrive', () => {
    const labels = new Set<string>();
    for (let i = 0; i < 5000; i += 1) labels.add(subscriptionLabel(`contact.${i.toString(36).replace(/\d/g, 'q')}x`));
    expect(labels.size).toBeLessThanOrEqual(1);
  });
});
