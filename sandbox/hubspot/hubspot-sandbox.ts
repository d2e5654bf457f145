import * as http from 'http';
import { randomUUID } from 'crypto';
import { CancellableDelays, closeServer, headerValue, listen, parseJson, readBody, sendEmpty, sendJson } from '../shared/http-io.util';
import type {
  AddPortalInput,
  AppConfig,
  BatchResultsMode,
  CrmObjectType,
  FaultSpec,
  PortalInfo,
  RateLimitStats,
  RequestLogEntry,
  StoredObject,
  WebhookDelivery,
  WebhookEvent,
  WebhookRetryOptions,
} from './hubspot.types';
import type { ApiContext, ApiResult, PortalState } from './crm-api.types';
import { CrmStore, IdSequence } from './crm-store';
import { PropertyRegistry, normalizeValue, type CreatePropertyResult } from './property-registry';
import { PortalRateLimiter, defaultLimits } from './rate-limiter';
import { authenticationError, internalError, invalidJson, rateLimitBody } from './hubspot-errors.factory';
import { pathSegments, routeApi, routeKind } from './crm-router';
import { handleAdmin } from './admin-routes';
import { DEFAULT_WEBHOOK_RETRY, WebhookDispatcher } from './webhook-dispatcher';
import type { CrmChange } from './webhook-events.factory';
import { commitCreate, prepareCreate } from './crm-write.service';
import { objectTypeInfo } from './object-types.registry';
import { PortalAssociationLabels } from './association-labels.registry';
import { DeterministicRng } from '../shared/deterministic-rng';
import { formatInstant } from './instant-format.util';
import { OwnerRegistry, publicOwner, type AddOwnerInput } from './owner-registry';

const CONTENT_TYPE = 'application/json;charset=utf-8';

export interface HubSpotSandboxOptions {
  /** Clock for rate-limit windows, timestamps and webhook signatures (default `Date.now`). */
  now?: () => number;
  /** Webhook delivery timing; tests should make the delays short. */
  webhookRetry?: Partial<WebhookRetryOptions>;
  /** Keep at most this many request log entries (oldest dropped first). */
  maxLoggedRequests?: number;
  /** Seed of the sandbox's RNG (the order of batch results); the same seed and calls give the same answers. */
  seed?: number | string;
  /**
   * How batch create/read/update answer `results` (see BatchResultsMode): `v3-reference` (default: shuffled, no
   * `objectWriteTraceId` on results) or `2026-03-documented` (input order, `objectWriteTraceId` echoed). A portal
   * can override it (`AddPortalInput.batchResults`).
   */
  batchResults?: BatchResultsMode;
}

/** A portal's USER_DEFINED association label: its type id, and the id of the reverse direction when it has its own. */
export interface DefinedAssociationLabel {
  typeId: number;
  reverseTypeId?: number;
}

export interface ObjectSnapshot {
  id: string;
  type: CrmObjectType;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  associations: Array<{ toType: CrmObjectType; toId: string; typeId: number; category: string }>;
}

export interface SeedOptions {
  id?: string;
  /** Emit webhook events (changeSource `CRM`) as if someone created the record in HubSpot. Default false. */
  fireWebhooks?: boolean;
}

/**
 * A local stand-in for HubSpot's CRM API and app webhooks, speaking HubSpot's wire protocol closely enough for
 * `@hubspot/api-client` pointed at it with `basePath`. Node built-ins only.
 */
export class HubSpotSandbox {
  private server: http.Server | null = null;
  private baseUrl = '';
  private readonly clock: () => number;
  private clockOffset = 0;
  private readonly ids = new IdSequence();
  private readonly portalsById = new Map<number, PortalState>();
  private readonly portalsByToken = new Map<string, PortalState>();
  private readonly log: RequestLogEntry[] = [];
  private readonly maxLogged: number;
  private seq = 0;
  private readonly dispatcher: WebhookDispatcher;
  private readonly delays = new CancellableDelays();
  private readonly rng: DeterministicRng;
  private readonly batchResults: BatchResultsMode;

