import { topicNames, type Portal, type PortalSettings } from '@app/common';
import { isOwnChange, planWebhookBatch, webhookEventId, type PlanContext } from './webhook-batch.planner';

const topics = topicNames('test');
const now = new Date('2026-11-28T10:00:00Z');
const APP_ID = 54321;
const portal = (portalId: number, status: Portal['status'] = 'active', settings: PortalSettings = {}): Portal => ({ portalId, name: `p${portalId}`, status, settings, alerts: {}, account: {}, connection: {}, createdAt: '', updatedAt: '' });
const anEvent = (overrides: Record<string, unknown> = {}) => ({
  eventId: 1, subscriptionId: 9, portalId: 62515, appId: APP_ID, occurredAt: 1764324000000, subscriptionType: 'contact.creation', attemptNumber: 0, objectId: 123, changeSource: 'CRM', changeFlag: 'NEW', ...overrides,
});
const aPropertyChange = (propertyName: string, propertyValue: string, overrides: Record<string, unknown> = {}) =>
  anEvent({ subscriptionType: 'contact.propertyChange', propertyName, propertyValue, changeFlag: undefined, ...overrides });
const context = (overrides: Partial<PlanContext> = {}): PlanContext => ({ portals: new Map([[62515, portal(62515)]]), topics, now, appId: APP_ID, coalesceWindowMs: 3000, ...overrides });
const outcomes = (plan: ReturnType<typeof planWebhookBatch>) => plan.planned.map((p) => p.outcome);
const reasons = (plan: ReturnType<typeof planWebhookBatch>) => plan.requests.map((r) => (r.events[0]!.data as { reason?: string }).reason);

