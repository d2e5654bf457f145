import { Inject, Injectable } from '@nestjs/common';
import {
  causedBy,
  CLOCK,
  deterministicId,
  EventStore,
  Outcome,
  PortalAccess,
  StreamIds,
  triggerSkipped,
  type Clock,
  type HandlerOutcome,
  type PlatformEvent,
} from '@app/common';
import { DealLister } from './deal-lister';
import { PipelineReader } from './pipeline-reader';
import { reviewFacts } from './pipeline-review-facts';
import { reviewThresholds } from './review-thresholds';

/** The id of a portal's review facts of one local date: a redelivered or repeated trigger records them once. */
export function reviewFactsId(portalId: number, localDate: string): string {
  return deterministicId('pipeline-review-facts', portalId, localDate);
}

/**
 * The daily pipeline review's first step (Management AI; no model yet): for an
 * active portal, its open deals (DealLister, through the portal's search pool),
 * each deal's facts with the portal's thresholds, and one PipelineReviewFactsComputed
 * on the review's stream. The portal's deal pipelines (PipelineReader) tell deals in a
 * deleted pipeline or stage and give the stages' probabilities. Every outcome is explicit:
 * - facts recorded (zero open deals included) or already recorded → done;
 * - the token lacks the scope to search deals (403) → TriggerSkipped naming it, dropped;
 * - the search pool stayed spent, or HubSpot answered 429/5xx after the lister's retries → retry later;
 * - the pipelines likewise → retry later; refused otherwise → facts without them, `pipelinesUnread` saying why;
 * - HubSpot refused the token (401 after its renewal) or the search → dead letter, for an operator;
 * - the portal is not registered or not active → dropped, as any trigger of it.
 */
@Injectable()
export class PipelineReview {
  constructor(
    private readonly portals: PortalAccess,
    private readonly deals: DealLister,
    private readonly eventStore: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly pipelineReader: PipelineReader,
  ) {}

  async run(trigger: PlatformEvent<'DailyReviewScheduled'>): Promise<HandlerOutcome> {
    const { portalId } = trigger;
    const found = await this.portals.get(portalId);
    if (!found || found.portal.status !== 'active') return Outcome.drop(`portal ${portalId} is ${found ? found.portal.status : 'not registered'}`);
    const { date, timeZone, timeZoneFallback } = trigger.data;
    const streamId = StreamIds.review(portalId, date);
    const id = reviewFactsId(portalId, date);
    // Listing a portal's deals costs searches from its pool: a review already recorded is not listed again.
    if (await this.eventStore.has(id)) return Outcome.done();

    const { portal, token } = found;
    const startedAt = this.clock();
    const listing = await this.deals.openDeals({ portalId, token, plan: portal.settings.hubspot }, {}, { startedAt });
    switch (listing.kind) {
      case 'retry':
        return Outcome.retry(`daily review of portal ${portalId}: ${listing.reason}`, listing.waitMs);
      case 'failed':
        if (listing.hubspotStatus === 403 && listing.missingScopes) {
          const reason = `Management AI (daily pipeline review) needs the scope ${listing.missingScopes.join(', ')}: ${listing.reason} (grant it, then reconnect)`;
          await this.eventStore.append({ streamId, events: [triggerSkipped(trigger, trigger.type, reason, this.clock())] });
          return Outcome.drop(reason);
        }
        return Outcome.deadLetter(`daily review of portal ${portalId}: ${listing.reason}`);
      case 'listed':
        break;
    }

    // Once per review, after the listing (a review that cannot list spends no call on them); without them the review still runs, and says so.
    const pipelines = await this.pipelineReader.dealPipelines({ portalId, token, plan: portal.settings.hubspot });
    if (pipelines.kind === 'retry') return Outcome.retry(`daily review of portal ${portalId}: deal pipelines: ${pipelines.reason}`, pipelines.waitMs);
    const read = reviewThresholds(portal.settings);
    const facts = reviewFacts({ deals: listing.deals, now: startedAt, thresholds: read.thresholds, ...(pipelines.kind === 'read' ? { pipelines: pipelines.pipelines } : {}) });
    const event: PlatformEvent<'PipelineReviewFactsComputed'> = causedBy(
      trigger,
      {
        type: 'PipelineReviewFactsComputed',
        portalId,
        id,
        data: {
          trigger: { eventId: trigger.id, type: trigger.type },
          date,
          // A trigger recorded before reviews ran in local time carries the UTC date and no zone.
          timeZone: timeZone ?? 'UTC',
          ...(timeZoneFallback ? { timeZoneFallback } : {}),
          asOf: startedAt.toISOString(),
          thresholds: read.thresholds,
          ...(read.problem ? { thresholdsProblem: read.problem } : {}),
          counts: facts.counts,
          changedWhilePaging: listing.changedWhilePaging,
          truncated: listing.truncated,
          searchCalls: listing.searchCalls,
          ...(pipelines.kind === 'failed' ? { pipelinesUnread: pipelines.reason } : {}),
          needingAttention: facts.needingAttention,
          needingAttentionLeftOut: facts.needingAttentionLeftOut,
        },
      },
      this.clock(),
    );
    await this.eventStore.append({ streamId, events: [event] });
    return Outcome.done();
  }
}
