/**
 * npm run bench:writer — the writer against the HubSpot sandbox enforcing every
 * portal's real limits (Starter private app: 100 calls per rolling 10 s).
 *
 * 200 portals. Phase A: the 199 quiet portals send a steady trickle of property
 * updates. Phase B: the same trickle, plus one hot portal that sends as many
 * writebacks as the quiet portals send in both phases (half of all writebacks),
 * all at once: a backlog its budget needs ~10 s to drain, so it stays saturated. One writeback in
 * CREATE_EVERY is a note (a create: HubSpot answers it in shuffled order without trace ids, as
 * its v3 reference does), the rest property updates. The writer runs as built
 * (node dist/apps/writer/main.js) on the real Kafka and Postgres; latency is from
 * publishing the WritebackRequested to its WritebackApplied being recorded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { allTopics, createDataSource, deterministicId, ensureDatabaseExists, KafkaBus, Logger, PortalRepository, runMigrations, startStory, TokenCipher, topicNames, type PlatformEvent } from '@app/common';
import { HubSpotSandbox } from '../sandbox/hubspot';
import { percentile } from './load';

const ROOT = join(__dirname, '..');
const PORTALS = 200;
const HOT = 5000;
const QUIET_CONTACTS = 20;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const QUIET_RATE = Number(process.env.BENCH_QUIET_RATE ?? 150); // writebacks per second across the quiet portals
const POSTGRES = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const HEADROOM = 0.1;
/** Every CREATE_EVERY-th writeback is a note to create; each must exist exactly once at the end. */
const CREATE_EVERY = Number(process.env.BENCH_CREATE_EVERY ?? 5);

type Phase = 'warm-up' | 'A' | 'B';

interface Sent {
  portalId: number;
  at: number;
  phase: Phase;
  create: boolean;
}

const sent = new Map<string, Sent>();
let seq = 0;

