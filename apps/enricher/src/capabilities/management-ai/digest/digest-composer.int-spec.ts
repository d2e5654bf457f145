import {
  causedBy,
  EventStore,
  Keyring,
  PersonalData,
  PortalAccess,
  PortalRepository,
  startStory,
  StreamIds,
  SubjectKeys,
  TokenCipher,
  topicNames,
  type AppConfig,
  type PipelineReviewFacts,
  type PlatformEvent,
  type ReviewedDeal,
} from '@app/common';
import { createTestDatabase, type TestDatabase } from '../../../../../../test/support/database';
import { memoryLogger } from '../../../../../../test/support/logger';
import { TEST_TOKEN_KEY } from '../../../../../../test/support/platform';
import { reviewFactsId } from '../pipeline-review';
import { RecordedAssessments } from './recorded-assessments';
import { DigestComposer, digestId } from './digest-composer';
import { HubSpotTaskDelivery, LogDigestDelivery } from './digest-delivery';

const MANAGED = 8401;
const NO_MANAGER = 8402;
const TODAY = '2026-12-07';
const YESTERDAY = '2026-12-06';

/**
 * The digest step against the real Postgres: the facts, the assessments and the
 * digest's event sealed and opened as in production (the test keyring), the HubSpot
 * tasks enqueued on the writebacks topic in the same transaction, and a redelivered
 * request recording nothing twice.
 */
