/**
 * The stack the fault suite breaks: ingest, enricher, writer and scheduler as built
 * (node dist/apps/<service>/main.js) on the real Kafka and Postgres, the HubSpot
 * sandbox and the Anthropic double in this process, and a steady load of signed
 * contact.creation webhooks for many portals (the sandbox creates contacts and
 * delivers their webhooks, retrying failed deliveries as HubSpot does).
 *
 * Postgres is reached through a TCP proxy, so a "Postgres restart" cuts every
 * connection and refuses new ones without touching the server others share.
 * The broker can be a dedicated one (scripts/kafka.sh on other ports and data dir),
 * so it can be stopped and started without touching the shared one.
 *
 * What each scenario is judged by is read from where it lands: the sandbox
 * (acknowledged deliveries, properties written, tasks created, which portal's token
 * touched which record) and the event store (recorded, decided).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { allTopics, createDataSource, ensureDatabaseExists, KafkaBus, Logger, PortalRepository, runMigrations, sleep, TokenCipher, topicNames } from '@app/common';
import { AnthropicDouble } from '../../sandbox/anthropic';
import { HubSpotSandbox } from '../../sandbox/hubspot';
import { freePort } from '../support/services';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../support/throwaway-postgres';
import { TcpProxy } from './tcp-proxy';

export const ROOT = join(__dirname, '..', '..');
export const FAULT_SERVICES = ['ingest', 'enricher', 'writer', 'scheduler'] as const;
export type FaultService = (typeof FAULT_SERVICES)[number];

const APP_ID = 77001;
const CLIENT_SECRET = 'faults-client-secret-000';
const ADMIN_KEY = 'faults-admin-key-0123456789';
const LEAD_PROPERTIES = ['ai_lead_score', 'ai_persona', 'ai_summary', 'ai_pain_points', 'ai_recommended_action'];
const FIRST_PORTAL = 81_001;


export interface RigOptions {
  portals: number;
  /** New contacts per second, round-robin over the portals. */
  ratePerSecond: number;
  /**
   * The shared server (URL without a database), reached through a proxy the suite cuts
   * to stand in for a restart; or a throwaway cluster of the rig's own, really restarted.
   */
  postgres: { serverUrl: string } | { dedicated: true };
  /** The shared broker, or a dedicated one this rig starts (and may stop) with scripts/kafka.sh. */
  broker: { brokers: string[] } | { dedicated: { port: number; controllerPort: number; dataDir: string } };
  /** Where each service's output goes (one file per service, appended across restarts). */
  logDir: string;
  /** Extra environment for every service. */
  env?: Record<string, string>;
}

export interface LoadedContact {
  portalId: number;
  id: string;
  tag: string;
  createdAt: number;
  scoredAt?: number;
}

export interface ScenarioFigures {
  created: number;
  acknowledged: number;
  /** Messages dead-lettered during the scenario (each then redriven through the admin API, as an operator would). */
  deadLettered: number;
  recorded: number;
  decided: number;
  writtenBack: number;
  duplicates: number;
  lost: number;
  crossPortal: number;
  /** ms from `recoveredFrom` until the first contact created after the fault began was written back. */
  recoveryMs: number | null;
  /**
   * ms from `recoveredFrom` until the backlog was written back: every contact created
   * while the fault lasted that was not written back by its end (0: no backlog).
   */
  backlogClearedMs: number | null;
  /** Webhook deliveries ingest answered with 503 (it could not make them durable) in the scenario. */
  ingest503: number;
  /** HubSpot 429s the platform caused (the sandbox's own limit, not injected faults). */
  hubspot429: number;
}

interface Running {
  child: ChildProcess;
  log: WriteStream;
}

