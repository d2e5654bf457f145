import { Inject, Injectable } from '@nestjs/common';
import {
  AppConfig,
  capabilitySettings,
  CLOCK,
  DecisionCosts,
  effectiveShape,
  EventStore,
  HubSpotBudget,
  hubSpotLimitsFor,
  PersonalDataErasure,
  PORTAL_LIFE_EVENTS,
  PortalExistsError,
  PortalLifecycle,
  portalChangeEvents,
  PortalRepository,
  PortalTokens,
  StreamIds,
  type ApiLimits,
  type CrmObjectType,
  type BudgetState,
  type Clock,
  capabilityOfPrompt,
  type CapabilityName,
  type DailyDecisionCost,
  type PromptCostShare,
  type PlatformEvent,
  type Portal,
  type PortalHubSpotPlan,
  type PortalSettings,
  type StoredEvent,
} from '@app/common';
import { ConnectionInspector, type InspectedConnection } from '../onboarding/connection-inspector';
import { PortalConnector, type ConnectResult } from '../onboarding/portal-connector.service';
import type { PortalSettingsDto, RegisterPortalDto } from './register-portal.dto';
import type { UpdatePortalDto } from './update-portal.dto';
import { OwnerCheckService, type OwnerCheck } from './owner-check.service';
import { createHash } from 'node:crypto';

/** A portal's HubSpot limits and the platform's share of them, for GET /admin/portals/:portalId/budget. */
export interface PortalCostReport {
  portalId: number;
  from: string;
  to: string;
  days: DailyDecisionCost[];
  /** Each capability's prompt's recorded calls (reused decisions counted apart) and part of the cost: Management AI's (the daily review and re-assessments between reviews) is `deal-health`'s. */
  byPrompt: Array<PromptCostShare & { capability: CapabilityName | null }>;
  totalCostUsd: number;
}

/** What POST /admin/portals/:portalId/erasures did: SubjectErased's data, and where the record's story is. */
export type ErasureReport = { portalId: number; erasedAt: string; eventId: string; streamId: string; notErasedHere: string[] } & PlatformEvent<'SubjectErased'>['data'];

/** What DELETE /admin/portals/:portalId did. */
export interface OffboardReport {
  portalId: number;
  offboardedAt: string;
  tokensErased: true;
  personalDataDays: number;
  erasePersonalDataAt: string;
  /** With ?erasePersonalData=now: the data keys destroyed at once. */
  personalDataKeysErased?: number;
  eventId: string;
}

/** What an erasure cannot reach, said in every answer (docs/runbook.md#erase-a-persons-data-retention-offboarding). */
export const NOT_ERASED_HERE = [
  "HubSpot itself: the notes and tasks the platform wrote into the portal's CRM belong to the portal (HubSpot's own privacy deletion removes the contact and what is associated with it)",
  'backups and WAL archives of Postgres taken before now still hold the destroyed data keys until they expire',
  'other running services may use a data key they hold in memory for up to 60 seconds',
];

/** A saved portal, with what could not be checked (e.g. owners, when the token may not read them). */
export interface SavedPortal {
  kind: 'saved';
  portal: Portal;
  warnings: string[];
  /** When the portal was (re)connected: what HubSpot said about its token and what onboarding did. */
  onboarding?: OnboardingReport;
}

/** What registering (or reconnecting) a portal found and did (docs/runbook.md#connecting-a-portal). */
export interface OnboardingReport {
  kind: ConnectResult['kind'];
  mode: Portal['connection']['mode'];
  /** Capabilities the token's scopes allow, and those that stay off with the scopes they lack. */
  capabilities: ConnectResult['capabilities'];
  /** The capabilities' properties in the portal: created, present, options added, conflicting. */
  bootstrap: ConnectResult['bootstrap'];
  account: Portal['account'];
  /** The plan tier comes from settings (HubSpot does not report it); the daily usage HubSpot reports beside it. */
  plan: PortalHubSpotPlan;
  dailyUsage: ConnectResult['dailyUsage'];
  /** The app's webhook subscriptions each enabled capability needs: configure them in the app (HubSpot's API for them needs a developer key the platform does not hold). */
  subscriptions: ConnectResult['subscriptions'];
}

/** Not saved: a routing setting names a wrong owner, or HubSpot could not check them (see OwnerCheckService). */
export type OwnerRefusal = Extract<OwnerCheck, { kind: 'refused' }>;

