import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { allTopics, consumerGroupId, KafkaBus, listenOps, OpsModule, PlatformModule, topicNames, type AppConfig } from '@app/common';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { eventually, KAFKA_BROKERS, uniquePrefix } from '../../../test/support/kafka';
import { memoryLogger } from '../../../test/support/logger';
import { testConfig } from '../../../test/support/platform';
import { freePort } from '../../../test/support/services';
import { WriterModule } from './writer.module';

/**
 * A TCP proxy in front of the shared Postgres that the test can cut and restore:
 * "Postgres unreachable" for one service only, without touching the real server.
 */
class PostgresProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly port: number,
    private readonly target = { host: '127.0.0.1', port: Number(new URL(process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432').port || 5432) },
  ) {}

  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = createConnection(this.target);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    this.server.listen(this.port, '127.0.0.1');
    await once(this.server, 'listening');
  }

  /** Refuses new connections and drops the open ones. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * The writer as it runs in production (its Nest application on the ops listener),
 * against the real Kafka and, through a proxy the test controls, the real Postgres:
 * ready once its consumer joined its group; not ready (503) while Postgres is
 * unreachable; ready again when Postgres is back, with no restart. Its /metrics
 * shows the platform's families after real traffic (a dead letter, the group's lag).
 */
const METRICS_API_KEY = 'test-metrics-key-0123456789';
const scrape = async (url: string): Promise<string> => (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_API_KEY}` } })).text();

describe('writer ops listener: readiness and metrics (real Kafka and Postgres)', () => {
  const prefix = uniquePrefix('writer-ops');
  const topics = topicNames(prefix);
  let db: TestDatabase;
  let proxy: PostgresProxy;
  let app: INestApplication;
  let config: AppConfig;
  let opsUrl: string;

  /** The readiness answer, once it has the given HTTP status. */
  const readyWith = (status: 200 | 503, what: string): Promise<Record<string, any>> =>
    eventually(async () => {
      const response = await fetch(`${opsUrl}/health/ready`);
      return response.status === status ? ((await response.json()) as Record<string, any>) : undefined;
    }, 60_000, what);

  beforeAll(async () => {
    db = await createTestDatabase('writerops');
    proxy = new PostgresProxy(await freePort());
    await proxy.open();
    const proxied = new URL(db.url);
    proxied.port = String(proxy.port);
    config = testConfig('writer', proxied.toString(), prefix, { WRITER_OPS_PORT: String(await freePort()), KAFKA_TOPIC_PARTITIONS: '3', METRICS_API_KEY });
    const { logger } = memoryLogger();
    const bus = new KafkaBus({ brokers: KAFKA_BROKERS, clientId: 'writer-ops-test', logger });
    await bus.ensureTopics(allTopics(topics), 3, 1);
    await bus.disconnect();

    @Module({ imports: [PlatformModule.forRoot(config, 'writer', logger), WriterModule, OpsModule.forRoot(config)] })
    class WriterAppModule {}
    app = await NestFactory.create(WriterAppModule, { logger: false });
    await listenOps(app, config, 'writer', logger);
    opsUrl = `http://127.0.0.1:${config.writerOpsPort}`;
  }, 90_000);

  afterAll(async () => {
    await app?.close();
    await proxy?.cut();
    await db?.drop();
  });

  it('answers live at once, and ready once its consumer is a member of the writer group', async () => {
    expect((await fetch(`${opsUrl}/health/live`)).status).toBe(200);
    const group = consumerGroupId(prefix, 'writer');
    expect(await readyWith(200, 'the writer to be ready')).toEqual({ status: 'ready', postgres: true, kafka: true, consumers: { [group]: { state: 'member', partitions: 3 } } });
  });

  it('shows the platform metrics after real traffic: a dead letter by bounded reason, the group lag, readiness', async () => {
    const kafka = new Kafka({ clientId: 'writer-ops-producer', brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: topics.writebacks, messages: [{ key: '1', value: 'not an event' }] });
    await producer.disconnect();
    const group = consumerGroupId(prefix, 'writer');
    expect((await fetch(`${opsUrl}/metrics`)).status).toBe(401);
    const text = await eventually(async () => {
      const text = await scrape(opsUrl);
      return text.includes(`hubspot_ai_kafka_dead_letters_total{topic="${topics.writebacks}",reason="undecodable",service="writer"} 1`) ? text : undefined;
    }, 30_000, 'the dead letter to be counted');
    expect(text).toContain('hubspot_ai_ready{service="writer"} 1');
    expect(text).toContain(`hubspot_ai_kafka_consumer_group_member{group="${group}",service="writer"} 1`);
    expect(text).toMatch(new RegExp(`hubspot_ai_kafka_consumer_lag\\{group="${group}",topic="${topics.writebacks.replace(/\./g, '\\.')}",partition="\\d",service="writer"\\} \\d+`));
    expect(text).toContain('# HELP hubspot_ai_writer_queue_depth');
    expect(text).toContain('# HELP hubspot_ai_hubspot_budget_daily_used_ratio');
    expect(text).toContain('hubspot_ai_process_resident_memory_bytes{service="writer"}');
  });

  it('is not ready while Postgres is unreachable, and ready again once it is back, without a restart', async () => {
    await proxy.cut();
    expect(await readyWith(503, 'readiness to report Postgres down')).toMatchObject({ status: 'not-ready', postgres: false, kafka: true });
    expect(await scrape(opsUrl)).toContain('hubspot_ai_dependency_up{dependency="postgres",service="writer"} 0');

    await proxy.open();
    expect(await readyWith(200, 'readiness to recover')).toMatchObject({ status: 'ready', postgres: true, kafka: true });
  });
});