export class FaultRig {
  readonly hubspot = new HubSpotSandbox({ maxLoggedRequests: 2_000_000 });
  readonly claude = new AnthropicDouble();
  readonly contacts: LoadedContact[] = [];
  readonly portalIds: number[];
  private postgresProxy: TcpProxy | undefined;
  private dedicatedPostgres: ThrowawayPostgres | undefined;
  private postgresUrl = '';
  private readonly running = new Map<FaultService, Running>();
  private readonly dbName = `hubspot_ai_faults_${Date.now()}`;
  private readonly prefix = `faults-${randomBytes(3).toString('hex')}`;
  private dataSource: DataSource | undefined;
  private env: Record<string, string> = {};
  private brokers: string[] = [];
  private loadTimer: NodeJS.Timeout | undefined;
  private watchTimer: NodeJS.Timeout | undefined;
  private tag = '';
  private nextContact = 0;
  private readonly objectPortal = new Map<string, number>();
  ingestUrl = '';
  private opsPorts: Record<Exclude<FaultService, 'ingest'>, number> = { enricher: 0, writer: 0, scheduler: 0 };

  constructor(private readonly options: RigOptions) {
    this.portalIds = Array.from({ length: options.portals }, (_, i) => FIRST_PORTAL + i);
  }

  get databaseUrl(): string {
    return `${this.postgresUrl}/${this.dbName}`;
  }

  /** What a Postgres restart looks like to the services: a real one on the rig's own cluster, else every connection cut. */
  get postgresRestartKind(): string {
    return this.dedicatedPostgres ? 'restarted' : 'connections cut';
  }

  /** Postgres goes away for `downMs` and comes back: restarted (own cluster) or cut at the proxy (shared server). */
  async restartPostgres(downMs: number): Promise<void> {
    if (this.dedicatedPostgres) return this.dedicatedPostgres.restart(downMs);
    await this.postgresProxy!.cut();
    await sleep(downMs);
    await this.postgresProxy!.restore();
  }

