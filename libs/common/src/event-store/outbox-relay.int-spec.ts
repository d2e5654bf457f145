import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { collectMessages, eventually, KAFKA_BROKERS, uniquePrefix } from '../../../../test/support/kafka';
import { anEvent } from '../../../../test/support/builders';
import { memoryLogger } from '../../../../test/support/logger';
import { KafkaBus } from '../kafka/kafka-bus';
import { EventStore } from './event-store.repository';
import { OutboxRelay } from './outbox-relay';

describe('OutboxRelay (real Postgres and Kafka)', () => {
  let db: TestDatabase;
  let store: EventStore;
  const { logger } = memoryLogger();
  const topic = `${uniquePrefix('outbox')}.events`;
  const bus = new KafkaBus({ brokers: KAFKA_BROKERS, clientId: 'outbox-test', logger });

  beforeAll(async () => {
    db = await createTestDatabase('outbox');
    store = new EventStore(db.dataSource);
    await bus.ensureTopics([topic], 4, 1);
  });
  afterAll(async () => {
    await bus.disconnect();
    await db.drop();
  });

  it('keeps what was recorded while Kafka is unreachable, and publishes it in order once Kafka is back', async () => {
    const events = Array.from({ length: 5 }, (_, i) => anEvent({ portalId: 321, data: { seq: i } }));
    for (const event of events) await store.append({ streamId: 'relay-order', events: [event], publishTo: topic });

    // A relay whose broker does not answer (nothing listens on port 1).
    const deadBus = new KafkaBus({ brokers: ['127.0.0.1:1'], clientId: 'outbox-dead', logger });
    const stranded = new OutboxRelay(db.dataSource, deadBus, logger, { pollMs: 10 });
    await expect(stranded.publishBatch()).rejects.toThrow();
    await stranded.stop();
    await deadBus.disconnect();
    expect(await stranded.pendingCount()).toBe(5);

    const collector = await collectMessages([topic]);
    const relay = new OutboxRelay(db.dataSource, bus, logger, { pollMs: 10 });
    relay.start();
    const received = await collector.waitFor(5);
    await relay.stop();
    await collector.stop();
    expect(received.map((m) => JSON.parse(m.value!).data.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(received.every((m) => m.key === '321')).toBe(true);
    await eventually(async () => (await relay.pendingCount()) === 0, 5_000, 'outbox to drain');
  });

  it('parks an event Kafka refuses for good (too large) and keeps publishing the others', async () => {
    const collector = await collectMessages([topic]);
    const before = anEvent({ portalId: 55, data: { seq: 'before' } });
    const huge = anEvent({ portalId: 55, data: { blob: 'x'.repeat(1_200_000) } });
    const after = anEvent({ portalId: 55, data: { seq: 'after' } });
    for (const event of [before, huge, after]) await store.append({ streamId: 'relay-parking', events: [event], publishTo: topic });

    const relay = new OutboxRelay(db.dataSource, bus, logger, { pollMs: 10 });
    relay.start();
    await eventually(async () => collector.messages.some((m) => JSON.parse(m.value!).id === after.id), 20_000, 'the event after the huge one');
    await relay.stop();
    await collector.stop();

    const published = collector.messages.map((m) => JSON.parse(m.value!).id as string);
    expect(published).toEqual(expect.arrayContaining([before.id, after.id]));
    expect(published).not.toContain(huge.id);
    const parked = await db.dataSource.query('SELECT event_id, reason FROM outbox_parked');
    expect(parked).toEqual([{ event_id: huge.id, reason: expect.stringMatching(/Kafka refused it: .*\(\d+ bytes of data\)/) }]);
    expect(await relay.pendingCount()).toBe(0);
    expect(await store.findById(huge.id)).toBeDefined();
  });

  it('lets only one relay publish at a time', async () => {
    const first = new OutboxRelay(db.dataSource, bus, logger, { pollMs: 10 });
    const second = new OutboxRelay(db.dataSource, bus, logger, { pollMs: 10 });
    await store.append({ streamId: 'relay-lock', events: [anEvent()], publishTo: topic });
    expect(await first.publishBatch()).toBe(1);
    await store.append({ streamId: 'relay-lock', events: [anEvent()], publishTo: topic });
    expect(await second.publishBatch()).toBe(0);
    await first.stop();
    expect(await second.publishBatch()).toBe(1);
    await second.stop();
  });
});
