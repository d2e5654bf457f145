/**
 * npm run bench:ingest — ingest's throughput and ack latency against a bare
 * endpoint on the same HTTP stack, in one run on this machine.
 *
 * Ingest runs as built (node dist/apps/ingest/main.js) on the real Postgres and
 * Kafka; every 200 means the events are committed. The bare endpoint only parses
 * the body. Both get the same signed requests (1, 10 and 100 events, 200 portals).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { allTopics, createDataSource, ensureDatabaseExists, KafkaBus, Logger, PortalRepository, runMigrations, TokenCipher, topicNames } from '@app/common';
import { signatureV3 } from '../apps/ingest/src/webhooks/hubspot-signature';
import { closedLoop, openLoop, percentile, type LoadResult, type Target } from './load';

const ROOT = join(__dirname, '..');
const PORTALS = 200;
const SECRET = 'bench-client-secret-000000';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const POSTGRES = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

let nextEventId = 1;
function webhookTarget(url: string, publicUrl: string, batch: number): Target {
  return {
    url,
    next: () => {
      const now = Date.now();
      const events = Array.from({ length: batch }, () => ({
        eventId: nextEventId++,
        subscriptionId: 1,
        portalId: 1000 + Math.floor(Math.random() * PORTALS),
        appId: 1,
        occurredAt: now,
        subscriptionType: 'contact.creation',
        attemptNumber: 0,
        objectId: 1 + Math.floor(Math.random() * 1e9),
        changeSource: 'CRM',
        changeFlag: 'NEW',
      }));
      const body = JSON.stringify(events);
      const timestamp = String(now);
      return {
        body,
        events: batch,
        headers: { 'content-type': 'application/json', 'x-hubspot-signature-v3': signatureV3(SECRET, 'POST', publicUrl, body, timestamp), 'x-hubspot-request-timestamp': timestamp },
      };
    },
  };
}

function startProcess(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', KAFKAJS_NO_PARTITIONER_WARNING: '1', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout!.resume();
  return child;
}

async function waitForPort(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await fetch(url, { method: 'POST', body: '[]' }).then(() => true, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not come up`);
}

interface Row {
  scenario: string;
  target: string;
  result: LoadResult;
}

async function run(): Promise<void> {
  const dbName = `hubspot_ai_bench_${Date.now()}`;
  const databaseUrl = `${POSTGRES}/${dbName}`;
  const prefix = `bench-${randomBytes(3).toString('hex')}`;
  const key = randomBytes(32);
  const logger = new Logger('warn', { service: 'bench' });

  await ensureDatabaseExists(databaseUrl);
  const dataSource: DataSource = await createDataSource(databaseUrl, 'bench', 4).initialize();
  await runMigrations(dataSource);
  const portals = new PortalRepository(dataSource, new TokenCipher(key));
  for (let i = 0; i < PORTALS; i++) await portals.register({ portalId: 1000 + i, name: `Portal ${i}`, accessToken: `pat-${i}` });
  const bus = new KafkaBus({ brokers: BROKERS, clientId: 'bench', logger });
  await bus.ensureTopics(allTopics(topicNames(prefix)), 12, 1);
  await bus.disconnect();

  const ingestPort = 3901;
  const barePort = 3902;
  const ingest = startProcess([...(process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []), join('dist', 'apps', 'ingest', 'main.js')], {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: BROKERS.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    HUBSPOT_CLIENT_SECRET: SECRET,
    ADMIN_API_KEY: randomBytes(16).toString('hex'),
    TOKEN_ENCRYPTION_KEY: key.toString('base64'),
    INGEST_PORT: String(ingestPort),
    ADMIN_PORT: '3903',
    PUBLIC_BASE_URL: `http://127.0.0.1:${ingestPort}`,
    LOG_LEVEL: 'error',
  });
  const bare = startProcess(['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', join('bench', 'bare-endpoint.ts')], { PORT: String(barePort), TS_NODE_PROJECT: 'tsconfig.json' });
  const targets = {
    ingest: `http://127.0.0.1:${ingestPort}/webhooks/hubspot`,
    bare: `http://127.0.0.1:${barePort}/webhooks/hubspot`,
  };
  await Promise.all(Object.values(targets).map(waitForPort));

  const rows: Row[] = [];
  try {
    for (const [name, url] of Object.entries(targets)) {
      const publicUrl = `http://127.0.0.1:${name === 'ingest' ? ingestPort : barePort}/webhooks/hubspot`;
      await closedLoop(webhookTarget(url, publicUrl, 10), 4, 1); // warm-up
      for (const batch of [1, 10, 100]) {
        rows.push({ scenario: `capacity, ${batch} event${batch > 1 ? 's' : ''}/request`, target: name, result: await closedLoop(webhookTarget(url, publicUrl, batch), CONCURRENCY, SECONDS) });
      }
      rows.push({ scenario: 'steady 1,000 events/s (100 req/s x 10)', target: name, result: await openLoop(webhookTarget(url, publicUrl, 10), 100, SECONDS) });
    }
  } finally {
    ingest.kill('SIGTERM');
    bare.kill('SIGTERM');
    await Promise.all([once(ingest, 'exit'), once(bare, 'exit')]);
  }

  const outbox = (await dataSource.query('SELECT count(*)::int AS n FROM outbox'))[0].n as number;
  const stored = (await dataSource.query(`SELECT count(*)::int AS n FROM events WHERE type = 'WebhookEventReceived'`))[0].n as number;
  await dataSource.destroy();
  const admin = await new DataSource({ type: 'postgres', url: `${POSTGRES}/postgres` }).initialize();
  await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin.destroy();

  print(rows, stored, outbox);
}

function print(rows: Row[], stored: number, outbox: number): void {
  const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  console.log(`\nbench:ingest — ${PORTALS} portals, ${CONCURRENCY} concurrent clients for capacity, ${SECONDS} s per scenario, Node ${process.version}\n`);
  console.log('target  scenario                                   events/s   req/s   p50 ms   p99 ms   non-200');
  for (const { scenario, target, result } of rows) {
    console.log(
      `${target.padEnd(7)} ${scenario.padEnd(42)} ${fmt(result.events / result.seconds).padStart(8)} ${fmt(result.requests / result.seconds).padStart(7)} ${fmt(percentile(result.latenciesMs, 50), 1).padStart(8)} ${fmt(percentile(result.latenciesMs, 99), 1).padStart(8)} ${String(result.errors).padStart(9)}`,
    );
  }
  const get = (target: string, scenario: string) => rows.find((r) => r.target === target && r.scenario.startsWith(scenario))!.result;
  const ingest100 = get('ingest', 'capacity, 100');
  const bare100 = get('bare', 'capacity, 100');
  const steady = get('ingest', 'steady');
  const eps = ingest100.events / ingest100.seconds;
  const ratio = eps / (bare100.events / bare100.seconds);
  const p99 = percentile(steady.latenciesMs, 99);
  console.log('\ntargets');
  console.log(`  ingest events/s at 100-event batches  ${fmt(eps).padStart(8)}  (target >= 5,000)  ${eps >= 5000 ? 'PASS' : 'FAIL'}`);
  console.log(`  ingest p99 ack at 1,000 events/s      ${fmt(p99, 1).padStart(8)} ms (target <= 50 ms) ${p99 <= 50 ? 'PASS' : 'FAIL'}`);
  console.log(`  ingest / bare events/s (100/request)  ${fmt(ratio * 100, 1).padStart(7)}%  (target >= 50%)    ${ratio >= 0.5 ? 'PASS' : 'FAIL'}`);
  console.log(`\n  ${fmt(stored)} events recorded by ingest; ${fmt(outbox)} still in the outbox at the end (published to Kafka by the relay meanwhile)`);
}

run().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
