import {
  causedBy,
  EventStore,
  PortalAccess,
  OperatorAlerts,
  PortalRepository,
  replayState,
  startStory,
  StreamIds,
  TokenCipher,
  topicNames,
  type AppConfig,
  type PlatformEvent,
  type ReplayState,
  type StoredEvent,
} from '@app/common';
import { AnthropicDouble } from '../../../../sandbox/anthropic';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { memoryLogger } from '../../../../test/support/logger';
import { AnthropicProvider } from '../ai/anthropic.provider';
import { ModelConcurrency } from '../ai/model-concurrency';
import { DecisionMaker } from '../decisions/decision-maker';
import { DecisionRecords } from '../decisions/decision-records';
import { ModelRefusalAlerts } from '../decisions/model-refusal-alerts';
import { LEAD_SCORING_V1, LEAD_SCORING_V3 } from '../capabilities/lead-ai/lead-scoring.prompt';
import { DEAL_HEALTH_V1 } from '../capabilities/management-ai/deal-health.prompt';
import { ReplayApplier } from './replay-applier';
import { REPLAY_CHUNK, ReplayRunner } from './replay-runner';
import { ReplaySetUp } from './replay-setup';
import { ReplayRecords } from './replay-records';

const PORTAL = 7171;
const MODEL = 'claude-sonnet-5-5';
const topics = topicNames('replay');

/**
 * Replays against the real event store and the Anthropic double: past Lead AI
 * decisions (lead-scoring v3) asked again with v4 about the snapshots they saw.
 */