  constructor(options: HubSpotSandboxOptions = {}) {
    this.clock = options.now ?? Date.now;
    this.maxLogged = options.maxLoggedRequests ?? 50_000;
    this.rng = new DeterministicRng(options.seed ?? 'hubspot-sandbox');
    this.batchResults = batchResultsOf(options.batchResults ?? 'v3-reference');
    this.dispatcher = new WebhookDispatcher(() => this.now(), { ...DEFAULT_WEBHOOK_RETRY, ...(options.webhookRetry ?? {}) });
  }

  /** Listens on 127.0.0.1 (`port` 0 picks a free one). */
  async start(port = 0): Promise<{ url: string }> {
    if (this.server) return { url: this.baseUrl };
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, internalError(500), {}, CONTENT_TYPE);
        else res.destroy(err instanceof Error ? err : undefined);
      });
    });
    server.keepAliveTimeout = 5_000;
    const { url } = await listen(server, port);
    this.server = server;
    this.baseUrl = url;
    return { url };
  }

  async stop(): Promise<void> {
    this.dispatcher.stop();
    this.delays.cancelAll();
    const server = this.server;
    this.server = null;
    if (server) await closeServer(server);
  }

  get url(): string {
    return this.baseUrl;
  }

  now(): number {
    return this.clock() + this.clockOffset;
  }

  /** Moves the sandbox clock forward (on top of the injected clock). */
  advanceClock(ms: number): void {
    this.clockOffset += ms;
  }

  // ---- portals -------------------------------------------------------------------------------------------

  addPortal(input: AddPortalInput): PortalInfo {
    if (!Number.isInteger(input.portalId)) throw new Error('portalId must be an integer');
    if (typeof input.accessToken !== 'string' || input.accessToken === '') throw new Error('accessToken is required');
    const owner = this.portalsByToken.get(input.accessToken);
    if (owner && owner.info.portalId !== input.portalId) throw new Error(`token already belongs to portal ${owner.info.portalId}`);
    const existing = this.portalsById.get(input.portalId);
    if (existing) {
      if (input.batchResults !== undefined) existing.batchResults = batchResultsOf(input.batchResults);
      if (!existing.info.accessTokens.includes(input.accessToken)) existing.info.accessTokens.push(input.accessToken);
      this.portalsByToken.set(input.accessToken, existing);
      return { ...existing.info };
    }
    const tier = input.tier ?? 'starter';
    const appType = input.appType ?? 'private';
    const defaults = defaultLimits(tier, appType);
    const limits = {
      perTenSeconds: input.limits?.perTenSeconds ?? defaults.perTenSeconds,
      daily: appType === 'public' ? null : input.limits?.daily !== undefined ? input.limits.daily : defaults.daily,
    };
    const info: PortalInfo = {
      portalId: input.portalId,
      accessTokens: [input.accessToken],
      tier,
      appType,
      appId: input.appId ?? this.dispatcher.apps()[0]?.appId ?? null,
      limits,
      searchPerSecond: input.searchPerSecond ?? 5,
      ...(input.scopes !== undefined ? { scopes: scopesOf(input.scopes) } : {}),
    };
    const state: PortalState = {
      info,
      store: new CrmStore(this.ids),
      registry: new PropertyRegistry(() => this.now()),
      owners: new OwnerRegistry(),
      limiter: new PortalRateLimiter(limits, info.searchPerSecond),
      faults: [],
      labels: new PortalAssociationLabels(),
      batchResults: input.batchResults !== undefined ? batchResultsOf(input.batchResults) : this.batchResults,
      stats: {
        portalId: input.portalId,
        calls: 0,
        rateLimited: 0,
        rateLimitedTenSecondly: 0,
        rateLimitedDaily: 0,
        rateLimitedSecondly: 0,
        searchCalls: 0,
        dailyUsed: 0,
      },
    };
    this.portalsById.set(input.portalId, state);
    this.portalsByToken.set(input.accessToken, state);
    return { ...info };
  }

  hasPortal(portalId: number): boolean {
    return this.portalsById.has(portalId);
  }

  portals(): PortalInfo[] {
    return [...this.portalsById.values()].map((p) => ({ ...p.info, accessTokens: [...p.info.accessTokens], ...(p.info.scopes ? { scopes: [...p.info.scopes] } : {}) }));
  }

  rateLimitStats(portalId: number): RateLimitStats {
    const portal = this.portal(portalId);
    return { ...portal.stats, dailyUsed: portal.limiter.dailyCount(this.now()) };
  }

  /** The next API calls of the portal get these faults, in order (`count` calls each, default 1; see FaultSpec). */
  injectFaults(portalId: number, faults: FaultSpec[]): void {
    const portal = this.portal(portalId);
    for (const fault of faults) checkFault(fault);
    for (const fault of faults) portal.faults.push({ ...fault, count: fault.count ?? 1 } as FaultSpec);
  }

  defineProperty(portalId: number, type: CrmObjectType, definition: unknown): CreatePropertyResult {
    return this.portal(portalId).registry.create(type, definition);
  }

  /**
   * Defines a USER_DEFINED association label from `from` to `to` in the portal, as `POST
   * /crm/associations/{2026-03|v4}/{from}/{to}/labels` does. Type ids are the portal's own (1000, 1001, ...): the
   * reverse direction gets the next id, labeled `inverseLabel` or the same label (records of one type without
   * `inverseLabel` share one id). Throws when the portal already has a label of that `name` (default: from the label).
   */
  defineAssociationLabel(
    portalId: number,
    from: CrmObjectType,
    to: CrmObjectType,
    label: string,
    options: { name?: string; inverseLabel?: string } = {},
  ): DefinedAssociationLabel {
    const outcome = this.portal(portalId).labels.define(from, to, label, options);
    if (!outcome.ok) throw new Error(`defineAssociationLabel: ${outcome.message}`);
    return { typeId: outcome.forward.typeId, ...(outcome.reverse ? { reverseTypeId: outcome.reverse.typeId } : {}) };
  }

  // ---- owners --------------------------------------------------------------------------------------------

  /**
   * Adds an owner (a HubSpot user or queue records can be assigned to) to the portal; returns it as the owners
   * API shows it. Once a portal has an owner, API writes of `hubspot_owner_id` must name an active one.
   */
  addOwner(portalId: number, input: AddOwnerInput): Record<string, unknown> {
    return publicOwner(this.portal(portalId).owners.add(input, this.now()));
  }

  /** Deactivates an owner: the owners API then returns it only with `archived=true`, and writes refuse its id. */
  archiveOwner(portalId: number, ownerId: string): Record<string, unknown> {
    return publicOwner(this.portal(portalId).owners.archive(ownerId, this.now()));
  }

  /** The portal's owners as the owners API shows them, active ones first. */
  listOwners(portalId: number): Array<Record<string, unknown>> {
    const owners = this.portal(portalId).owners;
    return [...owners.list(false), ...owners.list(true)].map(publicOwner);
  }

  // ---- objects -------------------------------------------------------------------------------------------

  /**
   * Creates a record directly (no API call, no rate limit). Throws on unknown or invalid properties. Unlike the
   * API it takes values of read-only properties (those HubSpot computes), so records can be seeded as HubSpot
   * would hold them.
   */
  seedObject(portalId: number, type: CrmObjectType, properties: Record<string, unknown>, idOrOptions?: string | SeedOptions): ObjectSnapshot {
    const options: SeedOptions = typeof idOrOptions === 'string' ? { id: idOrOptions } : (idOrOptions ?? {});
    const portal = this.portal(portalId);
    const info = objectTypeInfo(type);
    const writable: Record<string, unknown> = {};
    const computed: Record<string, string> = {};
    for (const [name, value] of Object.entries(properties)) {
      const def = portal.registry.get(type, name);
      if (!def?.readOnlyValue) {
        writable[name] = value;
        continue;
      }
      // HubSpot-computed values (e.g. recent_conversion_event_name, notes_last_updated) are kept as given, as
      // HubSpot would have set them; the id and the last-modified date stay the store's.
      if (name === 'hs_object_id' || name === info.modifiedProperty) continue;
      const normalized = normalizeValue(def, value);
      if (typeof normalized !== 'string') throw new Error(`seedObject: ${name}: ${normalized.message}`);
      if (normalized !== '') computed[name] = normalized;
    }
    const ctx = this.context(portal, 'POST', new URLSearchParams(), { properties: writable }, 'CRM', undefined, options.fireWebhooks === true);
    const prepared = prepareCreate(ctx, type, { properties: writable });
    if (!prepared.ok) throw new Error(`seedObject: ${prepared.body.message}`);
    prepared.value.values = { ...prepared.value.values, ...computed };
    if (options.id !== undefined && portal.store.get(type, options.id, true)) throw new Error(`seedObject: ${type} ${options.id} exists`);
    const object = commitCreate(ctx, type, prepared.value, options.id);
    return this.snapshot(portal, object);
  }

  getObject(portalId: number, type: CrmObjectType, id: string): ObjectSnapshot | undefined {
    const portal = this.portal(portalId);
    const object = portal.store.get(type, id, true);
    return object ? this.snapshot(portal, object) : undefined;
  }

  listObjects(portalId: number, type: CrmObjectType): ObjectSnapshot[] {
    const portal = this.portal(portalId);
    return portal.store.list(type).map((o) => this.snapshot(portal, o));
  }

  // ---- webhooks ------------------------------------------------------------------------------------------

  configureApp(app: AppConfig): void {
    if (!Number.isInteger(app.appId) || typeof app.clientSecret !== 'string' || typeof app.webhookTargetUrl !== 'string') {
      throw new Error('configureApp needs appId, clientSecret and webhookTargetUrl');
    }
    this.dispatcher.configureApp({ ...app, subscriptions: [...(app.subscriptions ?? [])] });
    for (const portal of this.portalsById.values()) portal.info.appId ??= app.appId;
  }

  apps(): AppConfig[] {
    return this.dispatcher.apps();
  }

  /** Sends events (missing fields filled in) to an app's target, signed and retried like the others. */
  sendWebhook(events: Array<Partial<WebhookEvent>>, opts: { appId?: number } = {}): WebhookEvent[] {
    return this.dispatcher.send(events, opts.appId);
  }

  webhookDeliveries(): WebhookDelivery[] {
    return this.dispatcher.deliveries();
  }

  /** Resolves when no webhook is queued, in flight or waiting for a retry. */
  waitForWebhooks(): Promise<void> {
    return this.dispatcher.idle();
  }

  // ---- inspection ----------------------------------------------------------------------------------------

  requests(): RequestLogEntry[] {
    return this.log.map((r) => ({ ...r }));
  }

  clearRequests(): void {
    this.log.length = 0;
  }

  // ---- HTTP ----------------------------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://sandbox.local');
    const raw = await readBody(req);
    const segments = pathSegments(url.pathname);

    if (segments[0] === '__sandbox') {
      const parsed = parseJson(raw);
      const result = handleAdmin(this, method, segments, url.searchParams, parsed.ok ? parsed.value : undefined);
      sendJson(res, result.status, result.body ?? {});
      return;
    }

    const started = this.now();
    const correlation = randomUUID();
    const baseHeaders: Record<string, string> = { 'x-hubspot-correlation-id': correlation };
    const parsed = parseJson(raw);
    const entry: Omit<RequestLogEntry, 'status' | 'outcome' | 'seq'> = {
      method,
      path: url.pathname,
      query: url.search,
      portalId: null,
      token: null,
      time: started,
      ...(parsed.ok && parsed.value !== undefined ? { body: parsed.value } : {}),
    };

    const auth = headerValue(req, 'authorization');
    const token = auth && /^Bearer\s+/i.test(auth) ? auth.replace(/^Bearer\s+/i, '').trim() : null;
    const portal = token ? this.portalsByToken.get(token) : undefined;
    entry.token = token;
    if (!portal) {
      this.record(entry, 401, 'unauthenticated');
      sendJson(res, 401, authenticationError(), { ...baseHeaders, 'x-hubspot-auth-failure': '401 Unauthorized' }, CONTENT_TYPE);
      return;
    }
    entry.portalId = portal.info.portalId;
    portal.stats.calls += 1;

    const fault = this.takeFault(portal);
    // dropAfterApply: the call is served as usual (a rate-limited one is answered 429), then the connection is cut.
    const dropAfterApply = fault !== undefined && 'dropAfterApply' in fault;
    // delayAfterApplyMs: served as usual, the answer held back that long (a client may die waiting: kill -9 tests).
    const delayAfterApplyMs = fault !== undefined && 'delayAfterApplyMs' in fault ? fault.delayAfterApplyMs : 0;
    // statusAfterApply: served as usual, then answered with this status (a 5xx after a write HubSpot applied).
    const statusAfterApply = fault !== undefined && 'statusAfterApply' in fault ? fault.statusAfterApply : undefined;
    if (fault && !('dropAfterApply' in fault) && !('delayAfterApplyMs' in fault) && !('statusAfterApply' in fault)) {
      if ('drop' in fault) {
        this.record(entry, 0, 'fault');
        req.socket.destroy();
        return;
      }
      if ('status' in fault) {
        this.record(entry, fault.status, 'fault');
        sendJson(res, fault.status, fault.body ?? internalError(fault.status), { ...baseHeaders, ...(fault.headers ?? {}) }, CONTENT_TYPE);
        return;
      }
      if (!(await this.delays.wait(fault.delayMs)) || res.destroyed) return;
    }

    const kind = routeKind(method, segments);
    const now = this.now();
    const decision = kind === 'search' ? portal.limiter.tryConsumeSearch(now) : portal.limiter.tryConsume(now);
    if (kind === 'search') portal.stats.searchCalls += 1;
    if (!decision.allowed) {
      portal.stats.rateLimited += 1;
      if (decision.policy === 'DAILY') portal.stats.rateLimitedDaily += 1;
      else if (decision.policy === 'SECONDLY') portal.stats.rateLimitedSecondly += 1;
      else portal.stats.rateLimitedTenSecondly += 1;
      this.record(entry, 429, 'rate-limited');
      const group = `${portal.info.appType === 'public' ? 'publicapi:oauth' : 'publicapi:private-app'}:${portal.info.appId ?? 0}:${portal.info.portalId}`;
      sendJson(res, 429, rateLimitBody(decision.policy, group), { ...baseHeaders, ...decision.headers }, CONTENT_TYPE);
      return;
    }

    let result: ApiResult;
    if (!parsed.ok) {
      result = { status: 400, body: invalidJson(parsed.error) };
    } else {
      const sourceId = portal.info.appId !== null ? String(portal.info.appId) : undefined;
      const ctx = this.context(portal, method, url.searchParams, parsed.value, 'INTEGRATION', sourceId, true);
      result = routeApi(ctx, segments);
    }
    this.record(entry, result.status, dropAfterApply ? 'fault' : 'api');
    if (dropAfterApply) {
      req.socket.destroy();
      return;
    }
    if (delayAfterApplyMs > 0 && (!(await this.delays.wait(delayAfterApplyMs)) || res.destroyed)) return;
    if (statusAfterApply !== undefined) {
      sendJson(res, statusAfterApply, internalError(statusAfterApply), baseHeaders, CONTENT_TYPE);
      return;
    }
    const headers = { ...baseHeaders, ...decision.headers, ...(result.headers ?? {}) };
    if (result.body === undefined) sendEmpty(res, result.status, headers);
    else sendJson(res, result.status, result.body, headers, CONTENT_TYPE);
  }

  private context(
    portal: PortalState,
    method: string,
    query: URLSearchParams,
    body: unknown,
    changeSource: string,
    sourceId: string | undefined,
    fireWebhooks: boolean,
  ): ApiContext {
    return {
      portal,
      now: this.now(),
      method,
      query,
      body,
      changeSource,
      sourceId,
      emit: (change: CrmChange) => {
        if (fireWebhooks && objectTypeInfo(change.objectType).webhooks) this.dispatcher.publish(change);
      },
      rng: this.rng,
    };
  }

  private takeFault(portal: PortalState): FaultSpec | undefined {
    const head = portal.faults[0];
    if (!head) return undefined;
    const remaining = (head.count ?? 1) - 1;
    if (remaining <= 0) portal.faults.shift();
    else head.count = remaining;
    return head;
  }

  private record(entry: Omit<RequestLogEntry, 'status' | 'outcome' | 'seq'>, status: number, outcome: RequestLogEntry['outcome']): void {
    this.seq += 1;
    this.log.push({ ...entry, seq: this.seq, status, outcome });
    if (this.log.length > this.maxLogged) this.log.splice(0, this.log.length - this.maxLogged);
  }

  private portal(portalId: number): PortalState {
    const portal = this.portalsById.get(portalId);
    if (!portal) throw new Error(`no portal ${portalId}`);
    return portal;
  }

  private snapshot(portal: PortalState, object: StoredObject): ObjectSnapshot {
    return {
      id: object.id,
      type: object.type,
      properties: { ...object.properties },
      createdAt: formatInstant(object.createdAt),
      updatedAt: formatInstant(object.updatedAt),
      archived: object.archived,
      associations: portal.store.associationsOf(object.type, object.id).map((a) => ({ ...a })),
    };
  }
}

