import * as http from 'http';
import * as https from 'https';
import type { AppConfig, WebhookDelivery, WebhookEvent, WebhookRetryOptions } from './hubspot.types';
import { eventsForChange, orderEventFields, parseSubscription, type CrmChange } from './webhook-events.factory';
import { webhookSignatureHeaders } from './webhook-signer';

const USER_AGENT = 'HubSpot Connect 2.0 (http://dev.hubspot.com/) - WebhooksExecutorDaemon-executor';

/** HubSpot-like defaults: 10 retries, growing delays (shortened from HubSpot's 24 hours), 5 s timeout. */
export const DEFAULT_WEBHOOK_RETRY: WebhookRetryOptions = {
  maxRetries: 10,
  delayMs: (retry) => Math.min(60_000, 1_000 * 2 ** (retry - 1)),
  timeoutMs: 5_000,
  batchWindowMs: 20,
  maxConcurrent: 10,
};

interface Batch {
  events: WebhookEvent[];
  attempt: number;
}

interface AppQueue {
  app: AppConfig;
  pending: WebhookEvent[];
  ready: Batch[];
  inFlight: number;
  retriesScheduled: number;
  flushTimer: NodeJS.Timeout | null;
}

/** Whether the app gets the events of the portal (installed there); default: every portal of `app.portalIds`, or all. */
export type InstalledCheck = (app: AppConfig, portalId: number) => boolean;

const byPortalIds: InstalledCheck = (app, portalId) => !app.portalIds || app.portalIds.includes(portalId);

/**
 * Delivers webhook events like HubSpot: JSON arrays of at most 100 events (several portals may share one, for a
 * public app; a private app's carry only its own portal's), each request signed with v3 and the legacy v1
 * signature by the secret of the app that sends it, retried with `attemptNumber + 1` after any 4xx/5xx, connection
 * failure or no complete answer within the timeout. Events go to the apps installed in their portal (`installed`).
 */
export class WebhookDispatcher {
  private readonly queues = new Map<number, AppQueue>();
  private readonly subscriptionIds = new Map<string, number>();
  private readonly log: WebhookDelivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly requests = new Set<http.ClientRequest>();
  /** `appId|portalId` pairs forgotten (uninstalled) since their last event: their retries are not sent. */
  private readonly dropped = new Set<string>();
  private idleWaiters: Array<() => void> = [];
  private nextEventId = 1_000;
  private nextSubscriptionId = 2_000_001;
  private seq = 0;
  private stopped = false;

  constructor(
    private readonly now: () => number,
    private readonly retry: WebhookRetryOptions = DEFAULT_WEBHOOK_RETRY,
    private readonly installed: InstalledCheck = byPortalIds,
  ) {}

  configureApp(app: AppConfig): void {
    for (const sub of app.subscriptions ?? []) {
      if (!parseSubscription(sub)) throw new Error(`unsupported subscription type: ${sub}`);
    }
    const existing = this.queues.get(app.appId);
    if (existing) existing.app = { ...app };
    else this.queues.set(app.appId, { app: { ...app }, pending: [], ready: [], inFlight: 0, retriesScheduled: 0, flushTimer: null });
  }

  apps(): AppConfig[] {
    return [...this.queues.values()].map((q) => ({ ...q.app }));
  }

  /** Drops the app's queued (not yet sent, or waiting for a retry) events of the portal: the app was uninstalled there. */
  forget(appId: number, portalId: number): void {
    const queue = this.queues.get(appId);
    if (!queue) return;
    queue.pending = queue.pending.filter((e) => e.portalId !== portalId);
    for (const batch of queue.ready) batch.events = batch.events.filter((e) => e.portalId !== portalId);
    queue.ready = queue.ready.filter((b) => b.events.length > 0);
    this.dropped.add(`${appId}|${portalId}`);
    this.notifyIdle();
  }

  /** Turns a CRM change into events for every subscribed app and queues them. */
  publish(change: CrmChange): WebhookEvent[] {
    const out: WebhookEvent[] = [];
    for (const queue of this.queues.values()) {
      if (!queue.app.webhookTargetUrl || !this.installed(queue.app, change.portalId)) continue;
      this.dropped.delete(`${queue.app.appId}|${change.portalId}`);
      for (const draft of eventsForChange(queue.app, change)) {
        const event = orderEventFields({
          ...draft.fields,
          eventId: this.takeEventId(),
          subscriptionId: this.subscriptionId(queue.app.appId, draft.subscription.raw),
          appId: queue.app.appId,
          attemptNumber: 0,
        } as WebhookEvent);
        this.enqueue(queue, event);
        out.push(event);
      }
    }
    return out;
  }

  /** Sends arbitrary (partial) events to an app, filling what is missing. */
  send(events: Array<Partial<WebhookEvent>>, appId?: number): WebhookEvent[] {
    const queue = appId !== undefined ? this.queues.get(appId) : [...this.queues.values()].find((q) => q.app.webhookTargetUrl);
    if (!queue) throw new Error(appId !== undefined ? `no app ${appId} configured` : 'no app configured');
    if (!queue.app.webhookTargetUrl) throw new Error(`app ${queue.app.appId} has no webhookTargetUrl`);
    const own = queue.app.privatePortalId;
    const foreign = own === undefined ? undefined : events.find((e) => e.portalId !== undefined && e.portalId !== own);
    if (foreign) throw new Error(`app ${queue.app.appId} is the private app of portal ${own}: it sends no events of portal ${foreign.portalId}`);
    const filled = events.map((partial) =>
      orderEventFields({
        eventId: this.takeEventId(),
        subscriptionId: this.subscriptionId(queue.app.appId, partial.subscriptionType ?? 'contact.creation'),
        portalId: own ?? 0,
        occurredAt: this.now(),
        subscriptionType: 'contact.creation',
        objectId: 0,
        changeSource: 'CRM',
        ...partial,
        appId: queue.app.appId,
        attemptNumber: 0,
      } as WebhookEvent),
    );
    for (const event of filled) {
      this.dropped.delete(`${queue.app.appId}|${event.portalId}`);
      this.enqueue(queue, event);
    }
    return filled;
  }

