import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { anEvent } from '../../../../test/support/builders';
import { memoryLogger } from '../../../../test/support/logger';
import type { EventEnvelope } from '../events/envelope';
import { Outcome } from './handler-outcome';
import { KafkaBus, type ConsumerSpec } from './kafka-bus';
import { toKafkaMessage } from './message-codec';

/** The per-key lanes of one fetched batch, driven with a scripted kafkajs payload (no broker). */
describe('KafkaBus per-key lanes within a batch', () => {
  const bus = new KafkaBus({ brokers: ['127.0.0.1:1'], clientId: 'lanes-unit', logger: memoryLogger().logger });
  const runBatch = (on: KafkaBus, spec: ConsumerSpec, payload: EachBatchPayload) =>
    (on as unknown as { handleBatchByKey(s: ConsumerSpec, p: EachBatchPayload): Promise<void> }).handleBatchByKey(spec, payload);

  function batchOf(events: EventEnvelope[], heartbeat: () => Promise<void>) {
    const messages = events.map((event, i) => {
      const m = toKafkaMessage(event);
      return { key: Buffer.from(String(m.key)), value: Buffer.from(String(m.value)), headers: {}, offset: String(100 + i), timestamp: '0', attributes: 0 } as KafkaMessage;
    });
    const resolved: string[] = [];
    const payload = {
      batch: { topic: 't', partition: 0, messages },
      resolveOffset: (offset: string) => resolved.push(offset),
      heartbeat,
      commitOffsetsIfNecessary: jest.fn(async () => undefined),
      isRunning: () => true,
      isStale: () => false,
    } as unknown as EachBatchPayload;
    return { payload, resolved };
  }

  const spec = (handle: ConsumerSpec['handle']): ConsumerSpec => ({ groupId: 'g', topics: ['t'], handle, maxAttempts: 3, retryBaseDelayMs: 1 });

  it('handles every key’s messages in order and commits the whole batch', async () => {
    const seen: string[] = [];
    const events = ['a1', 'b1', 'a2', 'b2'].map((name) => anEvent({ portalId: name.startsWith('a') ? 1 : 2, data: { name } }));
    const { payload, resolved } = batchOf(events, async () => undefined);
    await runBatch(bus, spec(async (e) => (seen.push((e.data as { name: string }).name), Outcome.done())), payload);
    expect(seen.filter((n) => n.startsWith('a'))).toEqual(['a1', 'a2']);
    expect(seen.filter((n) => n.startsWith('b'))).toEqual(['b1', 'b2']);
    expect(resolved).toEqual(['100', '101', '102', '103']);
  });

  it('on a rebalance (a failed heartbeat) lets running handlers finish, starts nothing new, commits the unbroken handled run and rethrows', async () => {
    const seen: string[] = [];
    // Portal 1 retries its first message; the heartbeat before the next attempt fails: the group is rebalancing.
    const events = [anEvent({ portalId: 1, data: { name: 'a1' } }), anEvent({ portalId: 2, data: { name: 'b1' } }), anEvent({ portalId: 2, data: { name: 'b2' } }), anEvent({ portalId: 1, data: { name: 'a2' } })];
    const rebalancing = Object.assign(new Error('The group is rebalancing'), { type: 'REBALANCE_IN_PROGRESS' });
    let heartbeatFailed!: () => void;
    const failedHeartbeat = new Promise<void>((resolve) => (heartbeatFailed = resolve));
    const { payload, resolved } = batchOf(events, async () => {
      heartbeatFailed();
      throw rebalancing;
    });
    const handle = async (e: EventEnvelope) => {
      const name = (e.data as { name: string }).name;
      seen.push(name);
      if (name === 'a1') return Outcome.retry('HubSpot 503', 1);
      // b1 is still running when the rebalance is noticed.
      if (name === 'b1') await failedHeartbeat;
      return Outcome.done();
    };
    await expect(runBatch(bus, spec(handle), payload)).rejects.toBe(rebalancing);
    await new Promise((r) => setTimeout(r, 20));
    // b1 finished; neither b2 nor a2 started; a1 (offset 100) was not handled, so nothing is committed.
    expect(seen).toEqual(['a1', 'b1']);
    expect(resolved).toEqual([]);
  });

  it('commits up to the first unhandled message when a lane fails', async () => {
    const events = [anEvent({ portalId: 1, data: { name: 'a1' } }), anEvent({ portalId: 2, data: { name: 'b1' } })];
    const { payload, resolved } = batchOf(events, async () => undefined);
    const handle = async (e: EventEnvelope) => ((e.data as { name: string }).name === 'b1' ? Outcome.deadLetter('schema violation') : Outcome.done());
    // Sending the dead letter fails: that lane fails, the other keeps its offset.
    const unreachable = Object.assign(new KafkaBus({ brokers: ['127.0.0.1:1'], clientId: 'lanes-unit-2', logger: memoryLogger().logger }), {
      deadLetter: async () => Promise.reject(new Error('broker unreachable')),
    });
    await expect(runBatch(unreachable, spec(handle), payload)).rejects.toThrow('broker unreachable');
    expect(resolved).toEqual(['100']);
  });
});
