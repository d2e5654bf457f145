import { Inject, Injectable } from '@nestjs/common';
import {
  AppConfig,
  CLOCK,
  DecisionCosts,
  deterministicId,
  effectiveShape,
  EventStore,
  HubSpotBudget,
  hubSpotLimitsFor,
  PersonalDataErasure,
  PortalRepository,
  startStory,
  StreamIds,
  type ApiLimits,
  type CrmObjectType,
  type BudgetState,
  type Clock,
  type DailyDecisionCost,
  type PlatformEvent,
  type Portal,
  type PortalHubSpotPlan,
  type PortalSettings,
  type StoredEvent,
} from '@app/common';
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

/** What an erasure cannot reach, said in every answer (docs/runbook.md#erasure). */
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

  /** The routing's owner ids are checked in HubSpot, with the token given, before anything is stored. */
  async register(dto: RegisterPortalDto): Promise<SavedPortal | OwnerRefusal | 'exists'> {
    // Before the owner check: a registered portal is a 409 whatever its settings, and costs no HubSpot call.
    if (await this.portals.find(dto.portalId)) return 'exists';
    const settings = settingsFrom(dto, {});
    const owners = await this.owners.check({ portalId: dto.portalId, accessToken: dto.accessToken, plan: settings.hubspot }, settings);
    if (owners.kind === 'refused') return owners;
    const result = await this.portals.register({ portalId: dto.portalId, name: dto.name, accessToken: dto.accessToken, settings });
    if (result.kind === 'exists') return 'exists';
    const registered = startStory({ type: 'PortalRegistered', portalId: dto.portalId, id: deterministicId('portal-registered', dto.portalId), data: { name: dto.name } }, this.clock());
    await this.eventStore.append({ streamId: StreamIds.portal(dto.portalId), events: [registered] });
    return { kind: 'saved', portal: result.portal, warnings: owners.warnings };
  }

  /**
   * Status "active" does not clear alerts: only `clearAlerts: true` does. New `leadRouting`/`serviceRouting` owner
   * ids are checked in HubSpot first (with the new token when one is sent, else the stored one); a refusal changes nothing.
   */
  async update(portalId: number, dto: UpdatePortalDto): Promise<SavedPortal | OwnerRefusal | undefined> {
    const current = await this.portals.find(portalId);
    if (!current) return undefined;
    const settings = settingsFrom(dto, current.settings);
    let warnings: string[] = [];
    if (settings.leadRouting || settings.serviceRouting) {
      const owners = await this.checkOwners(portalId, dto.accessToken, settings.hubspot ?? current.settings.hubspot, settings);
      if (owners.kind === 'refused') return owners;
      warnings = owners.warnings;
    }
    if (dto.enabledSubscriptions) settings.enabledSubscriptions = [...new Set(dto.enabledSubscriptions)];
    if (dto.workflowApiKey) settings.workflowApiKeySha256 = createHash('sha256').update(dto.workflowApiKey).digest('hex');
    if (dto.accessToken) await this.portals.replaceAccessToken(portalId, dto.accessToken);
    if (dto.clearAlerts) await this.portals.clearAlerts(portalId);
    const portal = await this.portals.updateSettings(portalId, { name: dto.name, status: dto.status, settings });
    return portal ? { kind: 'saved', portal, warnings } : undefined;
  }

  private async checkOwners(portalId: number, newToken: string | undefined, plan: PortalHubSpotPlan | undefined, settings: PortalSettings): Promise<OwnerCheck> {
    const accessToken = newToken ?? (await this.portals.accessToken(portalId));
    if (!accessToken) return { kind: 'refused', status: 422, messages: [`portal ${portalId} has no stored access token to check the routing owner ids with: send accessToken`] };
    return this.owners.check({ portalId, accessToken, ...(plan ? { plan } : {}) }, settings);
  }

  async costReport(portalId: number, from: Date, to: Date): Promise<PortalCostReport | undefined> {
    if (!(await this.portals.find(portalId))) return undefined;
    const days = await this.costs.byDay(portalId, from, to);
    const total = days.reduce((sum, d) => sum + d.costUsd, 0);
    return { portalId, from: from.toISOString().slice(0, 10), to: new Date(to.getTime() - 1).toISOString().slice(0, 10), days, totalCostUsd: Math.round(total * 1_000_000) / 1_000_000 };
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
  if (dto.leadRouting) settings.leadRouting = plain(dto.leadRouting);
  if (dto.serviceRouting) settings.serviceRouting = plain(dto.serviceRouting);
  if (dto.privacy) settings.privacy = plain(dto.privacy);
  if (dto.promptVersions) settings.promptVersions = plain(dto.promptVersions);
  if (dto.aiLimits) settings.aiLimits = plain(dto.aiLimits);
  if (dto.associationLabels) settings.associationLabels = plain(dto.associationLabels);
  if (dto.retention) settings.retention = plain(dto.retention);
  return settings;
}

/** A validated DTO as plain JSON: class instances and undefined fields gone. */
function plain<T extends object>(dto: T): T {
  return JSON.parse(JSON.stringify(dto)) as T;
}
