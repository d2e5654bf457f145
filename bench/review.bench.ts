/**
 * npm run bench:review — the daily pipeline review (Management AI, issue 16) of a portal
 * with BENCH_DEALS (10,000) open deals at HubSpot's Professional limits, on two days.
 *
 * Ingest, the enricher (with its production heap cap) and the writer run as built on the
 * real Kafka and Postgres; the HubSpot sandbox (tier 'professional': 190 calls per rolling
 * 10 s, 625,000 a day, search 5/s, reported in its rate-limit headers) and the Anthropic
 * double (answering at once) run in this process. The portal is registered through the
 * admin API (settings.hubspot.tier 'professional', which also bootstraps its deal properties).
 *
 * The trigger is the real DailyReviewScheduler, run in this process with an injected
 * clock (as its integration test does): day 1 ticks at yesterday's review time, day 2 at
 * today's, in the portal's zone; the services' outbox relays publish its trigger.
 * The enricher's own clock is real, so both reviews compute their facts "now"; the seeded
 * dates keep clear of the thresholds, so a day's difference would not change a deal's reasons.
 *
 * Day 1 (setup): BENCH_NEEDING (1,000) deals need attention (stale, close date passed or
 * missing next step) and are assessed. Then BENCH_CHANGED (500) deals, picked at random
 * (seeded), are changed through the sandbox's API as a rep would (amount, stage, close
 * date, next step; no webhooks), and day 2 runs. A day is done when its
 * PipelineDigestComposed is recorded, every DealReviewRequested has its decision (or skip
 * or failure) and every WritebackRequested of the day its outcome.
 * Targets of day 2: done within 15 min, at most 20% of the daily allowance, 0 × 429, and
 * the model called only for changed deals.
 */
import { type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  addDays,
  allTopics,
  createDataSource,
  ensureDatabaseExists,
  EventStore,
  KafkaBus,
  localDate,
  Logger,
  OperatorAlerts,
  PlatformMetrics,
  PortalRepository,
  runMigrations,
  topicNames,
  zonedInstant,
  type AppConfig,
} from '@app/common';
import { DailyReviewScheduler } from '../apps/scheduler/src/daily-review/daily-review.scheduler';
import { AnthropicDouble } from '../sandbox/anthropic';
import { HubSpotSandbox } from '../sandbox/hubspot';
import { adminClient, busiestWindow, dropDatabase, fmt, freePort, sleep, spawnServices, stopServices, waitReady } from './harness';

