import { Inject, Injectable, Optional } from '@nestjs/common';
import { CLOCK, EventStore, isEventOfType, Outcome, PersonalDataErasure, StreamIds, triggerSkipped, type Clock, type EventEnvelope, type HandlerOutcome, type PlatformEvent } from '@app/common';
import { BackfillTriggers } from '../backfills/backfill-triggers';
import { routeTrigger } from '../capabilities/capability-registry';
import { CompanyWorkflowReviews } from './company-workflow-reviews';
import { DealReviewTriggers } from './deal-review-triggers';
import { PipelineReview } from '../capabilities/management-ai/pipeline-review';
import { DigestComposer } from '../capabilities/management-ai/digest/digest-composer';
import { DecisionFlow } from '../decisions/decision-flow';

/**
 * Decides what becomes of a trigger:
 * - a webhook, a change or a workflow action some capability answers → that
 *   capability's decision (the registry's `routeTrigger` reads each capability's
 *   `triggers`: today a new, changed or workflow-sent contact → Lead AI; a new
 *   ticket, a change to its subject or content, or a workflow-sent ticket → Service
 *   AI). The platform's own `ai_` writes never get here: ingest ignores them.
 * - HubSpot's privacy deletion of a record (`contact.privacyDeletion`, a GDPR
 *   delete) → its personal data is erased everywhere the platform keeps it
 *   (docs/decisions/0019), whatever the portal's status.
 * - an existing record a backfill listed → its capability's decision path, its
 *   `ai_` properties only (docs/decisions/0021; BackfillTriggers).
 * - a portal's daily review (the scheduler's DailyReviewScheduled) → Management AI's
 *   pipeline review (PipelineReview: the deals' facts and a request per changed deal);
 *   each request (DealReviewRequested) → Management AI's decision of that deal
 *   (DealReviewTriggers); a change to a deal's stage, amount, close date or owner, or
 *   a workflow action on a deal → its decision too; a workflow action on a company →
 *   a request per open deal of it (CompanyWorkflowReviews).
 * - the review's request for the day's digests (PipelineDigestRequested, published
 *   after its deals' assessment requests) → the owner and leadership digests
 *   (DigestComposer).
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
    @Optional() private readonly review?: PipelineReview,
    @Optional() private readonly dealReviews?: DealReviewTriggers,
    @Optional() private readonly digests?: DigestComposer,
    @Optional() private readonly companyReviews?: CompanyWorkflowReviews,
  ) {}

  async route(event: EventEnvelope): Promise<HandlerOutcome> {
    // A workflow on a company re-assesses its open deals (Management AI): no capability decides companies themselves.
    if (isEventOfType(event, 'WorkflowWebhookReceived') && event.data.objectType === 'companies' && this.companyReviews) return this.companyReviews.run(event);
    if (isEventOfType(event, 'DealReviewRequested')) {
      return this.dealReviews ? this.dealReviews.route(event) : Outcome.deadLetter('DealReviewRequested needs the deal review triggers, which this enricher lacks');
    }
    const route = routeTrigger(event);
    if (route?.kind === 'decide') return this.flow.run(route.capability, { trigger: event, triggerType: route.triggerType, objectId: route.objectId });
    if (isEventOfType(event, 'WebhookEventReceived')) {
      const { subscriptionType, objectId } = event.data;
      if (subscriptionType.endsWith('.privacyDeletion') && event.data.objectType) return this.erase(event);
      const streamId = event.data.objectType ? StreamIds.crmObject(event.portalId, event.data.objectType, objectId) : StreamIds.portal(event.portalId);
      return this.skip(event, streamId, subscriptionType, `no handler for ${subscriptionType}`);
    }
    if (isEventOfType(event, 'ObjectChanged') || isEventOfType(event, 'WorkflowWebhookReceived')) {
      const { objectType, objectId } = event.data;
      return this.skip(event, StreamIds.crmObject(event.portalId, objectType, objectId), event.type, route?.kind === 'skip' ? route.reason : `no handler for ${event.type}`);
    }
    if (isEventOfType(event, 'BackfillRecordListed')) {
      return this.backfills ? this.backfills.route(event) : Outcome.deadLetter('BackfillRecordListed needs the backfill triggers, which this enricher lacks');
    }
    if (isEventOfType(event, 'DailyReviewScheduled')) {
      return this.review ? this.review.run(event) : Outcome.deadLetter('DailyReviewScheduled needs the pipeline review, which this enricher lacks');
    }
    if (isEventOfType(event, 'PipelineDigestRequested')) {
      return this.digests ? this.digests.run(event) : Outcome.deadLetter('PipelineDigestRequested needs the digest composer, which this enricher lacks');
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