  async start(): Promise<void> {
    mkdirSync(this.options.logDir, { recursive: true });
    if ('dedicated' in this.options.broker) {
      this.kafkaScript('start');
      this.brokers = [`127.0.0.1:${this.options.broker.dedicated.port}`];
    } else {
      this.brokers = this.options.broker.brokers;
    }
    if ('dedicated' in this.options.postgres) {
      this.dedicatedPostgres = await startThrowawayPostgres({ maxConnections: 200 });
      this.postgresUrl = this.dedicatedPostgres.serverUrl;
    } else {
      this.postgresUrl = this.options.postgres.serverUrl;
    }
    const hubspotUrl = (await this.hubspot.start()).url;
    const claudeUrl = (await this.claude.start()).url;
    await ensureDatabaseExists(this.databaseUrl);
    this.dataSource = await createDataSource(this.databaseUrl, 'faults', 4).initialize();
    await runMigrations(this.dataSource);
    const bus = new KafkaBus({ brokers: this.brokers, clientId: 'faults', logger: new Logger('error', { service: 'faults' }) });
    await bus.ensureTopics(allTopics(topicNames(this.prefix)), 12, 1);
    await bus.disconnect();

    const key = randomBytes(32);
    const repository = new PortalRepository(this.dataSource, new TokenCipher(key));
    for (const portalId of this.portalIds) {
      this.hubspot.addPortal({ portalId, accessToken: `pat-${portalId}`, tier: 'professional', appId: APP_ID });
      for (const name of LEAD_PROPERTIES) this.hubspot.defineProperty(portalId, 'contacts', { name, label: name, type: 'string', fieldType: 'text', groupName: 'contactinformation' });
      await repository.register({ portalId, name: `Faults ${portalId}`, accessToken: `pat-${portalId}`, settings: { hubspot: { tier: 'professional', appType: 'private' } } });
    }

    // The services reach the shared server through a proxy (cut to stand in for a restart); the rig's own directly.
    let servicesPostgres = this.postgresUrl;
    if (!this.dedicatedPostgres) {
      const pg = new URL(this.postgresUrl);
      this.postgresProxy = new TcpProxy(pg.hostname, Number(pg.port || 5432));
      servicesPostgres = postgresUrlVia(this.postgresUrl, await this.postgresProxy.start());
    }
    const [ingestPort, adminPort] = [await freePort(), await freePort()];
    this.opsPorts = { enricher: await freePort(), writer: await freePort(), scheduler: await freePort() };
    this.ingestUrl = `http://127.0.0.1:${ingestPort}`;
    this.hubspot.configureApp({ appId: APP_ID, clientSecret: CLIENT_SECRET, webhookTargetUrl: `${this.ingestUrl}/webhooks/hubspot`, subscriptions: ['contact.creation'] });
    this.env = {
      PATH: process.env.PATH ?? '',
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      DATABASE_URL: `${servicesPostgres}/${this.dbName}`,
      KAFKA_BROKERS: this.brokers.join(','),
      KAFKA_TOPIC_PREFIX: this.prefix,
      HUBSPOT_API_BASE_URL: hubspotUrl,
      HUBSPOT_CLIENT_SECRET: CLIENT_SECRET,
      HUBSPOT_APP_ID: String(APP_ID),
      ANTHROPIC_API_KEY: 'sk-ant-faults-0000000000000000',
      ANTHROPIC_BASE_URL: claudeUrl,
      TOKEN_ENCRYPTION_KEY: key.toString('base64'),
      ADMIN_API_KEY: ADMIN_KEY,
      INGEST_PORT: String(ingestPort),
      ENRICHER_OPS_PORT: String(this.opsPorts.enricher),
      WRITER_OPS_PORT: String(this.opsPorts.writer),
      SCHEDULER_OPS_PORT: String(this.opsPorts.scheduler),
      ADMIN_PORT: String(adminPort),
      PUBLIC_BASE_URL: this.ingestUrl,
      EDGE_AUTH_FAILURES_PER_MINUTE: '0',
      OUTBOX_POLL_MS: '20',
      LOG_LEVEL: 'warn',
      ...this.options.env,
    };
    for (const name of FAULT_SERVICES) this.spawn(name);
    for (const name of FAULT_SERVICES) await this.waitReady(name);
    this.watchTimer = setInterval(() => this.watch(), 50);
  }

