import { BadRequestException, Body, ConflictException, Controller, Delete, Get, HttpCode, NotFoundException, Param, Patch, Post, Query, ServiceUnavailableException, UnprocessableEntityException, UseGuards, type HttpException } from '@nestjs/common';
import { CRM_OBJECT_TYPES, isEventId, StreamIds, UnknownTopicError, type CrmObjectType, type Portal, type StoredEvent } from '@app/common';
import { ObjectIdParam, PortalIdParam } from '../path-params';
import { AdminAuthGuard } from './admin-auth.guard';
import { DeadLetterAdminService, type RedriveReport } from './dead-letter-admin.service';
import { costRange } from './cost-range';
import { hasImpossibleCalendarDate, isCalendarDate } from './strict-date';
import { DigestAdminService } from './digest-admin.service';
import { ErasureRequestDto } from './erasure.dto';
import { PortalAdminService, type ErasureReport, type OffboardReport, type OwnerRefusal, type PortalBudgetReport, type PortalCostReport, type SavedPortal } from './portal-admin.service';
import { RedriveDeadLettersDto } from './redrive-dead-letters.dto';
import { RegisterPortalDto } from './register-portal.dto';
import { ReplayAdminService, type ReplayReport } from './replay-admin.service';
import { ApplyReplayDto, RequestReplayDto } from './replay.dto';
import { UpdatePortalDto } from './update-portal.dto';
import { PortalConnector, type DisconnectReport } from '../onboarding/portal-connector.service';

@Controller('admin')
@UseGuards(AdminAuthGuard)
export class AdminController {
  constructor(
    private readonly admin: PortalAdminService,
    private readonly deadLetters: DeadLetterAdminService,
    private readonly replays: ReplayAdminService,
    private readonly connector: PortalConnector,
    private readonly digestsRead: DigestAdminService,
  ) {}

  /** 400 when a routing setting names an owner HubSpot does not have (or a deactivated one); see presentSaved. */
  @Post('portals')
  @HttpCode(201)
  async register(@Body() dto: RegisterPortalDto): Promise<PresentedPortal> {
    const result = await this.admin.register(dto);
    if (result === 'exists') throw new ConflictException(`portal ${dto.portalId} is already registered`);
    return presentSaved(result);
  }

  /** The portal's history, oldest first: registration, connections, token refreshes, settings before and after, status, alerts, bootstraps, backfills. */
  @Get('portals/:portalId/events')
  async history(@PortalIdParam() portalId: number): Promise<{ portalId: number; streamId: string; events: StoredEvent[] }> {
    const events = await this.admin.history(portalId);
    if (!events) throw new NotFoundException(`portal ${portalId} is not registered`);
    return { portalId, streamId: StreamIds.portal(portalId), events };
  }

  /**
   * Ends the portal's connection (docs/runbook.md#disconnecting-a-portal): the OAuth
   * refresh token is revoked at HubSpot, with `?uninstall=true` the app is
   * uninstalled from the account, the stored tokens are erased and the portal paused.
   * Its settings and audit trail stay; installing again reconnects it.
   */
  @Delete('portals/:portalId/connection')
  async disconnect(@PortalIdParam() portalId: number, @Query('uninstall') uninstall?: string): Promise<DisconnectReport> {
    if (uninstall !== undefined && uninstall !== 'true' && uninstall !== 'false') throw new BadRequestException(['uninstall must be true or false']);
    const report = await this.connector.disconnect(portalId, { uninstall: uninstall === 'true', requestedBy: 'admin' });
    if (!report) throw new NotFoundException(`portal ${portalId} is not registered`);
    return report;
  }

  /** Rebuilds the `portals` table from the portals' events (the table is a projection of the log). */
  @Post('projections/portals/rebuild')
  @HttpCode(200)
  rebuildPortals(): Promise<{ events: number; portals: number }> {
    return this.admin.rebuildProjection();
  }

  @Get('portals/:portalId')
  async get(@PortalIdParam() portalId: number): Promise<Portal> {
    const portal = await this.admin.find(portalId);
    if (!portal) throw new NotFoundException(`portal ${portalId} is not registered`);
    return presentPortal(portal);
  }

  /**
   * Changes name, status (active, paused, disabled), enabled subscriptions, the workflow
   * API key or the HubSpot plan (merged). Alerts go only with `clearAlerts: true`:
   * setting status "active" again leaves them, so the operator says the cause is fixed.
   */
  @Patch('portals/:portalId')
  async update(@PortalIdParam() portalId: number, @Body() dto: UpdatePortalDto): Promise<PresentedPortal> {
    const result = await this.admin.update(portalId, dto);
    if (!result) throw new NotFoundException(`portal ${portalId} is not registered`);
    return presentSaved(result);
  }

