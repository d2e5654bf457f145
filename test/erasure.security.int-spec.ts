import type { INestApplication } from '@nestjs/common';
import { Client } from '@hubspot/api-client';
import { randomBytes } from 'node:crypto';
import {
  BudgetRepository,
  causedBy,
  EventStore,
  HubSpotApi,
  HubSpotBudget,
  HubSpotClientFactory,
  Keyring,
  OperatorAlerts,
  PersonalData,
  PersonalDataErasure,
  PortalAccess,
  PortalRepository,
  replayState,
  startStory,
  StreamIds,
  SubjectKeys,
  TokenCipher,
  topicNames,
  type AppConfig,
  type CrmObjectType,
  type EventEnvelope,
  type PlatformEvent,
  type StoredEvent,
} from '@app/common';
import { AnthropicDouble } from '../sandbox/anthropic';
import { HubSpotSandbox } from '../sandbox/hubspot';
import { AnthropicProvider } from '../apps/enricher/src/ai/anthropic.provider';
import { ModelConcurrency } from '../apps/enricher/src/ai/model-concurrency';
import { ContextAssembler } from '../apps/enricher/src/context/context-assembler';
import { CrmReader } from '../apps/enricher/src/crm/crm-reader';
import { DecisionFlow } from '../apps/enricher/src/decisions/decision-flow';
import { DecisionMaker } from '../apps/enricher/src/decisions/decision-maker';
import { DecisionRecords } from '../apps/enricher/src/decisions/decision-records';
import { ModelRefusalAlerts } from '../apps/enricher/src/decisions/model-refusal-alerts';
import { LEAD_SCORING_PROMPT } from '../apps/enricher/src/capabilities/lead-ai/lead-scoring.prompt';
import { ReplayApplier } from '../apps/enricher/src/replays/replay-applier';
import { ReplayRecords } from '../apps/enricher/src/replays/replay-records';
import { ReplayRunner } from '../apps/enricher/src/replays/replay-runner';
import { ReplaySetUp } from '../apps/enricher/src/replays/replay-setup';
import { TriggerRouter } from '../apps/enricher/src/triggers/trigger-router.service';
import { adminDependencies, startAdminApp } from './support/admin';
import { createTestDatabase, type TestDatabase } from './support/database';
import { memoryLogger } from './support/logger';
import { TEST_ADMIN_KEY, testConfig } from './support/platform';

const PORTAL = 8181;
const TOKEN = `pat-${PORTAL}`;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The person who asks to be forgotten: every value below must become unreadable. */
const ZBIGNIEW = { firstname: 'Zbigniew', lastname: 'Quackenbush', email: 'zbigniew.quackenbush@erasure.example', phone: '+1 415 555 0199' };
const ZBIGNIEW_TRACES = ['Zbigniew', 'Quackenbush', 'zbigniew.quackenbush', '555 0199'];
/** Someone unrelated: must stay readable throughout. */
const HORTENSIA = { firstname: 'Hortensia', lastname: 'Vandersloot', email: 'hortensia.vandersloot@keep.example', phone: '+44 20 7946 0321' };

/**
 * Erasure by crypto-shredding (docs/decisions/0019), end to end on the real
 * Postgres: live decisions through the HubSpot sandbox and the Anthropic double,
 * the admin API, replays and retention. On the code before sealing, the raw events
 * table held every value below in clear and nothing could erase it.
 */
