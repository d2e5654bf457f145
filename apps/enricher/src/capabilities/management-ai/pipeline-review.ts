import { Inject, Injectable } from '@nestjs/common';
import {
  capabilityOffReason,
  causedBy,
  CLOCK,
  deterministicId,
  EventStore,
  Outcome,
  PortalAccess,
  StreamIds,
  TOPICS,
  triggerSkipped,
  type Clock,
  type TopicNames,
  type HandlerOutcome,
  type PlatformEvent,
} from '@app/common';
import { AI_PROVIDER, type AiProvider } from '../../ai/ai-provider';
import { selectPrompt } from '../capability-registry';
import { DealAssessments } from './deal-assessments';
import { DealLister } from './deal-lister';
import { DEAL_HEALTH_V1 } from './deal-health.prompt';
import { PipelineReader } from './pipeline-reader';
import { reviewFacts } from './pipeline-review-facts';
import { planAssessments } from './review-requests';
import { reviewThresholds } from './review-thresholds';

/** The id of a portal's review facts of one local date: a redelivered or repeated trigger records them once. */
export function reviewFactsId(portalId: number, localDate: string): string {
  return deterministicId('pipeline-review-facts', portalId, localDate);
}

/** The id of the review's request to assess one deal. */
export function dealReviewRequestId(portalId: number, localDate: string, dealId: string): string {
  return deterministicId('deal-review-requested', portalId, localDate, dealId);
}

/**
 * The daily pipeline review (Management AI), for an active portal: its open deals
 * (DealLister, through the portal's search pool), each deal's facts with the
 * portal's thresholds and its deal pipelines (PipelineReader: deals in a deleted
 * pipeline or stage, the stages' probabilities), one PipelineReviewFactsComputed on the review's stream, one
 * DealReviewRequested (on the review's stream too) per deal whose facts changed since its last assessment
 * (planAssessments: unchanged deals cost no read and no model call), and then one
 * PipelineDigestRequested; all in one transaction, published in that order with the
 * portal's key, so the digest is composed after the portal's assessments. Every
 * outcome is explicit:
 * - recorded (zero open deals included) or already recorded → done;
 * - Management AI is off for the portal (its token lacks the deals scopes), or the
 *   portal pins a deal prompt version that does not exist → TriggerSkipped / dead letter;
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
    private readonly assessments: DealAssessments,
    @Inject(AI_PROVIDER) private readonly ai: Pick<AiProvider, 'name' | 'modelFor'>,
    @Inject(TOPICS) private readonly topics: TopicNames,
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
    const off = capabilityOffReason(portal, 'management-ai');
    if (off) {
      await this.eventStore.append({ streamId, events: [triggerSkipped(trigger, trigger.type, off, this.clock())] });
      return Outcome.drop(off);
    }
    // Checked before the listing spends searches: a pin to a version that does not exist is the operator's to fix.
    const prompt = selectPrompt(DEAL_HEALTH_V1.id, portal.settings.promptVersions);
    if (!prompt.ok) return Outcome.deadLetter(`daily review of portal ${portalId}: ${prompt.reason}`);
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
    const withPipelines = pipelines.kind === 'read' ? { pipelines: pipelines.pipelines } : {};
    const facts = reviewFacts({ deals: listing.deals, now: startedAt, thresholds: read.thresholds, ...withPipelines });
    const plan = planAssessments({
      deals: listing.deals,
      now: startedAt,
      thresholds: read.thresholds,
      ...withPipelines,
      // Who would answer is part of what was asked: an offline-rules answer is asked again once a key is set, and a new model answers anew.
      prompt: `${prompt.prompt.id}@${prompt.prompt.version} ${this.ai.name}/${this.ai.modelFor(prompt.prompt)}`,
      previous: await this.assessments.hashes(portalId),
    });
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
          assessments: { requested: plan.requests.length, unchanged: plan.unchanged },
        },
      },
      this.clock(),
    );
    const review = { date, asOf: startedAt.toISOString(), factsEventId: id };
    // On the review's own stream: one stream lock however many deals are asked about (each lock of a transaction
    // holds a slot of Postgres's lock table, ~6,400 by default: 10,000 deal streams in one transaction would not fit).
    const requests = plan.requests.map(({ dealId, reasons, inputHash }) =>
      causedBy(event, { type: 'DealReviewRequested', portalId, id: dealReviewRequestId(portalId, date, dealId), data: { review, dealId, inputHash, reasons } }, this.clock()) satisfies PlatformEvent<'DealReviewRequested'>,
    );
    const digest = causedBy(
      event,
      { type: 'PipelineDigestRequested', portalId, id: deterministicId('pipeline-digest-requested', portalId, date), data: { date, factsEventId: id, requested: plan.requests.length, unchanged: plan.unchanged } },
      this.clock(),
    ) satisfies PlatformEvent<'PipelineDigestRequested'>;
    // One transaction: the facts, then every request, then the digest's (the outbox publishes them in this order).
    const result = await this.eventStore.appendAll([
      { streamId, events: [event] },
      { streamId, events: requests, publishTo: this.topics.webhooksRaw },
      { streamId, events: [digest], publishTo: this.topics.webhooksRaw },
    ]);
    if (result.kind === 'conflict') return Outcome.retry(`stream ${result.streamId} changed concurrently`);
    return Outcome.done();
  }
}
