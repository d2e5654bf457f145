import { BadRequestException, Body, ConflictException, Controller, Get, HttpCode, NotFoundException, Param, ParseIntPipe, Patch, Post, UseGuards } from '@nestjs/common';
import { CRM_OBJECT_TYPES, StreamIds, type CrmObjectType, type Portal, type StoredEvent } from '@app/common';
import { AdminAuthGuard } from './admin-auth.guard';
import { PortalAdminService } from './portal-admin.service';
import { RegisterPortalDto } from './register-portal.dto';
import { UpdatePortalDto } from './update-portal.dto';

@Controller('admin')
@UseGuards(AdminAuthGuard)
export class AdminController {
  constructor(private readonly admin: PortalAdminService) {}

  @Post('portals')
  @HttpCode(201)
  async register(@Body() dto: RegisterPortalDto): Promise<Portal> {
    const result = await this.admin.register(dto);
    if (result === 'exists') throw new ConflictException(`portal ${dto.portalId} is already registered`);
    return presentPortal(result);
  }

  @Get('portals/:portalId')
  async get(@Param('portalId', ParseIntPipe) portalId: number): Promise<Portal> {
    const portal = await this.admin.find(portalId);
    if (!portal) throw new NotFoundException(`portal ${portalId} is not registered`);
    return presentPortal(portal);
  }

  /** Changes name, status (active, paused, disabled), enabled subscriptions or the workflow API key. */
  @Patch('portals/:portalId')
  async update(@Param('portalId', ParseIntPipe) portalId: number, @Body() dto: UpdatePortalDto): Promise<Portal> {
    const portal = await this.admin.update(portalId, dto);
    if (!portal) throw new NotFoundException(`portal ${portalId} is not registered`);
    return presentPortal(portal);
  }

  /** Everything recorded about one CRM object of a portal, oldest first. */
  @Get('portals/:portalId/objects/:objectType/:objectId/events')
  async objectEvents(
    @Param('portalId', ParseIntPipe) portalId: number,
    @Param('objectType') objectType: string,
    @Param('objectId') objectId: string,
  ): Promise<{ streamId: string; events: StoredEvent[] }> {
    if (!CRM_OBJECT_TYPES.includes(objectType as CrmObjectType)) throw new BadRequestException(`objectType must be one of ${CRM_OBJECT_TYPES.join(', ')}`);
    const streamId = StreamIds.crmObject(portalId, objectType, objectId);
    return { streamId, events: await this.admin.stream(streamId) };
  }

  /** Every event of one story, oldest first: why the AI did what it did. */
  @Get('stories/:correlationId')
  async story(@Param('correlationId') correlationId: string): Promise<{ correlationId: string; events: StoredEvent[] }> {
    const events = await this.admin.story(correlationId);
    if (events.length === 0) throw new NotFoundException(`no events with correlation id ${correlationId}`);
    return { correlationId, events };
  }
}

/** A portal as the admin API shows it: no token, and only whether a workflow key is set. */
function presentPortal(portal: Portal): Portal {
  const { workflowApiKeySha256, ...settings } = portal.settings;
  return { ...portal, settings: { ...settings, workflowApiKeySet: workflowApiKeySha256 !== undefined } };
}