describe('erasure and retention of personal data (security)', () => {
  const hubspot = new HubSpotSandbox();
  const claude = new AnthropicDouble();
  const keyring = Keyring.single(randomBytes(32));
  const auth = { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' };
  let db: TestDatabase;
  let events: EventStore;
  let portals: PortalRepository;
  let erasure: PersonalDataErasure;
  let router: TriggerRouter;
  let runner: ReplayRunner;
  let crm: Client;
  let app: INestApplication;
  let url: string;
  let zbigniew: { contact: string; ticket: string; leadTrigger: EventEnvelope; ticketTrigger: EventEnvelope };
  let hortensia: { contact: string; leadTrigger: EventEnvelope };

  const structured = (answer: Record<string, unknown>) => ({ content: [{ type: 'thinking', thinking: '' }, { type: 'text', text: JSON.stringify(answer) }] });
  const lead = structured({ score: 81, persona: 'decision_maker', summary: '{{FIRSTNAME_1}} {{LASTNAME_1}} asks for pricing.', emailDraft: 'Hi {{FIRSTNAME_1}}, here is our pricing.' });
  const triage = structured({ category: 'billing_issue', priority: 'HIGH', sentiment: 'frustrated', summary: '{{FIRSTNAME_1}} was billed twice.', replyDraft: 'Hi {{FIRSTNAME_1}}, we are refunding the second charge.' });
  const created = (subscriptionType: string, objectType: CrmObjectType, objectId: string) =>
    startStory({ type: 'WebhookEventReceived', portalId: PORTAL, data: { subscriptionType, objectType, objectId, hubspot: { eventId: 1, portalId: PORTAL, occurredAt: Date.now(), subscriptionType, objectId: Number(objectId) } } }, new Date());

  /** Everything in the events table as a fresh process with the keyring reads it (no cached keys). */
  async function readableEverywhere(): Promise<string> {
    const reader = new EventStore(db.dataSource, new PersonalData(new SubjectKeys(db.dataSource, keyring)));
    return JSON.stringify(await reader.readAll('0', 100_000));
  }
  /** Rows of the raw table (every column's text) that contain the value. */
  async function rawRowsContaining(value: string): Promise<number> {
    const [row] = (await db.dataSource.query(`SELECT count(*)::int AS n FROM events e WHERE e::text ILIKE $1`, [`%${value}%`])) as Array<{ n: number }>;
    return row!.n;
  }
  const story = async (correlationId: string): Promise<StoredEvent[]> => {
    const response = await fetch(`${url}/admin/stories/${correlationId}`, { headers: auth });
    expect(response.status).toBe(200);
    return ((await response.json()) as { events: StoredEvent[] }).events;
  };

  beforeAll(async () => {
    const hubspotUrl = (await hubspot.start()).url;
    const claudeUrl = (await claude.start()).url;
    hubspot.addPortal({ portalId: PORTAL, accessToken: TOKEN });
    crm = new Client({ accessToken: TOKEN, basePath: hubspotUrl, numberOfApiCallRetries: 0 });
    db = await createTestDatabase('erasure');
    const personalData = new PersonalData(new SubjectKeys(db.dataSource, keyring));
    events = new EventStore(db.dataSource, personalData);
    portals = new PortalRepository(db.dataSource, new TokenCipher(keyring));
    await portals.register({ portalId: PORTAL, name: 'Erasure Co', accessToken: TOKEN, settings: { serviceRouting: { defaultOwnerId: '55' } } });
    const clock = () => new Date();
    const access = new PortalAccess(portals, { portalCacheMs: 0 } as AppConfig, clock);
    const records = new DecisionRecords(db.dataSource, personalData);
    const provider = new AnthropicProvider({ apiKey: 'sk-ant-test', baseURL: claudeUrl, defaultModel: 'claude-sonnet-5-5', maxRetries: 0 });
    const maker = new DecisionMaker(provider, records, new ModelConcurrency({ global: 4, perPortal: 2 }));
    const alerts = new ModelRefusalAlerts(new OperatorAlerts(events, memoryLogger().logger, clock), access);
    const budget = new HubSpotBudget(new BudgetRepository(db.dataSource), 0.1);
    const topics = topicNames('erasure');
    const flow = new DecisionFlow(events, access, new ContextAssembler(new CrmReader(new HubSpotApi(new HubSpotClientFactory(hubspotUrl)), budget)), maker, records, alerts, topics, clock);
    erasure = new PersonalDataErasure(db.dataSource, events, personalData.keys, clock);
    router = new TriggerRouter(flow, events, clock, erasure);
    const setUp = new ReplaySetUp(access);
    const replayRecords = new ReplayRecords(db.dataSource, personalData);
    runner = new ReplayRunner(events, setUp, maker, replayRecords, new ReplayApplier(events, setUp, maker, replayRecords, topics, clock), alerts, topics, clock);
    const config = testConfig('ingest', db.url, 'unused', { HUBSPOT_API_BASE_URL: hubspotUrl });
    ({ app, url } = await startAdminApp({ ...adminDependencies(db, config, portals), eventStore: events }));

    // Zbigniew: a new lead, then a ticket he raised (its snapshot quotes him as the requester).
    const seed = (type: CrmObjectType, properties: Record<string, string>) => hubspot.seedObject(PORTAL, type, properties).id;
    const zContact = seed('contacts', { ...ZBIGNIEW, jobtitle: 'CEO', company: 'Quackenbush Freight' });
    const note = seed('notes', { hs_note_body: `Call with ${ZBIGNIEW.firstname} ${ZBIGNIEW.lastname}: wants pricing, call back on ${ZBIGNIEW.phone}`, hs_timestamp: '2026-11-28T09:00:00.000Z' });
    await crm.crm.associations.v4.basicApi.createDefault('notes', note, 'contacts', zContact);
    const zTicket = seed('tickets', { subject: 'Charged twice', content: `${ZBIGNIEW.firstname} here: call ${ZBIGNIEW.phone} or write to ${ZBIGNIEW.email}`, hs_pipeline: '0', hs_pipeline_stage: '1' });
    await crm.crm.associations.v4.basicApi.createDefault('tickets', zTicket, 'contacts', zContact);
    const hContact = seed('contacts', { ...HORTENSIA, jobtitle: 'CTO', company: 'Vandersloot Labs' });

    claude.enqueue(lead, triage, lead);
    const zLead = created('contact.creation', 'contacts', zContact);
    const zTriage = created('ticket.creation', 'tickets', zTicket);
    const hLead = created('contact.creation', 'contacts', hContact);
    expect(await router.route(zLead)).toEqual({ kind: 'done' });
    expect(await router.route(zTriage)).toEqual({ kind: 'done' });
    expect(await router.route(hLead)).toEqual({ kind: 'done' });
    zbigniew = { contact: zContact, ticket: zTicket, leadTrigger: zLead, ticketTrigger: zTriage };
    hortensia = { contact: hContact, leadTrigger: hLead };

    // What ingest and the writer record about him: a property change (with its value), its coalesced trigger, HubSpot's echo of a writeback.
    const stream = StreamIds.crmObject(PORTAL, 'contacts', zContact);
    const change = startStory({ type: 'WebhookEventReceived', portalId: PORTAL, data: { subscriptionType: 'contact.propertyChange', objectType: 'contacts', objectId: zContact, hubspot: { eventId: 2, portalId: PORTAL, occurredAt: Date.now(), subscriptionType: 'contact.propertyChange', objectId: Number(zContact), propertyName: 'phone', propertyValue: ZBIGNIEW.phone } } }, new Date());
    const changed = causedBy(change, { type: 'ObjectChanged', portalId: PORTAL, data: { objectType: 'contacts', objectId: zContact, properties: { phone: ZBIGNIEW.phone }, sourceEventIds: [change.id], firstOccurredAt: '', lastOccurredAt: '' } }, new Date());
    const applied = causedBy(change, { type: 'WritebackApplied', portalId: PORTAL, data: { commandId: 'c1', hubspotStatus: 200, recordsWritten: 1, response: { id: zContact, properties: { ai_summary: `${ZBIGNIEW.firstname} ${ZBIGNIEW.lastname} asks for pricing.` } }, rateLimit: {} } }, new Date());
    await events.append({ streamId: stream, events: [change, changed, applied] });
    // An open coalescing window holding a new value of his.
    await db.dataSource.query(`INSERT INTO coalescing_windows (portal_id, object_type, object_id, due_at, changes) VALUES ($1, 'contacts', $2, now() + interval '1 minute', $3)`, [
      PORTAL,
      zContact,
      JSON.stringify([{ propertyName: 'email', propertyValue: ZBIGNIEW.email }]),
    ]);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await hubspot.stop();
    await claude.stop();
    await db?.drop();
  });

  it('keeps personal data out of the raw events table: sealed, readable only through the keys', async () => {
    for (const trace of [...ZBIGNIEW_TRACES, HORTENSIA.lastname, HORTENSIA.email]) expect(await rawRowsContaining(trace)).toBe(0);
    // The platform itself still reads them (the audit trail is whole until an erasure).
    const readable = await readableEverywhere();
    for (const trace of [ZBIGNIEW.lastname, ZBIGNIEW.email, '555 0199', HORTENSIA.lastname]) expect(readable).toContain(trace);
    const lead = await story(zbigniew.leadTrigger.correlationId);
    expect(lead.find((e) => e.type === 'ContextFetched')!.data).toMatchObject({ snapshot: { lastname: ZBIGNIEW.lastname, email: ZBIGNIEW.email } });
    const writebacks = lead.filter((e) => e.type === 'WritebackRequested').map((e) => JSON.stringify(e.data));
    expect(writebacks.join()).toContain('Zbigniew Quackenbush asks for pricing.');
  });

  it('erases a contact on HubSpot’s contact.privacyDeletion: nothing of him is readable anywhere, his ticket’s snapshot included, and the erasure is recorded', async () => {
    const deletion = created('contact.privacyDeletion', 'contacts', zbigniew.contact);
    expect(await router.route(deletion)).toEqual({ kind: 'done' });

    const readable = await readableEverywhere();
    for (const trace of ZBIGNIEW_TRACES) expect(readable).not.toContain(trace);
    for (const trace of ZBIGNIEW_TRACES) expect(await rawRowsContaining(trace)).toBe(0);
    // Unrelated subjects stay readable.
    expect(readable).toContain(HORTENSIA.lastname);
    expect(readable).toContain(HORTENSIA.email);

    // The webhook's story ends with the erasure, which names the record and nothing of its data.
    const recorded = await story(deletion.correlationId);
    const erased = recorded.find((e) => e.type === 'SubjectErased') as StoredEvent & PlatformEvent<'SubjectErased'>;
    expect(erased.data).toMatchObject({ subject: `contacts:${zbigniew.contact}`, reason: 'privacy-deletion', requestedBy: 'hubspot' });
    expect(erased.data.keysErased).toBeGreaterThanOrEqual(1);
    expect(erased.data.alsoCleared).toEqual([expect.stringContaining('coalescing window')]);
    expect(await db.dataSource.query(`SELECT 1 FROM coalescing_windows WHERE object_id = $1`, [zbigniew.contact])).toHaveLength(0);

    // The story endpoint says "erased" where the snapshot, the answer and the writebacks were.
    for (const trigger of [zbigniew.leadTrigger, zbigniew.ticketTrigger]) {
      const events = await story(trigger.correlationId);
      expect(JSON.stringify(events)).not.toMatch(/Zbigniew|Quackenbush|555 0199/);
      const context = events.find((e) => e.type === 'ContextFetched')!.data as Record<string, unknown>;
      expect(context).not.toHaveProperty('snapshot');
      expect(context.erased).toMatchObject({ fields: ['snapshot'], subjects: [`contacts:${zbigniew.contact}`], reason: 'privacy-deletion' });
      for (const type of ['DecisionMade', 'WritebackRequested']) {
        for (const event of events.filter((e) => e.type === type)) expect(event.data).toHaveProperty('erased');
      }
    }
    // Hortensia's story is whole.
    const kept = await story(hortensia.leadTrigger.correlationId);
    expect(kept.find((e) => e.type === 'ContextFetched')!.data).toMatchObject({ snapshot: { lastname: HORTENSIA.lastname } });
  });

  it('a replay of an erased record says so: skipped as erased, nothing asked, while the others are asked again', async () => {
    claude.reset();
    claude.enqueue(lead);
    const requested = startStory(
      { type: 'ReplayRequested', portalId: PORTAL, data: { promptId: 'lead-scoring', promptVersion: LEAD_SCORING_PROMPT.version, from: null, to: new Date().toISOString(), limit: 100, forceModelCall: true } },
      new Date(),
    ) as PlatformEvent<'ReplayRequested'>;
    await events.append({ streamId: StreamIds.replay(PORTAL, requested.id), events: [requested], expectedVersion: 'no-stream' });
    expect(await runner.handle(requested)).toEqual({ kind: 'done' });

    const state = replayState(await events.readStream(StreamIds.replay(PORTAL, requested.id)))!;
    expect(state.status).toBe('completed');
    expect(state.totals).toMatchObject({ replayed: 1, skipped: 1 });
    const answers = [...state.answers.values()];
    const skipped = answers.find((a) => a.type === 'DecisionReplaySkipped') as PlatformEvent<'DecisionReplaySkipped'>;
    expect(skipped.data.original.objectId).toBe(zbigniew.contact);
    expect(skipped.data.reason).toMatch(/^erased: /);
    expect(answers.find((a) => a.type === 'DecisionReplayed')!.data.original.objectId).toBe(hortensia.contact);
    // Only Hortensia's snapshot was sent to the model.
    expect(claude.received()).toHaveLength(1);

    const report = (await (await fetch(`${url}/admin/portals/${PORTAL}/replays/${requested.id}`, { headers: auth })).json()) as { decisions: Array<{ objectId: string; outcome: string; reason?: string }> };
    expect(report.decisions.find((d) => d.objectId === zbigniew.contact)).toMatchObject({ outcome: 'skipped', reason: expect.stringMatching(/^erased/) });
  });

  it('POST /admin/portals/:id/erasures erases one record by id, answers what it did, and leaves the others', async () => {
    const someone = hubspot.seedObject(PORTAL, 'contacts', { firstname: 'Ludmila', lastname: 'Oyelaran', email: 'ludmila.oyelaran@erase-me.example' }).id;
    const context = startStory({ type: 'ContextFetched', portalId: PORTAL, data: { objectType: 'contacts', objectId: someone, snapshot: { firstname: 'Ludmila', lastname: 'Oyelaran' }, hubspotStatus: 200, rateLimit: {} } }, new Date());
    await events.append({ streamId: StreamIds.crmObject(PORTAL, 'contacts', someone), events: [context] });
    expect(await readableEverywhere()).toContain('Oyelaran');

    const post = (portalId: number, body: unknown) => fetch(`${url}/admin/portals/${portalId}/erasures`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
    const response = await post(PORTAL, { objectType: 'contacts', objectId: someone });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ portalId: PORTAL, subject: `contacts:${someone}`, reason: 'admin-request', requestedBy: 'admin', keysErased: 1 });
    expect(body.notErasedHere).toEqual(expect.arrayContaining([expect.stringContaining('HubSpot itself')]));
    const readable = await readableEverywhere();
    expect(readable).not.toContain('Oyelaran');
    expect(readable).toContain(HORTENSIA.lastname);
    // Idempotent: again, nothing left to erase.
    expect(((await (await post(PORTAL, { objectType: 'contacts', objectId: someone })).json()) as { keysErased: number }).keysErased).toBe(0);
    // By id only (emails are kept sealed, so they cannot be searched); unknown portals are 404.
    expect((await post(PORTAL, { email: 'ludmila.oyelaran@erase-me.example' })).status).toBe(400);
    expect((await post(PORTAL, { objectType: 'notes', objectId: '1' })).status).toBe(400);
    expect((await post(999_999, { objectType: 'contacts', objectId: someone })).status).toBe(404);
  });

  it('retention erases snapshots older than the portal’s period (default 365 days), and keeps the recent ones', async () => {
    const recordedDaysAgo = async (portalId: number, objectId: string, name: string, days: number) => {
      const at = new Date(Date.now() - days * DAY_MS);
      const context = startStory({ type: 'ContextFetched', portalId, data: { objectType: 'contacts', objectId, snapshot: { lastname: name }, hubspotStatus: 200, rateLimit: {} } }, at);
      await events.append({ streamId: StreamIds.crmObject(portalId, 'contacts', objectId), events: [context] });
    };
    await recordedDaysAgo(PORTAL, '7001', 'Oldenburgh', 400);
    await recordedDaysAgo(PORTAL, '7002', 'Freshwater', 300);
    // A portal that keeps personal data 30 days.
    const SHORT = 8383;
    await portals.register({ portalId: SHORT, name: 'Short Co', accessToken: 'pat-short', settings: { retention: { personalDataDays: 30 } } });
    await recordedDaysAgo(SHORT, '7003', 'Lastmonthson', 40);
    await recordedDaysAgo(SHORT, '7004', 'Thisweekley', 5);
    const before = await readableEverywhere();
    for (const name of ['Oldenburgh', 'Freshwater', 'Lastmonthson', 'Thisweekley']) expect(before).toContain(name);

    const report = await erasure.runRetention();
    expect(report.expired).toEqual(
      expect.arrayContaining([expect.objectContaining({ portalId: PORTAL, retentionDays: 365, keysErased: 1 }), expect.objectContaining({ portalId: SHORT, retentionDays: 30, keysErased: 1 })]),
    );
    const after = await readableEverywhere();
    expect(after).not.toContain('Oldenburgh');
    expect(after).not.toContain('Lastmonthson');
    for (const name of ['Freshwater', 'Thisweekley', HORTENSIA.lastname]) expect(after).toContain(name);
    const expired = (await events.readStream(StreamIds.privacy(SHORT))).map((e) => e.data);
    expect(expired).toEqual([expect.objectContaining({ reason: 'retention', retentionDays: 30, keysErased: 1 })]);
    // A second run the same day finds nothing more.
    expect((await erasure.runRetention()).expired).toEqual([]);
  });

  it('offboarding deletes the portal’s token at once and erases its personal data after its retention period (or at once when asked)', async () => {
    const LATER = 8484;
    const NOW = 8585;
    for (const portalId of [LATER, NOW]) {
      await portals.register({ portalId, name: `Leaving ${portalId}`, accessToken: `pat-leaving-${portalId}`, settings: { retention: { personalDataDays: portalId === LATER ? 10 : 30 } } });
      const context = startStory({ type: 'ContextFetched', portalId, data: { objectType: 'contacts', objectId: '1', snapshot: { lastname: `Departing${portalId}` } , hubspotStatus: 200, rateLimit: {} } }, new Date());
      await events.append({ streamId: StreamIds.crmObject(portalId, 'contacts', '1'), events: [context] });
      // What the daily review remembers of a deal (a hash of its name and facts).
      await db.dataSource.query(`INSERT INTO deal_assessments (portal_id, deal_id, input_hash, request_id, assessed_at) VALUES ($1, '1', 'h', gen_random_uuid(), now())`, [portalId]);
    }
    const offboard = (portalId: number, query = '') => fetch(`${url}/admin/portals/${portalId}${query}`, { method: 'DELETE', headers: auth });

    const later = await offboard(LATER);
    expect(later.status).toBe(200);
    expect(await later.json()).toMatchObject({ portalId: LATER, tokensErased: true, personalDataDays: 10 });
    expect(await db.dataSource.query(`SELECT 1 FROM portals WHERE portal_id = $1`, [LATER])).toHaveLength(0);
    expect(await db.dataSource.query(`SELECT 1 FROM deal_assessments WHERE portal_id = $1`, [LATER])).toHaveLength(0);
    expect((await fetch(`${url}/admin/portals/${LATER}`, { headers: auth })).status).toBe(404);
    // Kept for its period...
    await erasure.runRetention();
    expect(await readableEverywhere()).toContain(`Departing${LATER}`);
    // ...and erased once it is over.
    const elevenDaysLater = new PersonalDataErasure(db.dataSource, events, events.personalData!.keys, () => new Date(Date.now() + 11 * DAY_MS));
    expect((await elevenDaysLater.runRetention()).offboarded).toEqual([{ portalId: LATER, keysErased: 1 }]);
    expect(await readableEverywhere()).not.toContain(`Departing${LATER}`);

    const now = await offboard(NOW, '?erasePersonalData=now');
    expect(await now.json()).toMatchObject({ portalId: NOW, tokensErased: true, personalDataKeysErased: 1 });
    expect(await readableEverywhere()).not.toContain(`Departing${NOW}`);
    expect((await offboard(NOW)).status).toBe(404);
    expect((await offboard(PORTAL, '?erasePersonalData=soon')).status).toBe(400);
  });
});
