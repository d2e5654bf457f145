import * as http from 'http';
import { randomUUID } from 'crypto';
import { CancellableDelays, closeServer, headerValue, listen, parseJson, readBody, sendEmpty, sendHtml, sendJson } from '../shared/http-io.util';
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
import { DealPipelines, type AddPipelineInput, type StoredPipeline } from './pipeline-registry';
import { publicPipeline } from './pipeline-handlers';
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
import { OAuthServer } from './oauth/oauth-server';
import { isLegacyConfig, normalizeApp } from './oauth/app-config';
import type { InstallInfo, InstallTarget, IssuedToken } from './oauth/oauth.types';
import { routePlatform, utcOffsetMs } from './account-handlers';
import { resolveCaller } from './api-caller';

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
  /** OAuth: refreshing returns a new refresh token and revokes the old one (default false: the same one comes back). */
  rotateRefreshTokens?: boolean;
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
  private readonly oauth: OAuthServer;

  constructor(options: HubSpotSandboxOptions = {}) {
    this.clock = options.now ?? Date.now;
    this.maxLogged = options.maxLoggedRequests ?? 50_000;
    this.rng = new DeterministicRng(options.seed ?? 'hubspot-sandbox');
    this.batchResults = batchResultsOf(options.batchResults ?? 'v3-reference');
    this.dispatcher = new WebhookDispatcher(() => this.now(), { ...DEFAULT_WEBHOOK_RETRY, ...(options.webhookRetry ?? {}) }, (app, portalId) =>
      this.oauth.registry.receivesEvents(app, portalId, () => this.portalInfos()),
    );
    this.oauth = new OAuthServer(
      {
        now: () => this.now(),
        apps: () => this.dispatcher.apps(),
        portal: (portalId) => this.portalsById.get(portalId)?.info,
        portals: () => this.portalInfos(),
        staticTokenPortal: (token) => this.portalsByToken.get(token)?.info,
        installed: (portalId, appId) => {
          const portal = this.portalsById.get(portalId);
          if (portal) portal.info.appId ??= appId;
        },
        uninstalled: (portalId, appId) => this.dispatcher.forget(appId, portalId),
      },
      { rotateRefreshTokens: options.rotateRefreshTokens === true },
    );
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
    const timeZone = input.timeZone ?? 'US/Eastern';
    utcOffsetMs(timeZone, this.now()); // throws for an unknown zone
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
      appId: input.appId ?? this.defaultAppId(input.portalId),
      limits,
      searchPerSecond: input.searchPerSecond ?? 5,
      ...(input.scopes !== undefined ? { scopes: scopesOf(input.scopes) } : {}),
      timeZone,
      currency: input.currency ?? 'USD',
      dataHostingLocation: input.dataHostingLocation ?? 'na1',
      accountType: input.accountType ?? 'STANDARD',
      hubDomain: input.hubDomain ?? `portal${input.portalId}.hubspot.com`,
    };
    const pipelines = new DealPipelines(() => this.now());
    const state: PortalState = {
      info,
      store: new CrmStore(this.ids, (pipelineId, stageId) => pipelines.stage(pipelineId, stageId)),
      pipelines,
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
    syncPipelineOptions(state);
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

  private portalInfos(): PortalInfo[] {
    return [...this.portalsById.values()].map((p) => p.info);
  }

  /** A new portal's app: the private app of that portal, else the first app configured the legacy way. */
  private defaultAppId(portalId: number): number | null {
    const apps = this.dispatcher.apps();
    const own = apps.find((a) => a.privatePortalId === portalId);
    if (own) return own.appId;
    return apps.find((a) => this.oauth.registry.isLegacy(a.appId))?.appId ?? null;
  }

  rateLimitStats(portalId: number): RateLimitStats {
    const portal = this.portal(portalId);
    return { ...portal.stats, dailyUsed: portal.limiter.dailyCount(this.now()) };
  }

  /** The next API calls of the portal get these faults, in order (`count` calls each, default 1; see FaultSpec). */
  injectFaults(portalId: number, faults: FaultSpec[]): void {
    const portal = this.portal(portalId);
    for (const fault of faults) checkFault(fault);
    for (const fault of faults) {
      const { forMs, ...rest } = fault as FaultSpec & { forMs?: number };
      portal.faults.push({ ...rest, count: fault.count ?? 1, ...(forMs !== undefined ? { untilMs: this.now() + forMs } : {}) } as FaultSpec);
    }
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

  // ---- deal pipelines ------------------------------------------------------------------------------------

  /**
   * Adds a deal pipeline to the portal (as someone would in HubSpot's settings): the pipelines API lists it, deals
   * may be written into its stages, and its stages' probabilities become the deals' `hs_deal_stage_probability`.
   * Every portal starts with HubSpot's default pipeline (`default`). Returns it as the pipelines API shows it.
   */
  addDealPipeline(portalId: number, input: AddPipelineInput): Record<string, unknown> {
    const portal = this.portal(portalId);
    const pipeline = portal.pipelines.add(input);
    syncPipelineOptions(portal);
    return publicPipeline(pipeline);
  }

  /**
   * Deletes a deal pipeline (archived, as HubSpot's DELETE does): the pipelines API no longer lists it, and its
   * deals keep their pipeline and stage (HubSpot before 2026-09 did not check for them).
   */
  deleteDealPipeline(portalId: number, pipelineId: string): void {
    const portal = this.portal(portalId);
    portal.pipelines.deletePipeline(pipelineId);
    syncPipelineOptions(portal);
  }

  /** Deletes one stage of a deal pipeline (archived); its deals keep the stage. */
  deleteDealStage(portalId: number, pipelineId: string, stageId: string): void {
    const portal = this.portal(portalId);
    portal.pipelines.deleteStage(pipelineId, stageId);
    syncPipelineOptions(portal);
  }

  /** The portal's deal pipelines as the pipelines API lists them (deleted ones left out). */
  listDealPipelines(portalId: number): Array<Record<string, unknown>> {
    return this.portal(portalId).pipelines.active().map((p: StoredPipeline) => publicPipeline(p));
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

  /**
   * Adds or replaces an app (see AppConfig): its OAuth client (`clientId`, default `client-<appId>`; `clientSecret`;
   * `redirectUris`), distribution, webhook target and subscriptions. Portals without an `appId` take this one when it
   * is configured the legacy way (all of them) or is the private app of one of them (that one).
   */
  configureApp(app: AppConfig): void {
    const normalized = normalizeApp(app);
    const clash = this.dispatcher.apps().find((a) => a.appId !== normalized.appId && a.clientId === normalized.clientId);
    if (clash) throw new Error(`clientId ${String(normalized.clientId)} already belongs to app ${clash.appId}`);
    this.dispatcher.configureApp(normalized);
    const legacy = isLegacyConfig(app);
    this.oauth.registry.markLegacy(normalized.appId, legacy);
    for (const portal of this.portalsById.values()) {
      if (legacy || normalized.privatePortalId === portal.info.portalId) portal.info.appId ??= normalized.appId;
    }
  }

  apps(): AppConfig[] {
    return this.dispatcher.apps();
  }

  /** Sends events (missing fields filled in) to an app's target, signed and retried like the others. */
  sendWebhook(events: Array<Partial<WebhookEvent>>, opts: { appId?: number } = {}): WebhookEvent[] {
    return this.dispatcher.send(events, opts.appId);
  }

  // ---- OAuth ---------------------------------------------------------------------------------------------

  /**
   * Which account installs on `GET /oauth/authorize` (no portal in the path), and how: `deny` (the user refuses),
   * `grantScopes` (granted instead of the requested scopes), the installing user. `null` clears it.
   */
  setInstallTarget(target: InstallTarget | null): void {
    this.oauth.setInstallTarget(target);
  }

  installTarget(): InstallTarget | null {
    return this.oauth.registry.getTarget();
  }

  /**
   * The user uninstalled the app from the portal in HubSpot (same effect as `DELETE
   * /appinstalls/2026-03/external-install`): its codes and tokens there stop working (401 on API calls,
   * `invalid_grant` on refresh) and its webhooks for the portal stop. `appId` may be left out when the portal has one app.
   */
  uninstall(portalId: number, appId?: number): { portalId: number; appId: number } {
    return this.oauth.uninstall(portalId, appId);
  }

  /** OAuth installs, active and ended. */
  installs(): InstallInfo[] {
    return this.oauth.installs();
  }

  /** Every authorization code, access token and refresh token issued, with its status now. */
  issuedTokens(): IssuedToken[] {
    return this.oauth.issuedTokens();
  }

  /** Refresh token rotation (see HubSpotSandboxOptions.rotateRefreshTokens). */
  setRotateRefreshTokens(on: boolean): void {
    this.oauth.rotateRefreshTokens = on;
  }

  get rotatesRefreshTokens(): boolean {
    return this.oauth.rotateRefreshTokens;
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

    if (segments[0] === 'oauth') {
      const answer = this.oauth.handle({
        method,
        segments,
        query: url.searchParams,
        contentType: headerValue(req, 'content-type'),
        accept: headerValue(req, 'accept'),
        body: raw,
      });
      this.record(entry, answer.status, 'oauth');
      const headers = { ...baseHeaders, ...(answer.headers ?? {}) };
      if (answer.html !== undefined) sendHtml(res, answer.status, answer.html, headers);
      else if (answer.body === undefined) sendEmpty(res, answer.status, headers);
      else sendJson(res, answer.status, answer.body, headers, CONTENT_TYPE);
      return;
    }

    const auth = headerValue(req, 'authorization');
    const token = auth && /^Bearer\s+/i.test(auth) ? auth.replace(/^Bearer\s+/i, '').trim() : null;
    entry.token = token;
    const caller = token
      ? resolveCaller(token, (t) => this.portalsByToken.get(t), (id) => this.portalsById.get(id), this.oauth)
      : { error: authenticationError() };
    if ('error' in caller) {
      this.record(entry, 401, 'unauthenticated');
      sendJson(res, 401, caller.error, { ...baseHeaders, 'x-hubspot-auth-failure': '401 Unauthorized' }, CONTENT_TYPE);
      return;
    }
    const { portal, principal, limiter } = caller;
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
    const decision = kind === 'search' ? limiter.tryConsumeSearch(now) : limiter.tryConsume(now);
    if (kind === 'search') portal.stats.searchCalls += 1;
    if (!decision.allowed) {
      portal.stats.rateLimited += 1;
      if (decision.policy === 'DAILY') portal.stats.rateLimitedDaily += 1;
      else if (decision.policy === 'SECONDLY') portal.stats.rateLimitedSecondly += 1;
      else portal.stats.rateLimitedTenSecondly += 1;
      this.record(entry, 429, 'rate-limited');
      const oauthCall = principal.kind === 'oauth' || portal.info.appType === 'public';
      const group = `${oauthCall ? 'publicapi:oauth' : 'publicapi:private-app'}:${principal.appId ?? 0}:${portal.info.portalId}`;
      sendJson(res, 429, rateLimitBody(decision.policy, group), { ...baseHeaders, ...decision.headers }, CONTENT_TYPE);
      return;
    }

    let result: ApiResult;
    if (!parsed.ok) {
      result = { status: 400, body: invalidJson(parsed.error) };
    } else {
      const sourceId = principal.appId !== null ? String(principal.appId) : undefined;
      const ctx = this.context(portal, method, url.searchParams, parsed.value, 'INTEGRATION', sourceId, true, principal.scopes);
      result = routePlatform(ctx, principal, segments, { uninstall: (portalId, appId) => this.oauth.uninstall(portalId, appId) }) ?? routeApi(ctx, segments);
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
    /** The caller's scopes (API calls); undefined: every scope (seeding). */
    scopes: readonly string[] | undefined = undefined,
  ): ApiContext {
    return {
      portal,
      now: this.now(),
      method,
      query,
      body,
      changeSource,
      sourceId,
      scopes,
      emit: (change: CrmChange) => {
        if (fireWebhooks && objectTypeInfo(change.objectType).webhooks) this.dispatcher.publish(change);
      },
      rng: this.rng,
    };
  }

  private takeFault(portal: PortalState): FaultSpec | undefined {
    // A storm (forMs) answers every call until it is over, then is gone.
    while (portal.faults[0] && 'untilMs' in portal.faults[0] && this.now() >= Number(portal.faults[0].untilMs)) portal.faults.shift();
    const head = portal.faults[0];
    if (!head) return undefined;
    if ('untilMs' in head) return head;
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

/** The `pipeline` and `dealstage` options follow the portal's pipelines, as HubSpot's do. */
function syncPipelineOptions(portal: PortalState): void {
  const options = portal.pipelines.propertyOptions();
  portal.registry.setDerivedOptions('deals', 'pipeline', options.pipeline);
  portal.registry.setDerivedOptions('deals', 'dealstage', options.dealstage);
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
    (f.forMs === undefined || (kinds[0] === 'status' && typeof f.forMs === 'number' && f.forMs > 0)) &&
    (kinds[0] === 'status' || kinds[0] === 'statusAfterApply'
      ? Number.isInteger(f[kinds[0]])
      : kinds[0] === 'delayMs' || kinds[0] === 'delayAfterApplyMs'
        ? typeof f[kinds[0]] === 'number' && Number(f[kinds[0]]) >= 0
        : f[kinds[0] ?? ''] === true);
  if (!valid) throw new Error(`not a fault: ${JSON.stringify(fault)} (expected one of {status}, {drop: true}, {statusAfterApply}, {dropAfterApply: true}, {delayMs}, {delayAfterApplyMs}, each with an optional count; {status} also with forMs)`);
}
