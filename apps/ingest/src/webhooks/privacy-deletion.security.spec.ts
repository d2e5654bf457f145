import { topicNames, type Portal, type PortalSettings } from '@app/common';
import { planWebhookBatch, type PlanContext } from './webhook-batch.planner';

const topics = topicNames('test');
const now = new Date('2026-11-28T10:00:00Z');
const portal = (portalId: number, status: Portal['status'] = 'active', settings: PortalSettings = {}): Portal => ({ portalId, name: `p${portalId}`, status, settings, alerts: {}, account: {}, connection: {}, createdAt: '', updatedAt: '' });
const deletion = (portalId: number, subscriptionType = 'contact.privacyDeletion') => ({ eventId: 7, subscriptionId: 9, portalId, appId: 1, occurredAt: 1764324000000, subscriptionType, attemptNumber: 0, objectId: 123 });
const context = (portals: Array<[number, Portal]>): PlanContext => ({ portals: new Map(portals), topics, now, coalesceWindowMs: 3000 });

/**
 * HubSpot's privacy deletion (a GDPR delete) must reach the enricher, which erases
 * the record's personal data (docs/decisions/0019). Before, a paused portal, a
 * portal whose enabled subscriptions left it out, or an offboarded (unregistered)
 * one recorded it as ignored, and the data stayed.
 */
describe('privacy deletions are never ignored (security)', () => {
  it.each([
    ['an active portal', [[1, portal(1)]] as Array<[number, Portal]>],
    ['a paused portal', [[1, portal(1, 'paused')]] as Array<[number, Portal]>],
    ['a disabled portal', [[1, portal(1, 'disabled')]] as Array<[number, Portal]>],
    ['a portal whose enabled subscriptions leave it out', [[1, portal(1, 'active', { enabledSubscriptions: ['contact.creation'] })]] as Array<[number, Portal]>],
    ['an offboarded (unregistered) portal', [] as Array<[number, Portal]>],
  ])('accepts contact.privacyDeletion for %s and publishes it to the enricher', (_, portals) => {
    const plan = planWebhookBatch([deletion(1)], context(portals));
    expect(plan.planned.map((p) => p.outcome)).toEqual(['accepted']);
    expect(plan.requests[0]).toMatchObject({ streamId: 'crm-1-contacts-123', publishTo: topics.webhooksRaw, events: [expect.objectContaining({ type: 'WebhookEventReceived' })] });
  });

  it('still ignores a conversation’s privacy deletion (nothing of a conversation is kept to erase) on an unregistered portal', () => {
    const plan = planWebhookBatch([deletion(1, 'conversation.privacyDeletion')], context([]));
    expect(plan.planned.map((p) => p.outcome)).toEqual(['ignored']);
  });
});
