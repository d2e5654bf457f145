/**
 * npm run bench:backfill — a backfill of BENCH_CONTACTS (5,000) existing contacts of
 * one portal, and what it does to that portal's live traffic.
 *
 * Ingest, the enricher and the writer run as built (node dist/apps/<service>/main.js,
 * the enricher with its production heap cap) on the real Kafka and Postgres; the
 * HubSpot sandbox and the Anthropic double (answering at once) run in this process.
 * The sandbox enforces a limit of BENCH_LIMIT calls per rolling 10 s for the portal
 * and reports it in its rate-limit headers, which the budget adopts (the default plan,
 * 100 per 10 s, would make 5,000 records a matter of an hour at the backfill's share).
 *
 * Live traffic: BENCH_LIVE_RATE new contacts per second are created in the sandbox,
 * which sends their signed contact.creation webhooks to ingest; a live contact's
 * latency is from its creation to its ai_lead_score being in the sandbox (webhook →
 * ingest → enricher → writer → HubSpot). Baseline in the same run: BENCH_BASELINE_SECONDS
 * of live traffic alone; then the same live traffic while the backfill runs, until it
 * completes. Target: the live p95 with the backfill within 2× of the baseline's, and
 * 0 × 429. Progress is printed every 5 s from GET /admin/portals/:id/backfills/:id.
 */
import { type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { allTopics, createDataSource, ensureDatabaseExists, KafkaBus, Logger, PortalRepository, runMigrations, TokenCipher, topicNames } from '@app/common';
import { AnthropicDouble } from '../sandbox/anthropic';
import { HubSpotSandbox } from '../sandbox/hubspot';
import { adminClient, busiestWindow, dropDatabase, fmt, freePort, sleep, spawnServices, stopServices, waitReady } from './harness';
import { percentile } from './load';
const PORTAL = 9090;
const APP_ID = 90901;
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 5000);
const LIMIT = Number(process.env.BENCH_LIMIT ?? 2000);
const LIVE_RATE = Number(process.env.BENCH_LIVE_RATE ?? 2);
const BASELINE_SECONDS = Number(process.env.BENCH_BASELINE_SECONDS ?? 20);
const SHARE = Number(process.env.BACKFILL_BUDGET_SHARE ?? 0.25);
const HEADROOM = 0.1;
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_SECONDS ?? 900) * 1000;
const POSTGRES = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const CLIENT_SECRET = 'bench-client-secret-000';
const ADMIN_KEY = 'bench-admin-key-0123456789';
const LEAD_PROPERTIES = ['ai_lead_score', 'ai_persona', 'ai_summary', 'ai_pain_points', 'ai_recommended_action'];

type Phase = 'baseline' | 'backfill';
interface Live {
  id: string;
  phase: Phase;
  createdAt: number;
  doneAt?: number;
}

