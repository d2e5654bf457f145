import { allTopics, deterministicId, KafkaBus, Logger, PortalRepository, startStory, TokenCipher, topicNames, type PlatformEvent } from '@app/common';
import { HubSpotSandbox } from '../sandbox/hubspot';
import { markerIn } from '../apps/writer/src/writebacks/create-outcomes';
import { createTestDatabase, type TestDatabase } from './support/database';
import { eventually, KAFKA_BROKERS, uniquePrefix } from './support/kafka';
import { TEST_TOKEN_KEY, testEnv } from './support/platform';
import { runNode, startService, stopService, type RunningService } from './support/services';
import { addSandboxPortal } from './support/writer';
import { openRows } from './support/personal-data';

/**
 * The writer as a process, killed with SIGKILL while HubSpot holds the answer to a
 * batch create it has already applied, then started again: every note must end in
 * HubSpot exactly once (docs/decisions/0018).
 */
describe('writer killed mid-batch-create', () => {
  const PORTAL = 7171;
  const NOTES = 100;
  const sandbox = new HubSpotSandbox({ seed: 'writer-crash' });
  const prefix = uniquePrefix('crash');
  const topics = topicNames(prefix);
  let db: TestDatabase;
  let bus: KafkaBus;
  let env: Record<string, string>;
  let writer: RunningService | undefined;

  beforeAll(async () => {
    db = await createTestDatabase('crash');
    const { url } = await sandbox.start();
    addSandboxPortal(sandbox, PORTAL);
    env = testEnv(db.url, prefix, { HUBSPOT_API_BASE_URL: url, KAFKA_TOPIC_PARTITIONS: '3', LOG_LEVEL: 'info', WRITER_CREATE_SETTLE_MS: '1000' });
    await runNode('dist/tools/main.js', ['kafka:topics'], env);
    await new PortalRepository(db.dataSource, new TokenCipher(Buffer.from(TEST_TOKEN_KEY, 'base64'))).register({ portalId: PORTAL, name: 'Crash', accessToken: `pat-${PORTAL}` });
    bus = new KafkaBus({ brokers: KAFKA_BROKERS, clientId: 'crash-test', logger: new Logger('error', { service: 'test' }) });
    await bus.ensureTopics(allTopics(topics), 3, 1);
  });

  afterAll(async () => {
    if (writer) await stopService(writer);
    await bus?.disconnect();
    await sandbox.stop();
    await db?.drop();
  });

  const resultsOf = async (commandIds: string[]) =>
    (await openRows(db.dataSource, await db.dataSource.query(`SELECT event_id::text AS id, portal_id, data FROM events WHERE type = 'WritebackApplied' AND data->>'commandId' = ANY($1)`, [commandIds]))) as Array<{ data: { commandId: string; foundByReadBack?: boolean; response: { id: string } } }>;

  it('leaves each note exactly once in HubSpot after a kill -9 between HubSpot applying a batch and the writer recording it', async () => {
    const contacts = Array.from({ length: NOTES }, (_, i) => sandbox.seedObject(PORTAL, 'contacts', { email: `k${i}@crash.io` }).id);
    const requests: Array<PlatformEvent<'WritebackRequested'>> = contacts.map((objectId, i) => {
      const commandId = deterministicId('crash-command', prefix, i);
      return startStory(
        { type: 'WritebackRequested', portalId: PORTAL, id: deterministicId('crash-request', commandId), data: { commandId, decisionId: `d${i}`, kind: 'create-note', objectType: 'contacts', objectId, body: 'Same draft', timestamp: '2026-12-01T09:00:00.000Z' } },
        new Date(),
      );
    });
    const commandIds = requests.map((r) => r.data.commandId);
    // HubSpot applies the first batch create, then holds its answer long enough for the kill.
    sandbox.injectFaults(PORTAL, [{ delayAfterApplyMs: 60_000 }]);
    await bus.publish(topics.writebacks, requests);

    writer = startService('writer', env);
    await eventually(async () => sandbox.listObjects(PORTAL, 'notes').length > 0 || undefined, 60_000, 'HubSpot to apply the first batch create');
    await new Promise((r) => setTimeout(r, 300));
    writer.process.kill('SIGKILL');
    await new Promise((r) => writer!.process.once('exit', r));
    const appliedBeforeKill = sandbox.listObjects(PORTAL, 'notes').length;
    const recordedBeforeKill = (await resultsOf(commandIds)).length;
    // Mid-batch: HubSpot holds notes the writer never recorded.
    expect(appliedBeforeKill).toBeGreaterThan(recordedBeforeKill);

    writer = startService('writer', env);
    const results = await eventually(async () => {
      const rows = await resultsOf(commandIds);
      return rows.length === NOTES ? rows : undefined;
    }, 150_000, 'every note to be recorded after the restart');

    const notes = sandbox.listObjects(PORTAL, 'notes');
    expect(notes).toHaveLength(NOTES);
    const byMarker = new Map(notes.map((n) => [markerIn(n.properties), n.id]));
    expect(byMarker.size).toBe(NOTES);
    for (const row of results) expect(row.data.response.id).toBe(byMarker.get(row.data.commandId));
    // The notes HubSpot applied before the kill were found, not created again.
    expect(results.filter((r) => r.data.foundByReadBack).length).toBe(appliedBeforeKill - recordedBeforeKill);
  }, 240_000);
});
