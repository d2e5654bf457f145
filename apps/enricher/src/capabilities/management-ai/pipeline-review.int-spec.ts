import {
  BudgetRepository,
  EventStore,
  HubSpotApi,
  HubSpotBudget,
  HubSpotClientFactory,
  PortalAccess,
  PortalRepository,
  startStory,
  StreamIds,
  TokenCipher,
  topicNames,
  type AppConfig,
  isEventOfType,
  type EventEnvelope,
  type PipelineReviewFacts,
  type PlatformEvent,
} from '@app/common';
import { HubSpotSandbox } from '../../../../../sandbox/hubspot';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { DealAssessments } from './deal-assessments';
import { DealLister } from './deal-lister';
import { PipelineReader } from './pipeline-reader';
import { PipelineReview } from './pipeline-review';

const PIPELINE = 8301;
const EMPTY = 8302;
const NO_SCOPE = 8303;
const STRANDED = 8304;
const NO_DEALS_SCOPE = 8305;
const PIPELINES_REFUSED = 8306;
const DAY_MS = 86_400_000;

/**
 * The daily review's first step against the HubSpot sandbox, with the portal, its
 * budget and the event store in the real Postgres: the deals' facts as the event
 * records them, and each outcome recorded.
 */
describe('PipelineReview (HubSpot sandbox, Postgres)', () => {
  const hubspot = new HubSpotSandbox();
  let db: TestDatabase;
  let events: EventStore;
  let review: PipelineReview;
  let assessments: DealAssessments;
  let hubspotUrl: string;
  const token = (portalId: number) => `pat-${portalId}`;
  const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();
  const inDays = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString();
  const scheduled = (portalId: number, date = '2026-12-07') =>
    startStory({ type: 'DailyReviewScheduled', portalId, data: { date, dailyAt: '08:00', timeZone: 'Europe/Berlin' } }, new Date()) as PlatformEvent<'DailyReviewScheduled'>;
  const requestedDeals = (stream: readonly EventEnvelope[]) => stream.flatMap((e) => (isEventOfType(e, 'DealReviewRequested') ? [e.data.dealId] : []));
  /** A deal nothing is wrong with: owner, amount, close date next month, next step, activity yesterday. */
  const aDeal = (properties: Record<string, string>) => ({
    dealname: 'Renewal',
    pipeline: 'default',
    dealstage: 'qualifiedtobuy',
    amount: '10000',
    closedate: inDays(30),
    hubspot_owner_id: '77',
    hs_next_step: 'Send the proposal',
    notes_last_contacted: daysAgo(1),
    ...properties,
  });

  beforeAll(async () => {
    const url = (hubspotUrl = (await hubspot.start()).url);
    db = await createTestDatabase('pipeline_review');
    events = new EventStore(db.dataSource);
    const portals = new PortalRepository(db.dataSource, new TokenCipher(Buffer.alloc(32, 7)));
    for (const portalId of [PIPELINE, EMPTY, NO_SCOPE, STRANDED, NO_DEALS_SCOPE, PIPELINES_REFUSED]) {
      // A token granted contacts only: no deal can be listed, nor a deal pipeline read.
      hubspot.addPortal({ portalId, accessToken: token(portalId), tier: 'professional', ...(portalId === NO_DEALS_SCOPE ? { scopes: ['crm.objects.contacts.read'] } : {}) });
      hubspot.addOwner(portalId, { id: '77', email: `owner@p${portalId}.example` });
    }
    // The portal counts a deal stale after 21 days without activity (the default is 14).
    await portals.register({ portalId: PIPELINE, name: 'Pipeline Co', accessToken: token(PIPELINE), settings: { hubspot: { tier: 'professional' }, review: { staleAfterDays: 21 } } });
    await portals.register({ portalId: EMPTY, name: 'Empty Co', accessToken: token(EMPTY) });
    await portals.register({ portalId: NO_SCOPE, name: 'No Scope Co', accessToken: token(NO_SCOPE) });
    await portals.register({ portalId: STRANDED, name: 'Stranded Co', accessToken: token(STRANDED) });
    await portals.register({ portalId: NO_DEALS_SCOPE, name: 'Contacts Only Co', accessToken: token(NO_DEALS_SCOPE) });
    await portals.register({ portalId: PIPELINES_REFUSED, name: 'Refused Co', accessToken: token(PIPELINES_REFUSED) });
    const budget = new HubSpotBudget(new BudgetRepository(db.dataSource), 0.1);
    const api = new HubSpotApi(new HubSpotClientFactory(url));
    const lister = new DealLister(api, budget);
    assessments = new DealAssessments(db.dataSource);
    review = new PipelineReview(new PortalAccess(portals, { portalCacheMs: 0 } as AppConfig, () => new Date()), lister, events, assessments, { name: 'anthropic', modelFor: () => 'claude-haiku-5-5' }, topicNames('test'), () => new Date(), new PipelineReader(api, budget));
  }, 60_000);
  afterAll(async () => {
    await hubspot.stop();
    await db?.drop();
  });

  it('records the facts of the open deals once: stale, close date passed, missing owner and amount, fine; a closed deal is not listed', async () => {
    const stale = hubspot.seedObject(PIPELINE, 'deals', aDeal({ amount: '40000', notes_last_contacted: daysAgo(30) })).id;
    const quiet = hubspot.seedObject(PIPELINE, 'deals', aDeal({ notes_last_contacted: daysAgo(15) })).id;
    const overdue = hubspot.seedObject(PIPELINE, 'deals', aDeal({ amount: '25000', closedate: daysAgo(3) })).id;
    const orphan = hubspot.seedObject(PIPELINE, 'deals', { ...aDeal({}), amount: '', hubspot_owner_id: '' }).id;
    hubspot.seedObject(PIPELINE, 'deals', aDeal({}));
    hubspot.seedObject(PIPELINE, 'deals', aDeal({ dealstage: 'closedwon', notes_last_contacted: daysAgo(90) }));
    const trigger = scheduled(PIPELINE);

    expect(await review.run(trigger)).toEqual({ kind: 'done' });
    // Redelivered: done, nothing listed or recorded again.
    const searchesBefore = hubspot.rateLimitStats(PIPELINE).searchCalls;
    expect(await review.run(trigger)).toEqual({ kind: 'done' });
    expect(hubspot.rateLimitStats(PIPELINE).searchCalls).toBe(searchesBefore);

    const stream = await events.readStream(StreamIds.review(PIPELINE, '2026-12-07'));
    // The facts, one request per deal needing attention, then the digest's, all on the review's stream.
    expect(stream.map((e) => e.type)).toEqual(['PipelineReviewFactsComputed', 'DealReviewRequested', 'DealReviewRequested', 'DealReviewRequested', 'PipelineDigestRequested']);
    expect(requestedDeals(stream).sort()).toEqual([stale, overdue, orphan].sort());
    expect(requestedDeals(stream)).not.toContain(quiet);
    const event = stream[0]!;
    expect(event).toMatchObject({ causationId: trigger.id, correlationId: trigger.correlationId });
    const data = event.data as PipelineReviewFacts;
    expect(data).toMatchObject({
      trigger: { eventId: trigger.id, type: 'DailyReviewScheduled' },
      date: '2026-12-07',
      timeZone: 'Europe/Berlin',
      thresholds: { staleAfterDays: 21 },
      changedWhilePaging: false,
      truncated: false,
      searchCalls: 1,
      needingAttentionLeftOut: 0,
      counts: {
        openDeals: 5,
        needingAttention: 3,
        byReason: { stale: 1, 'close-date-passed': 1, 'missing-amount': 1, 'missing-owner': 1, 'missing-close-date': 0, 'missing-next-step': 0, 'unknown-stage': 0 },
      },
    });
    expect(data.needingAttention).toEqual([
      expect.objectContaining({ dealId: orphan, ownerId: null, amount: null, reasons: ['missing-amount', 'missing-owner'] }),
      expect.objectContaining({ dealId: stale, ownerId: '77', amount: 40000, stage: 'qualifiedtobuy', pipeline: 'default', reasons: ['stale'], daysSinceLastActivity: 30, activityLogged: true }),
      expect.objectContaining({ dealId: overdue, amount: 25000, reasons: ['close-date-passed'], closeDatePassed: true, stageProbability: 0.4, daysInStage: 0 }),
    ]);
    // 15 days quiet is under the portal's 21; no deal name is in the event.
    expect(data.needingAttention.map((d) => d.dealId)).not.toContain(quiet);
    expect(JSON.stringify(data)).not.toContain('Renewal');
  });

  it('the next day asks again only for the deals whose facts changed since their assessment', async () => {
    // Yesterday's requests were assessed: their hashes are remembered (DealReviewTriggers does it once the decision is recorded).
    for (const request of await events.readStream(StreamIds.review(PIPELINE, '2026-12-07'))) {
      if (!isEventOfType(request, 'DealReviewRequested')) continue;
      await assessments.remember(PIPELINE, request.data.dealId, request.data.inputHash, request.id, new Date());
    }
    const requested = (await assessments.hashes(PIPELINE)).size;
    expect(requested).toBe(3);
    const [changed, unchanged] = [...(await assessments.hashes(PIPELINE)).keys()];
    // One of them moved: its amount was updated through the API (as a rep would).
    const update = await fetch(`${hubspotUrl}/crm/objects/2026-03/deals/batch/update`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token(PIPELINE)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ id: changed, properties: { amount: '99999' } }] }),
    });
    expect(update.status).toBe(200);

    expect(await review.run(scheduled(PIPELINE, '2026-12-08'))).toEqual({ kind: 'done' });
    const [facts, request, digest] = await events.readStream(StreamIds.review(PIPELINE, '2026-12-08'));
    expect(facts!.data).toMatchObject({ assessments: { requested: 1, unchanged: 2 } });
    expect(request).toMatchObject({ type: 'DealReviewRequested', data: { dealId: changed } });
    expect(digest).toMatchObject({ type: 'PipelineDigestRequested', data: { requested: 1, unchanged: 2 } });
    expect(requestedDeals(await events.readStream(StreamIds.review(PIPELINE, '2026-12-08')))).not.toContain(unchanged);
  });

  it('a portal with no open deals: the event with zero counts', async () => {
    hubspot.seedObject(EMPTY, 'deals', aDeal({ dealstage: 'closedlost' }));
    expect(await review.run(scheduled(EMPTY))).toEqual({ kind: 'done' });
    const [event] = await events.readStream(StreamIds.review(EMPTY, '2026-12-07'));
    expect(event).toMatchObject({ type: 'PipelineReviewFactsComputed', data: { counts: { openDeals: 0, needingAttention: 0 }, needingAttention: [], needingAttentionLeftOut: 0 } });
  });

  it('a token without the deals scope: TriggerSkipped naming it, on the review’s stream', async () => {
    hubspot.injectFaults(NO_SCOPE, [
      {
        status: 403,
        count: 1,
        body: { status: 'error', category: 'MISSING_SCOPES', message: 'This app hasn\'t been granted all required scopes', errors: [{ message: 'missing', context: { requiredGranularScopes: ['crm.objects.deals.read'] } }] },
      },
    ]);
    const trigger = scheduled(NO_SCOPE);
    expect(await review.run(trigger)).toMatchObject({ kind: 'drop', reason: expect.stringContaining('crm.objects.deals.read') });
    const stream = await events.readStream(StreamIds.review(NO_SCOPE, '2026-12-07'));
    expect(stream).toEqual([expect.objectContaining({ type: 'TriggerSkipped', causationId: trigger.id, data: { trigger: { eventId: trigger.id, type: 'DailyReviewScheduled' }, reason: expect.stringContaining('crm.objects.deals.read') } })]);
  });

  it("a deal in a deleted stage and one in a deleted pipeline are 'unknown-stage'; deals in live stages of either pipeline are not", async () => {
    hubspot.addDealPipeline(STRANDED, {
      id: 'renewals',
      label: 'Renewals',
      stages: [
        { id: 'renewal-open', label: 'Open', probability: 0.3 },
        { id: 'renewal-quote', label: 'Quote sent', probability: 0.7 },
        { id: 'renewal-won', label: 'Won', probability: 1, isClosed: true },
      ],
    });
    hubspot.addDealPipeline(STRANDED, { id: 'partners', label: 'Partners', stages: [{ id: 'partner-intro', label: 'Intro', probability: 0.1 }] });
    const normal = hubspot.seedObject(STRANDED, 'deals', aDeal({})).id;
    const quoted = hubspot.seedObject(STRANDED, 'deals', aDeal({ pipeline: 'renewals', dealstage: 'renewal-quote' })).id;
    const inDeletedStage = hubspot.seedObject(STRANDED, 'deals', aDeal({ pipeline: 'renewals', dealstage: 'renewal-open', amount: '30000' })).id;
    const inDeletedPipeline = hubspot.seedObject(STRANDED, 'deals', aDeal({ pipeline: 'partners', dealstage: 'partner-intro', amount: '20000' })).id;
    hubspot.deleteDealStage(STRANDED, 'renewals', 'renewal-open');
    hubspot.deleteDealPipeline(STRANDED, 'partners');
    const standardBefore = hubspot.rateLimitStats(STRANDED);

    expect(await review.run(scheduled(STRANDED))).toEqual({ kind: 'done' });

    const [event] = await events.readStream(StreamIds.review(STRANDED, '2026-12-07'));
    const data = event!.data as PipelineReviewFacts;
    expect(data.pipelinesUnread).toBeUndefined();
    expect(data.counts).toMatchObject({ openDeals: 4, needingAttention: 2, byReason: { 'unknown-stage': 2 } });
    expect(data.needingAttention).toEqual([
      expect.objectContaining({ dealId: inDeletedStage, pipeline: 'renewals', stage: 'renewal-open', reasons: ['unknown-stage'] }),
      expect.objectContaining({ dealId: inDeletedPipeline, pipeline: 'partners', stage: 'partner-intro', reasons: ['unknown-stage'] }),
    ]);
    expect(data.needingAttention.map((d) => d.dealId)).not.toEqual(expect.arrayContaining([normal, quoted]));
    // One pipelines call and one search: the pipelines read is a standard call, not a search.
    const standardAfter = hubspot.rateLimitStats(STRANDED);
    expect(standardAfter.calls - standardBefore.calls).toBe(2);
    expect(standardAfter.searchCalls - standardBefore.searchCalls).toBe(1);
    expect(hubspot.requests().filter((r) => r.portalId === STRANDED).map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /crm/objects/2026-03/deals/search',
      'GET /crm/pipelines/2026-03/deals',
    ]);
    // The sandbox computed the deal's own probability from the same pipeline definitions.
    expect(hubspot.getObject(STRANDED, 'deals', quoted)?.properties.hs_deal_stage_probability).toBe('0.7');
  });

  it('a token granted no deals scope (really, not a fault): TriggerSkipped naming crm.objects.deals.read, and no pipelines call', async () => {
    const trigger = scheduled(NO_DEALS_SCOPE);
    expect(await review.run(trigger)).toMatchObject({ kind: 'drop', reason: expect.stringContaining('crm.objects.deals.read') });
    const stream = await events.readStream(StreamIds.review(NO_DEALS_SCOPE, '2026-12-07'));
    expect(stream).toEqual([expect.objectContaining({ type: 'TriggerSkipped', causationId: trigger.id, data: expect.objectContaining({ reason: expect.stringContaining('crm.objects.deals.read') }) })]);
    expect(hubspot.requests().filter((r) => r.portalId === NO_DEALS_SCOPE).map((r) => [r.path, r.status])).toEqual([['/crm/objects/2026-03/deals/search', 403]]);
  });

  it('deals listed but the pipelines refused (403): the facts are recorded without them, and the event says why', async () => {
    hubspot.seedObject(PIPELINES_REFUSED, 'deals', aDeal({}));
    hubspot.injectFaults(PIPELINES_REFUSED, [
      { delayMs: 0 },
      {
        status: 403,
        body: { status: 'error', category: 'MISSING_SCOPES', message: "This app hasn't been granted all required scopes", errors: [{ message: 'missing', context: { requiredGranularScopes: ['crm.objects.deals.read'] } }] },
      },
    ]);
    expect(await review.run(scheduled(PIPELINES_REFUSED))).toEqual({ kind: 'done' });
    const [event] = await events.readStream(StreamIds.review(PIPELINES_REFUSED, '2026-12-07'));
    expect(event).toMatchObject({ type: 'PipelineReviewFactsComputed', data: { pipelinesUnread: expect.stringContaining('crm.objects.deals.read'), counts: { openDeals: 1, byReason: { 'unknown-stage': 0 } } } });
  });
});
