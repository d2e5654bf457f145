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
  type PipelineReviewFacts,
  type PlatformEvent,
} from '@app/common';
import { HubSpotSandbox } from '../../../../../sandbox/hubspot';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { DealAssessments } from './deal-assessments';
import { DealLister } from './deal-lister';
import { PipelineReview } from './pipeline-review';

const PIPELINE = 8301;
const EMPTY = 8302;
const NO_SCOPE = 8303;
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
    for (const portalId of [PIPELINE, EMPTY, NO_SCOPE]) {
      hubspot.addPortal({ portalId, accessToken: token(portalId), tier: 'professional' });
      hubspot.addOwner(portalId, { id: '77', email: `owner@p${portalId}.example` });
    }
    // The portal counts a deal stale after 21 days without activity (the default is 14).
    await portals.register({ portalId: PIPELINE, name: 'Pipeline Co', accessToken: token(PIPELINE), settings: { hubspot: { tier: 'professional' }, review: { staleAfterDays: 21 } } });
    await portals.register({ portalId: EMPTY, name: 'Empty Co', accessToken: token(EMPTY) });
    await portals.register({ portalId: NO_SCOPE, name: 'No Scope Co', accessToken: token(NO_SCOPE) });
    const budget = new HubSpotBudget(new BudgetRepository(db.dataSource), 0.1);
    const lister = new DealLister(new HubSpotApi(new HubSpotClientFactory(url)), budget);
    assessments = new DealAssessments(db.dataSource);
    review = new PipelineReview(new PortalAccess(portals, { portalCacheMs: 0 } as AppConfig, () => new Date()), lister, events, assessments, topicNames('test'), () => new Date());
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
    expect(stream.map((e) => e.type)).toEqual(['PipelineReviewFactsComputed', 'PipelineDigestRequested']);
    // One request per deal needing attention, on the deal's own stream.
    for (const dealId of [stale, overdue, orphan]) {
      expect((await events.readStream(StreamIds.crmObject(PIPELINE, 'deals', dealId))).map((e) => e.type)).toEqual(['DealReviewRequested']);
    }
    expect(await events.readStream(StreamIds.crmObject(PIPELINE, 'deals', quiet))).toEqual([]);
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
    for (const dealId of hubspot.listObjects(PIPELINE, 'deals').map((d) => d.id)) {
      const [request] = await events.readStream(StreamIds.crmObject(PIPELINE, 'deals', dealId));
      if (request?.type === 'DealReviewRequested') {
        const data = request.data as PlatformEvent<'DealReviewRequested'>['data'];
        await assessments.remember(PIPELINE, dealId, data.inputHash, request.id, new Date());
      }
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
    const [facts, digest] = await events.readStream(StreamIds.review(PIPELINE, '2026-12-08'));
    expect(facts!.data).toMatchObject({ assessments: { requested: 1, unchanged: 2 } });
    expect(digest).toMatchObject({ type: 'PipelineDigestRequested', data: { requested: 1, unchanged: 2 } });
    expect((await events.readStream(StreamIds.crmObject(PIPELINE, 'deals', changed!))).map((e) => e.type)).toEqual(['DealReviewRequested', 'DealReviewRequested']);
    expect((await events.readStream(StreamIds.crmObject(PIPELINE, 'deals', unchanged!))).map((e) => e.type)).toEqual(['DealReviewRequested']);
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
});
