import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, EventStore, Outcome, StreamIds, triggerSkipped, type Clock, type HandlerOutcome, type PlatformEvent } from '@app/common';
import { DecisionFlow } from '../decisions/decision-flow';
import { NO_DEAL_REVIEWS, routeTrigger } from '../capabilities/capability-registry';
import { DealAssessments } from '../capabilities/management-ai/deal-assessments';

/**
 * The daily review's request to assess one deal goes through the normal decision
 * path (Management AI's; reuse by input hash, costs, replays apply as to any
 * trigger). Once its decision is recorded, the deal's input hash is remembered, so
 * the next review asks again only when the deal changed. A request the flow drops
 * (the portal paused) is recorded as skipped on the deal's story, so the review adds up.
 */
@Injectable()
export class DealReviewTriggers {
  constructor(
    private readonly flow: DecisionFlow,
    private readonly assessments: DealAssessments,
    private readonly eventStore: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async route(trigger: PlatformEvent<'DealReviewRequested'>): Promise<HandlerOutcome> {
    const { dealId, inputHash } = trigger.data;
    const streamId = StreamIds.crmObject(trigger.portalId, 'deals', dealId);
    const route = routeTrigger(trigger);
    if (route?.kind !== 'decide') {
      const reason = route?.kind === 'skip' ? route.reason : NO_DEAL_REVIEWS;
      await this.eventStore.append({ streamId, events: [triggerSkipped(trigger, trigger.type, reason, this.clock())] });
      return Outcome.drop(reason);
    }
    const outcome = await this.flow.run(route.capability, { trigger, triggerType: route.triggerType, objectId: route.objectId });
    // A workflow's request has no review hash: the next review compares with the last review's.
    if (outcome.kind === 'done' && !trigger.data.via) await this.assessments.remember(trigger.portalId, dealId, inputHash, trigger.id, new Date(trigger.data.review.asOf));
    // Recorded once (the id derives from the trigger), also where the flow already recorded why.
    if (outcome.kind === 'drop') await this.eventStore.append({ streamId, events: [triggerSkipped(trigger, trigger.type, outcome.reason, this.clock())] });
    return outcome;
  }
}