  /**
   * Offboards a portal (docs/decisions/0019): its registration and encrypted token are
   * deleted at once, so nothing calls HubSpot for it again; its personal data stays
   * readable for its retention period (settings.retention.personalDataDays), then the
   * scheduler erases it. `?erasePersonalData=now` erases it at once.
   */
  @Delete('portals/:portalId')
  async offboard(@PortalIdParam() portalId: number, @Query('erasePersonalData') erasePersonalData?: string): Promise<OffboardReport> {
    if (erasePersonalData !== undefined && erasePersonalData !== 'now') throw new BadRequestException(['erasePersonalData must be "now" (or absent: after the retention period)']);
    const report = await this.admin.offboard(portalId, erasePersonalData === 'now');
    if (!report) throw new NotFoundException(`portal ${portalId} is not registered`);
    return report;
  }

  /**
   * Erases one CRM record's personal data everywhere the platform keeps it (its data
   * keys are destroyed: every sealed part of every event about it becomes unreadable,
   * a ticket's snapshot quoting a contact included) and records SubjectErased on its
   * stream. Idempotent. By record id only: emails and names are kept only sealed.
   */
  @Post('portals/:portalId/erasures')
  @HttpCode(200)
  async erase(@PortalIdParam() portalId: number, @Body() dto: ErasureRequestDto): Promise<ErasureReport> {
    const report = await this.admin.erase(portalId, dto.objectType, dto.objectId);
    if (!report) throw new NotFoundException(`portal ${portalId} is not registered`);
    return report;
  }

  /** The portal's HubSpot limits, the platform's share of them and the shared budget's stored state. */
  @Get('portals/:portalId/budget')
  async budget(@PortalIdParam() portalId: number): Promise<PortalBudgetReport> {
    const report = await this.admin.budgetReport(portalId);
    if (!report) throw new NotFoundException(`portal ${portalId} is not registered`);
    return report;
  }

  /**
   * Model tokens and estimated cost per UTC day, from the recorded decisions.
   * `from`/`to` are dates (YYYY-MM-DD, `to` inclusive); default the last 30 days.
   */
  @Get('portals/:portalId/costs')
  async costs(@PortalIdParam() portalId: number, @Query('from') from?: string, @Query('to') to?: string): Promise<PortalCostReport> {
    const range = costRange(from, to, new Date());
    if (typeof range === 'string') throw new BadRequestException(range);
    const report = await this.admin.costReport(portalId, range.from, range.to);
    if (!report) throw new NotFoundException(`portal ${portalId} is not registered`);
    return report;
  }

  /**
   * The portal's daily digests (Management AI) of one local date, `?date=YYYY-MM-DD`
   * (default: the latest recorded): the owners' and the leadership digest as recorded,
   * with what each channel delivered or why not (docs/runbook.md#reading-a-portals-digests).
   */
  @Get('portals/:portalId/digests')
  async digests(@PortalIdParam() portalId: number, @Query('date') date?: string): Promise<{ portalId: number; date: string; streamId: string; digests: StoredEvent[] }> {
    if (date !== undefined && !isCalendarDate(date)) throw new BadRequestException(['date must be a calendar date, YYYY-MM-DD (the portal\'s local date of the review)']);
    const read = await this.digestsRead.digests(portalId, date);
    switch (read.kind) {
      case 'portal-not-registered':
        throw new NotFoundException(`portal ${portalId} is not registered`);
      case 'none':
        throw new NotFoundException(read.date === null ? `no digest recorded for portal ${portalId} yet` : `no digest recorded for portal ${portalId} on ${read.date}`);
      case 'found':
        return { portalId: read.portalId, date: read.date, streamId: read.streamId, digests: read.digests };
    }
  }

  /** Everything recorded about one CRM object of a portal, oldest first. */
  @Get('portals/:portalId/objects/:objectType/:objectId/events')
  async objectEvents(
    @PortalIdParam() portalId: number,
    @Param('objectType') objectType: string,
    @ObjectIdParam() objectId: string,
  ): Promise<{ streamId: string; events: StoredEvent[] }> {
    if (!CRM_OBJECT_TYPES.includes(objectType as CrmObjectType)) throw new BadRequestException(`objectType must be one of ${CRM_OBJECT_TYPES.join(', ')}`);
    const streamId = StreamIds.crmObject(portalId, objectType, objectId);
    return { streamId, events: await this.admin.stream(streamId) };
  }

  /** Every event of one story, oldest first: why the AI did what it did. */
  @Get('stories/:correlationId')
  async story(@Param('correlationId') correlationId: string): Promise<{ correlationId: string; events: StoredEvent[] }> {
    // Correlation ids are UUIDs: anything else (a NUL byte included) has no story and never reaches Postgres.
    if (!isEventId(correlationId)) throw new NotFoundException('no events with that correlation id');
    const events = await this.admin.story(correlationId);
    if (events.length === 0) throw new NotFoundException(`no events with correlation id ${correlationId}`);
    return { correlationId, events };
  }