async function run(): Promise<void> {
  const dbName = `hubspot_ai_bench_backfill_${Date.now()}`;
  const databaseUrl = `${POSTGRES}/${dbName}`;
  const prefix = `bench-bf-${randomBytes(3).toString('hex')}`;
  const key = randomBytes(32);
  const logger = new Logger('warn', { service: 'bench' });

  const hubspot = new HubSpotSandbox({ maxLoggedRequests: 200_000 });
  const claude = new AnthropicDouble();
  const hubspotUrl = (await hubspot.start()).url;
  const claudeUrl = (await claude.start()).url;
  await ensureDatabaseExists(databaseUrl);
  const dataSource: DataSource = await createDataSource(databaseUrl, 'bench', 4).initialize();
  await runMigrations(dataSource);
  const bus = new KafkaBus({ brokers: BROKERS, clientId: 'bench-backfill', logger });
  await bus.ensureTopics(allTopics(topicNames(prefix)), 12, 1);
  await bus.disconnect();

  const [ingestPort, adminPort] = [await freePort(), await freePort()];
  hubspot.addPortal({ portalId: PORTAL, accessToken: `pat-${PORTAL}`, tier: 'enterprise', appId: APP_ID, limits: { perTenSeconds: LIMIT, daily: 10_000_000 } });
  for (const name of LEAD_PROPERTIES) hubspot.defineProperty(PORTAL, 'contacts', { name, label: name, type: 'string', fieldType: 'text', groupName: 'contactinformation' });
  const benchStart = Date.now();
  for (let i = 0; i < CONTACTS; i++) {
    const createdate = new Date(Date.UTC(2025, 0, 1) + i * 3_600_000).toISOString();
    hubspot.seedObject(PORTAL, 'contacts', { email: `c${i}@existing.example`, firstname: `Existing${i}`, jobtitle: i % 3 ? 'Head of Operations' : 'Analyst', company: `Co ${i % 700}`, createdate });
  }
  await new PortalRepository(dataSource, new TokenCipher(key)).register({ portalId: PORTAL, name: 'Backfill Co', accessToken: `pat-${PORTAL}`, settings: { hubspot: { tier: 'enterprise', appType: 'private' } } });
  hubspot.configureApp({ appId: APP_ID, clientSecret: CLIENT_SECRET, webhookTargetUrl: `http://127.0.0.1:${ingestPort}/webhooks/hubspot`, subscriptions: ['contact.creation'] });

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: BROKERS.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    HUBSPOT_API_BASE_URL: hubspotUrl,
    HUBSPOT_CLIENT_SECRET: CLIENT_SECRET,
    HUBSPOT_APP_ID: String(APP_ID),
    ANTHROPIC_API_KEY: 'sk-ant-bench-0000000000000000',
    ANTHROPIC_BASE_URL: claudeUrl,
    TOKEN_ENCRYPTION_KEY: key.toString('base64'),
    ADMIN_API_KEY: ADMIN_KEY,
    INGEST_PORT: String(ingestPort),
    ADMIN_PORT: String(adminPort),
    PUBLIC_BASE_URL: `http://127.0.0.1:${ingestPort}`,
    EDGE_AUTH_FAILURES_PER_MINUTE: '0',
    HUBSPOT_BUDGET_HEADROOM: String(HEADROOM),
    BACKFILL_BUDGET_SHARE: String(SHARE),
    LOG_LEVEL: 'error',
  };
  const services: ChildProcess[] = spawnServices(['ingest', 'enricher', 'writer'], env);
  const admin = adminClient(`http://127.0.0.1:${adminPort}/admin/portals/${PORTAL}`, ADMIN_KEY);
  await waitReady(`http://127.0.0.1:${ingestPort}/health/ready`);

  // Live traffic: new contacts at LIVE_RATE per second, each timed until its score is in HubSpot.
  const live: Live[] = [];
  let phase: Phase = 'baseline';
  let liveOn = true;
  let n = 0;
  const creator = (async () => {
    const every = 1000 / LIVE_RATE;
    for (let next = Date.now(); liveOn; next += every) {
      await sleep(Math.max(0, next - Date.now()));
      const id = hubspot.seedObject(PORTAL, 'contacts', { email: `live${n}@new.example`, firstname: `Live${n++}`, jobtitle: 'CTO', company: 'Newco' }, { fireWebhooks: true }).id;
      live.push({ id, phase, createdAt: Date.now() });
    }
  })();
  const watcher = setInterval(() => {
    const now = Date.now();
    for (const l of live) if (l.doneAt === undefined && hubspot.getObject(PORTAL, 'contacts', l.id)?.properties.ai_lead_score) l.doneAt = now;
  }, 10);

  // Warm-up (consumers joining, first decisions), then the baseline.
  const warmUntil = Date.now() + 10_000;
  await sleep(warmUntil - Date.now());
  live.length = 0;
  console.log(`baseline: live contacts alone for ${BASELINE_SECONDS} s …`);
  const baselineStart = Date.now();
  await sleep(BASELINE_SECONDS * 1000);

  phase = 'backfill';
  const started = Date.now();
  const requested = await admin('POST', '/backfills', { objectType: 'contacts', filter: [{ propertyName: 'createdate', operator: 'LT', value: String(benchStart) }] });
  const id = requested.backfillId as string;
  console.log(`backfill ${id}: ${fmt(CONTACTS)} existing contacts, share ${SHARE} of the portal's budget (${LIMIT} calls per 10 s, ${HEADROOM * 100}% headroom)`);
  let report = requested;
  let printedAt = 0;
  // Until it completed and its writebacks (which trail the decisions) are all in.
  const finished = (r: Record<string, any>) => r.status !== 'running' && r.status !== 'paused' && r.progress.written + r.progress.failedWritebacks >= r.progress.decided;
  while (!finished(report)) {
    if (Date.now() - started > TIMEOUT_MS) throw new Error(`backfill not done after ${TIMEOUT_MS / 1000} s: ${JSON.stringify(report)}`);
    await sleep(500);
    report = await admin('GET', `/backfills/${id}`);
    if (Date.now() - printedAt >= 5_000 || finished(report)) {
      printedAt = Date.now();
      const p = report.progress;
      const lastTen = hubspot.requests().filter((r) => r.portalId === PORTAL && r.time > Date.now() - 10_000).length;
      console.log(
        `  ${fmt((Date.now() - started) / 1000).padStart(4)} s  ${report.status.padEnd(9)} listed ${fmt(report.listing.listed).padStart(5)}  decided ${fmt(p.decided).padStart(5)} (reused ${fmt(p.reused)})  written ${fmt(p.written).padStart(5)}  failed ${p.failed}  skipped ${p.skipped}  in flight ${p.inFlight}  ` +
          `${fmt(report.decidedPerMinute ?? NaN)}/min  ETA ${fmt(report.estimatedSecondsLeft ?? NaN)} s  $${fmt(report.costUsd, 4)}  HubSpot calls last 10 s ${lastTen}`,
      );
    }
  }
  const backfillSeconds = (Date.now() - started) / 1000;
  liveOn = false;
  await creator;
  await sleep(3_000);
  clearInterval(watcher);

  const stats = hubspot.rateLimitStats(PORTAL);
  const calls = hubspot.requests().filter((r) => r.portalId === PORTAL && r.time >= started && r.outcome === 'api').map((r) => r.time);
  const busiest = busiestWindow(calls);
  const liveAlone = busiestWindow(hubspot.requests().filter((r) => r.portalId === PORTAL && r.time >= baselineStart && r.time < started && r.outcome === 'api').map((r) => r.time));
  const latencies = (p: Phase) => live.filter((l) => l.phase === p && l.doneAt !== undefined).map((l) => l.doneAt! - l.createdAt);
  const missing = live.filter((l) => l.doneAt === undefined).length;
  const [a50, a95, b50, b95] = [percentile(latencies('baseline'), 50), percentile(latencies('baseline'), 95), percentile(latencies('backfill'), 50), percentile(latencies('backfill'), 95)];
  const scored = hubspot.listObjects(PORTAL, 'contacts').filter((c) => c.properties.ai_lead_score).length;

  await stopServices(services);
  await hubspot.stop();
  await claude.stop();
  await dataSource.destroy();
  await dropDatabase(POSTGRES, dbName);

  const budget = Math.floor(LIMIT * (1 - HEADROOM));
  console.log(`\nbench:backfill — one portal, ${fmt(CONTACTS)} existing contacts, HubSpot limit ${fmt(LIMIT)} per 10 s (platform budget ${fmt(budget)}, backfill share ${SHARE}), live ${LIVE_RATE} new contacts/s, Node ${process.version}`);
  console.log(`  backfill: ${report.status} in ${fmt(backfillSeconds, 1)} s, ${fmt(report.listing.listed)} listed, ${fmt(report.progress.decided)} decided (${fmt(report.progress.reused)} reused), ${fmt(report.progress.written)} written, ${report.progress.failed} failed, ${report.progress.skipped} skipped, $${fmt(report.costUsd, 4)}`);
  console.log(`  contacts with an ai_lead_score: ${fmt(scored)} of ${fmt(CONTACTS + n)}; HubSpot calls while it ran ${fmt(calls.length)} (${fmt(stats.searchCalls)} searches), busiest rolling 10 s ${fmt(busiest)} calls`);
  console.log(`  live latency alone:            p50 ${fmt(a50).padStart(5)} ms  p95 ${fmt(a95).padStart(5)} ms  (${latencies('baseline').length} contacts)`);
  console.log(`  live latency with the backfill: p50 ${fmt(b50).padStart(5)} ms  p95 ${fmt(b95).padStart(5)} ms  (${latencies('backfill').length} contacts, ${missing} never scored)\n`);
  console.log('targets');
  console.log(`  backfill completed, every record decided  ${report.status === 'completed' && report.progress.decided + report.progress.failed >= CONTACTS ? 'PASS' : 'FAIL'}`);
  console.log(`  429s received                             ${fmt(stats.rateLimited).padStart(6)}      (target 0)        ${stats.rateLimited === 0 ? 'PASS' : 'FAIL'}`);
  console.log(`  live p95 with / without the backfill      ${fmt(b95 / a95, 2).padStart(6)} x    (target <= 2x)    ${b95 / a95 <= 2 && missing === 0 ? 'PASS' : 'FAIL'}  (p50 ${fmt(b50 / a50, 2)}x)`);
  console.log(`  busiest 10 s of the portal's calls        ${fmt(busiest).padStart(6)}      (HubSpot's limit ${fmt(LIMIT)}; the backfill's share ${fmt(SHARE * budget)} + live, which took up to ${fmt(liveAlone)} alone)`);
}

run().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