function writeback(portalId: number, contactId: string, phase: Phase): PlatformEvent<'WritebackRequested'> {
  const commandId = deterministicId('bench-command', seq++, randomBytes(4).toString('hex'));
  const now = new Date();
  const create = (seq + 1) % CREATE_EVERY === 0;
  sent.set(commandId, { portalId, at: now.getTime(), phase, create });
  const base = { commandId, decisionId: 'bench', objectType: 'contacts' as const, objectId: contactId };
  const data =
    create
      ? { ...base, kind: 'create-note' as const, body: `<p>AI draft ${seq}</p>`, timestamp: now.toISOString() }
      : { ...base, kind: 'update-properties' as const, properties: { ai_lead_score: String(seq % 100) } };
  return startStory({ type: 'WritebackRequested', portalId, id: deterministicId('bench-request', commandId), data }, now);
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

async function run(): Promise<void> {
  const dbName = `hubspot_ai_bench_writer_${Date.now()}`;
  const databaseUrl = `${POSTGRES}/${dbName}`;
  const prefix = `bench-w-${randomBytes(3).toString('hex')}`;
  const topics = topicNames(prefix);
  const key = randomBytes(32);
  const logger = new Logger('warn', { service: 'bench' });

  const sandbox = new HubSpotSandbox({ maxLoggedRequests: 200_000 });
  const { url } = await sandbox.start();
  const contacts = new Map<number, string[]>();
  await ensureDatabaseExists(databaseUrl);
  const dataSource: DataSource = await createDataSource(databaseUrl, 'bench', 4).initialize();
  await runMigrations(dataSource);
  const portals = new PortalRepository(dataSource, new TokenCipher(key));
  const hotBacklog = 2 * QUIET_RATE * SECONDS; // as many as the quiet portals send in both phases: half of all writebacks
  for (let i = 0; i < PORTALS; i++) {
    const portalId = HOT + i;
    sandbox.addPortal({ portalId, accessToken: `pat-${portalId}`, tier: 'starter', appType: 'private' });
    sandbox.defineProperty(portalId, 'contacts', { name: 'ai_lead_score', label: 'AI lead score', type: 'string', fieldType: 'text', groupName: 'contactinformation' });
    const count = portalId === HOT ? hotBacklog : QUIET_CONTACTS;
    contacts.set(portalId, Array.from({ length: count }, (_, n) => sandbox.seedObject(portalId, 'contacts', { email: `c${n}@p${portalId}.example` }).id));
    await portals.register({ portalId, name: `Portal ${portalId}`, accessToken: `pat-${portalId}`, settings: { hubspot: { tier: 'starter', appType: 'private' } } });
  }
  const bus = new KafkaBus({ brokers: BROKERS, clientId: 'bench-writer', logger });
  await bus.ensureTopics(allTopics(topics), 12, 1);

  const writer = spawn(process.execPath, [...(process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof-writer'] : []), join('dist', 'apps', 'writer', 'main.js')], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      PATH: process.env.PATH ?? '',
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: BROKERS.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      HUBSPOT_API_BASE_URL: url,
      TOKEN_ENCRYPTION_KEY: key.toString('base64'),
      HUBSPOT_BUDGET_HEADROOM: String(HEADROOM),
      LOG_LEVEL: 'error',
      ...(process.env.WRITER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.WRITER_NODE_OPTIONS } : {}),
    },
  }) as ChildProcess;
  let maxRss = 0;
  const rssTimer = setInterval(() => {
    try {
      maxRss = Math.max(maxRss, rssOf(writer.pid!));
    } catch {
      /* exited */
    }
  }, 200);

  const quiet = [...contacts.keys()].filter((p) => p !== HOT);
  const publishQuiet = async (phase: Phase, seconds = SECONDS) => {
    const tickMs = 100;
    const perTick = Math.round((QUIET_RATE * tickMs) / 1000);
    const ticks = (seconds * 1000) / tickMs;
    const start = Date.now();
    for (let t = 0; t < ticks; t++) {
      const batch = Array.from({ length: perTick }, (_, i) => {
        const portalId = quiet[(t * perTick + i) % quiet.length]!;
        const ids = contacts.get(portalId)!;
        return writeback(portalId, ids[(t * perTick + i) % ids.length]!, phase);
      });
      await bus.publish(topics.writebacks, batch);
      const wait = start + (t + 1) * tickMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  };
  // Warm-up: every portal's HubSpot client, budget row and cached portal, then the quiet trickle until the JIT settles.
  const warmUpStart = new Date();
  await bus.publish(topics.writebacks, [...contacts.keys()].map((p) => writeback(p, contacts.get(p)![0]!, 'warm-up')));
  await publishQuiet('warm-up', 10);
  await drainedSince(dataSource, warmUpStart, 'warm-up', 120_000);
  const warmRss = rssOf(writer.pid!);

  const aStart = new Date();
  await publishQuiet('A');
  await drainedSince(dataSource, aStart, 'A', 180_000);

  const phaseBStart = new Date();
  const hotIds = contacts.get(HOT)!;
  const callsBefore = sandbox.rateLimitStats(HOT).calls;
  const hotStart = Date.now();
  for (let i = 0; i < hotBacklog; i += 1_000) {
    await bus.publish(topics.writebacks, hotIds.slice(i, i + 1_000).map((id) => writeback(HOT, id, 'B')));
  }
  await publishQuiet('B');
  await drainedSince(dataSource, phaseBStart, 'B', 300_000);

  clearInterval(rssTimer);
  const results = await resultRows(dataSource, aStart);
  // Utilisation while the hot portal was backlogged: its calls as HubSpot (the sandbox) received them, first to last.
  const hotCallTimes = sandbox.requests().filter((r) => r.portalId === HOT && r.time >= phaseBStart.getTime()).map((r) => r.time);
  const hotCalls = sandbox.rateLimitStats(HOT).calls - callsBefore;
  const hotSeconds = (hotCallTimes.at(-1)! - hotCallTimes[0]!) / 1000;
  const hotDrainSeconds = (hotCallTimes.at(-1)! - hotStart) / 1000;
  const budgetPerSecond = (Math.floor(100 * (1 - HEADROOM))) / 10;
  const latencies = (phase: Phase) =>
    results.filter((r) => sent.get(r.commandId)?.phase === phase && sent.get(r.commandId)?.portalId !== HOT).map((r) => r.recordedAt - sent.get(r.commandId)!.at);
  const stats = [...contacts.keys()].map((p) => sandbox.rateLimitStats(p));
  const rateLimited = stats.reduce((n, s) => n + s.rateLimited, 0);
  const totalCalls = stats.reduce((n, s) => n + s.calls, 0);
  // Every note asked for exists once in HubSpot, found by the marker the writer puts in it.
  const notesByMarker = new Map<string, number>();
  for (const portalId of contacts.keys()) {
    for (const note of sandbox.listObjects(portalId, 'notes')) {
      const marker = /hubspot-ai ref ([0-9a-f-]{36})/.exec(note.properties.hs_note_body ?? '')?.[1];
      if (marker) notesByMarker.set(marker, (notesByMarker.get(marker) ?? 0) + 1);
    }
  }
  const notesAsked = [...sent.entries()].filter(([, s]) => s.create).map(([id]) => id);
  const notesTwice = notesAsked.filter((id) => (notesByMarker.get(id) ?? 0) > 1).length;
  const notesMissing = notesAsked.filter((id) => !notesByMarker.has(id)).length;

  writer.kill('SIGTERM');
  await once(writer, 'exit');
  await bus.disconnect();
  await sandbox.stop();
  await dataSource.destroy();
  const admin = await new DataSource({ type: 'postgres', url: `${POSTGRES}/postgres` }).initialize();
  await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin.destroy();

  const pA = percentile(latencies('A'), 95);
  const pB = percentile(latencies('B'), 95);
  const utilisation = (hotCallTimes.length - 1) / hotSeconds / budgetPerSecond;
  const utilisationOfLimit = (hotCallTimes.length - 1) / hotSeconds / 10;
  const busiestWindow = Math.max(...hotCallTimes.map((t) => hotCallTimes.filter((u) => u > t - 10_000 && u <= t).length));
  const perCall = hotBacklog / hotCalls;
  const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  console.log(`\nbench:writer — ${PORTALS} portals (Starter private app: 100 calls per rolling 10 s, ${HEADROOM * 100}% headroom), Node ${process.version}`);
  console.log(`  phase A: ${quiet.length} quiet portals, ${QUIET_RATE} writebacks/s for ${SECONDS} s`);
  console.log(`  phase B: the same, plus portal ${HOT} with a backlog of ${fmt(hotBacklog)} writebacks (half of all the bench sends)\n`);
  console.log(`  HubSpot calls ${fmt(totalCalls)}; hot portal drained in ${fmt(hotDrainSeconds, 1)} s with ${fmt(hotCalls)} calls (${fmt(hotCallTimes.length)} recorded)`);
  console.log(`  quiet p50 latency: ${fmt(percentile(latencies('A'), 50), 0)} ms alone, ${fmt(percentile(latencies('B'), 50), 0)} ms beside the hot portal\n`);
  console.log('targets');
  console.log(`  429s received                            ${fmt(rateLimited).padStart(8)}      (target 0)        ${rateLimited === 0 ? 'PASS' : 'FAIL'}`);
  console.log(`  hot portal budget utilisation            ${fmt(utilisation * 100, 1).padStart(8)} %    (target >= 90%)   ${utilisation >= 0.9 ? 'PASS' : 'FAIL'}  (${fmt(utilisationOfLimit * 100, 1)}% of HubSpot's own limit)`);
  console.log(`  hot portal's busiest rolling 10 s window ${fmt(busiestWindow).padStart(8)} calls (budget ${Math.floor(100 * (1 - HEADROOM))}, HubSpot's limit 100)`);
  console.log(`  records written per call under backlog   ${fmt(perCall, 1).padStart(8)}      (target >= 50)    ${perCall >= 50 ? 'PASS' : 'FAIL'}`);
  console.log(`  quiet p95 latency alone / beside hot     ${fmt(pA, 0).padStart(5)} / ${fmt(pB, 0)} ms = ${fmt(pB / pA, 2)}x (target <= 1.5x) ${pB / pA <= 1.5 ? 'PASS' : 'FAIL'}`);
  console.log(`  notes created exactly once               ${fmt(notesAsked.length - notesTwice - notesMissing).padStart(8)} of ${fmt(notesAsked.length)} (twice: ${notesTwice}, missing: ${notesMissing}) ${notesTwice === 0 && notesMissing === 0 ? 'PASS' : 'FAIL'}`);
  console.log(`  writer max RSS                           ${fmt(maxRss / 2 ** 20).padStart(8)} MB   (target <= 256)   ${maxRss <= 256 * 2 ** 20 ? 'PASS' : 'FAIL'}  (${fmt(warmRss / 2 ** 20)} MB after warm-up)`);
}

async function resultRows(dataSource: DataSource, since: Date): Promise<Array<{ commandId: string; recordedAt: number }>> {
  const rows: Array<{ command_id: string; recorded_at: Date }> = await dataSource.query(
    `SELECT data->>'commandId' AS command_id, recorded_at FROM events WHERE type = 'WritebackApplied' AND recorded_at >= $1`,
    [since],
  );
  return rows.map((r) => ({ commandId: r.command_id, recordedAt: new Date(r.recorded_at).getTime() }));
}

async function drainedSince(dataSource: DataSource, since: Date, phase: Phase, timeoutMs: number): Promise<void> {
  const expected = [...sent.values()].filter((s) => s.phase === phase).length;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const done = (await resultRows(dataSource, since)).filter((r) => sent.get(r.commandId)?.phase === phase).length;
    if (done >= expected) return;
    if (Date.now() > deadline) throw new Error(`phase ${phase}: ${done} of ${expected} writebacks applied after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

run().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
