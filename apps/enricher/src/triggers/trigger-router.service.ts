import { Inject, Injectable, Optional } from '@nestjs/common';
import { CLOCK, EventStore, isEventOfType, Outcome, PersonalDataErasure, StreamIds, type Clock, type EventEnvelope, type HandlerOutcome, type PlatformEvent } from '@app/common';
import { BackfillTriggers } from '../backfills/backfill-triggers';
import { DecisionFlow } from '../decisions/decision-flow';
import { LEAD_AI } from '../lead-ai/lead-ai.capability';
import { SERVICE_AI } from '../service-ai/service-ai.capability';
import { triggerSkipped } from './trigger-skipped';

/** Ticket properties whose change means the customer said something new: only these re-triage a ticket. */
export const RETRIAGE_PROPERTIES = ['subject', 'content'] as const;

/**
 * Decides which capability handles a trigger:
 * - a new contact, or a workflow action on a contact → Lead AI;
 * - a change to a contact → a Lead AI re-score of its `ai_` properties, when the
 *   prompt reads a changed property (the platform's own `ai_` writes never get
 *   here: ingest ignores them);
 * - a new ticket, a change to its subject or content, or a workflow action on a
 *   ticket → Service AI (an agent's own edits, such as priority or owner, do not
 *   re-triage: the AI must not overrule them).
 * - HubSpot's privacy deletion of a record (`contact.privacyDeletion`, a GDPR
 *   delete) → its personal data is erased everywhere the platform keeps it
 *   (docs/decisions/0019), whatever the portal's status.
 * - an existing record a backfill listed → its capability's decision path, its
 *   `ai_` properties only (docs/decisions/0021; BackfillTriggers).
 * Everything else is recorded as skipped with the reason, so the audit trail
 * shows it was seen.
 */
@Injectable()
export class TriggerRouter {
  constructor(
    private readonly flow: DecisionFlow,
    private readonly eventStore: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() private readonly erasure?: PersonalDataErasure,
    @Optional() private readonly backfills?: BackfillTriggers,
  ) {}

  async route(event: EventEnvelope): Promise<HandlerOutcome> {
    if (isEventOfType(event, 'WebhookEventReceived')) {
      const { subscriptionType, objectId } = event.data;
      if (subscriptionType === 'contact.creation') return this.flow.run(LEAD_AI, { trigger: event, triggerType: subscriptionType, objectId });
      if (subscriptionType === 'ticket.creation') return this.flow.run(SERVICE_AI, { trigger: event, triggerType: subscriptionType, objectId });
      if (subscriptionType.endsWith('.privacyDeletion') && event.data.objectType) return this.erase(event);
      const streamId = event.data.objectType ? StreamIds.crmObject(event.portalId, event.data.objectType, objectId) : StreamIds.portal(event.portalId);
      return this.skip(event, streamId, subscriptionType, `no handler for ${subscriptionType}`);
    }
    if (isEventOfType(event, 'ObjectChanged')) {
      const { objectType, objectId, properties } = event.data;
      const changed = Object.keys(properties);
      if (objectType === 'contacts') return this.flow.run(LEAD_AI, { trigger: event, triggerType: event.type, objectId });
      if (objectType === 'tickets' && changed.some((p) => (RETRIAGE_PROPERTIES as readonly string[]).includes(p))) {
        return this.flow.run(SERVICE_AI, { trigger: event, triggerType: event.type, objectId });
      }
      const why = objectType === 'tickets' ? `only a change to ${RETRIAGE_PROPERTIES.join(' or ')} re-triages a ticket (changed: ${changed.join(', ')})` : `no handler for changes to ${objectType}`;
      return this.skip(event, StreamIds.crmObject(event.portalId, objectType, objectId), event.type, why);
    }
    if (isEventOfType(event, 'WorkflowWebhookReceived')) {
      const { objectType, objectId } = event.data;
      if (objectType === 'contacts') return this.flow.run(LEAD_AI, { trigger: event, triggerType: event.type, objectId });
      if (objectType === 'tickets') return this.flow.run(SERVICE_AI, { trigger: event, triggerType: event.type, objectId });
      return this.skip(event, StreamIds.crmObject(event.portalId, objectType, objectId), event.type, `no handler for workflow actions on ${objectType}`);
    }
    if (isEventOfType(event, 'BackfillRecordListed')) {
      return this.backfills ? this.backfills.route(event) : Outcome.deadLetter('BackfillRecordListed needs the backfill triggers, which this enricher lacks');
    }
    if (isEventOfType(event, 'DailyReviewScheduled')) {
      return this.skip(event, StreamIds.schedule(event.portalId), event.type, 'Management AI (daily pipeline review) is not built yet');
    }
    return Outcome.deadLetter(`the enricher does not consume ${event.type} events`);
  }

  /** A record HubSpot deleted for privacy: its data keys are destroyed and SubjectErased joins the webhook's story. */
  private async erase(event: PlatformEvent<'WebhookEventReceived'>): Promise<HandlerOutcome> {
    if (!this.erasure) return Outcome.deadLetter(`${event.data.subscriptionType} needs the erasure service, which this enricher lacks`);
    await this.erasure.eraseSubject({
      portalId: event.portalId,
      objectType: event.data.objectType!,
      objectId: event.data.objectId,
      reason: 'privacy-deletion',
      requestedBy: 'hubspot',
      cause: event,
    });
    return Outcome.done();
  }

  private async skip(trigger: EventEnvelope, streamId: string, triggerType: string, reason: string): Promise<HandlerOutcome> {
    await this.eventStore.append({ streamId, events: [triggerSkipped(trigger, triggerType, reason, this.clock())] });
    return Outcome.drop(reason);
  }
}
