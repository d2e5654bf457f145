import { collectMessages, eventually, KAFKA_BROKERS, uniquePrefix } from '../../../../test/support/kafka';
import { anEvent } from '../../../../test/support/builders';
import { memoryLogger } from '../../../../test/support/logger';
import type { EventEnvelope } from '../events/envelope';
import { Outcome } from './handler-outcome';
import { KafkaBus, type KafkaBusObserver } from './kafka-bus';
import { deadLetterTopic } from './topics';

describe('KafkaBus (real broker)', () => {
  const prefix = uniquePrefix('bus');
  const topic = `${prefix}.events`;
  const { logger } = memoryLogger();
  const bus = new KafkaBus({ brokers: KAFKA_BROKERS, clientId: 'bus-test', logger });

  beforeAll(async () => {
    await bus.ensureTopics([topic, deadLetterTopic(topic)], 12, 1);
  });
  afterAll(() => bus.disconnect());

  it('creates topics once, with the requested partition count', async () => {
    expect(await bus.ensureTopics([topic], 12, 1)).toEqual([]);
  });

  it('keys every message by portal id: one portal stays on one partition, in order', async () => {
    const collector = await collectMessages([topic]);
    const events: EventEnvelope[] = [];
    for (let i = 0; i < 30; i++) events.push(anEvent({ portalId: 1000 + (i % 3), data: { seq: i } }));
    await bus.publish(topic, events);
    const received = await collector.waitFor(30);
    await collector.stop();

    for (const portalId of [1000, 1001, 1002]) {
      const mine = received.filter((m) => m.key === String(portalId));
      expect(new Set(mine.map((m) => m.partition)).size).toBe(1);
      expect(mine.map((m) => JSON.parse(m.value!).data.seq)).toEqual(events.filter((e) => e.portalId === portalId).map((e) => (e.data as { seq: number }).seq));
      expect(mine[0]!.headers).toMatchObject({ 'event-type': 'TestHappened' });
    }
  });

  it('retries a retriable failure in place, then dead-letters with the reason when attempts run out', async () => {
    const consumeTopic = `${prefix}.consume`;
    await bus.ensureTopics([consumeTopic, deadLetterTopic(consumeTopic)], 3, 1);
    const dlq = await collectMessages([deadLetterTopic(consumeTopic)]);
    const attempts = new Map<string, number>();
    const done: string[] = [];
    const deadLettered: string[] = [];
    const flaky = anEvent({ portalId: 1, data: { kind: 'flaky' } });
    const hopeless = anEvent({ portalId: 1, data: { kind: 'hopeless' } });
    const poison = anEvent({ portalId: 2, data: { kind: 'poison' } });

    const observed: string[] = [];
    const observer: KafkaBusObserver = {
      consumerCreated: (groupId) => observed.push(`created ${groupId}`),
      handled: (groupId, t, outcome) => observed.push(`${outcome} ${groupId} ${t}`),
      retried: (_, t) => observed.push(`retried ${t}`),
      deadLettered: (t, category) => observed.push(`dead-lettered ${t} ${category}`),
    };
    const consumerBus = new KafkaBus({ brokers: KAFKA_BROKERS, clientId: 'bus-test-consumer', logger, observer });
    await consumerBus.consume({
      groupId: `${prefix}.group`,
      topics: [consumeTopic],
      maxAttempts: 3,
      retryBaseDelayMs: 10,
      onDeadLetter: async (event) => {
        deadLettered.push(event!.id);
        // Recording the dead letter fails: the message must not be handled again.
        if ((event!.data as { kind: string }).kind === 'poison') throw new Error('event store unavailable');
      },
      handle: async (event) => {
        const n = (attempts.get(event.id) ?? 0) + 1;
        attempts.set(event.id, n);
        const kind = (event.data as { kind: string }).kind;
        if (kind === 'flaky' && n < 3) return Outcome.retry('HubSpot 503');
        if (kind === 'hopeless') throw new Error('always fails');
        if (kind === 'poison') return Outcome.deadLetter('schema violation');
        done.push(event.id);
        return Outcome.done();
      },
    });
    await bus.publish(consumeTopic, [flaky, hopeless, poison]);
    const dead = await dlq.waitFor(2);
    await new Promise((r) => setTimeout(r, 500));
    await dlq.stop();
    await consumerBus.disconnect();

    expect(done).toEqual([flaky.id]);
    expect(attempts.get(flaky.id)).toBe(3);
    expect(attempts.get(hopeless.id)).toBe(3);
    expect(attempts.get(poison.id)).toBe(1);
    expect(deadLettered.sort()).toEqual([hopeless.id, poison.id].sort());
    const byId = new Map(dead.map((m) => [JSON.parse(m.value!).id as string, m]));
    expect(byId.get(hopeless.id)!.headers).toMatchObject({ 'dlq-reason': 'gave up after 3 attempts: always fails', 'dlq-original-topic': consumeTopic, 'dlq-attempts': '3' });
    expect(byId.get(poison.id)!.headers).toMatchObject({ 'dlq-reason': 'schema violation', 'event-id': poison.id });
    expect(byId.get(poison.id)!.key).toBe('2');
    // What the observer (metrics) heard: each message's final outcome once, each retry, each dead letter by category.
    const group = `${prefix}.group`;
    expect(observed.filter((o) => !o.startsWith('retried')).sort()).toEqual(
      [`created ${group}`, `done ${group} ${consumeTopic}`, `dead-letter ${group} ${consumeTopic}`, `dead-letter ${group} ${consumeTopic}`, `dead-lettered ${consumeTopic} gave-up`, `dead-lettered ${consumeTopic} non-retriable`].sort(),
    );
    expect(observed.filter((o) => o === `retried ${consumeTopic}`)).toHaveLength(4);
  });

  it('dead-letters a message that is not an event envelope instead of crashing', async () => {
    const rawTopic = `${prefix}.raw`;
    await bus.ensureTopics([rawTopic, deadLetterTopic(rawTopic)], 1, 1);
    const dlq = await collectMessages([deadLetterTopic(rawTopic)]);
    const consumerBus = new KafkaBus({ brokers: KAFKA_BROKERS, clientId: 'bus-test-raw', logger });
    const handled: string[] = [];
    await consumerBus.consume({ groupId: `${prefix}.raw-group`, topics: [rawTopic], maxAttempts: 2, retryBaseDelayMs: 10, handle: async (e) => (handled.push(e.id), Outcome.done()) });
    const producer = await bus.connectedProducer();
    await producer.send({ topic: rawTopic, messages: [{ key: '9', value: 'not json' }] });
    const [dead] = await dlq.waitFor(1);
    await dlq.stop();
    await consumerBus.disconnect();
    expect(handled).toEqual([]);
    expect(dead!.headers['dlq-reason']).toBe('message value is not JSON');
    expect(dead!.value).toBe('not json');
  });

  it('with concurrent keys, a portal stuck on a slow call does not hold up another portal on the same partition, and each keeps its order', async () => {
    const laneTopic = `${prefix}.lanes`;
    await bus.ensureTopics([laneTopic, deadLetterTopic(laneTopic)], 1, 1);
    const handled: string[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const consume = (clientId: string, log: string[]) => {
      const consumerBus = new KafkaBus({ brokers: KAFKA_BROKERS, clientId, logger });
      return consumerBus
        .consume({
          groupId: `${prefix}.lanes-group`,
          topics: [laneTopic],
          maxAttempts: 2,
          retryBaseDelayMs: 10,
          concurrentKeysPerPartition: true,
          handle: async (event) => {
            const name = (event.data as { name: string }).name;
            if (name === 'a1') await released;
            log.push(name);
            return Outcome.done();
          },
        })
        .then(() => consumerBus);
    };
    const first = await consume('bus-test-lanes', handled);
    await bus.publish(laneTopic, [
      anEvent({ portalId: 1, data: { name: 'a1' } }),
      anEvent({ portalId: 1, data: { name: 'a2' } }),
      anEvent({ portalId: 2, data: { name: 'b1' } }),
      anEvent({ portalId: 2, data: { name: 'b2' } }),
    ]);
    await eventually(async () => handled.includes('b2'), 20_000, 'portal 2 to be handled while portal 1 waits');
    expect(handled).toEqual(['b1', 'b2']);
    release();
    await eventually(async () => handled.length === 4, 20_000, 'portal 1 to finish');
    expect(handled).toEqual(['b1', 'b2', 'a1', 'a2']);
    await first.disconnect();

    // Everything was committed: a new member of the group gets nothing again.
    const again: string[] = [];
    const second = await consume('bus-test-lanes-2', again);
    await bus.publish(laneTopic, [anEvent({ portalId: 3, data: { name: 'c1' } })]);
    await eventually(async () => again.includes('c1'), 30_000, 'the new member to consume');
    expect(again).toEqual(['c1']);
    await second.disconnect();
  }, 60_000);

  it('keeps a member whose handler waits longer than the session (a slow HubSpot or Claude call): no rebalance, each message handled once', async () => {
    const slowTopic = `${prefix}.slow`;
    await bus.ensureTopics([slowTopic, deadLetterTopic(slowTopic)], 2, 1);
    const handled: string[] = [];
    let rebalances = 0;
    const consumerBus = new KafkaBus({ brokers: KAFKA_BROKERS, clientId: 'bus-test-slow', logger });
    const consumer = await consumerBus.consume({
      groupId: `${prefix}.slow-group`,
      topics: [slowTopic],
      maxAttempts: 2,
      retryBaseDelayMs: 10,
      concurrentKeysPerPartition: true,
      handle: async (event) => {
        // Longer than the 6 s session: only the heartbeats sent while it waits keep the member in.
        await new Promise((resolve) => setTimeout(resolve, 8_000));
        handled.push(event.id);
        return Outcome.done();
      },
    });
    consumer.on(consumer.events.REBALANCING, () => (rebalances += 1));
    const events = [anEvent({ portalId: 1 }), anEvent({ portalId: 1 })];
    await bus.publish(slowTopic, events);
    await eventually(async () => handled.length === 2, 40_000, 'both slow messages');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(handled).toEqual(events.map((e) => e.id));
    expect(rebalances).toBe(0);
    await consumerBus.disconnect();
  }, 60_000);

  it('defers a long retry wait instead of waiting in place: a rate-limited portal holds up no other partition, uses up no attempts, and a failing one still runs out of them', async () => {
    const deferTopic = `${prefix}.defer`;
    await bus.ensureTopics([deferTopic, deadLetterTopic(deferTopic)], 4, 1);
    const dlq = await collectMessages([deadLetterTopic(deferTopic)]);
    const calls = new Map<number, number>();
    const handledAt = new Map<number, number>();
    const partitionOf = new Map<number, number>();
    const consumerBus = new KafkaBus({ brokers: KAFKA_BROKERS, clientId: 'bus-test-defer', logger });
    await consumerBus.consume({
      groupId: `${prefix}.defer-group`,
      topics: [deferTopic],
      maxAttempts: 2,
      retryBaseDelayMs: 10,
      concurrentKeysPerPartition: true,
      handle: async (event, context) => {
        const n = (calls.get(event.portalId) ?? 0) + 1;
        calls.set(event.portalId, n);
        partitionOf.set(event.portalId, context.partition);
        // Portal 1 is rate limited for its first five calls (more than maxAttempts), 2 s each.
        if (event.portalId === 1 && n <= 5) return Outcome.retry('429 rate limited', 2_000, true);
        // Portal 2 fails for good, retrying after 1.5 s: its attempts carry over the deferrals.
        if (event.portalId === 2) return Outcome.retry('HubSpot 502', 1_500);
        handledAt.set(event.portalId, Date.now());
        return Outcome.done();
      },
    });
    const others = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    await bus.publish(deferTopic, [1, 2, ...others].map((portalId) => anEvent({ portalId })));

    const sharesPartition = (p: number) => partitionOf.get(p) === partitionOf.get(1) || partitionOf.get(p) === partitionOf.get(2);
    await eventually(async () => partitionOf.has(1) && partitionOf.has(2) && others.every((p) => handledAt.has(p) || (partitionOf.has(p) && sharesPartition(p))), 20_000, 'the portals on other partitions');
    const elsewhere = others.filter((p) => !sharesPartition(p));
    expect(elsewhere.length).toBeGreaterThan(0);
    // They were done while portal 1 was still waiting for its window.
    expect(handledAt.has(1)).toBe(false);

    await eventually(async () => handledAt.has(1), 30_000, 'portal 1 once its rate limit is over');
    expect(calls.get(1)).toBe(6);
    // The other portals' messages, those behind a deferred one on its partition too, were each handled once.
    await eventually(async () => others.every((p) => handledAt.has(p)), 20_000, 'every other portal');
    expect(others.map((p) => calls.get(p))).toEqual(others.map(() => 1));
    const [dead] = await dlq.waitFor(1);
    expect(dead!.key).toBe('2');
    expect(dead!.headers['dlq-reason']).toBe('gave up after 2 attempts: HubSpot 502');
    expect(calls.get(2)).toBe(2);
    await dlq.stop();
    await consumerBus.disconnect();
  }, 90_000);

  it('within one key, a run of independent messages is handled together up to the limit, and the next dependent one waits for them all', async () => {
    const runTopic = `${prefix}.runs`;
    await bus.ensureTopics([runTopic, deadLetterTopic(runTopic)], 1, 1);
    const log: string[] = [];
    let inFlight = 0;
    let most = 0;
    const consumerBus = new KafkaBus({ brokers: KAFKA_BROKERS, clientId: 'bus-test-runs', logger });
    await consumerBus.consume({
      groupId: `${prefix}.runs-group`,
      topics: [runTopic],
      maxAttempts: 2,
      retryBaseDelayMs: 10,
      concurrentKeysPerPartition: true,
      concurrentWithinKey: { independent: (event) => (event.data as { name: string }).name.startsWith('r'), limit: 3 },
      handle: async (event) => {
        const name = (event.data as { name: string }).name;
        inFlight += 1;
        most = Math.max(most, inFlight);
        log.push(`start ${name}`);
        // Independent ones finish in reverse order of arrival: only concurrency lets the later ones start first.
        if (name.startsWith('r')) await new Promise((r) => setTimeout(r, 200 - Number(name.slice(1)) * 40));
        log.push(`end ${name}`);
        inFlight -= 1;
        return Outcome.done();
      },
    });
    await bus.publish(runTopic, ['r1', 'r2', 'r3', 'r4', 'barrier', 'r5'].map((name) => anEvent({ portalId: 7, data: { name } })));
    await eventually(async () => log.includes('end r5'), 20_000, 'the lane to finish');
    await consumerBus.disconnect();
    expect(most).toBe(3);
    // r1–r3 together, then r4 (the limit), then the barrier alone after every request before it, then r5 after it.
    const at = (entry: string) => log.indexOf(entry);
    expect(at('start r3')).toBeLessThan(at('end r1'));
    expect(at('start r4')).toBeGreaterThan(Math.max(at('end r1'), at('end r2'), at('end r3')));
    expect(at('start barrier')).toBeGreaterThan(at('end r4'));
    expect(at('start r5')).toBeGreaterThan(at('end barrier'));
  }, 60_000);
});
