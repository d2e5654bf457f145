import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners, type Admin, type IHeaders, type Producer } from 'kafkajs';
import { kafkaJsConfig, type KafkaConnection } from '@app/common';

export const KAFKA_BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

export type TestKafkaAdmin = Admin;
export type TestKafkaProducer = Producer;

/**
 * A raw kafkajs client for test-only administration (offsets, topics, raw produce),
 * built from the same connection settings as the bus (kafka-client-config.ts).
 */
export function testKafka(clientId: string, connection: Partial<KafkaConnection> = {}): Kafka {
  return new Kafka({ ...kafkaJsConfig({ brokers: KAFKA_BROKERS, clientId, ...connection }), logLevel: logLevel.NOTHING });
}

/** How to reach the local test broker's secure listeners, as scripts/kafka.sh writes it into its data dir. */
export interface SecureListener {
  host: string;
  plaintextPort: number;
  saslSslPort: number;
  sslPort: number;
  caFile: string;
  untrustedCaFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  username: string;
  password: string;
}

/**
 * The secure listeners of the broker scripts/kafka.sh started (KAFKA_DATA_DIR, or its
 * default), or why there are none to test against: an external broker (KAFKA_BROKERS
 * names another one) or a data dir without secure-listener.json.
 */
export function secureListener(): { listener: SecureListener } | { skipped: string } {
  const dataDir = process.env.KAFKA_DATA_DIR ?? join(process.env.HUBSPOT_AI_CACHE ?? join(homedir(), '.cache', 'hubspot-ai'), 'kafka-data');
  const file = join(dataDir, 'secure-listener.json');
  let listener: SecureListener;
  try {
    listener = JSON.parse(readFileSync(file, 'utf8')) as SecureListener;
  } catch {
    return { skipped: `no secure listener to test against: ${file} is missing (start the broker with scripts/kafka.sh)` };
  }
  const plaintext = `${listener.host}:${listener.plaintextPort}`;
  if (!KAFKA_BROKERS.includes(plaintext)) return { skipped: `no secure listener to test against: KAFKA_BROKERS=${KAFKA_BROKERS.join(',')} is not the scripts/kafka.sh broker of ${file} (${plaintext})` };
  return { listener };
}

/** The partition kafkajs's default partitioner gives a portal's messages on a topic of `partitions` partitions. */
export function partitionOf(topic: string, portalId: number, partitions = 3): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  return Partitioners.DefaultPartitioner()({ topic, partitionMetadata, message: { key: String(portalId), value: null } });
}

/** A topic prefix no other test run uses, so runs on a shared broker never cross. */
export function uniquePrefix(label: string): string {
  return `test-${label}-${randomBytes(4).toString('hex')}`;
}

export interface CollectedMessage {
  topic: string;
  partition: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/** Reads everything that arrives on the topics into an array, for assertions. */
export async function collectMessages(topics: string[]): Promise<{ messages: CollectedMessage[]; waitFor(count: number, timeoutMs?: number): Promise<CollectedMessage[]>; stop(): Promise<void> }> {
  const kafka = testKafka('test-collector');
  const consumer = kafka.consumer({ groupId: `collector-${randomBytes(4).toString('hex')}` });
  const messages: CollectedMessage[] = [];
  await consumer.connect();
  for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      messages.push({ topic, partition, key: message.key?.toString() ?? null, value: message.value?.toString() ?? null, headers: stringHeaders(message.headers) });
    },
  });
  return {
    messages,
    waitFor: async (count, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} messages on ${topics.join(', ')}, got ${messages.length} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return messages;
    },
    stop: () => consumer.disconnect(),
  };
}

function stringHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[key] = first.toString();
  }
  return out;
}

export async function eventually<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