export interface PortalBudgetReport {
  portalId: number;
  /** As stored in `settings.hubspot`; {} when none was configured. */
  plan: PortalHubSpotPlan;
  /** HubSpot's limits for the plan. */
  limits: ApiLimits;
  /** What the platform allows itself after headroom (and after what HubSpot's headers last reported). */
  budget: { headroom: number; perTenSeconds: number; searchPerSecond: number; daily: number | null };
  /** The shared budget as stored; null until the platform first calls HubSpot for the portal. */
  state: BudgetState | null;
}

@Injectable()
export class PortalAdminService {
  constructor(
    private readonly portals: PortalRepository,
    private readonly eventStore: EventStore,
    private readonly budget: HubSpotBudget,
    private readonly costs: DecisionCosts,
    private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly owners: OwnerCheckService,
    private readonly erasure: PersonalDataErasure,
    private readonly lifecycle: PortalLifecycle,
    private readonly inspector: ConnectionInspector,
    private readonly connector: PortalConnector,
    private readonly tokens: PortalTokens,
  ) {}

  /**
   * Erases one record's personal data everywhere the platform keeps it
   * (docs/decisions/0019). Undefined when the portal is neither registered nor
   * offboarded with data still kept.
   */
  async erase(portalId: number, objectType: CrmObjectType, objectId: string): Promise<ErasureReport | undefined> {
    if (!(await this.portals.find(portalId)) && !(await this.wasOffboarded(portalId))) return undefined;
    const event = await this.erasure.eraseSubject({ portalId, objectType, objectId, reason: 'admin-request', requestedBy: 'admin' });
    return { portalId, ...event.data, erasedAt: event.recordedAt, eventId: event.id, streamId: StreamIds.crmObject(portalId, objectType, objectId), notErasedHere: NOT_ERASED_HERE };
  }

  /** Offboards a portal: tokens erased now, personal data after its retention period (or now). Undefined when not registered. */
  async offboard(portalId: number, eraseNow: boolean): Promise<OffboardReport | undefined> {
    const result = await this.erasure.offboard(portalId, { requestedBy: 'admin', eraseNow });
    if (!result) return undefined;
    const { event } = result;
    return {
      portalId,
      offboardedAt: event.recordedAt,
      tokensErased: true,
      personalDataDays: event.data.personalDataDays,
      erasePersonalDataAt: event.data.erasePersonalDataAt,
      ...(result.erasedNow !== undefined ? { personalDataKeysErased: result.erasedNow } : {}),
      eventId: event.id,
    };
  }

  private async wasOffboarded(portalId: number): Promise<boolean> {
    return (await this.eventStore.readStream(StreamIds.portal(portalId))).some((e) => e.type === 'PortalOffboarded');
  }

  /**
   * Registers a portal with a static token (a private app's, or a single-account
   * app's): HubSpot is asked first which portal and scopes the token has and the
   * account's details (ConnectionInspector), and the routing's owner ids are
   * checked; a mismatch or a refusal stores nothing. With `clientSecret` the
   * portal's webhooks are verified with its own app's secret. Then the portal's
   * story is recorded and the enabled capabilities' properties are bootstrapped.
   */
  async register(dto: RegisterPortalDto): Promise<SavedPortal | OwnerRefusal | 'exists'> {
    // Before any HubSpot call: a registered portal is a 409 whatever its settings.
    if (await this.portals.find(dto.portalId)) return 'exists';
    const settings = settingsFrom(dto, {});
    const inspected = await this.inspector.inspect({ portalId: dto.portalId, ...(settings.hubspot ? { plan: settings.hubspot } : {}) }, { kind: 'static', accessToken: dto.accessToken });
    if ('kind' in inspected) return inspected;
    const owners = await this.owners.check({ portalId: dto.portalId, accessToken: dto.accessToken, plan: settings.hubspot }, settings);
    if (owners.kind === 'refused') return owners;
    const mode = dto.clientSecret ? 'private-app' : 'token';
    let result: ConnectResult;
    try {
      result = await this.connector.connect({
        portalId: dto.portalId,
        name: dto.name,
        via: 'admin',
        mode,
        tokens: { accessToken: dto.accessToken },
        ...(dto.clientSecret ? { clientSecret: dto.clientSecret } : {}),
        settings,
        inspected,
        requestedBy: 'admin',
        mustBeNew: true,
      });
    } catch (error) {
      // Registered by a concurrent request after the check above.
      if (error instanceof PortalExistsError) return 'exists';
      throw error;
    }
    return { kind: 'saved', portal: result.portal, warnings: [...owners.warnings, ...blockedWarnings(result)], onboarding: onboardingReport(result) };
  }

