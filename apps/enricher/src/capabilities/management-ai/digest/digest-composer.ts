import { Inject, Injectable } from '@nestjs/common';
import {
  causedBy,
  CLOCK,
  deterministicId,
  EventStore,
  isEventOfType,
  Outcome,
  PortalAccess,
  StreamIds,
  TOPICS,
  type AppendRequest,
  type Clock,
  type HandlerOutcome,
  type PlatformEvent,
  type TopicNames,
} from '@app/common';
import { writebackRequested } from '../../../writebacks/writeback-commands';
import { reviewFactsId } from '../pipeline-review';
import { RecordedAssessments } from './recorded-assessments';
import { DIGEST_DELIVERIES, type DigestDelivery } from './digest-delivery';
import { addDays, composeDigests } from './digest-composition';

/** The id of a portal's digests of one local date: a redelivered request records (and asks for) nothing twice. */
export function digestId(portalId: number, localDate: string): string {
  return deterministicId('pipeline-digest', portalId, localDate);
}

/**
 * The daily review's last step (Management AI): on PipelineDigestRequested, which the
 * review publishes after its deals' assessment requests (same key, so they were
 * handled first), composes the day's digests from the facts, the previous local
 * date's facts and each flagged deal's latest assessment, and records ONE
 * PipelineDigestComposed on the review's stream, together with the writebacks its
 * channels ask for (published to the writebacks topic in the same transaction).
 * - already recorded → done (nothing composed or sent again);
 * - the day's facts are missing → dead letter (the request names an event that should be there);
 * - the portal is not registered or not active → dropped, as any trigger of it.
 */
@Injectable()
export class DigestComposer {
  constructor(
    private readonly portals: PortalAccess,
    private readonly eventStore: EventStore,
    private readonly assessments: RecordedAssessments,
    @Inject(DIGEST_DELIVERIES) private readonly deliveries: DigestDelivery[],
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async run(request: PlatformEvent<'PipelineDigestRequested'>): Promise<HandlerOutcome> {
    const { portalId } = request;
    const found = await this.portals.get(portalId);
    if (!found || found.portal.status !== 'active') return Outcome.drop(`portal ${portalId} is ${found ? found.portal.status : 'not registered'}`);
    const { portal } = found;
    const { date, factsEventId } = request.data;
    const id = digestId(portalId, date);
    if (await this.eventStore.has(id)) return Outcome.done();

    const today = await this.eventStore.findById(factsEventId);
    if (!today || !isEventOfType(today, 'PipelineReviewFactsComputed')) return Outcome.deadLetter(`digest of portal ${portalId} on ${date}: its review facts ${factsEventId} are not recorded`);
    const previousDate = addDays(date, -1);
    const previous = await this.eventStore.findById(reviewFactsId(portalId, previousDate));
    const previousFacts = previous && isEventOfType(previous, 'PipelineReviewFactsComputed') ? previous : undefined;
    const assessed = await this.assessments.latest(portalId, today.data.needingAttention.map((d) => d.dealId));

    const digests = composeDigests({
      portalId,
      uiDomain: portal.account.uiDomain ?? null,
      today: today.data,
      previous: { date: previousDate, facts: previousFacts?.data ?? null },
      assessments: new Map([...assessed].map(([dealId, a]) => [dealId, a.assessment])),
      settings: portal.settings.managementAi,
    });
    const subjectsOf = (dealIds: readonly string[]) => [...new Set(dealIds.flatMap((dealId) => assessed.get(dealId)?.subjects ?? []))].sort();
    const now = this.clock();
    const plans = [];
    for (const delivery of this.deliveries) plans.push(await delivery.deliver({ portal, date, digestEventId: id, digests, now, subjectsOf }));

    const event: PlatformEvent<'PipelineDigestComposed'> = causedBy(
      request,
      {
        type: 'PipelineDigestComposed',
        portalId,
        id,
        data: {
          request: { eventId: request.id },
          date,
          timeZone: today.data.timeZone,
          asOf: today.data.asOf,
          factsEventId,
          previousFactsEventId: previousFacts?.id ?? null,
          ...digests,
          deliveries: plans.flatMap((p) => p.records),
        },
      },
      now,
    );
    const streamId = StreamIds.review(portalId, date);
    const writebacks = plans.flatMap((p) => p.writebacks);
    const commandSubjects = new Map(writebacks.map((w) => [w.command.commandId, w.subjects]));
    const digestSubjects = subjectsOf(today.data.needingAttention.map((d) => d.dealId));
    const requests: AppendRequest[] = [
      // Sealed for every deal whose text it quotes (and the portal's, when it quotes none).
      { streamId, events: [event], ...(digestSubjects.length > 0 ? { subjects: digestSubjects } : {}) },
    ];
    if (writebacks.length > 0) {
      requests.push({
        streamId,
        events: writebacks.map((w) => writebackRequested(event, w.command, now)),
        publishTo: this.topics.writebacks,
        subjects: (e) => commandSubjects.get(e.id),
      });
    }
    const result = await this.eventStore.appendAll(requests);
    if (result.kind === 'conflict') return Outcome.retry(`stream ${result.streamId} changed concurrently`);
    return Outcome.done();
  }
}
