import { Outcome, startStory, type AppendRequest, type EventStore, type Portal, type PortalAccess, type PortalSettings, type PortalStatus, type PlatformEvent } from '@app/common';
import type { DealRecord } from './deal-facts';
import type { DealLister, DealListing } from './deal-lister';
import { PipelineReview, reviewFactsId } from './pipeline-review';
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
      notes_last_updated: daysAgo(1),
      hs_v2_date_entered_current_stage: daysAgo(5),
      createdate: daysAgo(60),
      ...properties,
    },
  });
  return [
    aDeal('1', { amount: '50000', notes_last_updated: daysAgo(30) }),
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

  /** Strict fakes: a call the test did not set up fails it. */
  function build({ portal = aPortal() as Portal | null, listing = listed([]) as DealListing, recorded = false } = {}) {
    const unexpected = (name: string) => () => {
      throw new Error(`unexpected call: ${name}`);
    };
    const get = jest.fn(async () => (portal ? { portal, accessToken: 'pat', token } : undefined));
    const openDeals = jest.fn(async () => listing);
    const has = jest.fn(async () => recorded);
    const append = jest.fn(async (_: AppendRequest) => ({ kind: 'appended' as const, streamId: '', streamVersion: 0, appendedIds: [], duplicateIds: [] }));
    const eventStore = new Proxy({ has, append }, { get: (target, key) => (key in target ? target[key as keyof typeof target] : unexpected(String(key))) });
    const review = new PipelineReview({ get } as unknown as PortalAccess, { openDeals } as unknown as DealLister, eventStore as unknown as EventStore, () => now);
    const appended = () => append.mock.calls.map(([request]) => request);
    return { review, get, openDeals, has, append, appended };
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
      ...reviewFacts({ deals, now, thresholds: { staleAfterDays: 10 } }),
    });
    expect(event.data).toMatchObject({ counts: { openDeals: 4, needingAttention: 3 } });
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
    const { review, openDeals, has, append } = build({ recorded: true });
    expect(await review.run(trigger)).toEqual(Outcome.done());
    expect(has).toHaveBeenCalledWith(reviewFactsId(PORTAL, '2026-12-07'));
    expect(openDeals).not.toHaveBeenCalled();
    expect(append).not.toHaveBeenCalled();
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
    const { review, append } = build({ listing: { kind: 'retry', reason: 'HubSpot answered 503', waitMs: 2_000, searchCalls: 3 } });
    expect(await review.run(trigger)).toEqual(Outcome.retry(`daily review of portal ${PORTAL}: HubSpot answered 503`, 2_000));
    expect(append).not.toHaveBeenCalled();
  });

  it('a token HubSpot refuses (401) or a search it rejects: dead letter for an operator, nothing recorded', async () => {
    const { review, append } = build({ listing: { kind: 'failed', reason: 'HubSpot refused the portal’s token (401): reconnect the portal', hubspotStatus: 401, searchCalls: 1 } });
    expect(await review.run(trigger)).toMatchObject({ kind: 'dead-letter', reason: expect.stringContaining('reconnect the portal') });
    expect(append).not.toHaveBeenCalled();
  });

  it.each([
    ['paused', aPortal('paused'), `portal ${PORTAL} is paused`],
    ['not registered', null, `portal ${PORTAL} is not registered`],
  ])('a portal %s: dropped, nothing listed or recorded', async (_, portal, reason) => {
    const { review, openDeals, append } = build({ portal });
    expect(await review.run(trigger)).toEqual(Outcome.drop(reason));
    expect(openDeals).not.toHaveBeenCalled();
    expect(append).not.toHaveBeenCalled();
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
