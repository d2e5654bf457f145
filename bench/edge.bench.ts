/**
 * npm run bench:edge — ingest's memory under slow hostile uploads, against its own
 * idle RSS in the same run (issue 14: within 50 MB of idle under 1,000 slow
 * unauthenticated uploads).
 *
 * Ingest runs as built (node dist/apps/ingest/main.js) on the real Postgres and
 * Kafka with the default edge settings, except EDGE_AUTH_FAILURES_PER_MINUTE=0: every
 * client here is 127.0.0.1, and with the per-source limit on all but the first 20
 * would get 429 before their body; off, this is the worst case (an attacker with
 * many addresses, or ingest behind a proxy). Two scenarios, 1,000 connections each,
 * opened within half a second:
 *   A. headers of a 1 MiB POST without any signature header, then the body trickled
 *      (1 KiB every 500 ms): refused 401 before the body, connection closed.
 *   B. the same with a (wrong) X-HubSpot-Signature-v3: bodies are read (the
 *      signature covers them), trickled at 32 KiB every 500 ms; bounded by the
 *      connection cap (512), the buffered-bodies budget (32 MiB) and the body
 *      timeout (30 s).
 *   C. headers that never end (one line every 500 ms): closed by the headers
 *      timeout (10 s), the excess over the cap dropped.
 * RSS is VmRSS from /proc/<pid>/status, sampled every 100 ms.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { allTopics, createDataSource, ensureDatabaseExists, KafkaBus, Logger, runMigrations, topicNames } from '@app/common';

const ROOT = join(__dirname, '..');
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 1000);
const POSTGRES = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const MIB = 1024 * 1024;
const PORT = Number(process.env.BENCH_PORT ?? 3911);

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

interface Outcome {
  scenario: string;
  idleMb: number;
  peakMb: number;
  afterMb: number;
  statuses: Record<string, number>;
  seconds: number;
}

async function waitForPort(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await fetch(url).then(() => true, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not come up`);
}

/** Opens `count` connections at once, sends `head`, trickles `chunk` every `everyMs` until closed or `maxMs`. */
async function slowUploads(pid: number, count: number, head: string, chunk: Buffer, everyMs: number, maxMs: number): Promise<{ peakMb: number; statuses: Record<string, number>; seconds: number }> {
  const started = Date.now();
  const statuses: Record<string, number> = {};
  const open = new Set<Socket>();
  let peakMb = rssMb(pid);
  const sampler = setInterval(() => (peakMb = Math.max(peakMb, rssMb(pid))), 100);
  // 100 connections every 50 ms (all 1,000 within half a second): a burst of 1,000 at
  // once overflows the listen backlog (511), and the kernel then holds the excess
  // half-open, which measures the kernel rather than ingest.
  const done = Array.from({ length: count }, (_, i) => new Promise<void>((resolve) => setTimeout(resolve, Math.floor(i / 100) * 50)).then(() => new Promise<void>((resolve) => {
    const socket = connect({ port: PORT, host: '127.0.0.1' });
    let answered = false;
    // Trickled only once connected and the headers are out (a connecting socket buffers writes).
    socket.on('connect', () => {
      socket.write(head);
      open.add(socket);
    });
    socket.on('data', (data: Buffer) => {
      if (answered) return;
      answered = true;
      const status = /^HTTP\/1\.1 (\d{3})/.exec(data.toString('latin1'))?.[1] ?? 'garbled';
      statuses[status] = (statuses[status] ?? 0) + 1;
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      // Unanswered: dropped at accept by the connection cap (or reset before the answer was read).
      if (!answered) statuses['closed unanswered'] = (statuses['closed unanswered'] ?? 0) + 1;
      open.delete(socket);
      resolve();
    });
  })));
  // A well-behaved client: never more than the declared 1 MiB.
  const sent = new WeakMap<Socket, number>();
  const trickle = setInterval(() => {
    for (const socket of open) {
      const bytes = sent.get(socket) ?? 0;
      if (bytes >= MIB || !socket.writable || socket.writableNeedDrain) continue;
      const part = chunk.subarray(0, MIB - bytes);
      sent.set(socket, bytes + part.length);
      socket.write(part);
    }
  }, everyMs);
  const deadline = setTimeout(() => {
    for (const socket of open) {
      statuses['still open at the end'] = (statuses['still open at the end'] ?? 0) + 1;
      socket.destroy();
    }
  }, maxMs);
  await Promise.all(done);
  clearInterval(trickle);
  clearTimeout(deadline);
  clearInterval(sampler);
  peakMb = Math.max(peakMb, rssMb(pid));
  return { peakMb, statuses, seconds: (Date.now() - started) / 1000 };
}

