import { causedBy, EventStore, Outcome, startStory, type EventEnvelope } from '@app/common';
import type { DecisionFlow } from '../decisions/decision-flow';
import type { PipelineReview } from '../capabilities/management-ai/pipeline-review';
import { LEAD_AI } from '../capabilities/lead-ai/lead-ai.capability';
import { SERVICE_AI } from '../capabilities/service-ai/service-ai.capability';
import { MANAGEMENT_AI } from '../capabilities/management-ai/management-ai.capability';
import type { CompanyWorkflowReviews } from './company-workflow-reviews';
import { TriggerRouter } from './trigger-router.service';

describe('TriggerRouter', () => {
  const now = new Date('2026-11-28T10:00:00Z');
  const flow = { run: jest.fn(async () => Outcome.done()) };
  const append = jest.fn(async () => ({ kind: 'appended' }));
  const review = { run: jest.fn(async () => Outcome.done()) };
  const router = new TriggerRouter(flow as unknown as DecisionFlow, { append } as unknown as EventStore, () => now, undefined, undefined, review as unknown as PipelineReview);
  beforeEach(() => jest.clearAllMocks());

  const received = (subscriptionType: string, objectType = 'contacts') =>
    startStory({ type: 'WebhookEventReceived', portalId: 1, data: { subscriptionType, objectType, objectId: '5', hubspot: {} } }, now);
  const changed = (objectType: string, properties: Record<string, string>) =>
    startStory({ type: 'ObjectChanged', portalId: 1, data: { objectType, objectId: '5', properties, sourceEventIds: [], firstOccurredAt: '', lastOccurredAt: '' } }, now);
  const workflow = (objectType: string) => startStory({ type: 'WorkflowWebhookReceived', portalId: 1, data: { objectType, objectId: '9', properties: {}, authenticatedBy: 'api-key', raw: {} } }, now);

  it.each([
    ['contact.creation', received('contact.creation'), LEAD_AI, '5'],
    ['a workflow action on a contact', workflow('contacts'), LEAD_AI, '9'],
    ['a change to a contact (the flow re-scores it if the prompt reads what changed)', changed('contacts', { jobtitle: 'CEO' }), LEAD_AI, '5'],
    ['ticket.creation', received('ticket.creation', 'tickets'), SERVICE_AI, '5'],
    ['a change to a ticket’s content', changed('tickets', { content: 'More detail', hs_pipeline_stage: '2' }), SERVICE_AI, '5'],
    ['a workflow action on a ticket', workflow('tickets'), SERVICE_AI, '9'],
    ['a workflow action on a deal', workflow('deals'), MANAGEMENT_AI, '9'],
    ['a change to a deal’s stage', changed('deals', { dealstage: 'contractsent' }), MANAGEMENT_AI, '5'],
  ])('sends %s to its capability', async (_, trigger: EventEnvelope, capability, objectId) => {
    expect(await router.route(trigger)).toEqual(Outcome.done());
    expect(flow.run).toHaveBeenCalledWith(capability, { trigger, triggerType: expect.any(String), objectId });
    expect(append).not.toHaveBeenCalled();
  });

  it.each([
    ['a deletion', received('contact.deletion')],
    ['a change to a company', changed('companies', { name: 'Acme' })],
    ['an agent’s own edit of a ticket (priority, owner)', changed('tickets', { hs_ticket_priority: 'LOW', hubspot_owner_id: '7' })],
    ['a workflow action on a company', workflow('companies')],
    ['a change to a deal’s description only', changed('deals', { description: 'x' })],
  ])('records %s it has no handler for as TriggerSkipped, in its story, and drops it', async (_, trigger: EventEnvelope) => {
    const outcome = await router.route(trigger);
    expect(outcome.kind).toBe('drop');
    expect(flow.run).not.toHaveBeenCalled();
    const request = (append.mock.calls as unknown as Array<[{ events: EventEnvelope[] }]>)[0]![0];
    expect(request.events[0]).toMatchObject({ type: 'TriggerSkipped', correlationId: trigger.correlationId, causationId: trigger.id });
  });

  it('hands a portal’s daily review to the pipeline review, and records nothing itself', async () => {
    const scheduled = startStory({ type: 'DailyReviewScheduled', portalId: 1, data: { date: '2026-11-28', dailyAt: '08:00', timeZone: 'Europe/Berlin' } }, now);
    expect(await router.route(scheduled)).toEqual(Outcome.done());
    expect(review.run).toHaveBeenCalledWith(scheduled);
    expect(flow.run).not.toHaveBeenCalled();
    expect(append).not.toHaveBeenCalled();
  });

  it('hands a workflow action on a company to the company’s deal reviews when the enricher has them', async () => {
    const companyReviews = { run: jest.fn(async () => Outcome.done()) };
    const withCompanies = new TriggerRouter(flow as unknown as DecisionFlow, { append } as unknown as EventStore, () => now, undefined, undefined, review as unknown as PipelineReview, undefined, undefined, companyReviews as unknown as CompanyWorkflowReviews);
    const trigger = workflow('companies');
    expect(await withCompanies.route(trigger)).toEqual(Outcome.done());
    expect(companyReviews.run).toHaveBeenCalledWith(trigger);
    expect(flow.run).not.toHaveBeenCalled();
  });

  it('dead-letters an event type the enricher does not consume', async () => {
    const stray = causedBy(received('contact.creation'), { type: 'WritebackApplied', portalId: 1, data: {} }, now);
    expect(await router.route(stray)).toMatchObject({ kind: 'dead-letter' });
  });
});
