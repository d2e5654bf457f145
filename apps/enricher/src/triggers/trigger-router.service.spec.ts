import { causedBy, EventStore, Outcome, startStory, type EventEnvelope } from '@app/common';
import type { LeadAiService } from '../lead-ai/lead-ai.service';
import { TriggerRouter } from './trigger-router.service';

describe('TriggerRouter', () => {
  const now = new Date('2026-11-28T10:00:00Z');
  const leadAi = { handleContactCreated: jest.fn(async () => Outcome.done()) };
  const append = jest.fn(async () => ({ kind: 'appended' }));
  const router = new TriggerRouter(leadAi as unknown as LeadAiService, { append } as unknown as EventStore, () => now);
  beforeEach(() => jest.clearAllMocks());

  const received = (subscriptionType: string) =>
    startStory({ type: 'WebhookEventReceived', portalId: 1, data: { subscriptionType, objectType: 'contacts', objectId: '5', hubspot: {} } }, now);

  it('sends contact.creation to Lead AI', async () => {
    const trigger = received('contact.creation');
    expect(await router.route(trigger)).toEqual(Outcome.done());
    expect(leadAi.handleContactCreated).toHaveBeenCalledWith(trigger);
    expect(append).not.toHaveBeenCalled();
  });

  it.each([
    ['a deletion', received('contact.deletion')],
    ['a coalesced change', startStory({ type: 'ObjectChanged', portalId: 1, data: { objectType: 'contacts', objectId: '5', properties: {}, sourceEventIds: [], firstOccurredAt: '', lastOccurredAt: '' } }, now)],
    ['a workflow action', startStory({ type: 'WorkflowWebhookReceived', portalId: 1, data: { objectType: 'deals', objectId: '9', properties: {}, authenticatedBy: 'api-key', raw: {} } }, now)],
    ['a daily review', startStory({ type: 'DailyReviewScheduled', portalId: 1, data: { date: '2026-11-28', dailyAt: '08:00' } }, now)],
  ])('records %s it has no handler for as TriggerSkipped, in its story, and drops it', async (_, trigger: EventEnvelope) => {
    const outcome = await router.route(trigger);
    expect(outcome.kind).toBe('drop');
    const request = (append.mock.calls as unknown as Array<[{ events: EventEnvelope[] }]>)[0]![0];
    expect(request.events[0]).toMatchObject({ type: 'TriggerSkipped', correlationId: trigger.correlationId, causationId: trigger.id });
  });

  it('dead-letters an event type the enricher does not consume', async () => {
    const stray = causedBy(received('contact.creation'), { type: 'WritebackApplied', portalId: 1, data: {} }, now);
    expect(await router.route(stray)).toMatchObject({ kind: 'dead-letter' });
  });
});
