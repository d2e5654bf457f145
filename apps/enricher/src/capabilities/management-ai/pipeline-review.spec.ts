import { Outcome, startStory, type AppendRequest, type TopicNames, type EventStore, type Portal, type PortalAccess, type PortalSettings, type PortalStatus, type PlatformEvent } from '@app/common';
import type { DealAssessments } from './deal-assessments';
import type { DealRecord } from './deal-facts';
import type { DealLister, DealListing } from './deal-lister';
import type { PipelineRead, PipelineReader } from './pipeline-reader';
import { dealReviewRequestId, PipelineReview, reviewFactsId } from './pipeline-review';
import { reviewInputHash } from './review-requests';
import { reviewFacts } from './pipeline-review-facts';

/** Four open deals: 1 stale, 2 past its close date, 3 without amount and owner, 4 fine. */
function pipelineReviewFactsFixture(daysAgo: (days: number) => string): DealRecord[] {
  const aDeal = (id: string, properties: Record<string, string | null>): DealRecord => ({
    id,
    properties: {
      pipeline: 'default',
      dealstage: 'qualifiedtobuy',
      amount: '10000',
      closedate: '2027-01-15T00:00:00Z',
      hubspot_owner_id: '77',
      hs_next_step: 'Send the proposal',
      hs_deal_stage_probability: '0.4',
      notes_last_contacted: daysAgo(1),
      hs_v2_date_entered_current_stage: daysAgo(5),
      createdate: daysAgo(60),
      ...properties,
    },
  });
  return [
    aDeal('1', { amount: '50000', notes_last_contacted: daysAgo(30) }),
    aDeal('2', { amount: '8000', closedate: '2026-12-01T00:00:00Z' }),
    aDeal('3', { amount: null, hubspot_owner_id: '' }),
    aDeal('4', {}),
  ];
}

