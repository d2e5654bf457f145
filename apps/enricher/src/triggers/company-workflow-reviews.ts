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
  type HandlerOutcome,
  type HubSpotFailureClass,
  type PlatformEvent,
  type TopicNames,
} from '@app/common';
import { highestIds } from '../context/crm-context';
import { CrmReader } from '../crm/crm-reader';

/** A workflow on a company re-assesses at most this many of its open deals (the newest). */
export const COMPANY_WORKFLOW_DEALS = 50;

/**
 * A workflow's "send a webhook" on a company (Management AI): each of the company's
 * open deals is re-assessed, through one DealReviewRequested per deal on the
 * company's stream (published to the triggers topic, so each is its own decision on
 * its deal's stream, with its own id, and reuse applies). Two HubSpot reads: the company with
 * its deals' ids, then the deals' `hs_is_closed`. Every outcome is explicit: no open
 * deal, a company HubSpot no longer has, or Management AI off for the portal is
 * recorded as skipped on the company's story.
 */
@Injectable()
export class CompanyWorkflowReviews {
  constructor(
    private readonly portals: PortalAccess,
    private readonly crm: CrmReader,
    private readonly eventStore: EventStore,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async run(trigger: PlatformEvent<'WorkflowWebhookReceived'>): Promise<HandlerOutcome> {
    const { portalId } = trigger;
    const companyId = trigger.data.objectId;
    const streamId = StreamIds.crmObject(portalId, 'companies', companyId);
    const found = await this.portals.get(portalId);
    if (!found || found.portal.status !== 'active') return Outcome.drop(`portal ${portalId} is ${found ? found.portal.status : 'not registered'}`);
    const { portal, token } = found;
    const off = capabilityOffReason(portal, 'management-ai');
    if (off) return this.skip(trigger, streamId, off);

    const credentials = { portalId, accessToken: token, plan: portal.settings.hubspot };
    const company = await this.crm.getRecord(credentials, 'companies', companyId, [], ['deals']);
    if (company.kind === 'failed') return this.failed(trigger, streamId, `read companies ${companyId}`, company.failure);
    const candidates = highestIds(company.value.associations.deals?.ids ?? [], COMPANY_WORKFLOW_DEALS);
    const deals = candidates.length === 0 ? undefined : await this.crm.batchRead(credentials, 'deals', candidates, ['hs_is_closed']);
    if (deals?.kind === 'failed') return this.failed(trigger, streamId, `batch read ${candidates.length} deals`, deals.failure);
    const open = (deals?.value ?? []).filter((deal) => deal.properties.hs_is_closed !== 'true').map((deal) => deal.id);
    if (open.length === 0) return this.skip(trigger, streamId, `company ${companyId} has no open deal to re-assess (${candidates.length} associated)`);

    const now = this.clock();
    const review = { date: trigger.occurredAt.slice(0, 10), asOf: trigger.occurredAt, factsEventId: trigger.id };
    // On the company's stream (one stream, one lock); each decision goes on its deal's.
    const requests = open.map(
      (dealId) =>
        causedBy(
          trigger,
          { type: 'DealReviewRequested', portalId, id: deterministicId('deal-review-requested', portalId, 'company-workflow', trigger.id, dealId), data: { review, dealId, inputHash: '', reasons: [], via: { kind: 'company-workflow', companyId } } },
          now,
        ) satisfies PlatformEvent<'DealReviewRequested'>,
    );
    const result = await this.eventStore.append({ streamId, events: requests, publishTo: this.topics.webhooksRaw });
    return result.kind === 'conflict' ? Outcome.retry(`stream ${result.streamId} changed concurrently`) : Outcome.done();
  }

  private async failed(trigger: PlatformEvent<'WorkflowWebhookReceived'>, streamId: string, call: string, failure: HubSpotFailureClass): Promise<HandlerOutcome> {
    switch (failure.kind) {
      case 'retry':
        return Outcome.retry(`${call}: ${failure.reason}`, failure.retryAfterMs, failure.throttled);
      case 'not-found':
        return this.skip(trigger, streamId, `company ${trigger.data.objectId} no longer exists (deleted or merged): ${failure.reason}`);
      case 'unauthorized':
        // 403: the token lacks a scope, which reconnecting with it fixes; 401 already had its one renewal in the door.
        return failure.status === 403 ? this.skip(trigger, streamId, `${call}: ${failure.reason}`) : Outcome.deadLetter(`${call}: ${failure.reason}`);
      case 'rejected':
        return Outcome.deadLetter(`${call}: ${failure.reason}`);
    }
  }

  private async skip(trigger: PlatformEvent<'WorkflowWebhookReceived'>, streamId: string, reason: string): Promise<HandlerOutcome> {
    await this.eventStore.append({ streamId, events: [triggerSkipped(trigger, trigger.type, reason, this.clock())] });
    return Outcome.drop(reason);
  }
}
