import { BadRequestException, Body, ConflictException, Controller, Get, HttpCode, NotFoundException, Param, Post, UnprocessableEntityException, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from '../admin/admin-auth.guard';
import { hasImpossibleCalendarDate } from '../admin/strict-date';
import { PortalIdParam } from '../path-params';
import { BackfillAdminService, type BackfillAction, type BackfillActionResult, type BackfillRequestResult } from './backfill-admin.service';
import type { BackfillReport, BackfillSummary } from './backfill-report';
import { RequestBackfillDto } from './backfill.dto';

/** Scoring a portal's existing records (docs/decisions/0021); the enricher does the work, these endpoints ask and report. */
@Controller('admin')
@UseGuards(AdminAuthGuard)
export class BackfillController {
  constructor(private readonly backfills: BackfillAdminService) {}

  /** 202: the enricher lists and scores the records at the portal's backfill share of its HubSpot budget; GET it for progress. */
  @Post('portals/:portalId/backfills')
  @HttpCode(202)
  async request(@PortalIdParam() portalId: number, @Body() dto: RequestBackfillDto): Promise<BackfillReport> {
    if (dto.since !== undefined && (Number.isNaN(Date.parse(dto.since)) || hasImpossibleCalendarDate(dto.since))) {
      throw new BadRequestException(['since must be an ISO 8601 date-time, e.g. 2026-01-01T00:00:00Z']);
    }
    return accepted(portalId, await this.backfills.request(portalId, dto));
  }

  @Get('portals/:portalId/backfills')
  async list(@PortalIdParam() portalId: number): Promise<{ backfills: BackfillSummary[] }> {
    const backfills = await this.backfills.list(portalId);
    if (!backfills) throw new NotFoundException(`portal ${portalId} is not registered`);
    return { backfills };
  }

  /** Status, listing, decided / written / failed / skipped, cost so far and the estimated time left. */
  @Get('portals/:portalId/backfills/:backfillId')
  async get(@PortalIdParam() portalId: number, @Param('backfillId') backfillId: string): Promise<BackfillReport> {
    const report = await this.backfills.report(portalId, backfillId);
    if (!report) throw new NotFoundException(`portal ${portalId} has no backfill ${backfillId}`);
    return report;
  }

  /** Stops listing; records already queued are still decided. */
  @Post('portals/:portalId/backfills/:backfillId/pause')
  @HttpCode(200)
  async pause(@PortalIdParam() portalId: number, @Param('backfillId') backfillId: string): Promise<BackfillReport> {
    return done(portalId, backfillId, 'pause', await this.backfills.act(portalId, backfillId, 'pause'));
  }

  /** Goes on from the cursor (a paused backfill, or a failed one once its cause is fixed). */
  @Post('portals/:portalId/backfills/:backfillId/resume')
  @HttpCode(200)
  async resume(@PortalIdParam() portalId: number, @Param('backfillId') backfillId: string): Promise<BackfillReport> {
    return done(portalId, backfillId, 'resume', await this.backfills.act(portalId, backfillId, 'resume'));
  }

  /** Stops for good: nothing more is listed, and records queued but not yet decided are skipped (TriggerSkipped). */
  @Post('portals/:portalId/backfills/:backfillId/cancel')
  @HttpCode(200)
  async cancel(@PortalIdParam() portalId: number, @Param('backfillId') backfillId: string): Promise<BackfillReport> {
    return done(portalId, backfillId, 'cancel', await this.backfills.act(portalId, backfillId, 'cancel'));
  }
}

function accepted(portalId: number, result: BackfillRequestResult): BackfillReport {
  switch (result.kind) {
    case 'accepted':
      return result.report;
    case 'portal-not-found':
      throw new NotFoundException(`portal ${portalId} is not registered`);
    case 'invalid':
      throw new BadRequestException(result.problems);
    case 'missing-scopes':
      throw new UnprocessableEntityException([
        `portal ${portalId}'s token lacks the scope${result.scopes.length > 1 ? 's' : ''} ${result.scopes.join(', ')} that ${result.capability} needs: grant ${result.scopes.length > 1 ? 'them' : 'it'} (reconnect the app), then ask again`,
      ]);
    case 'already-open':
      throw new ConflictException(`portal ${portalId} already has a ${result.status} backfill (${result.backfillId}): resume or cancel it first`);
  }
}

function done(portalId: number, backfillId: string, action: BackfillAction, result: BackfillActionResult): BackfillReport {
  switch (result.kind) {
    case 'done':
      return result.report;
    case 'not-found':
      throw new NotFoundException(`portal ${portalId} has no backfill ${backfillId}`);
    case 'not-allowed':
      throw new ConflictException(`backfill ${backfillId} is ${result.status}: it cannot be ${action === 'pause' ? 'paused' : action === 'resume' ? 'resumed' : 'cancelled'}`);
  }
}