  deliveries(): WebhookDelivery[] {
    return this.log.map((d) => ({ ...d }));
  }

  /** Resolves once nothing is queued, in flight or waiting for a retry. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const req of this.requests) req.destroy();
    this.requests.clear();
    for (const queue of this.queues.values()) {
      queue.pending = [];
      queue.ready = [];
      queue.retriesScheduled = 0;
      queue.flushTimer = null;
    }
    this.notifyIdle(true);
  }

  private takeEventId(): number {
    this.nextEventId += 1;
    return this.nextEventId;
  }

  private subscriptionId(appId: number, raw: string): number {
    const key = `${appId}|${raw}`;
    let id = this.subscriptionIds.get(key);
    if (id === undefined) {
      id = this.nextSubscriptionId;
      this.nextSubscriptionId += 1;
      this.subscriptionIds.set(key, id);
    }
    return id;
  }

  private enqueue(queue: AppQueue, event: WebhookEvent): void {
    if (this.stopped) return;
    queue.pending.push(event);
    if (queue.flushTimer === null) {
      queue.flushTimer = this.timer(() => {
        queue.flushTimer = null;
        this.flush(queue);
      }, this.retry.batchWindowMs);
    }
  }

  private flush(queue: AppQueue): void {
    const max = Math.max(1, Math.min(100, queue.app.maxEventsPerRequest ?? 100));
    while (queue.pending.length > 0) queue.ready.push({ events: queue.pending.splice(0, max), attempt: 0 });
    this.pump(queue);
  }

  private pump(queue: AppQueue): void {
    while (!this.stopped && queue.inFlight < this.retry.maxConcurrent && queue.ready.length > 0) {
      const batch = queue.ready.shift();
      if (batch) void this.deliver(queue, batch);
    }
    this.notifyIdle();
  }

  private async deliver(queue: AppQueue, batch: Batch): Promise<void> {
    const app = queue.app;
    const target = app.webhookTargetUrl;
    batch.events = batch.events.filter((e) => !this.dropped.has(`${app.appId}|${e.portalId}`));
    if (!target || batch.events.length === 0) {
      this.pump(queue);
      return;
    }
    queue.inFlight += 1;
    const events = batch.events.map((e) => ({ ...e, attemptNumber: batch.attempt }));
    const body = JSON.stringify(events);
    const timestamp = this.now();
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': USER_AGENT,
      ...webhookSignatureHeaders({ clientSecret: app.clientSecret, method: 'POST', uri: target, body, timestamp }),
    };
    const started = Date.now();
    const outcome = await this.post(target, headers, body);
    this.seq += 1;
    const ok = outcome.status !== null && outcome.status < 400;
    this.log.push({
      seq: this.seq,
      appId: app.appId,
      url: target,
      attemptNumber: batch.attempt,
      eventIds: events.map((e) => e.eventId),
      portalIds: [...new Set(events.map((e) => e.portalId))],
      body,
      headers,
      sentAt: timestamp,
      status: outcome.status,
      error: outcome.error,
      durationMs: Date.now() - started,
      ok,
    });
    queue.inFlight -= 1;
    if (!ok && !this.stopped && batch.attempt < this.retry.maxRetries) {
      queue.retriesScheduled += 1;
      this.timer(() => {
        queue.retriesScheduled -= 1;
        queue.ready.push({ events: batch.events, attempt: batch.attempt + 1 });
        this.pump(queue);
      }, this.retry.delayMs(batch.attempt + 1));
    }
    this.pump(queue);
  }

  private post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number | null; error: string | null }> {
    return new Promise((resolve) => {
      let settled = false;
      const finish = (status: number | null, error: string | null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        this.timers.delete(deadline);
        this.requests.delete(req);
        resolve({ status, error });
      };
      const target = new URL(url);
      const client = target.protocol === 'https:' ? https : http;
      const payload = Buffer.from(body, 'utf8');
      const req = client.request(target, { method: 'POST', headers: { ...headers, 'Content-Length': String(payload.length) }, agent: false }, (res) => {
        res.resume();
        res.on('end', () => finish(res.statusCode ?? null, null));
        res.on('error', (err) => finish(res.statusCode ?? null, err.message));
      });
      const deadline = setTimeout(() => {
        finish(null, `no response within ${this.retry.timeoutMs} ms`);
        req.destroy();
      }, this.retry.timeoutMs);
      this.timers.add(deadline);
      this.requests.add(req);
      req.on('error', (err) => finish(null, err.message));
      req.end(payload);
    });
  }

  private timer(fn: () => void, ms: number): NodeJS.Timeout {
    const handle = setTimeout(() => {
      this.timers.delete(handle);
      fn();
    }, ms);
    this.timers.add(handle);
    return handle;
  }

  private isIdle(): boolean {
    for (const q of this.queues.values()) {
      if (q.pending.length > 0 || q.ready.length > 0 || q.inFlight > 0 || q.retriesScheduled > 0 || q.flushTimer !== null) return false;
    }
    return true;
  }

  private notifyIdle(force = false): void {
    if (!force && !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
