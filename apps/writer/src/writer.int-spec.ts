import type { TestingModule } from '@nestjs/testing';
import {
  allTopics,
  deadLetterTopic,
  deterministicId,
  EventStore,
  HubSpotBudget,
  KafkaBus,
  PersonalData,
  PortalRepository,
  startStory,
  topicNames,
  type AppConfig,
  type PlatformEvent,
  type WritebackCommand,
} from '@app/common';
import { HubSpotSandbox } from '../../../sandbox/hubspot';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { collectMessages, eventually, KAFKA_BROKERS, partitionOf, testKafka, uniquePrefix } from '../../../test/support/kafka';
import { memoryLogger } from '../../../test/support/logger';
import { addSandboxPortal, startWriter } from '../../../test/support/writer';
import { testConfig } from '../../../test/support/platform';
import { WritebackStreamConsumer } from './pipeline/writeback-stream.consumer';

/** A command without its ids, per kind (Omit does not distribute over a union). */
type CommandInput = WritebackCommand extends infer C ? (C extends WritebackCommand ? Omit<C, 'commandId' | 'decisionId'> & { commandId?: string } : never) : never;

const PORTAL = 4242;
const OTHER = 4343;

describe('writer (real Kafka, Postgres and the HubSpot sandbox)', () => {
  const sandbox = new HubSpotSandbox();
  const prefix = uniquePrefix('writer');
  const topics = topicNames(prefix);
  let db: TestDatabase;
  let config: AppConfig;
  let moduleRef: TestingModule;
  let bus: KafkaBus;
  let events: EventStore;
  let seq = 0;

  beforeAll(async () => {
    const { url } = await sandbox.start();
    for (const portalId of [PORTAL, OTHER]) {
      addSandboxPortal(sandbox, portalId, ['ai_lead_score', 'ai_summary']);
    }
    db = await createTestDatabase('writer');
    config = testConfig('writer', db.url, prefix, { HUBSPOT_API_BASE_URL: url, PORTAL_CACHE_MS: '2000', CONSUMER_MAX_ATTEMPTS: '3', RETRY_BASE_DELAY_MS: '20' });
    const { logger } = memoryLogger();
    bus = new KafkaBus({ brokers: KAFKA_BROKERS, clientId: 'writer-test', logger });
    await bus.ensureTopics(allTopics(topics), 3, 1);
    moduleRef = await startWriter(config, logger);
    events = moduleRef.get(EventStore);
    const portals = moduleRef.get(PortalRepository);
    await portals.register({ portalId: PORTAL, name: 'Acme', accessToken: `pat-${PORTAL}` });
    await portals.register({ portalId: OTHER, name: 'Other', accessToken: `pat-${OTHER}` });
  }, 60_000);

  afterAll(async () => {
    await moduleRef?.close();
    await bus?.disconnect();
    await sandbox.stop();
    await db?.drop();
  });

  function request(portalId: number, command: CommandInput): PlatformEvent<'WritebackRequested'> {
    seq++;
    const commandId = command.commandId ?? deterministicId('test-command', prefix, seq);
    return startStory({ type: 'WritebackRequested', portalId, id: deterministicId('test-request', commandId), data: { decisionId: `decision-${seq}`, ...command, commandId } as WritebackCommand }, new Date());
  }
  const publish = (...requests: PlatformEvent[]) => bus.publish(topics.writebacks, requests);
  // Results hold HubSpot's echo and messages sealed (docs/decisions/0019): read as the platform reads them.
  const resultOf = async (commandId: string) => {
    const rows: Array<{ id: string; portal_id: string; type: string; data: Record<string, unknown> }> = await db.dataSource.query(
      `SELECT event_id AS id, portal_id, type, data FROM events WHERE type LIKE 'Writeback%' AND type <> 'WritebackRequested' AND data->>'commandId' = $1`,
      [commandId],
    );
    const [row] = await moduleRef.get(PersonalData).open(rows.map((r) => ({ ...r, portalId: Number(r.portal_id) })));
    return row as { type: string; data: Record<string, unknown> } | undefined;
  };
  const waitForResult = (commandId: string) => eventually(() => resultOf(commandId), 30_000, `result of ${commandId}`);
  const calls = (portalId: number) => sandbox.requests().filter((r) => r.portalId === portalId && r.path.startsWith('/crm/'));

  it('batches property updates (later value wins), creates notes and tasks with their associations, and audits each call', async () => {
    const contacts = Array.from({ length: 120 }, (_, i) => sandbox.seedObject(PORTAL, 'contacts', { email: `c${i}@acme.io` }).id);
    const updates = contacts.map((id) => request(PORTAL, { kind: 'update-properties', objectType: 'contacts', objectId: id, properties: { ai_lead_score: '10' } }));
    const later = request(PORTAL, { kind: 'update-properties', objectType: 'contacts', objectId: contacts[0]!, properties: { ai_lead_score: '99', ai_summary: 'hot lead' } });
    const note = request(PORTAL, { kind: 'create-note', objectType: 'contacts', objectId: contacts[1]!, body: 'Draft: Hello!', timestamp: '2026-11-28T10:00:00.000Z' });
    const task = request(PORTAL, { kind: 'create-task', objectType: 'contacts', objectId: contacts[1]!, subject: 'Call back', body: 'Within 24h', dueAt: '2026-11-29T10:00:00.000Z', priority: 'HIGH', taskType: 'CALL' });
    sandbox.clearRequests();
    await publish(...updates, later, note, task);
    for (const r of [...updates, later, note, task]) expect((await waitForResult(r.data.commandId))?.type).toBe('WritebackApplied');

    expect(sandbox.getObject(PORTAL, 'contacts', contacts[0]!)?.properties).toMatchObject({ ai_lead_score: '99', ai_summary: 'hot lead' });
    const batchUpdates = calls(PORTAL).filter((r) => r.path === '/crm/objects/2026-03/contacts/batch/update');
    expect(batchUpdates.every((r) => (r.body as { inputs: unknown[] }).inputs.length <= 100)).toBe(true);
    expect(batchUpdates.length).toBeLessThanOrEqual(4);
    const noteCall = calls(PORTAL).find((r) => r.path === '/crm/objects/2026-03/notes/batch/create')!;
    expect((noteCall.body as { inputs: Array<Record<string, unknown>> }).inputs[0]).toMatchObject({
      properties: { hs_timestamp: '2026-11-28T10:00:00.000Z', hs_note_body: `Draft: Hello!<p>hubspot-ai ref ${note.data.commandId}</p>` },
      associations: [{ to: { id: contacts[1] }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 202 }] }],
    });
    const taskCall = calls(PORTAL).find((r) => r.path === '/crm/objects/2026-03/tasks/batch/create')!;
    expect((taskCall.body as { inputs: Array<Record<string, unknown>> }).inputs[0]).toMatchObject({ properties: { hs_task_priority: 'HIGH', hs_timestamp: '2026-11-29T10:00:00.000Z' }, associations: [{ types: [{ associationTypeId: 204 }] }] });

    const audited = await db.dataSource.query(`SELECT data FROM events WHERE type = 'HubSpotCallCompleted' AND portal_id = $1`, [PORTAL]);
    expect(audited.length).toBe(calls(PORTAL).length);
    const applied = await resultOf(later.data.commandId);
    const call = audited.map((r: { data: Record<string, unknown> }) => r.data).find((d: Record<string, unknown>) => d.callId === applied?.data.callId);
    expect(call).toMatchObject({ hubspotStatus: 200, apiVersion: '2026-03', commandIds: expect.arrayContaining([later.data.commandId]), rateLimit: { max: 100 } });
    expect(call.hubspotCorrelationId).toEqual(expect.any(String));
  }, 60_000);

  it('skips a deleted object (207), fails an invalid property with HubSpot’s message and flags the portal for its property bootstrap', async () => {
    const alive = sandbox.seedObject(PORTAL, 'contacts', { email: 'alive@acme.io' }).id;
    const gone = request(PORTAL, { kind: 'update-properties', objectType: 'contacts', objectId: '999999', properties: { ai_lead_score: '1' } });
    const ok = request(PORTAL, { kind: 'update-properties', objectType: 'contacts', objectId: alive, properties: { ai_lead_score: '2' } });
    const invalid = request(PORTAL, { kind: 'update-properties', objectType: 'contacts', objectId: alive + '0', properties: { ai_not_bootstrapped: 'x' } });
    sandbox.seedObject(PORTAL, 'contacts', { email: 'other@acme.io' }, alive + '0');
    await publish(gone, ok, invalid);
    expect(await waitForResult(gone.data.commandId)).toMatchObject({ type: 'WritebackSkipped', data: { reason: expect.stringContaining('deleted or merged') } });
    expect((await waitForResult(ok.data.commandId))?.type).toBe('WritebackApplied');
    expect(await waitForResult(invalid.data.commandId)).toMatchObject({ type: 'WritebackFailed', data: { retriable: false, message: expect.stringContaining('ai_not_bootstrapped') } });
    const portal = await moduleRef.get(PortalRepository).find(PORTAL);
    expect(portal?.alerts['property-bootstrap-needed']?.message).toContain('ai_not_bootstrapped');
    expect(portal?.alerts['property-bootstrap-needed']?.message).toContain(`run POST /admin/portals/${PORTAL}/bootstrap`);
    expect(portal?.status).toBe('active');
  }, 60_000);

  it('retries a 503 with backoff, and dead-letters a command once attempts run out', async () => {
    const id = sandbox.seedObject(OTHER, 'contacts', { email: 'x@other.io' }).id;
    sandbox.injectFaults(OTHER, [{ status: 503, count: 1 }]);
    const flaky = request(OTHER, { kind: 'update-properties', objectType: 'contacts', objectId: id, properties: { ai_lead_score: '5' } });
    await publish(flaky);
    expect((await waitForResult(flaky.data.commandId))?.type).toBe('WritebackApplied');
    const failedCalls = await db.dataSource.query(`SELECT data FROM events WHERE type = 'HubSpotCallCompleted' AND data->>'hubspotStatus' = '503'`);
    expect(failedCalls).toHaveLength(1);

    const dlq = await collectMessages([deadLetterTopic(topics.writebacks)]);
    sandbox.injectFaults(OTHER, [{ status: 502, count: 3 }]);
    const doomed = request(OTHER, { kind: 'update-properties', objectType: 'contacts', objectId: id, properties: { ai_lead_score: '6' } });
    await publish(doomed);
    const [letter] = await dlq.waitFor(1, 30_000);
    expect(letter?.headers['dlq-reason']).toContain('gave up after 3 attempts');
    expect(JSON.parse(String(letter!.value)).data.commandId).toBe(doomed.data.commandId);
    await dlq.stop();
    await eventually(async () => (await db.dataSource.query(`SELECT 1 FROM events WHERE type = 'MessageDeadLettered' AND data->>'originalEventId' = $1`, [doomed.id])).length > 0);
    expect(await resultOf(doomed.data.commandId)).toBeUndefined();
  }, 60_000);

  it('honours a ten-secondly 429: the portal waits for its window while other portals keep writing', async () => {
    const id = sandbox.seedObject(PORTAL, 'contacts', { email: 'rl@acme.io' }).id;
    const otherId = sandbox.seedObject(OTHER, 'contacts', { email: 'rl@other.io' }).id;
    const body = { status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT', correlationId: 'c', policyName: 'TEN_SECONDLY_ROLLING', groupName: 'api' };
    sandbox.injectFaults(PORTAL, [{ status: 429, body, headers: { 'X-HubSpot-RateLimit-Interval-Milliseconds': '1500' } }]);
    const limited = request(PORTAL, { kind: 'update-properties', objectType: 'contacts', objectId: id, properties: { ai_lead_score: '7' } });
    await publish(limited);
    await eventually(async () => (await moduleRef.get(HubSpotBudget).snapshot(PORTAL))!.standard.blockedUntilMs > Date.now(), 20_000, 'portal blocked');
    const meanwhile = request(OTHER, { kind: 'update-properties', objectType: 'contacts', objectId: otherId, properties: { ai_lead_score: '8' } });
    await publish(meanwhile);
    expect((await waitForResult(meanwhile.data.commandId))?.type).toBe('WritebackApplied');
    expect(await resultOf(limited.data.commandId)).toBeUndefined();
    expect((await waitForResult(limited.data.commandId))?.type).toBe('WritebackApplied');
  }, 60_000);

  it('pauses a portal whose token is revoked, keeps its queue, and writes once an operator reactivates it', async () => {
    const id = sandbox.seedObject(OTHER, 'contacts', { email: 'revoked@other.io' }).id;
    sandbox.injectFaults(OTHER, [{ status: 401, body: { status: 'error', message: 'The OAuth token used to make this call expired 1 hour(s) ago.', category: 'EXPIRED_AUTHENTICATION', correlationId: 'x' } }]);
    const command = request(OTHER, { kind: 'update-properties', objectType: 'contacts', objectId: id, properties: { ai_lead_score: '9' } });
    await publish(command);
    const portals = moduleRef.get(PortalRepository);
    await eventually(async () => (await portals.find(OTHER))?.status === 'paused', 20_000, 'portal paused');
    expect((await portals.find(OTHER))?.alerts['access-revoked']?.message).toContain('expired');
    const alerts = await events.readStream(`portal-${OTHER}`);
    expect(alerts.some((e) => e.type === 'PortalAlertRaised')).toBe(true);
    expect(await resultOf(command.data.commandId)).toBeUndefined();

    await portals.updateSettings(OTHER, { status: 'active' });
    expect((await waitForResult(command.data.commandId))?.type).toBe('WritebackApplied');
  }, 60_000);

  it('a held portal keeps its partition’s commit point back without blocking another portal on that partition', async () => {
    // Two portals whose keys land on the same partition, as kafkajs's default partitioner places them.
    const partitionOfPortal = (portalId: number) => partitionOf(topics.writebacks, portalId);
    const held = 5150;
    const neighbour = [...Array(200).keys()].map((i) => 5151 + i).find((p) => partitionOfPortal(p) === partitionOfPortal(held))!;
    const portals = moduleRef.get(PortalRepository);
    for (const portalId of [held, neighbour]) {
      addSandboxPortal(sandbox, portalId);
      await portals.register({ portalId, name: `P${portalId}`, accessToken: `pat-${portalId}` });
    }
    await portals.updateSettings(held, { status: 'paused' });
    const a = sandbox.seedObject(held, 'contacts', { email: 'a@held.io' }).id;
    const b = sandbox.seedObject(neighbour, 'contacts', { email: 'b@neighbour.io' }).id;
    const admin = testKafka('writer-test-admin').admin();
    await admin.connect();
    const committed = async () => Number((await admin.fetchOffsets({ groupId: `${prefix}.writer`, topics: [topics.writebacks] }))[0]!.partitions.find((p) => p.partition === partitionOfPortal(held))!.offset);
    const before = (await admin.fetchTopicOffsets(topics.writebacks)).find((p) => p.partition === partitionOfPortal(held))!;

    const first = request(held, { kind: 'update-properties', objectType: 'contacts', objectId: a, properties: { ai_lead_score: '1' } });
    const second = request(neighbour, { kind: 'update-properties', objectType: 'contacts', objectId: b, properties: { ai_lead_score: '2' } });
    await publish(first);
    await publish(second);
    expect((await waitForResult(second.data.commandId))?.type).toBe('WritebackApplied');
    await new Promise((r) => setTimeout(r, 1_500));
    // The neighbour's later message is done, but the commit point stays at the held one.
    expect(await committed()).toBe(Number(before.high));

    await portals.updateSettings(held, { status: 'active' });
    expect((await waitForResult(first.data.commandId))?.type).toBe('WritebackApplied');
    await eventually(async () => (await committed()) === Number(before.high) + 2, 10_000, 'the commit point to move past both');
    await admin.disconnect();
  }, 60_000);

  it('dead-letters a writeback for an unknown portal, and writes for it as soon as it is registered', async () => {
    const late = 6060;
    addSandboxPortal(sandbox, late);
    const id = sandbox.seedObject(late, 'contacts', { email: 'late@new.io' }).id;
    const dlq = await collectMessages([deadLetterTopic(topics.writebacks)]);
    const early = request(late, { kind: 'update-properties', objectType: 'contacts', objectId: id, properties: { ai_lead_score: '3' } });
    await publish(early);
    const letter = await eventually(async () => dlq.messages.find((m) => m.key === String(late)), 20_000, 'the dead letter');
    expect(letter.headers['dlq-reason']).toBe(`portal ${late} is not registered`);
    await dlq.stop();

    await moduleRef.get(PortalRepository).register({ portalId: late, name: 'Late', accessToken: `pat-${late}` });
    const onTime = request(late, { kind: 'update-properties', objectType: 'contacts', objectId: id, properties: { ai_lead_score: '4' } });
    await publish(onTime);
    expect((await waitForResult(onTime.data.commandId))?.type).toBe('WritebackApplied');
  }, 60_000);

  it('never sends an applied command again when it is redelivered or redriven', async () => {
    const id = sandbox.seedObject(PORTAL, 'contacts', { email: 'once@acme.io' }).id;
    const command = request(PORTAL, { kind: 'create-note', objectType: 'contacts', objectId: id, body: 'once', timestamp: '2026-11-28T10:00:00.000Z' });
    await publish(command);
    await waitForResult(command.data.commandId);
    const before = calls(PORTAL).length;
    const marker = request(PORTAL, { kind: 'update-properties', objectType: 'contacts', objectId: id, properties: { ai_summary: 'after' } });
    await publish(command, marker);
    await waitForResult(marker.data.commandId);
    expect(calls(PORTAL).length).toBe(before + 1);
    expect(sandbox.listObjects(PORTAL, 'notes').filter((n) => n.properties.hs_note_body?.startsWith('once'))).toHaveLength(1);
    await moduleRef.get(WritebackStreamConsumer).whenIdle();
  }, 60_000);
});
