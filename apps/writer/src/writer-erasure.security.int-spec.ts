import type { TestingModule } from '@nestjs/testing';
import {
  allTopics,
  deterministicId,
  KafkaBus,
  PersonalData,
  PersonalDataErasure,
  PortalRepository,
  startStory,
  StreamIds,
  topicNames,
  type AppConfig,
  type PlatformEvent,
} from '@app/common';
import { HubSpotSandbox } from '../../../sandbox/hubspot';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { eventually, KAFKA_BROKERS, uniquePrefix } from '../../../test/support/kafka';
import { memoryLogger } from '../../../test/support/logger';
import { openRows } from '../../../test/support/personal-data';
import { testConfig } from '../../../test/support/platform';
import { addSandboxPortal, startWriter } from '../../../test/support/writer';

const PORTAL = 4646;

/**
 * The writer opens the notes it writes from their sealed form (docs/decisions/0019),
 * and never writes one whose subject was erased before it got to it: HubSpot would
 * otherwise receive again the name that was just erased.
 */
describe('writer and erased subjects (security)', () => {
  const sandbox = new HubSpotSandbox();
  const prefix = uniquePrefix('writer-erasure');
  const topics = topicNames(prefix);
  let db: TestDatabase;
  let config: AppConfig;
  let moduleRef: TestingModule;
  let bus: KafkaBus;

  beforeAll(async () => {
    const { url } = await sandbox.start();
    addSandboxPortal(sandbox, PORTAL);
    db = await createTestDatabase('writer_erasure');
    config = testConfig('writer', db.url, prefix, { HUBSPOT_API_BASE_URL: url });
    const { logger } = memoryLogger();
    bus = new KafkaBus({ brokers: KAFKA_BROKERS, clientId: 'writer-erasure-test', logger });
    await bus.ensureTopics(allTopics(topics), 3, 1);
    moduleRef = await startWriter(config, logger);
    await moduleRef.get(PortalRepository).register({ portalId: PORTAL, name: 'Erasing Co', accessToken: `pat-${PORTAL}` });
  }, 60_000);

  afterAll(async () => {
    await moduleRef?.close();
    await bus?.disconnect();
    await sandbox.stop();
    await db?.drop();
  });

  /** A note command as the enricher records it: its body sealed for its contact. */
  async function sealedNote(objectId: string, body: string): Promise<PlatformEvent<'WritebackRequested'>> {
    const commandId = deterministicId('erasure-note', prefix, objectId);
    const event = startStory(
      { type: 'WritebackRequested', portalId: PORTAL, id: commandId, data: { kind: 'create-note', commandId, decisionId: `decision-${objectId}`, objectType: 'contacts', objectId, body, timestamp: new Date().toISOString() } },
      new Date(),
    ) as PlatformEvent<'WritebackRequested'>;
    const sealed = await moduleRef.get(PersonalData).seal(db.dataSource, [{ event, streamId: StreamIds.crmObject(PORTAL, 'contacts', objectId) }]);
    return sealed.events[0] as PlatformEvent<'WritebackRequested'>;
  }
  const resultOf = async (commandId: string) =>
    (await openRows(db.dataSource, await db.dataSource.query(`SELECT event_id::text AS id, portal_id, type, data FROM events WHERE type LIKE 'Writeback%' AND data->>'commandId' = $1`, [commandId])))[0] as
      | { type: string; data: Record<string, unknown> }
      | undefined;

  it('writes a sealed note opened, and skips (never sends) one whose contact was erased after it was requested', async () => {
    const kept = sandbox.seedObject(PORTAL, 'contacts', { email: 'yolanda@keep.example' }).id;
    const erased = sandbox.seedObject(PORTAL, 'contacts', { email: 'xavier@erase.example' }).id;
    const keep = await sealedNote(kept, 'Hi Yolanda Kowalczyk, thanks for your time.');
    const gone = await sealedNote(erased, 'Hi Xavier Pemberton-Oduya, thanks for your time.');
    expect(JSON.stringify([keep, gone])).not.toMatch(/Yolanda|Xavier/);
    await moduleRef.get(PersonalDataErasure).eraseSubject({ portalId: PORTAL, objectType: 'contacts', objectId: erased, reason: 'admin-request', requestedBy: 'test' });

    await bus.publish(topics.writebacks, [keep, gone]);
    const skipped = await eventually(() => resultOf(gone.data.commandId), 30_000, 'the erased note’s result');
    expect(skipped).toMatchObject({ type: 'WritebackSkipped', data: { reason: expect.stringContaining('personal data erased') } });
    expect((await eventually(() => resultOf(keep.data.commandId), 30_000, 'the kept note’s result'))?.type).toBe('WritebackApplied');

    const notes = sandbox.listObjects(PORTAL, 'notes').map((n) => String(n.properties.hs_note_body));
    expect(notes.some((body) => body.includes('Hi Yolanda Kowalczyk'))).toBe(true);
    expect(notes.some((body) => body.includes('Xavier'))).toBe(false);
    // HubSpot's echo of the kept note is sealed in the store too.
    const [raw] = await db.dataSource.query(`SELECT data::text AS text FROM events WHERE type = 'WritebackApplied' AND data->>'commandId' = $1`, [keep.data.commandId]);
    expect(raw.text).not.toContain('Yolanda');
  }, 60_000);
});