describe('PipelineReview', () => {
  const now = new Date('2026-12-07T08:00:00Z');
  const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();
  const PORTAL = 4242;
  const trigger = startStory(
    { type: 'DailyReviewScheduled', portalId: PORTAL, data: { date: '2026-12-07', dailyAt: '08:00', timeZone: 'Europe/Berlin', dueAt: '2026-12-07T07:00:00.000Z' } },
    now,
  ) as PlatformEvent<'DailyReviewScheduled'>;
  const aPortal = (status: PortalStatus = 'active', settings: PortalSettings = {}): Portal => ({
    portalId: PORTAL,
    name: 'Acme',
    status,
    settings,
    alerts: {},
    account: {},
    connection: {},
    createdAt: '',
    updatedAt: '',
  });
  const token = { current: 'pat', renew: async () => undefined };
  const listed = (deals: DealRecord[], extra: Partial<Extract<DealListing, { kind: 'listed' }>> = {}): DealListing => ({
    kind: 'listed',
    deals,
    searchCalls: 1,
    changedWhilePaging: false,
    truncated: false,
    ...extra,
  });

  /** The portal's default pipeline as HubSpot's pipelines API gives it (the fixture's deals are in its qualifiedtobuy). */
  const defaultPipeline: PipelineRead = { kind: 'read', pipelines: new Map([['default', new Map([['qualifiedtobuy', { probability: 0.4 }], ['contractsent', { probability: 0.9 }]])]]) };

  /** Strict fakes: a call the test did not set up fails it. */
  function build({ portal = aPortal() as Portal | null, listing = listed([]) as DealListing, recorded = false, previous = new Map<string, string>(), pipelineRead = defaultPipeline } = {}) {
    const unexpected = (name: string) => () => {
      throw new Error(`unexpected call: ${name}`);
    };
    const get = jest.fn(async () => (portal ? { portal, accessToken: 'pat', token } : undefined));
    const openDeals = jest.fn(async () => listing);
    const has = jest.fn(async () => recorded);
    const append = jest.fn(async (_: AppendRequest) => ({ kind: 'appended' as const, streamId: '', streamVersion: 0, appendedIds: [], duplicateIds: [] }));
    const appendAll = jest.fn(async (_: AppendRequest[]) => ({ kind: 'committed' as const, results: [] }));
    const eventStore = new Proxy({ has, append, appendAll }, { get: (target, key) => (key in target ? target[key as keyof typeof target] : unexpected(String(key))) });
    const assessments = { hashes: jest.fn(async () => previous) } as unknown as DealAssessments;
    const dealPipelines = jest.fn(async () => pipelineRead);
    const review = new PipelineReview(
      { get } as unknown as PortalAccess,
      { openDeals } as unknown as DealLister,
      eventStore as unknown as EventStore,
      assessments,
      { name: 'offline-rules', modelFor: () => 'offline-rules-v1' },
      { webhooksRaw: 'raw' } as TopicNames,
      () => now,
      { dealPipelines } as unknown as PipelineReader,
    );
    const appended = () => [...append.mock.calls.map(([request]) => request), ...appendAll.mock.calls.flatMap(([requests]) => requests)];
    return { review, get, openDeals, dealPipelines, has, append, appendAll, appended };
  }

  it('records the facts of the open deals once, on the review’s stream, caused by the trigger', async () => {
    const deals = pipelineReviewFactsFixture(daysAgo);
    const { review, openDeals, appended } = build({ portal: aPortal('active', { hubspot: { tier: 'professional' }, review: { staleAfterDays: 10 } }), listing: listed(deals, { searchCalls: 2, changedWhilePaging: true }) });

    expect(await review.run(trigger)).toEqual(Outcome.done());

    expect(openDeals).toHaveBeenCalledWith({ portalId: PORTAL, token, plan: { tier: 'professional' } }, {}, { startedAt: now });
    const [request] = appended();
    expect(request).toMatchObject({ streamId: `review-${PORTAL}-2026-12-07` });
    expect(request!.events).toHaveLength(1);
    const event = request!.events[0]!;
    expect(event).toMatchObject({ id: reviewFactsId(PORTAL, '2026-12-07'), type: 'PipelineReviewFactsComputed', portalId: PORTAL, causationId: trigger.id, correlationId: trigger.correlationId });
    expect(event.data).toEqual({
      trigger: { eventId: trigger.id, type: 'DailyReviewScheduled' },
      date: '2026-12-07',
      timeZone: 'Europe/Berlin',
      asOf: now.toISOString(),
      thresholds: { staleAfterDays: 10 },
      changedWhilePaging: true,
      truncated: false,
      searchCalls: 2,
      ...reviewFacts({ deals, now, thresholds: { staleAfterDays: 10 }, pipelines: defaultPipeline.kind === 'read' ? defaultPipeline.pipelines : undefined }),
      assessments: { requested: 3, unchanged: 0 },
    });
    expect(event.data).toMatchObject({ counts: { openDeals: 4, needingAttention: 3 } });
  });

  it('asks for an assessment of each deal needing attention whose facts changed, on its own stream, then for the digest, in one transaction', async () => {
    const deals = pipelineReviewFactsFixture(daysAgo);
    // Deal 2 was assessed from the same facts before; deal 4 was assessed before and has recovered since.
    const previous = new Map([
      ['2', reviewInputHash(deals[1]!, ['close-date-passed'], 'deal-health@1 offline-rules/offline-rules-v1')],
      ['4', 'an older hash'],
    ]);
    const { review, appendAll } = build({ listing: listed(deals), previous });
    expect(await review.run(trigger)).toEqual(Outcome.done());
    expect(appendAll).toHaveBeenCalledTimes(1);
    const requests = appendAll.mock.calls[0]![0];
    // All on the review's stream (one stream lock, whatever the number of deals), the requests and the digest's published.
    expect(requests.map((r) => [r.streamId, r.events.map((e) => e.type), r.publishTo])).toEqual([
      [`review-${PORTAL}-2026-12-07`, ['PipelineReviewFactsComputed'], undefined],
      [`review-${PORTAL}-2026-12-07`, ['DealReviewRequested', 'DealReviewRequested', 'DealReviewRequested'], 'raw'],
      [`review-${PORTAL}-2026-12-07`, ['PipelineDigestRequested'], 'raw'],
    ]);
    expect(requests[1]!.events.map((e) => (e.data as { dealId: string }).dealId)).toEqual(['1', '3', '4']);
    expect(requests[1]!.events[0]).toMatchObject({
      id: dealReviewRequestId(PORTAL, '2026-12-07', '1'),
      causationId: reviewFactsId(PORTAL, '2026-12-07'),
      data: { dealId: '1', reasons: ['stale'], review: { date: '2026-12-07', asOf: now.toISOString(), factsEventId: reviewFactsId(PORTAL, '2026-12-07') } },
    });
    expect(requests[1]!.events[2]!.data).toMatchObject({ dealId: '4', reasons: [] });
    expect(requests[2]!.events[0]!.data).toEqual({ date: '2026-12-07', factsEventId: reviewFactsId(PORTAL, '2026-12-07'), requested: 3, unchanged: 1 });
  });

  it('Management AI off for the portal (its token lacks the deals scopes): skipped with the scopes named, nothing listed', async () => {
    const portal = { ...aPortal(), connection: { capabilities: { enabled: [], blocked: [{ capability: 'management-ai' as const, missingScopes: ['crm.objects.deals.write'] }] } } } as unknown as Portal;
    const { review, openDeals, appended } = build({ portal });
    expect(await review.run(trigger)).toMatchObject({ kind: 'drop', reason: expect.stringContaining('crm.objects.deals.write') });
    expect(openDeals).not.toHaveBeenCalled();
    expect(appended()[0]!.events[0]).toMatchObject({ type: 'TriggerSkipped' });
  });

  it('a pin to a deal prompt version that does not exist: dead letter before any search', async () => {
    const { review, openDeals } = build({ portal: aPortal('active', { promptVersions: { 'deal-health': 9 } }) });
    expect(await review.run(trigger)).toMatchObject({ kind: 'dead-letter', reason: expect.stringContaining('deal-health@9') });
    expect(openDeals).not.toHaveBeenCalled();
  });

  it('reads the pipelines once, after the listing: a deal in a deleted stage or pipeline is unknown-stage, the stage’s probability is the pipeline’s', async () => {
    const deals = [
      ...pipelineReviewFactsFixture(daysAgo).slice(3),
      { id: '5', properties: { ...pipelineReviewFactsFixture(daysAgo)[3]!.properties, dealstage: 'deleted-stage' } },
      { id: '6', properties: { ...pipelineReviewFactsFixture(daysAgo)[3]!.properties, pipeline: 'deleted-pipeline' } },
      { id: '7', properties: { ...pipelineReviewFactsFixture(daysAgo)[3]!.properties, dealstage: 'contractsent', hs_deal_stage_probability: '0.5', closedate: daysAgo(1) } },
    ];
    const { review, dealPipelines, appended } = build({ listing: listed(deals) });
    expect(await review.run(trigger)).toEqual(Outcome.done());
    expect(dealPipelines).toHaveBeenCalledTimes(1);
    expect(dealPipelines).toHaveBeenCalledWith({ portalId: PORTAL, token, plan: undefined });
    const data = appended()[0]!.events[0]!.data as { counts: { byReason: Record<string, number> }; needingAttention: Array<{ dealId: string; reasons: string[]; stageProbability: number | null }>; pipelinesUnread?: string };
    expect(data.counts.byReason['unknown-stage']).toBe(2);
    expect(data.pipelinesUnread).toBeUndefined();
    expect(data.needingAttention.map((d) => [d.dealId, d.reasons])).toEqual([
      ['5', ['unknown-stage']],
      ['6', ['unknown-stage']],
      ['7', ['close-date-passed']],
    ]);
    // The pipeline's 0.9 wins over the deal's stored 0.5.
    expect(data.needingAttention.find((d) => d.dealId === '7')?.stageProbability).toBe(0.9);
  });

  it('pipelines HubSpot refuses (403): the facts without them, and the event says why; 429/5xx: retry, nothing recorded', async () => {
    const deals = pipelineReviewFactsFixture(daysAgo);
    const refused = build({
      listing: listed(deals),
      pipelineRead: { kind: 'failed', reason: 'the portal’s token lacks the scope crm.objects.deals.read to read deal pipelines', hubspotStatus: 403, missingScopes: ['crm.objects.deals.read'] },
    });
    expect(await refused.review.run(trigger)).toEqual(Outcome.done());
    expect(refused.appended()[0]!.events[0]!.data).toMatchObject({ pipelinesUnread: expect.stringContaining('crm.objects.deals.read'), counts: { openDeals: 4, needingAttention: 3, byReason: { 'unknown-stage': 0 } } });

    const busy = build({ listing: listed(deals), pipelineRead: { kind: 'retry', reason: 'HubSpot answered 503', waitMs: 1_000 } });
    expect(await busy.review.run(trigger)).toEqual(Outcome.retry(`daily review of portal ${PORTAL}: deal pipelines: HubSpot answered 503`, 1_000));
    expect(busy.appended()).toEqual([]);
  });

  it('a portal with no open deals: the event with zero counts', async () => {
    const { review, appended } = build();
    expect(await review.run(trigger)).toEqual(Outcome.done());
    expect(appended()[0]!.events[0]!.data).toMatchObject({
      counts: { openDeals: 0, needingAttention: 0, byReason: { stale: 0, 'close-date-passed': 0, 'missing-owner': 0 } },
      needingAttention: [],
      needingAttentionLeftOut: 0,
    });
  });

  it('an unusable threshold falls back to the default and the event says so', async () => {
    const { review, appended } = build({ portal: aPortal('active', { review: { staleAfterDays: 0 } }) });
    await review.run(trigger);
    expect(appended()[0]!.events[0]!.data).toMatchObject({ thresholds: { staleAfterDays: 14 }, thresholdsProblem: expect.stringContaining('staleAfterDays 0') });
  });

  it('a trigger recorded before reviews ran in local time (no zone) is a UTC date', async () => {
    const { review, appended } = build();
    await review.run({ ...trigger, data: { date: '2026-12-07', dailyAt: '08:00' } });
    expect(appended()[0]!.events[0]!.data).toMatchObject({ timeZone: 'UTC' });
  });

  it('a review already recorded for the portal’s date is done without listing again (redelivery, or a second trigger that day)', async () => {
    const { review, openDeals, has, appended } = build({ recorded: true });
    expect(await review.run(trigger)).toEqual(Outcome.done());
    expect(has).toHaveBeenCalledWith(reviewFactsId(PORTAL, '2026-12-07'));
    expect(openDeals).not.toHaveBeenCalled();
    expect(appended()).toEqual([]);
  });

  it('a token without the deals scope: TriggerSkipped naming the scope, on the review’s stream, dropped', async () => {
    const { review, appended } = build({
      listing: { kind: 'failed', reason: 'the portal’s token lacks the scope crm.objects.deals.read to list deals (403)', hubspotStatus: 403, missingScopes: ['crm.objects.deals.read'], searchCalls: 1 },
    });
    const outcome = await review.run(trigger);
    expect(outcome).toMatchObject({ kind: 'drop', reason: expect.stringContaining('crm.objects.deals.read') });
    const [request] = appended();
    expect(request!.streamId).toBe(`review-${PORTAL}-2026-12-07`);
    expect(request!.events[0]).toMatchObject({ type: 'TriggerSkipped', causationId: trigger.id, data: { trigger: { eventId: trigger.id, type: 'DailyReviewScheduled' }, reason: expect.stringContaining('crm.objects.deals.read') } });
  });

  it('429/5xx after the lister’s retries, or a spent search pool: retry later, nothing recorded', async () => {
    const { review, appended } = build({ listing: { kind: 'retry', reason: 'HubSpot answered 503', waitMs: 2_000, searchCalls: 3 } });
    expect(await review.run(trigger)).toEqual(Outcome.retry(`daily review of portal ${PORTAL}: HubSpot answered 503`, 2_000));
    expect(appended()).toEqual([]);
  });

  it('a token HubSpot refuses (401) or a search it rejects: dead letter for an operator, nothing recorded', async () => {
    const { review, appended } = build({ listing: { kind: 'failed', reason: 'HubSpot refused the portal’s token (401): reconnect the portal', hubspotStatus: 401, searchCalls: 1 } });
    expect(await review.run(trigger)).toMatchObject({ kind: 'dead-letter', reason: expect.stringContaining('reconnect the portal') });
    expect(appended()).toEqual([]);
  });

  it.each([
    ['paused', aPortal('paused'), `portal ${PORTAL} is paused`],
    ['not registered', null, `portal ${PORTAL} is not registered`],
  ])('a portal %s: dropped, nothing listed or recorded', async (_, portal, reason) => {
    const { review, openDeals, appended } = build({ portal });
    expect(await review.run(trigger)).toEqual(Outcome.drop(reason));
    expect(openDeals).not.toHaveBeenCalled();
    expect(appended()).toEqual([]);
  });
});