  /** Starts (or restarts) a service; resolves at once (see waitReady). */
  spawn(name: FaultService): void {
    const script = join(ROOT, 'dist', 'apps', name, 'main.js');
    const args = name === 'enricher' ? ['--max-old-space-size=160', script] : [script];
    const child = spawn(process.execPath, args, { cwd: ROOT, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = createWriteStream(join(this.options.logDir, `${name}.log`), { flags: 'a' });
    log.write(`--- started pid ${child.pid} at ${new Date().toISOString()}\n`);
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    this.running.set(name, { child, log });
  }

  /** Sends `signal` and resolves with the exit code (null when killed by a signal) and how long the exit took. */
  async stop(name: FaultService, signal: NodeJS.Signals): Promise<{ code: number | null; ms: number }> {
    const running = this.running.get(name);
    if (!running || running.child.exitCode !== null || running.child.signalCode !== null) return { code: running?.child.exitCode ?? null, ms: 0 };
    const started = Date.now();
    const exited = once(running.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    running.child.kill(signal);
    const timer = setTimeout(() => running.child.kill('SIGKILL'), 30_000);
    const [code] = await exited;
    clearTimeout(timer);
    running.log.write(`--- exited ${code ?? 'by signal'} after ${signal} at ${new Date().toISOString()}\n`);
    return { code, ms: Date.now() - started };
  }

  /** Where the service answers GET /health/ready: ingest's public port, the others' ops ports. */
  readyUrl(name: FaultService): string {
    return name === 'ingest' ? `${this.ingestUrl}/health/ready` : `http://127.0.0.1:${this.opsPorts[name]}/health/ready`;
  }

  /**
   * Resolves once the service answers GET /health/ready with 200 (ingest: and its
   * admin listener answers the admin API, which lives in the same process); returns
   * how long that took (ms).
   */
  async waitReady(name: FaultService, timeoutMs = 60_000): Promise<number> {
    const started = Date.now();
    const ok = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers }).then((r) => r.status === 200, () => false);
    while (Date.now() - started < timeoutMs) {
      const ready = (await ok(this.readyUrl(name))) && (name !== 'ingest' || (await ok(`http://127.0.0.1:${this.env.ADMIN_PORT}/admin/portals/${this.portalIds[0]}`, { authorization: `Bearer ${ADMIN_KEY}` })));
      if (ready) return Date.now() - started;
      await sleep(50);
    }
    throw new Error(`${name} not ready after ${timeoutMs} ms`);
  }

  /** The dedicated broker: stop or start it (scripts/kafka.sh on its own ports and data dir). */
  kafkaScript(command: 'start' | 'stop'): void {
    if (!('dedicated' in this.options.broker)) throw new Error('the rig uses the shared broker, which it never stops');
    const { port, controllerPort, dataDir } = this.options.broker.dedicated;
    const result = spawnSync('bash', [join(ROOT, 'scripts', 'kafka.sh'), command], {
      cwd: ROOT,
      env: { ...process.env, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(controllerPort), KAFKA_SECURE_PORT: String(port + 2), KAFKA_TLS_PORT: String(port + 3), KAFKA_DATA_DIR: dataDir },
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`kafka.sh ${command} failed: ${result.stderr}${result.stdout}`);
  }

  /** Steady load: `ratePerSecond` new contacts, round-robin over the portals, each tagged. */
  startLoad(tag: string): void {
    this.tag = tag;
    if (this.loadTimer) return;
    const every = 1000 / this.options.ratePerSecond;
    let due = Date.now();
    const tick = (): void => {
      while (Date.now() >= due) {
        due += every;
        const n = this.nextContact++;
        const portalId = this.portalIds[n % this.portalIds.length]!;
        const contact = this.hubspot.seedObject(portalId, 'contacts', { email: `f${n}@load${portalId}.example`, firstname: `Load${n}`, jobtitle: n % 3 ? 'Head of Operations' : 'CTO', company: `Co ${n % 97}` }, { fireWebhooks: true });
        this.objectPortal.set(contact.id, portalId);
        this.contacts.push({ portalId, id: contact.id, tag: this.tag, createdAt: Date.now() });
      }
      this.loadTimer = setTimeout(tick, Math.max(1, due - Date.now()));
    };
    tick();
  }

  stopLoad(): void {
    if (this.loadTimer) clearTimeout(this.loadTimer);
    this.loadTimer = undefined;
  }

  private watch(): void {
    const now = Date.now();
    for (const c of this.contacts) {
      if (c.scoredAt === undefined && this.hubspot.getObject(c.portalId, 'contacts', c.id)?.properties.ai_lead_score) c.scoredAt = now;
    }
  }

  /** The slowest webhook-to-writeback time of contacts created in [from, to] outside `portalId` (ms; null if none was written back). */
  slowestElsewhere(tag: string, portalId: number, from: number, to: number): number | null {
    const times = this.contacts.filter((c) => c.tag === tag && c.portalId !== portalId && c.createdAt >= from && c.createdAt <= to && c.scoredAt !== undefined).map((c) => c.scoredAt! - c.createdAt);
    return times.length > 0 ? Math.max(...times) : null;
  }

  /**
   * Waits until every acknowledged contact of `tag` is written back (score and task),
   * or nothing more was written back for `stallMs` (longer than any one wait for a rate limit or a retry: what is left was dead-lettered, or
   * lost), or `timeoutMs` passed.
   */
  async drain(tag: string, timeoutMs: number, stallMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let left = Number.POSITIVE_INFINITY;
    let progressAt = Date.now();
    while (Date.now() < deadline && Date.now() - progressAt < stallMs) {
      await this.hubspot.waitForWebhooks();
      const acknowledged = this.acknowledgedIds();
      const pending = this.contacts.filter((c) => c.tag === tag && acknowledged.has(c.id) && !(c.scoredAt !== undefined && this.tasksOf(c).length > 0));
      if (pending.length === 0) break;
      if (pending.length < left) {
        left = pending.length;
        progressAt = Date.now();
      }
      await sleep(250);
    }
    // Late duplicates (a redelivered command written twice) would land now.
    await sleep(2_000);
  }

  /** Ids of the contacts whose creation event ingest acknowledged (200) at least once. */
  private acknowledgedIds(): Set<string> {
    const ids = new Set<string>();
    for (const delivery of this.hubspot.webhookDeliveries()) {
      if (!delivery.ok) continue;
      for (const event of JSON.parse(delivery.body) as Array<{ objectId: number; subscriptionType: string }>) if (event.subscriptionType === 'contact.creation') ids.add(String(event.objectId));
    }
    return ids;
  }

  private tasksOf(c: LoadedContact): string[] {
    return (this.hubspot.getObject(c.portalId, 'contacts', c.id)?.associations ?? []).filter((a) => a.toType === 'tasks').map((a) => a.toId);
  }

  /** The scenario's figures; `faultAt` is when the fault began, `recoveredFrom` when it ended (the restart). */
  async measure(tag: string, since: number, faultAt: number, recoveredFrom: number, deadLettered: number, focusPortal?: number): Promise<ScenarioFigures> {
    const mine = this.contacts.filter((c) => c.tag === tag);
    const acknowledged = this.acknowledgedIds();
    const streams = mine.map((c) => `crm-${c.portalId}-contacts-${c.id}`);
    const rows = (await this.dataSource!.query(`SELECT stream_id, type, count(*)::int AS n FROM events WHERE stream_id = ANY($1) AND type IN ('WebhookEventReceived', 'DecisionMade') GROUP BY 1, 2`, [streams])) as Array<{ stream_id: string; type: string; n: number }>;
    const recorded = new Set(rows.filter((r) => r.type === 'WebhookEventReceived').map((r) => r.stream_id));
    const decided = new Set(rows.filter((r) => r.type === 'DecisionMade').map((r) => r.stream_id));
    const acked = mine.filter((c) => acknowledged.has(c.id));
    const written = mine.filter((c) => c.scoredAt !== undefined);
    const duplicates = mine.reduce((sum, c) => sum + Math.max(0, this.tasksOf(c).length - 1), 0);
    const lost = acked.filter((c) => c.scoredAt === undefined || this.tasksOf(c).length === 0).length;
    // Recovery is the faulted portal's when the fault was one portal's (the others never stopped).
    const firstAfter = mine.filter((c) => c.createdAt >= faultAt && c.scoredAt !== undefined && (focusPortal === undefined || c.portalId === focusPortal)).map((c) => c.scoredAt!);
    const recoveryMs = firstAfter.length > 0 ? Math.max(0, Math.min(...firstAfter) - recoveredFrom) : null;
    const backlog = acked.filter((c) => c.createdAt >= faultAt && c.createdAt <= recoveredFrom && !(c.scoredAt !== undefined && c.scoredAt <= recoveredFrom));
    const backlogClearedMs = backlog.some((c) => c.scoredAt === undefined) ? null : Math.max(0, ...backlog.map((c) => c.scoredAt! - recoveredFrom));
    const ingest503 = this.hubspot.webhookDeliveries().filter((d) => d.sentAt >= since && d.status === 503).length;
    const hubspot429 = this.hubspot.requests().filter((r) => r.time >= since && r.outcome === 'rate-limited').length;
    return {
      created: mine.length,
      acknowledged: acked.length,
      deadLettered,
      recorded: mine.filter((c) => recorded.has(`crm-${c.portalId}-contacts-${c.id}`)).length,
      decided: mine.filter((c) => decided.has(`crm-${c.portalId}-contacts-${c.id}`)).length,
      writtenBack: written.length,
      duplicates,
      lost,
      crossPortal: this.crossPortalWrites(since),
      recoveryMs,
      backlogClearedMs,
      ingest503,
      hubspot429,
    };
  }

  /**
   * Redrives every message dead-lettered since `since` to its original topic, per
   * portal and topic, through the admin API (POST /admin/dead-letters/redrive), as
   * an operator would once the fault is over. Returns how many were dead-lettered.
   */
  async redriveDeadLetters(since: number): Promise<number> {
    const topics = topicNames(this.prefix);
    const keyOf = new Map(Object.entries(topics).map(([key, name]) => [name, key]));
    const rows = (await this.dataSource!.query(`SELECT portal_id, data->>'topic' AS topic, count(*)::int AS n FROM events WHERE type = 'MessageDeadLettered' AND recorded_at >= $1 GROUP BY 1, 2`, [new Date(since)])) as Array<{ portal_id: string; topic: string; n: number }>;
    for (const row of rows) {
      const response = await fetch(`http://127.0.0.1:${this.env.ADMIN_PORT}/admin/dead-letters/redrive`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ topic: keyOf.get(row.topic), portalId: Number(row.portal_id), from: new Date(since - 1_000).toISOString(), to: new Date().toISOString() }),
      });
      if (!response.ok) throw new Error(`redrive of ${row.topic} for portal ${row.portal_id}: ${response.status} ${await response.text()}`);
    }
    return rows.reduce((sum, row) => sum + row.n, 0);
  }

  /**
   * Write calls since `since` made with one portal's token that name a record the
   * load created in another portal (ids never repeat across the sandbox's portals).
   */
  crossPortalWrites(since: number): number {
    let crossings = 0;
    for (const request of this.hubspot.requests()) {
      if (request.time < since || request.method === 'GET' || request.portalId === null || request.body === undefined) continue;
      for (const id of referencedIds(request.body)) {
        const owner = this.objectPortal.get(id);
        if (owner !== undefined && owner !== request.portalId) crossings += 1;
      }
    }
    return crossings;
  }

  async close(): Promise<void> {
    this.stopLoad();
    if (this.watchTimer) clearInterval(this.watchTimer);
    await Promise.all([...this.running.keys()].map((name) => this.stop(name, 'SIGTERM')));
    for (const { log } of this.running.values()) log.end();
    await this.postgresProxy?.stop();
    await this.hubspot.stop();
    await this.claude.stop();
    await this.dataSource?.destroy();
    if (this.dedicatedPostgres) this.dedicatedPostgres.stop();
    else {
      const admin = await new DataSource({ type: 'postgres', url: `${this.postgresUrl}/postgres` }).initialize();
      await admin.query(`DROP DATABASE IF EXISTS "${this.dbName}" WITH (FORCE)`);
      await admin.destroy();
    }
    if ('dedicated' in this.options.broker) this.kafkaScript('stop');
  }
}

/** Record ids a HubSpot write body names: batch inputs' `id`, associations' `to.id`, and nested ones. */
export function referencedIds(body: unknown): string[] {
  const ids: string[] = [];
  const visit = (value: unknown, key: string | undefined): void => {
    if (Array.isArray(value)) for (const item of value) visit(item, key);
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, k);
    else if ((key === 'id' || key === 'toObjectId' || key === 'objectId') && (typeof value === 'string' || typeof value === 'number')) ids.push(String(value));
  };
  visit(body, undefined);
  return ids;
}

/** The server URL (no database) with its host and port replaced by the proxy's. */
function postgresUrlVia(serverUrl: string, port: number): string {
  const url = new URL(serverUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.toString().replace(/\/$/, '');
}