  /**
   * Each change is an event on the portal's stream applied to the projection in one
   * transaction: PortalSettingsChanged (each setting before and after),
   * PortalStatusChanged, PortalAlertsCleared. Status "active" does not clear alerts:
   * only `clearAlerts: true` does. New `leadRouting`/`serviceRouting` owner ids are
   * checked in HubSpot first; a new `accessToken` is asked about (its portal, its
   * scopes) before anything changes, and reconnects the portal with it (an OAuth
   * portal is reconnected by installing the app again instead). A refusal changes nothing.
   */
  async update(portalId: number, dto: UpdatePortalDto): Promise<SavedPortal | OwnerRefusal | undefined> {
    const current = await this.portals.find(portalId);
    if (!current) return undefined;
    const settings = settingsFrom(dto, current.settings);
    if (dto.enabledSubscriptions) settings.enabledSubscriptions = [...new Set(dto.enabledSubscriptions)];
    if (dto.workflowApiKey) settings.workflowApiKeySha256 = createHash('sha256').update(dto.workflowApiKey).digest('hex');
    const plan = settings.hubspot ?? current.settings.hubspot;
    let inspected: InspectedConnection | undefined;
    if (dto.clientSecret && !dto.accessToken) {
      return { kind: 'refused', status: 400, messages: ["clientSecret is sent with the private app's accessToken (both are checked and stored together)"] };
    }
    if (dto.accessToken) {
      if (current.connection.mode === 'oauth') {
        return { kind: 'refused', status: 422, messages: [`portal ${portalId} is connected by OAuth: its tokens are refreshed by the platform; to reconnect it, install the app again (GET /oauth/install?portalId=${portalId})`] };
      }
      const answer = await this.inspector.inspect({ portalId, ...(plan ? { plan } : {}) }, { kind: 'static', accessToken: dto.accessToken });
      if ('kind' in answer) return answer;
      inspected = answer;
    }
    let warnings: string[] = [];
    if (settings.leadRouting || settings.serviceRouting) {
      const owners = await this.checkOwners(portalId, dto.accessToken, plan, settings);
      if (owners.kind === 'refused') return owners;
      warnings = owners.warnings;
    }
    const events = portalChangeEvents(current, { name: dto.name, status: dto.status, settings, clearAlerts: dto.clearAlerts }, 'admin', this.clock());
    if (events.length > 0) await this.lifecycle.record(portalId, events);
    let onboarding: OnboardingReport | undefined;
    if (inspected) {
      // The stored client secret stays unless a new one is sent.
      const clientSecret = dto.clientSecret ?? (await this.portals.credentials.read(portalId))?.clientSecret ?? undefined;
      const result = await this.connector.connect({
        portalId,
        via: 'admin',
        mode: clientSecret ? 'private-app' : 'token',
        tokens: { accessToken: dto.accessToken! },
        ...(clientSecret ? { clientSecret } : {}),
        inspected,
        requestedBy: 'admin',
      });
      warnings = [...warnings, ...blockedWarnings(result)];
      onboarding = onboardingReport(result);
    }
    const portal = await this.portals.find(portalId);
    return portal ? { kind: 'saved', portal, warnings, ...(onboarding ? { onboarding } : {}) } : undefined;
  }

  /** The portal's history (docs/decisions/0020): registration, connections, settings, status, alerts, bootstraps, backfills, replays, oldest first. */
  async history(portalId: number): Promise<StoredEvent[] | undefined> {
    const events = (await this.eventStore.readStream(StreamIds.portal(portalId))).filter((e) => (PORTAL_LIFE_EVENTS as readonly string[]).includes(e.type));
    if (events.length === 0 && !(await this.portals.find(portalId))) return undefined;
    return events;
  }

  /** Rebuilds the `portals` table from the log (docs/runbook.md#rebuilding-the-portals-table). */
  rebuildProjection(): Promise<{ events: number; portals: number }> {
    return this.lifecycle.rebuildAll();
  }