function scopesOf(raw: unknown): string[] {
  if (!Array.isArray(raw) || !raw.every((s) => typeof s === 'string')) throw new Error('scopes must be an array of strings');
  return [...raw];
}

function batchResultsOf(raw: unknown): BatchResultsMode {
  if (raw === 'v3-reference' || raw === '2026-03-documented') return raw;
  throw new Error(`batchResults must be 'v3-reference' or '2026-03-documented', got ${JSON.stringify(raw)}`);
}

function checkFault(fault: unknown): void {
  const f = (typeof fault === 'object' && fault !== null ? fault : {}) as Record<string, unknown>;
  const kinds = ['status', 'statusAfterApply', 'drop', 'dropAfterApply', 'delayMs', 'delayAfterApplyMs'].filter((k) => f[k] !== undefined);
  const valid =
    kinds.length === 1 &&
    (f.count === undefined || (Number.isInteger(f.count) && Number(f.count) >= 1)) &&
    (kinds[0] === 'status' || kinds[0] === 'statusAfterApply'
      ? Number.isInteger(f[kinds[0]])
      : kinds[0] === 'delayMs' || kinds[0] === 'delayAfterApplyMs'
        ? typeof f[kinds[0]] === 'number' && Number(f[kinds[0]]) >= 0
        : f[kinds[0] ?? ''] === true);
  if (!valid) throw new Error(`not a fault: ${JSON.stringify(fault)} (expected one of {status}, {drop: true}, {statusAfterApply}, {dropAfterApply: true}, {delayMs}, {delayAfterApplyMs}, each with an optional count)`);
}