describe('planWebhookBatch', () => {
  it('accepts a valid event of a registered portal and publishes it to the raw topic', () => {
    const plan = planWebhookBatch([anEvent()], context());
    expect(outcomes(plan)).toEqual(['accepted']);
    expect(plan.requests).toEqual([
      expect.objectContaining({ streamId: 'crm-62515-contacts-123', publishTo: topics.webhooksRaw, events: [expect.objectContaining({ type: 'WebhookEventReceived', portalId: 62515 })] }),
    ]);
    const [event] = plan.requests[0]!.events;
    expect(event!.correlationId).toBe(event!.id);
    expect(event!.occurredAt).toBe(new Date(1764324000000).toISOString());
  });

  it('records events of unregistered or inactive portals as ignored, without publishing them', () => {
    const plan = planWebhookBatch([anEvent({ portalId: 1 }), anEvent({ portalId: 2 })], context({ portals: new Map([[2, portal(2, 'paused')]]) }));
    expect(outcomes(plan)).toEqual(['ignored', 'ignored']);
    expect(plan.requests.every((r) => r.publishTo === undefined)).toBe(true);
    expect(reasons(plan)).toEqual(['portal-not-registered', 'portal-not-active']);
  });

  it("routes by the portal's enabled subscription types", () => {
    const portals = new Map([[62515, portal(62515, 'active', { enabledSubscriptions: ['contact.creation'] })]]);
    const plan = planWebhookBatch([anEvent(), anEvent({ eventId: 2, subscriptionType: 'deal.creation' })], context({ portals }));
    expect(outcomes(plan)).toEqual(['accepted', 'ignored']);
    expect(reasons(plan)[1]).toBe('subscription-disabled');
  });

  it('rejects events missing required fields while the valid ones proceed', () => {
    const plan = planWebhookBatch([anEvent({ objectId: undefined }), 'nonsense', anEvent({ eventId: 2 })], context());
    expect(outcomes(plan).sort()).toEqual(['accepted', 'rejected', 'rejected']);
    expect(reasons(plan)).toEqual(expect.arrayContaining(['objectId must be a positive integer', 'event is not an object']));
  });

  it('records unknown subscription types as ignored', () => {
    expect(reasons(planWebhookBatch([anEvent({ subscriptionType: 'spaceship.launch' })], context()))).toEqual(['unsupported-subscription-type']);
  });

  it('accepts eventType as a synonym of subscriptionType, and the extra fields of merges and associations', () => {
    const merge = anEvent({ eventId: 3, subscriptionType: 'contact.merge', primaryObjectId: 123, mergedObjectIds: [124, 125], newObjectId: 123, numberOfPropertiesMoved: 4 });
    const association = anEvent({ eventId: 4, subscriptionType: 'contact.associationChange', associationType: 'CONTACT_TO_COMPANY', fromObjectId: 123, toObjectId: 9, associationRemoved: false, isPrimaryAssociation: true });
    const plan = planWebhookBatch([anEvent({ subscriptionType: undefined, eventType: 'contact.creation' }), merge, association], context());
    expect(outcomes(plan)).toEqual(['accepted', 'accepted', 'accepted']);
    expect((plan.requests[1]!.events[0]!.data as { hubspot: Record<string, unknown> }).hubspot).toMatchObject({ mergedObjectIds: [124, 125] });
  });

  it('orders events by occurredAt', () => {
    const plan = planWebhookBatch([anEvent({ eventId: 2, occurredAt: 2000 }), anEvent({ eventId: 1, occurredAt: 1000 })], context());
    expect(plan.requests.map((r) => (r.events[0]!.data as { hubspot: { eventId: number } }).hubspot.eventId)).toEqual([1, 2]);
  });

  it('gives a redelivery (higher attemptNumber) the same id, and a different event a different id', () => {
    const first = webhookEventId(anEvent() as never);
    expect(webhookEventId(anEvent({ attemptNumber: 3 }) as never)).toBe(first);
    expect(webhookEventId(anEvent({ occurredAt: 1764324000001 }) as never)).not.toBe(first);
    expect(webhookEventId(anEvent({ portalId: 62516 }) as never)).not.toBe(first);
    expect(webhookEventId(anEvent({ subscriptionType: 'contact.deletion' }) as never)).not.toBe(first);
  });

  describe('coalescing', () => {
    it('records property changes without publishing them and queues them for their window', () => {
      const plan = planWebhookBatch([aPropertyChange('lifecyclestage', 'lead'), aPropertyChange('jobtitle', 'CEO', { eventId: 2 })], context());
      expect(outcomes(plan)).toEqual(['coalesced', 'coalesced']);
      expect(plan.requests.every((r) => r.publishTo === undefined)).toBe(true);
      expect([...plan.changes.values()]).toEqual([
        expect.objectContaining({ portalId: 62515, objectType: 'contacts', objectId: '123', propertyName: 'lifecyclestage', propertyValue: 'lead', dueAt: now.getTime() + 3000 }),
        expect.objectContaining({ propertyName: 'jobtitle', propertyValue: 'CEO' }),
      ]);
    });

    it('publishes property changes at once when the window is 0', () => {
      expect(outcomes(planWebhookBatch([aPropertyChange('jobtitle', 'CEO')], context({ coalesceWindowMs: 0 })))).toEqual(['accepted']);
    });
  });

  describe('loop prevention', () => {
    it("ignores changes written by the platform's own app", () => {
      const ours = aPropertyChange('lifecyclestage', 'customer', { changeSource: 'INTEGRATION', sourceId: String(APP_ID) });
      const theirs = aPropertyChange('lifecyclestage', 'customer', { eventId: 2, changeSource: 'INTEGRATION', sourceId: '999' });
      const plan = planWebhookBatch([ours, theirs], context());
      expect(outcomes(plan)).toEqual(['ignored', 'coalesced']);
      expect(reasons(plan)[0]).toBe('own-change');
    });

    it('ignores changes to the ai_ properties the platform writes, whoever reports them', () => {
      const plan = planWebhookBatch([aPropertyChange('ai_lead_score', '87', { changeSource: 'CRM' })], context({ appId: undefined }));
      expect(reasons(plan)).toEqual(['own-change']);
    });

    it('does not mistake a user edit for the platform', () => {
      expect(isOwnChange(aPropertyChange('email', 'x@y.io', { changeSource: 'CRM_UI', sourceId: 'userId:7' }) as never, APP_ID)).toBe(false);
    });
  });
});
