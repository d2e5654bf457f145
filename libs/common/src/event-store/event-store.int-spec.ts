import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { anEvent } from '../../../../test/support/builders';
import { causedBy, startStory } from '../events/envelope';
import { EventStore } from './event-store.repository';

describe('EventStore (real Postgres)', () => {
  let db: TestDatabase;
  let store: EventStore;

  beforeAll(async () => {
    db = await createTestDatabase('event_store');
    store = new EventStore(db.dataSource);
  });
  afterAll(() => db.drop());

  it('appends with per-stream versions from 0 and an increasing global position', async () => {
    const first = anEvent();
    const second = anEvent();
    expect(await store.append({ streamId: 's-basic', events: [first, second], expectedVersion: 'no-stream' })).toMatchObject({ kind: 'appended', streamVersion: 1 });
    const third = anEvent();
    expect(await store.append({ streamId: 's-basic', events: [third], expectedVersion: 1 })).toMatchObject({ kind: 'appended', streamVersion: 2 });

    const stream = await store.readStream('s-basic');
    expect(stream.map((e) => [e.id, e.streamVersion])).toEqual([[first.id, 0], [second.id, 1], [third.id, 2]]);
    const positions = stream.map((e) => BigInt(e.globalPosition));
    expect(positions[0]! < positions[1]! && positions[1]! < positions[2]!).toBe(true);
    expect(stream[0]).toMatchObject({ type: first.type, portalId: first.portalId, data: first.data, correlationId: first.correlationId, occurredAt: first.occurredAt });
  });

  it('reports a concurrency conflict when the expected version is stale, and writes nothing', async () => {
    await store.append({ streamId: 's-conflict', events: [anEvent()] });
    const late = anEvent();
    expect(await store.append({ streamId: 's-conflict', events: [late], expectedVersion: 'no-stream' })).toEqual({
      kind: 'conflict', streamId: 's-conflict', expectedVersion: 'no-stream', actualVersion: 0,
    });
    expect(await store.append({ streamId: 's-conflict', events: [late], expectedVersion: 5 })).toMatchObject({ kind: 'conflict', actualVersion: 0 });
    expect(await store.findById(late.id)).toBeUndefined();
    expect(await store.has(late.id)).toBe(false);
  });

  it('is idempotent by event id: a second append of the same event is a duplicate, not a new row', async () => {
    const event = anEvent();
    await store.append({ streamId: 's-idem', events: [event] });
    expect(await store.append({ streamId: 's-idem', events: [event], expectedVersion: 'no-stream' })).toEqual({ kind: 'duplicate', streamId: 's-idem', duplicateIds: [event.id] });
    expect(await store.readStream('s-idem')).toHaveLength(1);
    expect(await store.has(event.id)).toBe(true);
  });

  it('serialises concurrent appends to one stream without gaps or duplicates', async () => {
    const events = Array.from({ length: 20 }, () => anEvent());
    const results = await Promise.all(events.map((event) => store.append({ streamId: 's-race', events: [event] })));
    expect(results.every((r) => r.kind === 'appended')).toBe(true);
    expect((await store.readStream('s-race')).map((e) => e.streamVersion)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('lets exactly one of two racing writers with the same expected version win', async () => {
    await store.append({ streamId: 's-optimistic', events: [anEvent()] });
    const results = await Promise.all([anEvent(), anEvent()].map((event) => store.append({ streamId: 's-optimistic', events: [event], expectedVersion: 0 })));
    expect(results.map((r) => r.kind).sort()).toEqual(['appended', 'conflict']);
  });

  it('appends to several streams atomically: a conflict in one writes none', async () => {
    await store.append({ streamId: 's-atomic-b', events: [anEvent()] });
    const a = anEvent();
    const result = await store.appendAll([
      { streamId: 's-atomic-a', events: [a] },
      { streamId: 's-atomic-b', events: [anEvent()], expectedVersion: 'no-stream' },
    ]);
    expect(result).toMatchObject({ kind: 'conflict', streamId: 's-atomic-b' });
    expect(await store.findById(a.id)).toBeUndefined();
  });

  it('enqueues newly appended events for publication in the same transaction, and duplicates not again', async () => {
    const event = anEvent({ portalId: 77 });
    await store.append({ streamId: 's-outbox', events: [event], publishTo: 'some.topic' });
    await store.append({ streamId: 's-outbox', events: [event], publishTo: 'some.topic' });
    const rows: Array<{ topic: string; message_key: string }> = await db.dataSource.query('SELECT topic, message_key FROM outbox WHERE event_id = $1', [event.id]);
    expect(rows).toEqual([{ topic: 'some.topic', message_key: '77' }]);
  });

  it('reads one story by correlation id across streams, in order', async () => {
    const now = new Date();
    const root = startStory({ type: 'WebhookEventReceived', portalId: 5, data: {} }, now);
    const child = causedBy(root, { type: 'DecisionMade', portalId: 5, data: {} }, now);
    const grandchild = causedBy(child, { type: 'WritebackApplied', portalId: 5, data: {} }, now);
    await store.append({ streamId: 's-story-1', events: [root] });
    await store.append({ streamId: 's-story-2', events: [child, grandchild] });
    expect((await store.readByCorrelation(root.id)).map((e) => e.type)).toEqual(['WebhookEventReceived', 'DecisionMade', 'WritebackApplied']);
    expect((await store.findCausedBy(child.id, 'WritebackApplied')).map((e) => e.id)).toEqual([grandchild.id]);
  });

  it('refuses to update or delete history', async () => {
    const event = anEvent();
    await store.append({ streamId: 's-immutable', events: [event] });
    await expect(db.dataSource.query(`UPDATE events SET type = 'Forged' WHERE event_id = $1`, [event.id])).rejects.toThrow(/append-only/);
    await expect(db.dataSource.query(`DELETE FROM events WHERE event_id = $1`, [event.id])).rejects.toThrow(/append-only/);
  });
});
