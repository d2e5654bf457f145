import type { TestingModule } from '@nestjs/testing';
import { allTopics, deterministicId, KafkaBus, PortalRepository, startStory, topicNames, type PlatformEvent } from '@app/common';
import { HubSpotSandbox } from '../../../sandbox/hubspot';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { eventually, KAFKA_BROKERS, partitionOf, uniquePrefix } from '../../../test/support/kafka';
import { memoryLogger } from '../../../test/support/logger';
import { addSandboxPortal, startWriter } from '../../../test/support/writer';
import { testConfig } from '../../../test/support/platform';

const HELD = 7100;

describe('writer backpressure (real Kafka, Postgres and the HubSpot sandbox)', () => {
  const sandbox = new HubSpotSandbox();
  const prefix = uniquePrefix('writer-bp');
  const topics = topicNames(prefix);
  const { logger, lines } = memoryLogger();
  let db: TestDatabase;
  let moduleRef: TestingModule;
  let bus: KafkaBus;
  // A portal on the held portal's partition, and one on another partition.
  const NEIGHBOUR = [...Array(300).keys()].map((i) => 7101 + i).find((p) => partitionOf(topics.writebacks, p) === partitionOf(topics.writebacks, HELD))!;
  const ELSEWHERE = [...Array(300).keys()].map((i) => 7101 + i).find((p) => partitionOf(topics.writebacks, p) !== partitionOf(topics.writebacks, HELD))!;

  beforeAll(async () => {
    const { url } = await sandbox.start();
    db = await createTestDatabase('writer_bp');
    const config = testConfig('writer', db.url, prefix, { HUBSPOT_API_BASE_URL: url, WRITER_MAX_BUFFERED: '100', PORTAL_CACHE_MS: '500' });
    bus = new KafkaBus({ brokers: KAFKA_BROKERS, clientId: 'writer-bp-test', logger });
    await bus.ensureTopics(allTopics(topics), 3, 1);
    moduleRef = await startWriter(config, logger);
    const portals = moduleRef.get(PortalRepository);
    for (const portalId of [HELD, NEIGHBOUR, ELSEWHERE]) {
      addSandboxPortal(sandbox, portalId);
      await portals.register({ portalId, name: `P${portalId}`, accessToken: `pat-${portalId}` });
    }
    await portals.updateSettings(HELD, { status: 'paused' });
  }, 60_000);

  afterAll(async () => {
    await moduleRef?.close();
    await bus?.disconnect();
    await sandbox.stop();
    await db?.drop();
  });

  const writeback = (portalId: number, objectId: string, n: number): PlatformEvent<'WritebackRequested'> => {
    const commandId = deterministicId('bp', prefix, portalId, n);
    return startStory({ type: 'WritebackRequested', portalId, id: deterministicId('bp-request', commandId), data: { commandId, decisionId: 'd', kind: 'update-properties', objectType: 'contacts', objectId, properties: { ai_lead_score: String(n) } } }, new Date());
  };
  const applied = async (portalId: number) => Number((await db.dataSource.query(`SELECT count(*) AS n FROM events WHERE type = 'WritebackApplied' AND portal_id = $1`, [portalId]))[0].n);

  it('pauses only the partition holding more than its share of WRITER_MAX_BUFFERED, and resumes it when drained', async () => {
    const held = Array.from({ length: 150 }, (_, i) => writeback(HELD, sandbox.seedObject(HELD, 'contacts', { email: `h${i}@held.io` }).id, i));
    await bus.publish(topics.writebacks, held);
    await eventually(async () => lines.some((l) => l.includes('writer buffer full; pausing consumption')), 20_000, 'the writer to pause');

    const neighbour = writeback(NEIGHBOUR, sandbox.seedObject(NEIGHBOUR, 'contacts', { email: 'n@neighbour.io' }).id, 1);
    const elsewhere = writeback(ELSEWHERE, sandbox.seedObject(ELSEWHERE, 'contacts', { email: 'e@elsewhere.io' }).id, 1);
    await bus.publish(topics.writebacks, [neighbour, elsewhere]);
    // Another partition keeps flowing; the held portal's partition waits in Kafka, not in memory.
    await eventually(async () => (await applied(ELSEWHERE)) === 1, 20_000, 'the other partition to flow');
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await applied(NEIGHBOUR)).toBe(0);

    await moduleRef.get(PortalRepository).updateSettings(HELD, { status: 'active' });
    await eventually(async () => (await applied(HELD)) === 150, 30_000, 'the held portal to drain');
    await eventually(async () => lines.some((l) => l.includes('writer buffer drained; resuming consumption')), 10_000, 'the writer to resume');
    await eventually(async () => (await applied(NEIGHBOUR)) === 1, 20_000, 'the waiting writeback');
  }, 90_000);
});