describe('DigestComposer (Postgres)', () => {
  let db: TestDatabase;
  let events: EventStore;
  let composer: DigestComposer;
  const topics = topicNames('digest-int');
  const logged = memoryLogger();

  const deal = (dealId: string, overrides: Partial<ReviewedDeal> = {}): ReviewedDeal => ({
    dealId,
    ownerId: '77',
    amount: 1000,
    pipeline: 'default',
    stage: 'qualifiedtobuy',
    closeDate: '2026-12-09T00:00:00.000Z',
    reasons: ['stale'],
    daysSinceLastActivity: 30,
    activityLogged: true,
    daysInStage: 10,
    closeDatePassed: false,
    stageProbability: 0.4,
    ...overrides,
  });
  const facts = (date: string, needingAttention: ReviewedDeal[]): PipelineReviewFacts => ({
    trigger: { eventId: 'e', type: 'DailyReviewScheduled' },
    date,
    timeZone: 'Europe/Berlin',
    asOf: `${date}T07:00:00.000Z`,
    thresholds: { staleAfterDays: 14 },
    counts: {
      openDeals: 5,
      needingAttention: needingAttention.length,
      byReason: {},
      byStage: [{ pipeline: 'default', stage: 'qualifiedtobuy', deals: 5, amount: 9000, withoutAmount: 0 }],
      byCloseDate: { '2026-12-09': { deals: 2, amount: 3000 } },
    },
    changedWhilePaging: false,
    truncated: false,
    searchCalls: 1,
    needingAttention,
    needingAttentionLeftOut: 0,
  });

  /** The review's facts of a date, as PipelineReview records them. */
  const recordFacts = async (portalId: number, date: string, needing: ReviewedDeal[]) => {
    const event = startStory({ type: 'PipelineReviewFactsComputed', portalId, id: reviewFactsId(portalId, date), data: facts(date, needing) }, new Date());
    await events.append({ streamId: StreamIds.review(portalId, date), events: [event] });
    return event;
  };

  /** A deal's assessment as the decision flow records it: the pseudonymised answer, then the writeback with the real text. */
  const recordAssessment = async (portalId: number, dealId: string, answer: { healthScore: number; attention: boolean }) => {
    const streamId = StreamIds.crmObject(portalId, 'deals', dealId);
    const trigger = startStory({ type: 'DealReviewRequested', portalId, data: { review: { date: TODAY, asOf: `${TODAY}T07:00:00.000Z`, factsEventId: 'x' }, dealId, inputHash: 'h', reasons: ['stale'] } }, new Date());
    const decision = causedBy(
      trigger,
      {
        type: 'DecisionMade',
        portalId,
        data: {
          trigger: { eventId: trigger.id, type: trigger.type },
          prompt: { id: 'deal-health', version: 1, hash: `hash-${dealId}` },
          provider: 'offline-rules' as const,
          model: 'offline',
          input: {},
          usage: { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 },
          latencyMs: 1,
          output: { ...answer, stallReason: 'no_recent_activity', nextStep: 'Call {{FIRSTNAME_1}}', summary: 'Quiet since {{FIRSTNAME_1}} left.' },
        },
      },
      new Date(),
    );
    const writeback = causedBy(
      decision,
      {
        type: 'WritebackRequested',
        portalId,
        data: {
          kind: 'update-properties' as const,
          commandId: `${decision.id.slice(0, 30)}000000`,
          decisionId: decision.id,
          objectType: 'deals' as const,
          objectId: dealId,
          properties: { ai_health_score: String(answer.healthScore), ai_stall_reason: 'no_recent_activity', ai_attention_flag: String(answer.attention), ai_next_step: 'Call Jane', ai_summary: 'Quiet since Jane left.' },
        },
      },
      new Date(),
    );
    const subjects = [`deals:${dealId}`, 'contacts:501'];
    await events.appendAll([{ streamId, events: [trigger, decision, writeback], subjects }]);
  };

  const request = (portalId: number, factsEventId: string) =>
    startStory({ type: 'PipelineDigestRequested', portalId, data: { date: TODAY, factsEventId, requested: 1, unchanged: 0 } }, new Date()) as PlatformEvent<'PipelineDigestRequested'>;

  beforeAll(async () => {
    db = await createTestDatabase('pipeline_digest');
    events = new EventStore(db.dataSource, new PersonalData(new SubjectKeys(db.dataSource, Keyring.single(Buffer.from(TEST_TOKEN_KEY, 'base64')))));
    const portals = new PortalRepository(db.dataSource, new TokenCipher(Buffer.alloc(32, 7)));
    await portals.register({
      portalId: MANAGED,
      name: 'Managed Co',
      accessToken: 'pat-managed',
      settings: { managementAi: { managerOwnerId: '900', pipelineTargets: [{ pipelineId: 'default', amount: 18_000 }] } },
    });
    await portals.register({ portalId: NO_MANAGER, name: 'No Manager Co', accessToken: 'pat-none' });
    const access = new PortalAccess(portals, { portalCacheMs: 0 } as AppConfig, () => new Date());
    composer = new DigestComposer(access, events, new RecordedAssessments(db.dataSource, events), [new HubSpotTaskDelivery(), new LogDigestDelivery(logged.logger)], topics, () => new Date());
  }, 60_000);
  afterAll(async () => {
    await db?.drop();
  });

  it('records the digests once, with the writeback text, and enqueues one task per owner and one for the manager', async () => {
    await recordFacts(MANAGED, YESTERDAY, [deal('2'), deal('9', { ownerId: '88' })]);
    const today = await recordFacts(MANAGED, TODAY, [deal('1', { amount: 5000 }), deal('2'), deal('3', { ownerId: null, reasons: ['missing-owner'] })]);
    await recordAssessment(MANAGED, '1', { healthScore: 30, attention: true });

    const asked = request(MANAGED, today.id);
    expect(await composer.run(asked)).toEqual({ kind: 'done' });
    // Redelivered: nothing more recorded, nothing more enqueued.
    expect(await composer.run(asked)).toEqual({ kind: 'done' });
    expect(await composer.run(request(MANAGED, today.id))).toEqual({ kind: 'done' });

    const stream = await events.readStream(StreamIds.review(MANAGED, TODAY));
    expect(stream.map((e) => e.type)).toEqual(['PipelineReviewFactsComputed', 'PipelineDigestComposed', 'WritebackRequested', 'WritebackRequested']);
    const digest = stream[1]!;
    expect(digest.id).toBe(digestId(MANAGED, TODAY));
    expect(digest.causationId).toBe(asked.id);
    if (digest.type !== 'PipelineDigestComposed') throw new Error('not a digest');
    const data = digest.data as PlatformEvent<'PipelineDigestComposed'>['data'];
    expect(data.previousFactsEventId).toBe(reviewFactsId(MANAGED, YESTERDAY));
    expect(data.owners.map((o) => [o.ownerId, o.deals.map((d) => d.dealId)])).toEqual([['77', ['1', '2']]]);
    // The real text, from the writeback, never the decision's placeholders.
    expect(data.owners[0]!.deals[0]!.assessment).toMatchObject({ kind: 'assessed', healthScore: 30, attention: true, nextStep: 'Call Jane', summary: 'Quiet since Jane left.', text: 'writeback' });
    expect(data.owners[0]!.deals[1]!.assessment).toEqual({ kind: 'pending' });
    expect(data.leadership.unowned.map((d) => d.dealId)).toEqual(['3']);
    expect(data.leadership.atRisk.deals.map((d) => d.dealId)).toEqual(['1']);
    expect(data.leadership.pipelines).toEqual([expect.objectContaining({ pipeline: 'default', target: 18_000, amount: 9000, ofTarget: 0.5 })]);
    expect(data.leadership.closingThisWeek.open).toEqual({ deals: 2, amount: 3000 });
    expect(data.leadership.changes).toMatchObject({ kind: 'compared', newlyNeedingAttention: [{ dealId: '1' }, { dealId: '3' }], noLongerNeedingAttention: [{ dealId: '9' }] });

    const ownerTask = stream[2] as PlatformEvent<'WritebackRequested'>;
    const managerTask = stream[3] as PlatformEvent<'WritebackRequested'>;
    expect(ownerTask.data).toMatchObject({ kind: 'create-task', ownerId: '77', objectType: 'deals', objectId: '1', decisionId: digest.id });
    expect(managerTask.data).toMatchObject({ kind: 'create-task', ownerId: '900', objectType: 'deals', objectId: '1', priority: 'HIGH' });
    expect(ownerTask.data.kind === 'create-task' && ownerTask.data.body).toContain('next step: Call Jane');
    expect(data.deliveries).toEqual(
      expect.arrayContaining([
        { channel: 'hubspot-task', digest: { kind: 'owner', ownerId: '77' }, kind: 'requested', commandId: ownerTask.id, associatedDealId: '1' },
        { channel: 'hubspot-task', digest: { kind: 'leadership', managerOwnerId: '900' }, kind: 'requested', commandId: managerTask.id, associatedDealId: '1' },
        expect.objectContaining({ channel: 'log', kind: 'done' }),
      ]),
    );

    // Stored sealed (the digests quote people), under the deal's and its contact's keys.
    const [raw] = await db.dataSource.query(`SELECT data FROM events WHERE event_id = $1`, [digest.id]);
    expect(raw.data.owners).toBeUndefined();
    expect(raw.data.sealed).toBeDefined();
    expect(JSON.stringify(raw.data)).not.toContain('Jane');
    expect(events.personalData!.subjectsOf(digest.data)).toEqual(['contacts:501', 'deals:1']);

    const outbox: Array<{ topic: string; event_id: string }> = await db.dataSource.query(`SELECT topic, event_id FROM outbox WHERE event_id = ANY($1::uuid[]) ORDER BY id`, [[ownerTask.id, managerTask.id, digest.id]]);
    expect(outbox).toEqual([
      { topic: topics.writebacks, event_id: ownerTask.id },
      { topic: topics.writebacks, event_id: managerTask.id },
    ]);
    // The log channel logs counts, never text.
    expect(logged.lines.join('\n')).not.toContain('Jane');
  });

  it('without a manager: the leadership digest is recorded, and says it was not delivered and why', async () => {
    const today = await recordFacts(NO_MANAGER, TODAY, [deal('5', { ownerId: null, reasons: ['missing-owner'] })]);
    expect(await composer.run(request(NO_MANAGER, today.id))).toEqual({ kind: 'done' });
    const stream = await events.readStream(StreamIds.review(NO_MANAGER, TODAY));
    expect(stream.map((e) => e.type)).toEqual(['PipelineReviewFactsComputed', 'PipelineDigestComposed']);
    const data = stream[1]!.data as PlatformEvent<'PipelineDigestComposed'>['data'];
    expect(data.owners).toEqual([]);
    expect(data.leadership).toMatchObject({ managerOwnerId: null, unowned: [{ dealId: '5', assessment: { kind: 'pending' } }], changes: { kind: 'no-previous-review', previousDate: YESTERDAY } });
    expect(data.deliveries).toContainEqual({
      channel: 'hubspot-task',
      digest: { kind: 'leadership', managerOwnerId: null },
      kind: 'not-delivered',
      reason: expect.stringContaining('managerOwnerId'),
    });
  });

  it('a request naming facts that are not recorded goes to the dead letters', async () => {
    const other = startStory({ type: 'PipelineDigestRequested', portalId: NO_MANAGER, data: { date: '2026-12-08', factsEventId: '00000000-0000-4000-8000-000000000000', requested: 0, unchanged: 0 } }, new Date()) as PlatformEvent<'PipelineDigestRequested'>;
    expect(await composer.run(other)).toMatchObject({ kind: 'dead-letter' });
  });
});