  /**
   * Asks the portal's past decisions of one prompt again with `promptVersion`, about
   * the snapshots they saw (202: the enricher runs it; GET the replay for progress).
   */
  @Post('portals/:portalId/replays')
  @HttpCode(202)
  async requestReplay(@PortalIdParam() portalId: number, @Body() dto: RequestReplayDto): Promise<ReplayReport> {
    const range = replayRangeProblems(dto.from, dto.to, new Date());
    if (range.length > 0) throw new BadRequestException(range);
    const report = await this.replays.request(portalId, dto);
    if (!report) throw new NotFoundException(`portal ${portalId} is not registered`);
    return report;
  }

  /** A replay's status, totals, and each decision before and after with its differences. */
  @Get('portals/:portalId/replays/:replayId')
  async replay(@PortalIdParam() portalId: number, @Param('replayId') replayId: string): Promise<ReplayReport> {
    const report = await this.replays.report(portalId, replayId);
    if (!report) throw new NotFoundException(`portal ${portalId} has no replay ${replayId}`);
    return report;
  }

  /** Writes a completed replay's changed answers (all, or `decisionIds`) to the CRM as AI property updates (202). */
  @Post('portals/:portalId/replays/:replayId/apply')
  @HttpCode(202)
  async applyReplay(@PortalIdParam() portalId: number, @Param('replayId') replayId: string, @Body() dto: ApplyReplayDto): Promise<{ applyId: string }> {
    const result = await this.replays.apply(portalId, replayId, dto);
    switch (result.kind) {
      case 'accepted':
        return { applyId: result.applyId };
      case 'not-found':
        throw new NotFoundException(`portal ${portalId} has no replay ${replayId}`);
      case 'not-completed':
        throw new ConflictException(`replay ${replayId} is ${result.status}: only a completed replay can be applied`);
      case 'conflict':
        throw new ConflictException(`replay ${replayId} changed while the apply was recorded: try again`);
    }
  }

  /** Re-publishes one portal's dead letters of a time range to their original topic (dryRun: only counts). */
  @Post('dead-letters/redrive')
  @HttpCode(200)
  async redriveDeadLetters(@Body() dto: RedriveDeadLettersDto): Promise<RedriveReport> {
    const unreadable = unreadableDates({ from: dto.from, to: dto.to });
    if (unreadable.length > 0) throw new BadRequestException(unreadable);
    const from = new Date(dto.from);
    const to = new Date(dto.to);
    if (from > to) throw new BadRequestException(['from must not be after to']);
    try {
      return await this.deadLetters.redrive({ topic: dto.topic, portalId: dto.portalId, from, to, dryRun: dto.dryRun ?? false });
    } catch (error) {
      if (error instanceof UnknownTopicError) throw new NotFoundException(`${error.message}: create the topics with npm run kafka:topics`);
      throw error;
    }
  }
}

/**
 * The given dates Date cannot read (IsISO8601 also lets through week and ordinal
 * dates) or would roll over (2026-02-30 is not 2 March).
 */
function unreadableDates(dates: Record<string, string | undefined>): string[] {
  return Object.entries(dates)
    .filter(([, value]) => value !== undefined && (Number.isNaN(Date.parse(value)) || hasImpossibleCalendarDate(value)))
    .map(([field]) => `${field} must be an ISO 8601 date-time, e.g. 2026-11-28T08:00:00Z`);
}

/** What is wrong with a replay's optional from/to: unreadable dates, or an empty range (`to` defaults to now). */
function replayRangeProblems(from: string | undefined, to: string | undefined, now: Date): string[] {
  const unreadable = unreadableDates({ from, to });
  if (unreadable.length > 0) return unreadable;
  if (from && Date.parse(from) >= (to ? Date.parse(to) : now.getTime())) return [to ? 'from must be before to' : 'from must be before now (to defaults to now)'];
  return [];
}

/** A saved portal; `warnings` (only when there are some) say what could not be checked, e.g. the routing's owners; `onboarding` what a (re)connection found. */
type PresentedPortal = Portal & { warnings?: string[]; onboarding?: SavedPortal['onboarding'] };

/**
 * The saved portal, or the owner check's refusal: 400 naming each wrong owner and the setting that names it,
 * 422 when HubSpot refused the token, 503 when HubSpot could not answer (nothing was saved: retry later).
 */
function presentSaved(result: SavedPortal | OwnerRefusal): PresentedPortal {
  if (result.kind === 'refused') throw refusal(result);
  const portal: PresentedPortal = presentPortal(result.portal);
  if (result.warnings.length > 0) portal.warnings = result.warnings;
  if (result.onboarding) portal.onboarding = result.onboarding;
  return portal;
}

function refusal(result: OwnerRefusal): HttpException {
  switch (result.status) {
    case 400:
      return new BadRequestException(result.messages);
    case 422:
      return new UnprocessableEntityException(result.messages);
    case 503:
      return new ServiceUnavailableException(result.messages);
  }
}

/** A portal as the admin API shows it (alerts included): no token, and only whether a workflow key is set. */
function presentPortal(portal: Portal): Portal {
  const { workflowApiKeySha256, ...settings } = portal.settings;
  return { ...portal, settings: { ...settings, workflowApiKeySet: workflowApiKeySha256 !== undefined } };
}