describe('ReplayRunner (Postgres and the Anthropic double)', () => {
  const claude = new AnthropicDouble();
  let db: TestDatabase;
  let events: EventStore;
  let maker: DecisionMaker;
  let runner: ReplayRunner;
  let portals: PortalRepository;
  let contacts = 0;

  beforeAll(async () => {
    const claudeUrl = (await claude.start()).url;
    db = await createTestDatabase('replays');
    events = new EventStore(db.dataSource);
    portals = new PortalRepository(db.dataSource, new TokenCipher(Buffer.alloc(32, 7)));
    await portals.register({ portalId: PORTAL, name: 'Replay Co', accessToken: 'pat', settings: {} });
    const provider = new AnthropicProvider({ apiKey: 'sk-ant-test', baseURL: claudeUrl, defaultModel: MODEL, maxRetries: 0 });
    maker = new DecisionMaker(provider, new DecisionRecords(db.dataSource), new ModelConcurrency({ global: 4, perPortal: 2 }));
    const setUp = new ReplaySetUp(new PortalAccess(portals, { portalCacheMs: 0 } as AppConfig, () => new Date()));
    const records = new ReplayRecords(db.dataSource);
    const applier = new ReplayApplier(events, setUp, maker, records, topics, () => new Date());
    runner = new ReplayRunner(events, setUp, maker, records, applier, new ModelRefusalAlerts(new OperatorAlerts(events, memoryLogger().logger, () => new Date()), new PortalAccess(portals, { portalCacheMs: 0 } as AppConfig, () => new Date())), topics, () => new Date());
  }, 60_000);
  beforeEach(() => claude.reset());
  afterAll(async () => {
    await claude.stop();
    await db?.drop();
  });

  const FITS = { score: 90, persona: 'decision_maker', summary: '{{FIRSTNAME_1}} runs Acme and wants a demo.' };

  /** A recorded v3 decision about a new contact, as the live flow leaves it: trigger → ContextFetched → DecisionMade. */
  async function aDecision(
    output: Record<string, unknown>,
    recordedAt = new Date(),
    sameAs?: { objectId: string; snapshot: Record<string, string> },
    version: 1 | 3 = 3,
  ): Promise<PlatformEvent<'DecisionMade'>> {
    contacts += 1;
    const objectId = sameAs?.objectId ?? String(9000 + contacts);
    const snapshot = sameAs?.snapshot ?? { firstname: 'Ann', lastname: `Lee${contacts}`, email: `ann${contacts}@acme.io`, jobtitle: 'CEO', 'company.name': 'Acme', 'notes.1.hs_note_body': 'Call with Ann: wants a demo' };
    const portal = (await portals.find(PORTAL))!;
    const { rendered } = maker.prepare({ portal, prompt: version === 3 ? LEAD_SCORING_V3 : LEAD_SCORING_V1, objectType: 'contacts', objectId, snapshot });
    const trigger = startStory({ type: 'WebhookEventReceived', portalId: PORTAL, data: { subscriptionType: 'contact.creation', objectType: 'contacts', objectId, hubspot: {} as never } }, recordedAt);
    const context = causedBy(trigger, { type: 'ContextFetched', portalId: PORTAL, data: { objectType: 'contacts', objectId, snapshot, hubspotStatus: 200, rateLimit: {} } }, recordedAt);
    const decision = causedBy(context, {
      type: 'DecisionMade',
      portalId: PORTAL,
      data: {
        trigger: { eventId: trigger.id, type: 'contact.creation' },
        prompt: { id: 'lead-scoring', version, hash: rendered.hash },
        provider: 'anthropic',
        model: MODEL,
        input: {},
        output,
        usage: { inputTokens: 100, outputTokens: 50, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 },
        costUsd: 0.001,
        latencyMs: 900,
      },
    }, recordedAt) as PlatformEvent<'DecisionMade'>;
    await events.append({ streamId: StreamIds.crmObject(PORTAL, 'contacts', objectId), events: [trigger, context, decision] });
    return decision;
  }

  async function request(data: Partial<PlatformEvent<'ReplayRequested'>['data']>): Promise<PlatformEvent<'ReplayRequested'>> {
    const requested = startStory(
      { type: 'ReplayRequested', portalId: PORTAL, data: { promptId: 'lead-scoring', promptVersion: 4, from: null, to: new Date().toISOString(), limit: 100, forceModelCall: false, ...data } },
      new Date(),
    ) as PlatformEvent<'ReplayRequested'>;
    await events.append({ streamId: StreamIds.replay(PORTAL, requested.id), events: [requested], expectedVersion: 'no-stream' });
    return requested;
  }

  const stateOf = async (replay: PlatformEvent): Promise<ReplayState> => replayState(await events.readStream(StreamIds.replay(PORTAL, replay.id)))!;
  const stream = (replay: PlatformEvent): Promise<StoredEvent[]> => events.readStream(StreamIds.replay(PORTAL, replay.id));
  const answer = (content: Record<string, unknown>) => ({ content: [{ type: 'thinking', thinking: '' }, { type: 'text', text: JSON.stringify(content) }] });

  it('replays Management AI’s deal assessments like any other: the snapshot it saw (the review’s findings included) asked again', async () => {
    const objectId = '77001';
    const snapshot = { dealname: 'Harbour View', amount: '48000', dealstage: 'presentationscheduled', notes_last_contacted: '2026-10-01T00:00:00Z', 'derived.attention': 'stale' };
    const portal = (await portals.find(PORTAL))!;
    const { rendered } = maker.prepare({ portal, prompt: DEAL_HEALTH_V1, objectType: 'deals', objectId, snapshot });
    expect(rendered.user).toContain('"attention": "stale"');
    const trigger = startStory({ type: 'DealReviewRequested', portalId: PORTAL, data: { review: { date: '2026-12-07', asOf: new Date().toISOString(), factsEventId: 'f' }, dealId: objectId, inputHash: 'h', reasons: ['stale'] } }, new Date());
    const context = causedBy(trigger, { type: 'ContextFetched', portalId: PORTAL, data: { objectType: 'deals', objectId, snapshot, hubspotStatus: 200, rateLimit: {} } }, new Date());
    const before = { healthScore: 70, stallReason: 'none', attention: false, nextStep: 'Keep going.', summary: 'Moving.' };
    const decision = causedBy(context, {
      type: 'DecisionMade',
      portalId: PORTAL,
      data: { trigger: { eventId: trigger.id, type: 'DealReviewRequested' }, prompt: { id: 'deal-health', version: 1, hash: rendered.hash }, provider: 'anthropic', model: 'claude-haiku-5-5', input: {}, output: before, usage: { inputTokens: 100, outputTokens: 50, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 }, costUsd: 0.001, latencyMs: 900 },
    }, new Date()) as PlatformEvent<'DecisionMade'>;
    await events.append({ streamId: StreamIds.crmObject(PORTAL, 'deals', objectId), events: [trigger, context, decision] });
    const replay = await request({ promptId: 'deal-health', promptVersion: 1, forceModelCall: true, from: new Date(Date.now() - 60_000).toISOString() });
    claude.enqueue(answer({ ...before, healthScore: 30, stallReason: 'no_recent_activity', attention: true }));

    expect(await runner.handle(replay)).toEqual({ kind: 'done' });
    const state = await stateOf(replay);
    expect(state.totals).toMatchObject({ replayed: 1, changed: 1, failed: 0 });
    const replayed = state.answers.get(decision.id) as PlatformEvent<'DecisionReplayed'>;
    expect(replayed.data.differences.map((d) => d.field).sort()).toEqual(['attention', 'healthScore', 'stallReason']);
    expect(claude.received().at(-1)!.body).toMatchObject({ model: 'claude-haiku-5-5' });
  });

  it('asks each past decision again with the new version about the snapshot it saw, and records what changed', async () => {
    const same = await aDecision(FITS);
    const lower = await aDecision({ ...FITS, score: 40 });
    const other = await aDecision({ score: 10, persona: 'researcher', summary: 'Browsing.' });
    const replay = await request({ from: new Date(Date.now() - 60_000).toISOString() });
    claude.enqueue(answer(FITS), answer(FITS), answer(FITS));

    expect(await runner.handle(replay)).toEqual({ kind: 'done' });

    const state = await stateOf(replay);
    expect(state.status).toBe('completed');
    expect(state.totals).toEqual({ replayed: 3, changed: 2, failed: 0, costUsd: expect.any(Number) });
    expect(state.totals.costUsd).toBeGreaterThan(0);
    const replayed = (decision: PlatformEvent<'DecisionMade'>) => state.answers.get(decision.id) as PlatformEvent<'DecisionReplayed'>;
    expect(replayed(same).data.differences).toEqual([]);
    // v3 read everything v4 declares.
    expect(replayed(same).data.notReadThen).toBeUndefined();
    expect(replayed(lower).data.differences).toEqual([{ field: 'score', before: 40, after: 90 }]);
    expect(replayed(other).data.differences.map((d) => d.field)).toEqual(['score', 'persona', 'summary']);
    expect(replayed(lower).data).toMatchObject({
      prompt: { id: 'lead-scoring', version: 4 },
      original: { decisionId: lower.id, streamId: expect.stringMatching(/^crm-7171-contacts-/), prompt: { version: 3 }, output: { score: 40 } },
      trigger: lower.data.trigger,
      provider: 'anthropic',
      model: MODEL,
    });
    // The model saw v4's wording, and placeholders rather than the contact's name or email.
    const sent = claude.received().map((r) => JSON.stringify(r.body));
    expect(sent).toHaveLength(3);
    for (const body of sent) {
      expect(body).toContain('as it stands in the CRM now');
      expect(body).not.toMatch(/ann\d*@acme\.io|"Ann"|Call with Ann/);
    }

    // A redelivered request finds the replay completed: nothing is asked or recorded again.
    const length = (await stream(replay)).length;
    expect(await runner.handle(replay)).toEqual({ kind: 'done' });
    expect(await stream(replay)).toHaveLength(length);
    expect(claude.received()).toHaveLength(3);
  });

  it('says which fields the replay’s version declares that the original decision never read', async () => {
    const from = new Date().toISOString();
    const v1 = await aDecision(FITS, new Date(), undefined, 1);
    const replay = await request({ from });
    claude.enqueue(answer(FITS));
    await runner.handle(replay);
    const replayed = (await stateOf(replay)).answers.get(v1.id) as PlatformEvent<'DecisionReplayed'>;
    expect(replayed.data.notReadThen).toEqual(expect.arrayContaining(['company.name', 'notes.hs_note_body', 'emails.hs_email_text', 'recent_conversion_event_name']));
  });

  it('with the decisions’ own version, reuses their answers: nothing asked, nothing changed', async () => {
    const from = new Date().toISOString();
    await aDecision(FITS);
    await aDecision({ ...FITS, score: 55 });
    const replay = await request({ promptVersion: 3, from });

    expect(await runner.handle(replay)).toEqual({ kind: 'done' });

    const state = await stateOf(replay);
    expect(state.totals).toEqual({ replayed: 2, changed: 0, failed: 0, costUsd: 0 });
    expect([...state.answers.values()].every((a) => 'reusedFrom' in a.data && a.data.reusedFrom !== undefined)).toBe(true);
    expect(claude.received()).toHaveLength(0);
  });

  it('advances one chunk per message, publishing the next, and stops at the limit', async () => {
    const from = new Date().toISOString();
    for (let i = 0; i < REPLAY_CHUNK + 5; i += 1) await aDecision(FITS);
    const replay = await request({ from, limit: REPLAY_CHUNK + 3 });

    expect(await runner.handle(replay)).toEqual({ kind: 'done' });
    let state = await stateOf(replay);
    expect(state.status).toBe('running');
    expect(state.totals.replayed).toBe(REPLAY_CHUNK);
    const progress = (await stream(replay)).at(-1)!;
    expect(progress.type).toBe('ReplayProgressed');
    // The progress event is the next chunk's message: it waits in the outbox for the replays topic.
    const outbox: Array<{ topic: string }> = await db.dataSource.query('SELECT topic FROM outbox WHERE event_id = $1', [progress.id]);
    expect(outbox).toEqual([{ topic: topics.replays }]);

    expect(await runner.handle(progress)).toEqual({ kind: 'done' });
    state = await stateOf(replay);
    expect(state.status).toBe('completed');
    expect(state.totals.replayed).toBe(REPLAY_CHUNK + 3);
    expect(claude.received()).toHaveLength(REPLAY_CHUNK + 3);
  });

  it('keeps every answer when the model is overloaded for one decision, and asks only that one again in a fresh message', async () => {
    const from = new Date().toISOString();
    for (let i = 0; i < 4; i += 1) await aDecision({ ...FITS, score: 50 });
    const replay = await request({ from });
    claude.enqueue(answer(FITS), { status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } });

    expect(await runner.handle(replay)).toEqual({ kind: 'done' });
    const partly = await stateOf(replay);
    expect(partly).toMatchObject({ status: 'running', totals: { replayed: 3 } });
    const progress = (await stream(replay)).at(-1)!;
    expect(progress.type).toBe('ReplayProgressed');
    expect(await db.dataSource.query('SELECT topic FROM outbox WHERE event_id = $1', [progress.id])).toEqual([{ topic: topics.replays }]);

    expect(await runner.handle(progress)).toEqual({ kind: 'done' });
    const state = await stateOf(replay);
    expect(state).toMatchObject({ status: 'completed', totals: { replayed: 4, failed: 0 } });
    expect(state.answers.size).toBe(4);
    // The three answered the first time were not paid for again.
    expect(claude.received()).toHaveLength(5);
  });

  it('retries the message in place when nothing of the chunk could be asked', async () => {
    const from = new Date().toISOString();
    await aDecision(FITS);
    const replay = await request({ from });
    claude.enqueue({ status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } });

    expect(await runner.handle(replay)).toMatchObject({ kind: 'retry', reason: expect.stringContaining('529') });
    expect(await stream(replay)).toHaveLength(1);
    expect(await runner.handle(replay)).toEqual({ kind: 'done' });
    expect((await stateOf(replay)).status).toBe('completed');
  });

  it('records a decision the API refuses as too large (413) as failed and goes on; stops in the dead-letter topic on a set-up error (401) or a setting the model refuses (400), alerting the operator', async () => {
    const from = new Date().toISOString();
    await aDecision(FITS);
    await aDecision(FITS);
    const replay = await request({ from });
    const tooLarge = { status: 413, body: { type: 'error', error: { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' } } };
    claude.enqueue(tooLarge, answer(FITS));
    expect(await runner.handle(replay)).toEqual({ kind: 'done' });
    const state = await stateOf(replay);
    expect(state).toMatchObject({ status: 'completed', totals: { replayed: 2, failed: 1 } });
    // The two are asked at once: whichever reached the API first was refused.
    const failed = [...state.answers.values()].filter((a) => a.type === 'DecisionReplayFailed');
    expect(failed).toEqual([expect.objectContaining({ data: expect.objectContaining({ reason: expect.stringContaining('maximum allowed number of bytes'), costUsd: 0, answers: [] }) })]);

    const later = new Date().toISOString();
    await aDecision(FITS);
    const unauthorised = await request({ from: later });
    claude.enqueue({ status: 401, body: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } } });
    expect(await runner.handle(unauthorised)).toMatchObject({ kind: 'dead-letter', reason: expect.stringContaining('401') });
    expect((await stateOf(unauthorised)).status).toBe('running');

    const refusedSetting = await request({ from: later });
    claude.enqueue({ status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'tool_choice: type "tool" and "any" are not supported for this model.' } } });
    expect(await runner.handle(refusedSetting)).toMatchObject({ kind: 'dead-letter', reason: expect.stringContaining('tool_choice') });
    expect((await portals.find(PORTAL))!.alerts['model-request-rejected']).toMatchObject({ message: expect.stringContaining('tool_choice') });
    await portals.clearAlerts(PORTAL);
  });

  it('lets only one of two consumers handling the same message at once record the chunk', async () => {
    const from = new Date().toISOString();
    for (let i = 0; i < REPLAY_CHUNK + 1; i += 1) await aDecision(FITS);
    const replay = await request({ from });

    const outcomes = await Promise.all([runner.handle(replay), runner.handle(replay)]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(['done', 'drop']);
    const recorded = await stream(replay);
    expect(recorded.filter((e) => e.type === 'DecisionReplayed')).toHaveLength(REPLAY_CHUNK);
    const progress = recorded.filter((e) => e.type === 'ReplayProgressed');
    expect(progress).toHaveLength(1);
    const published: Array<{ n: number }> = await db.dataSource.query(
      `SELECT count(*)::int AS n FROM outbox o JOIN events e USING (event_id) WHERE o.topic = $1 AND e.correlation_id = $2`,
      [topics.replays, replay.id],
    );
    expect(published[0]!.n).toBe(1);
  });

  it('records an answer that stays invalid after the repair as a failed replay of that decision, and goes on', async () => {
    const from = new Date().toISOString();
    const broken = await aDecision(FITS);
    const replay = await request({ from });
    const invalid = answer({ score: 300, persona: 'ceo', summary: '' });
    claude.enqueue(invalid, invalid);

    expect(await runner.handle(replay)).toEqual({ kind: 'done' });

    const state = await stateOf(replay);
    expect(state.totals).toMatchObject({ replayed: 1, changed: 0, failed: 1 });
    expect(state.answers.get(broken.id)).toMatchObject({ type: 'DecisionReplayFailed', data: { reason: expect.stringContaining('failed validation twice'), answers: [expect.anything(), expect.anything()] } });
  });

  it('asks once per distinct input: decisions that saw the same facts share one answer, in a chunk and across chunks', async () => {
    const from = new Date().toISOString();
    // One record re-decided on identical facts, over and over (the objectId is in the prompt: the same record each time).
    const facts = { objectId: '8800', snapshot: { firstname: 'Bo', jobtitle: 'CTO' } };
    const same: Array<PlatformEvent<'DecisionMade'>> = [];
    for (let i = 0; i < REPLAY_CHUNK + 2; i += 1) same.push(await aDecision(FITS, new Date(), facts));
    const replay = await request({ from });

    expect(await runner.handle(replay)).toEqual({ kind: 'done' });
    const progress = (await stream(replay)).at(-1)!;
    expect(await runner.handle(progress)).toEqual({ kind: 'done' });

    const state = await stateOf(replay);
    expect(state).toMatchObject({ status: 'completed', totals: { replayed: REPLAY_CHUNK + 2 } });
    expect(claude.received()).toHaveLength(1);
    const paid = [...state.answers.values()].filter((a) => 'costUsd' in a.data && a.data.costUsd !== 0);
    expect(paid).toHaveLength(1);
    expect([...state.answers.values()].filter((a) => 'reusedFrom' in a.data && a.data.reusedFrom?.decisionId === paid[0]!.id)).toHaveLength(REPLAY_CHUNK + 1);
  });

  it('keeps a paused portal’s replay with its answers, stopped in the dead-letter topic until redriven', async () => {
    const from = new Date().toISOString();
    for (let i = 0; i < REPLAY_CHUNK + 1; i += 1) await aDecision(FITS);
    const replay = await request({ from });
    expect(await runner.handle(replay)).toEqual({ kind: 'done' });
    const progress = (await stream(replay)).at(-1)!;

    await portals.updateSettings(PORTAL, { status: 'paused' });
    try {
      expect(await runner.handle(progress)).toMatchObject({ kind: 'dead-letter', reason: expect.stringContaining('portal 7171 is paused; redrive it') });
      expect(await stateOf(replay)).toMatchObject({ status: 'running', totals: { replayed: REPLAY_CHUNK } });
    } finally {
      await portals.updateSettings(PORTAL, { status: 'active' });
    }
    // Redriven once the portal is active again, the same message finishes it.
    expect(await runner.handle(progress)).toEqual({ kind: 'done' });
    expect(await stateOf(replay)).toMatchObject({ status: 'completed', totals: { replayed: REPLAY_CHUNK + 1 } });
  });

  it('rejects a replay with a version that does not exist, or for a paused portal, asking nothing', async () => {
    const replay = await request({ promptVersion: 9 });
    expect(await runner.handle(replay)).toEqual({ kind: 'done' });
    expect(await stateOf(replay)).toMatchObject({ status: 'rejected', reason: expect.stringContaining('lead-scoring@9') });

    await aDecision(FITS);
    await portals.updateSettings(PORTAL, { status: 'paused' });
    try {
      const paused = await request({});
      expect(await runner.handle(paused)).toEqual({ kind: 'done' });
      expect(await stateOf(paused)).toMatchObject({ status: 'rejected', reason: 'portal 7171 is paused' });
    } finally {
      await portals.updateSettings(PORTAL, { status: 'active' });
    }
    expect(claude.received()).toHaveLength(0);
  });

  it('applies the changed answers as AI property updates with the real names restored, once', async () => {
    const from = new Date().toISOString();
    const same = await aDecision(FITS);
    const changed = await aDecision({ ...FITS, score: 20 });
    const replay = await request({ from });
    claude.enqueue(answer(FITS), answer(FITS));
    await runner.handle(replay);

    const apply = causedBy(replay, { type: 'ReplayApplyRequested', portalId: PORTAL, data: { decisionIds: null } }, new Date()) as PlatformEvent<'ReplayApplyRequested'>;
    await events.append({ streamId: StreamIds.replay(PORTAL, replay.id), events: [apply] });
    expect(await runner.handle(apply)).toEqual({ kind: 'done' });

    const state = await stateOf(replay);
    const applied = state.applies[0]!.applied!;
    expect(applied.data.skipped).toEqual([{ decisionId: same.id, reason: 'answered the same' }]);
    expect(applied.data.applied).toEqual([{ decisionId: changed.id, commandIds: [expect.any(String)] }]);
    const changedStream = (state.answers.get(changed.id) as PlatformEvent<'DecisionReplayed'>).data.original.streamId;
    const writebacks = (await events.readStream(changedStream)).filter((e) => e.type === 'WritebackRequested');
    expect(writebacks).toHaveLength(1);
    expect(writebacks[0]).toMatchObject({
      causationId: state.answers.get(changed.id)!.id,
      correlationId: replay.id,
      data: { kind: 'update-properties', properties: { ai_lead_score: '90', ai_persona: 'decision_maker', ai_summary: 'Ann runs Acme and wants a demo.' } },
    });
    const outbox: Array<{ topic: string }> = await db.dataSource.query('SELECT topic FROM outbox WHERE event_id = $1', [writebacks[0]!.id]);
    expect(outbox).toEqual([{ topic: topics.writebacks }]);

    // The same apply message again writes nothing new.
    expect(await runner.handle(apply)).toEqual({ kind: 'done' });
    expect((await events.readStream(changedStream)).filter((e) => e.type === 'WritebackRequested')).toHaveLength(1);
  });

  it('never lets a replayed answer overwrite a later decision on the same record, and names what it skipped', async () => {
    const from = new Date().toISOString();
    const older = await aDecision({ ...FITS, score: 20 });
    const replay = await request({ from });
    claude.enqueue(answer(FITS));
    await runner.handle(replay);
    // The record is decided again (a change re-scored it) before the replay is applied.
    const [first] = await events.readStream((await stateOf(replay)).answers.get(older.id)!.data.original.streamId);
    const newer = causedBy(first!, { type: 'DecisionMade', portalId: PORTAL, data: { ...older.data, output: { ...FITS, score: 70 } } }, new Date());
    await events.append({ streamId: (await stateOf(replay)).answers.get(older.id)!.data.original.streamId, events: [newer] });

    const unknown = '00000000-0000-4000-8000-000000000000';
    const apply = causedBy(replay, { type: 'ReplayApplyRequested', portalId: PORTAL, data: { decisionIds: [older.id, older.id, unknown] } }, new Date()) as PlatformEvent<'ReplayApplyRequested'>;
    await events.append({ streamId: StreamIds.replay(PORTAL, replay.id), events: [apply] });
    expect(await runner.handle(apply)).toEqual({ kind: 'done' });
    expect((await stateOf(replay)).applies[0]!.applied!.data).toEqual({
      applied: [],
      skipped: [
        { decisionId: older.id, reason: `the record was decided again since (decision ${newer.id}): replay that decision instead` },
        { decisionId: unknown, reason: 'not a decision of this replay' },
      ],
    });
  });
});