const PORTAL = 9191;
const DEALS = Number(process.env.BENCH_DEALS ?? 10_000);
const NEEDING = Math.min(DEALS, Number(process.env.BENCH_NEEDING ?? Math.round(DEALS / 10)));
const CHANGED = Math.min(DEALS, Number(process.env.BENCH_CHANGED ?? Math.round(DEALS / 20)));
const OWNERS = Number(process.env.BENCH_OWNERS ?? 12);
/** How long each model answer takes (the double answers at once by default; a real model takes seconds). */
const MODEL_MS = Number(process.env.BENCH_MODEL_MS ?? 0);
const TIME_ZONE = process.env.BENCH_TIME_ZONE ?? 'Europe/Berlin';
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_SECONDS ?? 1800) * 1000;
const HEADROOM = Number(process.env.HUBSPOT_BUDGET_HEADROOM ?? 0.1);
const POSTGRES = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const ADMIN_KEY = 'bench-admin-key-0123456789';
const TOKEN = `pat-na1-bench-review-${PORTAL}`;
const DAILY_LIMIT = 625_000;
const PER_TEN_SECONDS = 190;
const DAY_MS = 86_400_000;
const TARGET = { seconds: 15 * 60, dailyShare: 0.2 };
const OPEN_STAGES = ['appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'decisionmakerboughtin', 'contractsent'];

/** A small deterministic RNG (mulberry32): the same deals and changes every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface DayFigures {
  label: string;
  date: string;
  seconds: number;
  requested: number;
  unchanged: number;
  needingAttention: number;
  decided: number;
  reused: number;
  failed: number;
  skipped: number;
  writebacks: { requested: number; applied: number; skipped: number; failed: number };
  hubspotCalls: number;
  byKind: Map<string, number>;
  searchCalls: number;
  modelCalls: number;
  rateLimited: number;
  busiest10s: number;
  requestedDeals: string[];
  digestComposed: boolean;
}

async function run(): Promise<void> {
  const dbName = `hubspot_ai_bench_review_${Date.now()}`;
  const databaseUrl = `${POSTGRES}/${dbName}`;
  const prefix = `bench-rv-${randomBytes(3).toString('hex')}`;
  const key = randomBytes(32);
  const logger = new Logger('warn', { service: 'bench' });
  const random = rng(16);

  const hubspot = new HubSpotSandbox({ maxLoggedRequests: 1_000_000 });
  const claude = new AnthropicDouble({ requestsPerMinute: 1_000_000, answerDelayMs: MODEL_MS });
  const hubspotUrl = (await hubspot.start()).url;
  const claudeUrl = (await claude.start()).url;
  await ensureDatabaseExists(databaseUrl);
  const dataSource: DataSource = await createDataSource(databaseUrl, 'bench', 4).initialize();
  await runMigrations(dataSource);
  const topics = topicNames(prefix);
  const bus = new KafkaBus({ brokers: BROKERS, clientId: 'bench-review', logger });
  await bus.ensureTopics(allTopics(topics), 12, 1);
  await bus.disconnect();

  // The portal at Professional limits (the sandbox's defaults for the tier), its owners and its open deals.
  hubspot.addPortal({ portalId: PORTAL, accessToken: TOKEN, tier: 'professional', timeZone: TIME_ZONE });
  const owners = Array.from({ length: OWNERS }, (_, i) => String(hubspot.addOwner(PORTAL, { email: `rep${i}@bench-review.example`, firstName: 'Rep', lastName: String(i) }).id));
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  const needs = new Set<number>();
  for (let i = 0; i < NEEDING; i++) needs.add(Math.floor((i * DEALS) / NEEDING));
  const dealIds: string[] = [];
  const seedStart = Date.now();
  for (let i = 0; i < DEALS; i++) {
    const properties: Record<string, string> = {
      dealname: `Deal ${i} — ${['Renewal', 'Expansion', 'New business'][i % 3]}`,
      pipeline: 'default',
      dealstage: OPEN_STAGES[i % OPEN_STAGES.length]!,
      amount: String(1_000 + Math.round(random() * 99_000)),
      // Healthy: closes 30–150 days from now, contacted 0–6 days ago, a next step.
      closedate: iso(now + (30 + Math.floor(random() * 120)) * DAY_MS),
      hubspot_owner_id: owners[i % owners.length]!,
      hs_next_step: `Follow up on proposal ${i}`,
      notes_last_contacted: iso(now - Math.floor(random() * 7) * DAY_MS - 3_600_000),
      createdate: iso(now - (60 + Math.floor(random() * 300)) * DAY_MS),
    };
    if (needs.has(i)) {
      const n = dealIds.length % 3;
      if (n === 0) properties.notes_last_contacted = iso(now - (30 + Math.floor(random() * 60)) * DAY_MS);
      else if (n === 1) properties.closedate = iso(now - (10 + Math.floor(random() * 30)) * DAY_MS);
      else delete properties.hs_next_step;
    }
    dealIds.push(hubspot.seedObject(PORTAL, 'deals', properties).id);
  }
  console.log(`seeded ${fmt(DEALS)} open deals (${fmt(NEEDING)} needing attention) for ${OWNERS} owners in ${fmt((Date.now() - seedStart) / 1000, 1)} s`);

  const [ingestPort, adminPort] = [await freePort(), await freePort()];
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: BROKERS.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    HUBSPOT_API_BASE_URL: hubspotUrl,
    HUBSPOT_CLIENT_SECRET: 'bench-client-secret-000',
    ANTHROPIC_API_KEY: 'sk-ant-bench-0000000000000000',
    ANTHROPIC_BASE_URL: claudeUrl,
    TOKEN_ENCRYPTION_KEY: key.toString('base64'),
    ADMIN_API_KEY: ADMIN_KEY,
    INGEST_PORT: String(ingestPort),
    ADMIN_PORT: String(adminPort),
    PUBLIC_BASE_URL: `http://127.0.0.1:${ingestPort}`,
    EDGE_AUTH_FAILURES_PER_MINUTE: '0',
    HUBSPOT_BUDGET_HEADROOM: String(HEADROOM),
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
  };
  const services: ChildProcess[] = spawnServices(['ingest', 'enricher', 'writer'], env);
  let exited = false;
  let stopping = false;
  for (const s of services) s.once('exit', (code, signal) => {
    if (!stopping) {
      exited = true;
      console.error(`a service exited during the bench (code ${code}, signal ${signal})`);
    }
  });
  const admin = adminClient(`http://127.0.0.1:${adminPort}/admin`, ADMIN_KEY);
  await waitReady(`http://127.0.0.1:${ingestPort}/health/ready`);

  // The review's time: a few minutes ago, local, so that day 2 (today) is in the past too.
  const dailyAt = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(Date.now() - 5 * 60_000));
  const registered = await admin('POST', '/portals', { portalId: PORTAL, name: 'Review Co', accessToken: TOKEN, hubspot: { tier: 'professional', appType: 'private' }, review: { dailyAt, timeZone: TIME_ZONE } });
  const blocked = (registered.onboarding?.capabilities ?? registered.capabilities)?.blocked;
  if (Array.isArray(blocked) && blocked.length > 0) console.log(`  capabilities blocked: ${JSON.stringify(blocked)}`);
  // Registered two days ago, so that yesterday's review is due (the scheduler schedules nothing before registration).
  await dataSource.query(`UPDATE portals SET created_at = $2 WHERE portal_id = $1`, [PORTAL, iso(Date.now() - 2 * DAY_MS)]);
  await sleep(12_000); // registration's calls out of the rolling window; consumers joined.

  let clockAt = new Date();
  const events = new EventStore(dataSource);
  const config = { schedulerDailyAt: '08:00', schedulerTickMs: 60_000 } as AppConfig;
  const scheduler = new DailyReviewScheduler(new PortalRepository(dataSource, undefined), events, config, logger, new OperatorAlerts(events, logger, () => clockAt), new PlatformMetrics('scheduler', { processMetrics: false }), topics, () => clockAt);

  const count = async (sql: string, params: unknown[]): Promise<number> => Number(((await dataSource.query(sql, params)) as Array<{ n: string }>)[0]!.n);

  const runDay = async (label: string, at: Date): Promise<DayFigures> => {
    const date = localDate(at, TIME_ZONE);
    const modelBefore = claude.received().length;
    const fromPosition = await count(`SELECT coalesce(max(global_position), 0) AS n FROM events`, []);
    const started = Date.now();
    clockAt = at;
    const scheduled = await scheduler.tick();
    if (scheduled !== 1) throw new Error(`${label}: the scheduler scheduled ${scheduled} reviews at ${at.toISOString()}`);
    const [trigger] = (await dataSource.query(`SELECT correlation_id FROM events WHERE type = 'DailyReviewScheduled' AND portal_id = $1 AND data->>'date' = $2`, [PORTAL, date])) as Array<{ correlation_id: string }>;
    const story = trigger!.correlation_id;
    console.log(`${label}: review of ${date} scheduled (local ${dailyAt} ${TIME_ZONE}), story ${story}`);
    const inStory = (types: string[]) => count(`SELECT count(*) AS n FROM events WHERE correlation_id = $1 AND type = ANY($2) AND global_position > $3`, [story, types, fromPosition]);
    let printedAt = 0;
    for (;;) {
      if (exited) throw new Error(`${label}: a service died`);
      if (Date.now() - started > TIMEOUT_MS) throw new Error(`${label}: not done after ${TIMEOUT_MS / 1000} s`);
      const [requested, decided, writesRequested, writesDone, digests, skippedReview] = await Promise.all([
        inStory(['DealReviewRequested']),
        inStory(['DecisionMade', 'DecisionFailed', 'TriggerSkipped']),
        inStory(['WritebackRequested']),
        inStory(['WritebackApplied', 'WritebackSkipped', 'WritebackFailed']),
        inStory(['PipelineDigestComposed']),
        count(`SELECT count(*) AS n FROM events WHERE correlation_id = $1 AND type = 'TriggerSkipped' AND data->'trigger'->>'type' = 'DailyReviewScheduled'`, [story]),
      ]);
      const deadLettered = (await dataSource.query(`SELECT data FROM events WHERE portal_id = $1 AND type = 'MessageDeadLettered' AND global_position > $2 LIMIT 3`, [PORTAL, fromPosition])) as Array<{ data: Record<string, unknown> }>;
      if (deadLettered.length > 0) throw new Error(`${label}: dead-lettered: ${JSON.stringify(deadLettered.map((d) => d.data))}`);
      if (skippedReview > 0) throw new Error(`${label}: the review was skipped: ${JSON.stringify(await dataSource.query(`SELECT data FROM events WHERE correlation_id = $1 AND type = 'TriggerSkipped'`, [story]))}`);
      const done = digests > 0 && decided >= requested && writesDone >= writesRequested;
      if (Date.now() - printedAt >= 10_000 || done) {
        printedAt = Date.now();
        const lastTen = hubspot.requests().filter((r) => r.portalId === PORTAL && r.time > Date.now() - 10_000).length;
        console.log(`  ${fmt((Date.now() - started) / 1000).padStart(5)} s  requested ${fmt(requested).padStart(5)}  decided ${fmt(decided).padStart(5)}  writebacks ${fmt(writesDone)}/${fmt(writesRequested)}  digest ${digests > 0 ? 'composed' : 'pending'}  model calls ${fmt(claude.received().length - modelBefore)}  HubSpot calls last 10 s ${lastTen}`);
      }
      if (done) break;
      await sleep(1_000);
    }
    const seconds = (Date.now() - started) / 1000;
    const [facts] = (await dataSource.query(`SELECT data FROM events WHERE correlation_id = $1 AND type = 'PipelineReviewFactsComputed'`, [story])) as Array<{ data: Record<string, any> }>;
    const byType = async (type: string) => (await dataSource.query(`SELECT data FROM events WHERE correlation_id = $1 AND type = $2 AND global_position > $3`, [story, type, fromPosition])) as Array<{ data: Record<string, any> }>;
    const decisions = await byType('DecisionMade');
    const calls = hubspot.requests().filter((r) => r.portalId === PORTAL && r.time >= started);
    const byKind = new Map<string, number>();
    for (const c of calls) {
      const kind = `${c.method} ${c.path.replace(/\/\d+(?=\/|$)/g, '/{id}')}${c.outcome === 'api' ? '' : ` (${c.outcome})`}`;
      byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    }
    return {
      label,
      date,
      seconds,
      requested: facts?.data.assessments?.requested ?? NaN,
      unchanged: facts?.data.assessments?.unchanged ?? NaN,
      needingAttention: facts?.data.counts?.needingAttention ?? (Array.isArray(facts?.data.needingAttention) ? facts!.data.needingAttention.length : NaN),
      decided: decisions.length,
      reused: decisions.filter((d) => d.data.reusedFrom).length,
      failed: (await byType('DecisionFailed')).length,
      skipped: (await byType('TriggerSkipped')).length,
      writebacks: { requested: (await byType('WritebackRequested')).length, applied: (await byType('WritebackApplied')).length, skipped: (await byType('WritebackSkipped')).length, failed: (await byType('WritebackFailed')).length },
      hubspotCalls: calls.filter((c) => c.outcome === 'api').length,
      byKind,
      searchCalls: calls.filter((c) => c.outcome === 'api' && c.path.endsWith('/search')).length,
      modelCalls: claude.received().filter((r) => r.method === 'POST' && r.path.endsWith('/messages')).length - claude.received().slice(0, modelBefore).filter((r) => r.method === 'POST' && r.path.endsWith('/messages')).length,
      rateLimited: calls.filter((c) => c.outcome === 'rate-limited' || c.status === 429).length,
      busiest10s: busiestWindow(calls.filter((c) => c.outcome === 'api').map((c) => c.time)),
      requestedDeals: (await byType('DealReviewRequested')).map((e) => String(e.data.dealId)),
      digestComposed: true,
    };
  };

  const report = (d: DayFigures): void => {
    console.log(`\n${d.label} (${d.date}): done in ${fmt(d.seconds, 1)} s — ${fmt(d.needingAttention)} deals needing attention, ${fmt(d.requested)} assessments requested, ${fmt(d.unchanged)} unchanged (reused by hash)`);
    console.log(`  decisions ${fmt(d.decided)} (${fmt(d.reused)} reused), failed ${d.failed}, skipped ${d.skipped}; writebacks ${fmt(d.writebacks.applied)} applied, ${d.writebacks.skipped} skipped, ${d.writebacks.failed} failed of ${fmt(d.writebacks.requested)}`);
    console.log(`  HubSpot calls ${fmt(d.hubspotCalls)} (${fmt(d.searchCalls)} searches), ${fmt((100 * d.hubspotCalls) / DAILY_LIMIT, 2)}% of the daily ${fmt(DAILY_LIMIT)}; busiest 10 s ${fmt(d.busiest10s)} (limit ${PER_TEN_SECONDS}); 429s ${d.rateLimited}; model calls ${fmt(d.modelCalls)}`);
    for (const [kind, n] of [...d.byKind.entries()].sort((a, b) => b[1] - a[1])) console.log(`    ${fmt(n).padStart(7)}  ${kind}`);
  };

  // Day 1: yesterday's review (setup).
  const today = localDate(new Date(), TIME_ZONE);
  const day1 = await runDay('day 1', new Date(zonedInstant(addDays(today, -1), dailyAt, TIME_ZONE).getTime() + 1_000));
  report(day1);

  // Between the reviews: reps change CHANGED deals (API calls of their own, before day 2 starts).
  const changed = new Set<number>();
  while (changed.size < CHANGED) changed.add(Math.floor(random() * DEALS));
  const updates = [...changed].map((i, k) => {
    const deal = hubspot.getObject(PORTAL, 'deals', dealIds[i]!)!;
    const p = deal.properties;
    switch (k % 4) {
      case 0:
        return { id: deal.id, properties: { amount: String(Math.round(Number(p.amount ?? 1000) * 1.15)) } };
      case 1:
        return { id: deal.id, properties: { dealstage: OPEN_STAGES[(OPEN_STAGES.indexOf(p.dealstage ?? '') + 1) % OPEN_STAGES.length]! } };
      case 2:
        // One in five moved into the past (the deal newly needs attention), the others pushed out.
        return { id: deal.id, properties: { closedate: iso(k % 5 === 2 ? now - 3 * DAY_MS : now + (60 + (k % 90)) * DAY_MS) } };
      default:
        return { id: deal.id, properties: { hs_next_step: `Call after the demo (${k})` } };
    }
  });
  for (let i = 0; i < updates.length; i += 100) {
    const response = await fetch(`${hubspotUrl}/crm/v3/objects/deals/batch/update`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ inputs: updates.slice(i, i + 100) }) });
    if (response.status >= 300) throw new Error(`changing deals: ${response.status} ${await response.text()}`);
  }
  console.log(`\nchanged ${fmt(CHANGED)} deals through the API (amount, stage, close date, next step); ${[...changed].filter((i) => needs.has(i)).length} of them needed attention on day 1`);
  await sleep(11_000); // the changes' calls out of the rolling window

  // Day 2: today's review, measured.
  const day2 = await runDay('day 2', new Date(zonedInstant(today, dailyAt, TIME_ZONE).getTime() + 1_000));
  report(day2);

  const changedIds = new Set([...changed].map((i) => dealIds[i]!));
  const unchangedRequested = day2.requestedDeals.filter((id) => !changedIds.has(id));
  const modelForRequests = day2.requested - day2.reused;
  const stats = hubspot.rateLimitStats(PORTAL);

  stopping = true;
  await stopServices(services);
  await hubspot.stop();
  await claude.stop();
  await dataSource.destroy();
  await dropDatabase(POSTGRES, dbName);

  const pass = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  console.log(`\nbench:review — one portal at Professional limits (${PER_TEN_SECONDS}/10 s, ${fmt(DAILY_LIMIT)}/day, search 5/s; platform headroom ${HEADROOM * 100}%), ${fmt(DEALS)} open deals, ${fmt(NEEDING)} needing attention on day 1, ${fmt(CHANGED)} changed before day 2, model answers ${MODEL_MS > 0 ? `take ${fmt(MODEL_MS)} ms` : "at once"}, Node ${process.version}`);
  console.log(`  day 1: ${fmt(day1.seconds, 1)} s, ${fmt(day1.hubspotCalls)} HubSpot calls (${fmt(day1.searchCalls)} searches), ${fmt(day1.modelCalls)} model calls, ${day1.rateLimited} × 429, ${fmt(day1.requested)} requested`);
  console.log(`  day 2: ${fmt(day2.seconds, 1)} s, ${fmt(day2.hubspotCalls)} HubSpot calls (${fmt(day2.searchCalls)} searches), ${fmt(day2.modelCalls)} model calls, ${day2.rateLimited} × 429, ${fmt(day2.requested)} requested (${unchangedRequested.length} of unchanged deals), ${fmt(day2.unchanged)} reused by hash`);
  console.log(`  sandbox totals for the portal: ${fmt(stats.dailyUsed)} calls counted today, ${JSON.stringify({ ...stats, dailyUsed: undefined })}\n`);
  console.log('targets (day 2)');
  console.log(`  wall time, trigger → digest and writebacks   ${fmt(day2.seconds, 1).padStart(8)} s   (target <= ${TARGET.seconds} s)   ${pass(day2.seconds <= TARGET.seconds)}`);
  console.log(`  share of the daily allowance                 ${fmt((100 * day2.hubspotCalls) / DAILY_LIMIT, 2).padStart(8)} %   (target <= 20%)     ${pass(day2.hubspotCalls <= TARGET.dailyShare * DAILY_LIMIT)}`);
  console.log(`  429s                                         ${fmt(day2.rateLimited).padStart(8)}     (target 0)          ${pass(day2.rateLimited === 0 && day1.rateLimited === 0)}`);
  console.log(`  model calls only for changed deals           ${fmt(day2.modelCalls).padStart(8)}     (requested ${fmt(day2.requested)}, all of changed deals: ${unchangedRequested.length === 0 ? 'yes' : `no, ${unchangedRequested.length} not`}; <= ${fmt(CHANGED)} changed; = requested − reused ${fmt(modelForRequests)})   ${pass(unchangedRequested.length === 0 && day2.modelCalls <= CHANGED && day2.modelCalls === modelForRequests)}`);
  console.log(`  every requested deal decided, writebacks in  ${pass(day2.decided + day2.failed + day2.skipped >= day2.requested && day2.writebacks.failed === 0)}`);
}

run().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
