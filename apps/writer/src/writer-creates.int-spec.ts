import type { TestingModule } from '@nestjs/testing';
import { allTopics, deadLetterTopic, deterministicId, KafkaBus, PersonalData, PortalRepository, startStory, topicNames, type AppConfig, type PlatformEvent, type PortalSettings, type WritebackCommand } from '@app/common';
import { HubSpotSandbox } from '../../../sandbox/hubspot';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { collectMessages, eventually, KAFKA_BROKERS, uniquePrefix } from '../../../test/support/kafka';
import { memoryLogger } from '../../../test/support/logger';
import { addSandboxPortal, startWriter } from '../../../test/support/writer';
import { testConfig } from '../../../test/support/platform';
import { markerIn } from './writebacks/create-outcomes';

type CreateInput = Omit<Extract<WritebackCommand, { kind: 'create-note' }>, 'commandId' | 'decisionId'> | Omit<Extract<WritebackCommand, { kind: 'create-task' }>, 'commandId' | 'decisionId'>;

const STRICT = 5151;
const LABELS = 5252;
const OWNERS = 5353;

/**
 * Notes and tasks against a sandbox that answers as HubSpot's v3 reference does:
 * batch results in shuffled order, no objectWriteTraceId on them. Each create must
 * end exactly once in HubSpot, whatever happens to its answer.
 */