  private async checkOwners(portalId: number, newToken: string | undefined, plan: PortalHubSpotPlan | undefined, settings: PortalSettings): Promise<OwnerCheck> {
    // PortalTokens: an OAuth portal's token is refreshed first when it is about to expire.
    const accessToken = newToken ?? (await this.tokens.accessToken(portalId));
    if (!accessToken) return { kind: 'refused', status: 422, messages: [`portal ${portalId} has no stored access token to check the routing owner ids with: send accessToken`] };
    return this.owners.check({ portalId, accessToken, ...(plan ? { plan } : {}) }, settings);
  }

  async costReport(portalId: number, from: Date, to: Date): Promise<PortalCostReport | undefined> {
    if (!(await this.portals.find(portalId))) return undefined;
    const [days, prompts] = await Promise.all([this.costs.byDay(portalId, from, to), this.costs.byPrompt(portalId, from, to)]);
    const total = days.reduce((sum, d) => sum + d.costUsd, 0);
    const byPrompt = prompts.map((p) => ({ ...p, capability: capabilityOfPrompt(p.promptId) }));
    return { portalId, from: from.toISOString().slice(0, 10), to: new Date(to.getTime() - 1).toISOString().slice(0, 10), days, byPrompt, totalCostUsd: Math.round(total * 1_000_000) / 1_000_000 };
  }

  async budgetReport(portalId: number): Promise<PortalBudgetReport | undefined> {
    const portal = await this.portals.find(portalId);
    if (!portal) return undefined;
    const plan = portal.settings.hubspot ?? {};
    const limits = hubSpotLimitsFor(plan);
    const headroom = plan.headroom ?? this.config.hubspotBudgetHeadroom;
    const state = (await this.budget.snapshot(portalId)) ?? null;
    const shape = effectiveShape(limits, headroom, state ?? undefined);
    return {
      portalId,
      plan,
      limits,
      budget: { headroom, perTenSeconds: shape.standard.limit, searchPerSecond: shape.search.limit, daily: shape.daily },
      state,
    };
  }

  find(portalId: number): Promise<Portal | undefined> {
    return this.portals.find(portalId);
  }

  stream(streamId: string): Promise<StoredEvent[]> {
    return this.eventStore.readStream(streamId);
  }

  story(correlationId: string): Promise<StoredEvent[]> {
    return this.eventStore.readByCorrelation(correlationId);
  }
}

/**
 * The settings POST and PATCH both take, as plain JSON for the settings column
 * (fields not sent are absent). The plan merges into the stored one; the others replace.
 */
function settingsFrom(dto: PortalSettingsDto, current: PortalSettings): PortalSettings {
  const settings: PortalSettings = {};
  if (dto.hubspot) settings.hubspot = { ...current.hubspot, ...plain(dto.hubspot) };
  for (const { key } of capabilitySettings()) {
    const value = (dto as unknown as Record<string, unknown>)[key];
    if (value !== undefined) settings[key] = plain(value as object);
  }
  if (dto.privacy) settings.privacy = plain(dto.privacy);
  if (dto.promptVersions) settings.promptVersions = plain(dto.promptVersions);
  if (dto.aiLimits) settings.aiLimits = plain(dto.aiLimits);
  if (dto.associationLabels) settings.associationLabels = plain(dto.associationLabels);
  if (dto.retention) settings.retention = plain(dto.retention);
  if (dto.review) settings.review = plain(dto.review);
  return settings;
}

function onboardingReport(result: ConnectResult): OnboardingReport {
  return {
    kind: result.kind,
    mode: result.portal.connection.mode,
    capabilities: result.capabilities,
    bootstrap: result.bootstrap,
    account: result.portal.account,
    plan: result.portal.settings.hubspot ?? {},
    dailyUsage: result.dailyUsage,
    subscriptions: result.subscriptions,
  };
}

/** A capability the token's scopes do not allow stays off: say which scopes to grant. */
function blockedWarnings(result: ConnectResult): string[] {
  return result.capabilities.blocked.map((b) => `${b.capability} stays off: the token lacks the scopes ${b.missingScopes.join(', ')} (grant them in the app, then reconnect)`);
}

/** A validated DTO as plain JSON: class instances and undefined fields gone. */
function plain<T extends object>(dto: T): T {
  return JSON.parse(JSON.stringify(dto)) as T;
}
