import { Body, ConflictException, Controller, Get, HttpCode, NotFoundException, Param, ParseIntPipe, Post, UseGuards } from '@nestjs/common';
import type { Portal, StoredEvent } from '@app/common';
import { AdminAuthGuard } from './admin-auth.guard';
import { PortalAdminService } from './portal-admin.service';
import { RegisterPortalDto } from './register-portal.dto';

@Controller('admin')
@UseGuards(AdminAuthGuard)
export class AdminController {
  constructor(private readonly admin: PortalAdminService) {}

  @Post('portals')
  @HttpCode(201)
  async register(@Body() dto: RegisterPortalDto): Promise<Portal> {
    const result = await this.admin.register(dto);
    if (result === 'exists') throw new ConflictException(`portal ${dto.portalId} is already registered`);
    return result;
  }

  @Get('portals/:portalId')
  async get(@Param('portalId', ParseIntPipe) portalId: number): Promise<Portal> {
    const portal = await this.admin.find(portalId);
    if (!portal) throw new NotFoundException(`portal ${portalId} is not registered`);
    return portal;
  }

  /** Every event of one story, oldest first: why the AI did what it did. */
  @Get('stories/:correlationId')
  async story(@Param('correlationId') correlationId: string): Promise<{ correlationId: string; events: StoredEvent[] }> {
    const events = await this.admin.story(correlationId);
    if (events.length === 0) throw new NotFoundException(`no events with correlation id ${correlationId}`);
    return { correlationId, events };
  }
}