describe('writer creates (real Kafka and Postgres, strict HubSpot sandbox)', () => {
  const sandbox = new HubSpotSandbox({ seed: 'writer-creates' });
  const prefix = uniquePrefix('creates');
  const topics = topicNames(prefix);
  let db: TestDatabase;
  let config: AppConfig;
  let moduleRef: TestingModule;
  let bus: KafkaBus;
  let seq = 0;

  beforeAll(async () => {
    const { url } = await sandbox.start();
    for (const portalId of [STRICT, LABELS, OWNERS]) addSandboxPortal(sandbox, portalId);
    db = await createTestDatabase('creates');
    config = testConfig('writer', db.url, prefix, { HUBSPOT_API_BASE_URL: url, PORTAL_CACHE_MS: '500', CONSUMER_MAX_ATTEMPTS: '4', RETRY_BASE_DELAY_MS: '20', WRITER_CREATE_SETTLE_MS: '300' });
    const { logger } = memoryLogger();
    bus = new KafkaBus({ brokers: KAFKA_BROKERS, clientId: 'creates-test', logger });
    await bus.ensureTopics(allTopics(topics), 3, 1);
    moduleRef = await startWriter(config, logger);
    const portals = moduleRef.get(PortalRepository);
    const settings: Record<number, PortalSettings> = {
      [LABELS]: { associationLabels: { notes: { contacts: 'AI insight' }, tasks: { contacts: 'No such label' } } },
      [OWNERS]: { leadRouting: { defaultOwnerId: '602' } },
    };
    for (const portalId of [STRICT, LABELS, OWNERS]) await portals.register({ portalId, name: `P${portalId}`, accessToken: `pat-${portalId}`, settings: settings[portalId] ?? {} });
  }, 60_000);

  afterAll(async () => {
    await moduleRef?.close();
    await bus?.disconnect();
    await sandbox.stop();
    await db?.drop();
  });

  function request(portalId: number, command: CreateInput): PlatformEvent<'WritebackRequested'> {
    seq++;
    const commandId = deterministicId('creates-command', prefix, seq);
    return startStory({ type: 'WritebackRequested', portalId, id: deterministicId('creates-request', commandId), data: { decisionId: `decision-${seq}`, ...command, commandId } as WritebackCommand }, new Date());
  }
  const note = (portalId: number, objectId: string, body: string) => request(portalId, { kind: 'create-note', objectType: 'contacts', objectId, body, timestamp: '2026-12-01T09:00:00.000Z' });
  const publish = (...requests: PlatformEvent[]) => bus.publish(topics.writebacks, requests);
  // Results hold HubSpot's echo sealed (docs/decisions/0019): read as the platform reads them.
  const opened = async (rows: Array<{ id: string; portal_id: string; data: unknown }>) => moduleRef.get(PersonalData).open(rows.map((r) => ({ ...r, portalId: Number(r.portal_id) })));
  const resultOf = async (commandId: string) =>
    (await opened(await db.dataSource.query(`SELECT event_id AS id, portal_id, type, data FROM events WHERE type IN ('WritebackApplied', 'WritebackSkipped', 'WritebackFailed') AND data->>'commandId' = $1`, [commandId])))[0] as
      | { type: string; data: { response?: { id: string | null }; foundByReadBack?: boolean; hubspotStatus: number | null } }
      | undefined;
  const waitForResult = (commandId: string) => eventually(() => resultOf(commandId), 30_000, `result of ${commandId}`);
  /** The records in the sandbox carrying a command's marker. */
  const createdFor = (portalId: number, type: 'notes' | 'tasks', commandId: string) => sandbox.listObjects(portalId, type).filter((o) => markerIn(o.properties) === commandId);
  const creates = (portalId: number, type: 'notes' | 'tasks') => sandbox.requests().filter((r) => r.portalId === portalId && r.path === `/crm/objects/2026-03/${type}/batch/create`);

  it('writes 100 notes in one batch create answered in shuffled order, each once, each command with its own record id', async () => {
    const contacts = Array.from({ length: 100 }, (_, i) => sandbox.seedObject(STRICT, 'contacts', { email: `n${i}@strict.io` }).id);
    // Identical bodies: only the marker tells the records apart.
    const notes = contacts.map((id) => note(STRICT, id, 'Same draft for everyone'));
    sandbox.clearRequests();
    await publish(...notes);
    for (const n of notes) expect((await waitForResult(n.data.commandId))?.type).toBe('WritebackApplied');

    const [call] = creates(STRICT, 'notes');
    expect((call!.body as { inputs: unknown[] }).inputs).toHaveLength(100);
    expect(creates(STRICT, 'notes').length).toBeLessThanOrEqual(2);
    for (const n of notes) {
      const records = createdFor(STRICT, 'notes', n.data.commandId);
      expect(records).toHaveLength(1);
      expect(records[0]!.associations).toEqual(expect.arrayContaining([expect.objectContaining({ toType: 'contacts', toId: n.data.objectId, typeId: 202 })]));
      expect((await resultOf(n.data.commandId))?.data.response?.id).toBe(records[0]!.id);
    }
    const [audited] = await db.dataSource.query(`SELECT data FROM events WHERE type = 'HubSpotCallCompleted' AND portal_id = $1 AND data->>'operation' = 'create notes'`, [STRICT]);
    expect(audited.data).toMatchObject({ apiVersion: '2026-03', hubspotStatus: 201, inputs: expect.any(Number) });
  }, 90_000);

  it('a connection cut after HubSpot applied the create: read back by marker, never sent twice', async () => {
    const contact = sandbox.seedObject(STRICT, 'contacts', { email: 'cut@strict.io' }).id;
    const cut = note(STRICT, contact, 'Applied, then the answer was lost');
    sandbox.clearRequests();
    sandbox.injectFaults(STRICT, [{ dropAfterApply: true }]);
    await publish(cut);
    const result = await waitForResult(cut.data.commandId);
    expect(result).toMatchObject({ type: 'WritebackApplied', data: { foundByReadBack: true } });
    expect(createdFor(STRICT, 'notes', cut.data.commandId)).toHaveLength(1);
    expect(result?.data.response?.id).toBe(createdFor(STRICT, 'notes', cut.data.commandId)[0]!.id);
    expect(creates(STRICT, 'notes')).toHaveLength(1);
    expect(sandbox.requests().some((r) => r.portalId === STRICT && r.path === `/crm/objects/2026-03/contacts/${contact}/associations/notes`)).toBe(true);
  }, 60_000);

  it('a connection cut before HubSpot applied anything: read back, found absent, sent again, written once', async () => {
    const contact = sandbox.seedObject(STRICT, 'contacts', { email: 'lost@strict.io' }).id;
    const lost = note(STRICT, contact, 'Never reached HubSpot the first time');
    sandbox.clearRequests();
    sandbox.injectFaults(STRICT, [{ drop: true }]);
    await publish(lost);
    const result = await waitForResult(lost.data.commandId);
    expect(result?.type).toBe('WritebackApplied');
    expect(result?.data.foundByReadBack).toBeUndefined();
    expect(createdFor(STRICT, 'notes', lost.data.commandId)).toHaveLength(1);
    expect(creates(STRICT, 'notes')).toHaveLength(2);
  }, 60_000);

  it('a 429, then a cut after HubSpot applied the resend: the resend is read back, not sent a third time', async () => {
    const contact = sandbox.seedObject(STRICT, 'contacts', { email: 'chain@strict.io' }).id;
    const chained = note(STRICT, contact, 'Rate limited, then lost');
    sandbox.clearRequests();
    const rateLimited = { status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT', correlationId: 'x', policyName: 'TEN_SECONDLY_ROLLING' };
    sandbox.injectFaults(STRICT, [{ status: 429, body: rateLimited, headers: { 'X-HubSpot-RateLimit-Interval-Milliseconds': '200' } }, { dropAfterApply: true }]);
    await publish(chained);
    expect(await waitForResult(chained.data.commandId)).toMatchObject({ type: 'WritebackApplied', data: { foundByReadBack: true } });
    expect(createdFor(STRICT, 'notes', chained.data.commandId)).toHaveLength(1);
    expect(creates(STRICT, 'notes')).toHaveLength(2);
  }, 60_000);

  it('a 5xx after HubSpot applied the batch: read back, each note once', async () => {
    const contacts = [0, 1, 2].map((i) => sandbox.seedObject(STRICT, 'contacts', { email: `half${i}@strict.io` }).id);
    const notes = contacts.map((id) => note(STRICT, id, 'Applied, answered 502'));
    sandbox.clearRequests();
    sandbox.injectFaults(STRICT, [{ statusAfterApply: 502 }]);
    await publish(...notes);
    for (const n of notes) {
      expect((await waitForResult(n.data.commandId))?.type).toBe('WritebackApplied');
      expect(createdFor(STRICT, 'notes', n.data.commandId)).toHaveLength(1);
    }
  }, 60_000);

  it('parks a create whose answer has an unexpected shape: recorded whole, an alert, a dead letter, no second create', async () => {
    const contact = sandbox.seedObject(STRICT, 'contacts', { email: 'odd@strict.io' }).id;
    const odd = note(STRICT, contact, 'Answered oddly');
    const dlq = await collectMessages([deadLetterTopic(topics.writebacks)]);
    sandbox.clearRequests();
    sandbox.injectFaults(STRICT, [{ status: 201, body: { status: 'COMPLETE', startedAt: '2026-12-01T00:00:00Z' } }]);
    await publish(odd);
    const [letter] = await dlq.waitFor(1, 30_000);
    await dlq.stop();
    expect(letter?.headers['dlq-reason']).toMatch(/leaves open whether it created this.*no results array.*parked/);
    expect(JSON.parse(String(letter!.value)).data.commandId).toBe(odd.data.commandId);
    expect(creates(STRICT, 'notes')).toHaveLength(1);
    expect(await resultOf(odd.data.commandId)).toBeUndefined();
    const [call] = await opened(await db.dataSource.query(`SELECT event_id AS id, portal_id, data FROM events WHERE type = 'HubSpotCallCompleted' AND $1 = ANY(SELECT jsonb_array_elements_text(data->'commandIds'))`, [odd.data.commandId]));
    expect(call!.data).toMatchObject({ hubspotStatus: 201, anomalies: ['the answer has no results array'], answer: { status: 'COMPLETE' } });
    const portal = await moduleRef.get(PortalRepository).find(STRICT);
    expect(portal?.alerts['hubspot-answer-unreadable']?.message).toMatch(/1 create\(s\) parked/);
  }, 60_000);

  it('uses a portal’s own association label, looked up once, and falls back to the default with an alert when the label is missing', async () => {
    const { typeId } = sandbox.defineAssociationLabel(LABELS, 'notes', 'contacts', 'AI insight');
    const contacts = [0, 1].map((i) => sandbox.seedObject(LABELS, 'contacts', { email: `l${i}@labels.io` }).id);
    sandbox.clearRequests();
    const first = note(LABELS, contacts[0]!, 'Labelled');
    await publish(first);
    await waitForResult(first.data.commandId);
    const second = note(LABELS, contacts[1]!, 'Labelled again');
    const task = request(LABELS, { kind: 'create-task', objectType: 'contacts', objectId: contacts[1]!, subject: 'Call', body: 'b', dueAt: '2026-12-02T09:00:00.000Z', priority: 'LOW', taskType: 'CALL' });
    await publish(second, task);
    for (const r of [second, task]) expect((await waitForResult(r.data.commandId))?.type).toBe('WritebackApplied');

    for (const n of [first, second]) {
      const [record] = createdFor(LABELS, 'notes', n.data.commandId);
      expect(record!.associations.filter((a) => a.toType === 'contacts').map((a) => a.typeId).sort()).toEqual([202, typeId].sort());
    }
    const labelCalls = sandbox.requests().filter((r) => r.portalId === LABELS && r.path.endsWith('/labels'));
    expect(labelCalls.map((r) => r.path)).toEqual(['/crm/associations/2026-03/notes/contacts/labels', '/crm/associations/2026-03/tasks/contacts/labels']);
    const [taskRecord] = createdFor(LABELS, 'tasks', task.data.commandId);
    expect(taskRecord!.associations.filter((a) => a.toType === 'contacts').map((a) => a.typeId)).toEqual([204]);
    const portal = await moduleRef.get(PortalRepository).find(LABELS);
    expect(portal?.alerts['association-label-missing']?.message).toContain('"No such label"');
  }, 60_000);

  it('labels that cannot be read never hold a note back: the default association, an alert, the failed call audited', async () => {
    const contact = sandbox.seedObject(LABELS, 'contacts', { email: 'nolabels@labels.io' }).id;
    const task = request(LABELS, { kind: 'create-task', objectType: 'contacts', objectId: contact, subject: 'Call', body: 'b', dueAt: '2026-12-02T09:00:00.000Z', priority: 'LOW', taskType: 'CALL', alsoAssociate: [] });
    await moduleRef.get(PortalRepository).clearAlerts(LABELS);
    // The portal's task labels were cached by the previous test: ask for one more target type, uncached.
    await moduleRef.get(PortalRepository).updateSettings(LABELS, { settings: { associationLabels: { notes: { contacts: 'AI insight' }, tasks: { contacts: 'No such label', companies: 'Sponsor' } } } });
    const company = sandbox.seedObject(LABELS, 'companies', { name: 'Sponsor Inc' }).id;
    const onCompany = request(LABELS, { kind: 'create-task', objectType: 'contacts', objectId: contact, subject: 'Call', body: 'c', dueAt: '2026-12-02T09:00:00.000Z', priority: 'LOW', taskType: 'CALL', alsoAssociate: [{ objectType: 'companies', objectId: company }] });
    await new Promise((r) => setTimeout(r, 600)); // the writer's portal cache (PORTAL_CACHE_MS) sees the new settings
    sandbox.injectFaults(LABELS, [{ status: 503 }]);
    await publish(task, onCompany);
    for (const r of [task, onCompany]) expect((await waitForResult(r.data.commandId))?.type).toBe('WritebackApplied');
    const [record] = createdFor(LABELS, 'tasks', onCompany.data.commandId);
    expect(record!.associations.filter((a) => a.toType === 'companies').map((a) => a.typeId)).toEqual([192]);
    const portal = await moduleRef.get(PortalRepository).find(LABELS);
    expect(portal?.alerts['association-label-missing']?.message).toMatch(/tasks → companies: labels could not be read/);
    const audited = await db.dataSource.query(`SELECT data FROM events WHERE type = 'HubSpotCallCompleted' AND portal_id = $1 AND data->>'operation' = 'read labels tasks companies'`, [LABELS]);
    expect(audited[0]?.data).toMatchObject({ hubspotStatus: 503, apiVersion: '2026-03' });
  }, 60_000);

  it('an owner deactivated since the settings were saved: an alert, and the task goes to the default owner', async () => {
    sandbox.addOwner(OWNERS, { id: '601', email: 'gone@owners.io' });
    sandbox.addOwner(OWNERS, { id: '602', email: 'default@owners.io' });
    sandbox.archiveOwner(OWNERS, '601');
    const contact = sandbox.seedObject(OWNERS, 'contacts', { email: 'lead@owners.io' }).id;
    const task = request(OWNERS, { kind: 'create-task', objectType: 'contacts', objectId: contact, subject: 'Follow up', body: 'b', dueAt: '2026-12-02T09:00:00.000Z', priority: 'HIGH', taskType: 'EMAIL', ownerId: '601' });
    await publish(task);
    expect((await waitForResult(task.data.commandId))?.type).toBe('WritebackApplied');
    const records = createdFor(OWNERS, 'tasks', task.data.commandId);
    expect(records).toHaveLength(1);
    expect(records[0]!.properties.hubspot_owner_id).toBe('602');
    const portal = await moduleRef.get(PortalRepository).find(OWNERS);
    expect(portal?.alerts['owner-deactivated']?.message).toContain('601 → 602');
    expect(portal?.status).toBe('active');
  }, 60_000);
});
