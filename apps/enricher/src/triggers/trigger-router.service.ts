import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, EventStore, isEventOfType, Outcome, StreamIds, type Clock, type EventEnvelope, type HandlerOutcome } from '@app/common';
import { LeadAiService } from '../lead-ai/lead-ai.service';
import { triggerSkipped } from './trigger-skipped';

/**
 * Decides which capability handles a trigger. Triggers without a handler yet are
 * recorded as skipped with the reason, so the audit trail shows they were seen.
 */
@Injectable()
export class TriggerRouter {
  constructor(
    private readonly leadAi: LeadAiService,
    private readonly eventStore: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async route(event: EventEnvelope): Promise<HandlerOutcome> {
    if (isEventOfType(event, 'WebhookEventReceived')) {
      if (event.data.subscriptionType === 'contact.creation') return this.leadAi.handleContactCreated(event);
      const streamId = event.data.objectType ? StreamIds.crmObject(event.portalId, event.data.objectType, event.data.objectId) : StreamIds.portal(event.portalId);
      return this.skip(event, streamId, event.data.subscriptionType, `no handler for ${event.data.subscriptionType} yet`);
    }
    if (isEventOfType(event, 'ObjectChanged') || isEventOfType(event, 'WorkflowWebhookReceived')) {
      const streamId = StreamIds.crmObject(event.portalId, event.data.objectType, event.data.objectId);
      return this.skip(event, streamId, event.type, `no handler for ${event.type} on ${event.data.objectType} yet`);
    }
    if (isEventOfType(event, 'DailyReviewScheduled')) {
      return this.skip(event, StreamIds.schedule(event.portalId), event.type, 'Management AI (daily pipeline review) is not built yet');
    }
    return Outcome.deadLetter(`the enricher does not consume ${event.type} events`);
  }

  private async skip(trigger: EventEnvelope, streamId: string, triggerType: string, reason: string): Promise<HandlerOutcome> {
    await this.eventStore.append({ streamId, events: [triggerSkipped(trigger, triggerType, reason, this.clock())] });
    return Outcome.drop(reason);
  }
}