describe('reviewFacts', () => {
  const now = new Date('2026-12-07T08:00:00Z');
  const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();

  it('counts the deals by reason and keeps what each reason rests on', () => {
    const summary = reviewFacts({ deals: pipelineReviewFactsFixture(daysAgo), now, thresholds: { staleAfterDays: 14 } });
    expect(summary.counts).toEqual({
      openDeals: 4,
      needingAttention: 3,
      byReason: { stale: 1, 'close-date-passed': 1, 'missing-amount': 1, 'missing-close-date': 0, 'missing-owner': 1, 'missing-next-step': 0, 'unknown-stage': 0 },
      // Every open deal, for the leadership digest (the one without an amount is counted apart).
      byStage: [{ pipeline: 'default', stage: 'qualifiedtobuy', deals: 4, amount: 68_000, withoutAmount: 1 }],
      // No close date from 6 to 14 December.
      byCloseDate: {},
    });
    expect(summary.needingAttention.map((d) => d.dealId)).toEqual(['3', '1', '2']);
    expect(summary.needingAttention[0]).toEqual({
      dealId: '3',
      ownerId: null,
      amount: null,
      pipeline: 'default',
      stage: 'qualifiedtobuy',
      reasons: ['missing-amount', 'missing-owner'],
      daysSinceLastActivity: 1,
      activityLogged: true,
      daysInStage: 5,
      closeDate: '2027-01-15T00:00:00.000Z',
      closeDatePassed: false,
      stageProbability: 0.4,
    });
    expect(summary.needingAttention[1]).toMatchObject({ dealId: '1', ownerId: '77', amount: 50_000, reasons: ['stale'], daysSinceLastActivity: 30 });
    expect(summary.needingAttentionLeftOut).toBe(0);
  });

  it('totals every open deal by stage and by close date from the day before to a week after', () => {
    const deal = (id: string, properties: Record<string, string | null>): DealRecord => ({ id, properties: { hubspot_owner_id: '7', hs_next_step: 'Call', notes_last_updated: daysAgo(1), ...properties } });
    const summary = reviewFacts({
      deals: [
        deal('1', { pipeline: 'p2', dealstage: 'won-soon', amount: '100', closedate: '2026-12-06T00:00:00Z' }),
        deal('2', { pipeline: 'p1', dealstage: 'demo', amount: '200', closedate: '2026-12-14T00:00:00Z' }),
        deal('3', { pipeline: 'p1', dealstage: 'demo', amount: null, closedate: '2026-12-14T00:00:00Z' }),
        deal('4', { pipeline: 'p1', dealstage: 'demo', amount: '50', closedate: '2026-12-15T00:00:00Z' }),
        deal('5', { pipeline: 'p1', dealstage: 'demo', amount: '50', closedate: '2026-12-05T23:00:00Z' }),
      ],
      now,
      thresholds: { staleAfterDays: 14 },
    });
    expect(summary.counts.byStage).toEqual([
      { pipeline: 'p1', stage: 'demo', deals: 4, amount: 300, withoutAmount: 1 },
      { pipeline: 'p2', stage: 'won-soon', deals: 1, amount: 100, withoutAmount: 0 },
    ]);
    expect(summary.counts.byCloseDate).toEqual({ '2026-12-06': { deals: 1, amount: 100 }, '2026-12-14': { deals: 2, amount: 200 } });
  });

  it('keeps at most the cap, most reasons then larger amounts first, and counts the rest', () => {
    const deals = pipelineReviewFactsFixture(daysAgo);
    const summary = reviewFacts({ deals, now, thresholds: { staleAfterDays: 14 }, cap: 2 });
    expect(summary.needingAttention.map((d) => d.dealId)).toEqual(['3', '1']);
    expect(summary.needingAttentionLeftOut).toBe(1);
    expect(summary.counts.needingAttention).toBe(3);
  });
});