async function settle(pid: number, ms = 3_000): Promise<number> {
  await new Promise((r) => setTimeout(r, ms));
  return rssMb(pid);
}

async function run(): Promise<void> {
  const dbName = `hubspot_ai_bench_edge_${Date.now()}`;
  const databaseUrl = `${POSTGRES}/${dbName}`;
  const prefix = `bench-edge-${randomBytes(3).toString('hex')}`;
  const logger = new Logger('warn', { service: 'bench' });
  await ensureDatabaseExists(databaseUrl);
  const dataSource: DataSource = await createDataSource(databaseUrl, 'bench', 2).initialize();
  await runMigrations(dataSource);
  await dataSource.destroy();
  const bus = new KafkaBus({ brokers: BROKERS, clientId: 'bench', logger });
  await bus.ensureTopics(allTopics(topicNames(prefix)), 3, 1);
  await bus.disconnect();

  const ingest: ChildProcess = spawn(process.execPath, [join('dist', 'apps', 'ingest', 'main.js')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: BROKERS.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      HUBSPOT_CLIENT_SECRET: 'bench-client-secret-000000',
      ADMIN_API_KEY: randomBytes(16).toString('hex'),
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      INGEST_PORT: String(PORT),
      ADMIN_PORT: String(PORT + 1),
      EDGE_AUTH_FAILURES_PER_MINUTE: '0',
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const outcomes: Outcome[] = [];
  try {
    await waitForPort(`http://127.0.0.1:${PORT}/health/live`);
    const pid = ingest.pid!;
    // Warm up the paths the scenarios take, then let the heap settle.
    for (let i = 0; i < 50; i++) {
      await fetch(`http://127.0.0.1:${PORT}/webhooks/hubspot`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' });
      await fetch(`http://127.0.0.1:${PORT}/webhooks/hubspot`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hubspot-signature-v3': 'AAAA', 'x-hubspot-request-timestamp': String(Date.now()) }, body: '[]' });
    }
    const scenarios = [
      {
        scenario: `A: ${CONNECTIONS} x 1 MiB POST, no signature, body trickled 1 KiB/500 ms`,
        head: `POST /webhooks/hubspot HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${MIB}\r\n\r\n`,
        chunk: Buffer.alloc(1024, 0x20),
        maxMs: 10_000,
      },
      {
        scenario: `B: ${CONNECTIONS} x 1 MiB POST, wrong v3 signature, body trickled 32 KiB/500 ms`,
        head: `POST /webhooks/hubspot HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-HubSpot-Signature-v3: ${'A'.repeat(44)}\r\nX-HubSpot-Request-Timestamp: ${Date.now()}\r\nContent-Length: ${MIB}\r\n\r\n`,
        chunk: Buffer.alloc(32 * 1024, 0x20),
        maxMs: 45_000,
      },
      {
        scenario: `C: ${CONNECTIONS} x headers trickled one line/500 ms (never ending)`,
        head: 'POST /webhooks/hubspot HTTP/1.1\r\nHost: 127.0.0.1\r\n',
        chunk: Buffer.from('X-Padding: aaaaaaaaaaaaaaaa\r\n'),
        maxMs: 30_000,
      },
    ];
    for (const s of scenarios) {
      const idleMb = await settle(pid);
      const result = await slowUploads(pid, CONNECTIONS, s.head, s.chunk, 500, s.maxMs);
      const afterMb = await settle(pid);
      outcomes.push({ scenario: s.scenario, idleMb, afterMb, ...result });
    }
  } finally {
    ingest.kill('SIGTERM');
    await once(ingest, 'exit');
    const admin = await new DataSource({ type: 'postgres', url: `${POSTGRES}/postgres` }).initialize();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.destroy();
  }

  const fmt = (n: number) => n.toFixed(1).padStart(6);
  console.log(`\nbench:edge — ingest as built, Node ${process.version}, default edge settings (EDGE_AUTH_FAILURES_PER_MINUTE=0)\n`);
  console.log('scenario                                                              idle MB  peak MB  +peak MB  after MB  seconds  answers');
  for (const o of outcomes) {
    const answers = Object.entries(o.statuses).map(([k, v]) => `${k}: ${v}`).join(', ');
    console.log(`${o.scenario.padEnd(70)} ${fmt(o.idleMb)}   ${fmt(o.peakMb)}   ${fmt(o.peakMb - o.idleMb)}    ${fmt(o.afterMb)}   ${o.seconds.toFixed(1).padStart(5)}  ${answers}`);
  }
  const a = outcomes[0]!;
  console.log(`\ntarget  A: peak within 50 MB of idle: +${(a.peakMb - a.idleMb).toFixed(1)} MB  ${a.peakMb - a.idleMb <= 50 ? 'PASS' : 'FAIL'}`);
}

run().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
