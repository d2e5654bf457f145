import { BadRequestException, Body, Controller, HttpCode, Post, ServiceUnavailableException, UseGuards } from '@nestjs/common';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { AdminAuthGuard } from '../admin/admin-auth.guard';
import { OAuthInstallService } from './oauth-install.service';

/** POST /admin/install-links: one client's install link. */
export class InstallLinkDto {
  /** The settings template the portal gets (PUT /admin/settings-templates/:name). */
  @IsOptional() @IsString() @Matches(/^[a-z0-9][a-z0-9._-]{0,63}$/, { message: 'template must name a settings template (1–64 lowercase letters, digits, ".", "_" or "-")' })
  template?: string;

  /** Pins the install to this HubSpot account: an install in another one is refused. */
  @IsOptional() @IsInt({ message: 'portalId must be an integer (the HubSpot hub id)' }) @Min(1, { message: 'portalId must be positive' }) @Max(Number.MAX_SAFE_INTEGER)
  portalId?: number;

  /** How long the link works, default 72 hours, at most a week. */
  @IsOptional() @IsInt({ message: 'ttlHours must be a whole number of hours from 1 to 168' }) @Min(1, { message: 'ttlHours must be a whole number of hours from 1 to 168' }) @Max(168, { message: 'ttlHours must be a whole number of hours from 1 to 168' })
  ttlHours?: number;
}

/**
 * Install links an operator mints for one client (docs/runbook.md#connecting-a-portal):
 * single-use, approved in advance, so the portal they install starts active (and a
 * portal the operator disconnected is resumed). The open link GET /oauth/install
 * registers portals paused until an operator approves them.
 */
@Controller('admin/install-links')
@UseGuards(AdminAuthGuard)
export class InstallLinksController {
  constructor(private readonly installs: OAuthInstallService) {}

  @Post()
  @HttpCode(201)
  async mint(@Body() dto: InstallLinkDto): Promise<{ url: string; expiresAt: string; template: string | null; portalId: number | null }> {
    const minted = await this.installs.mint(dto);
    if (minted.kind === 'refused') throw minted.status === 503 ? new ServiceUnavailableException([minted.message]) : new BadRequestException([minted.message]);
    return { url: minted.url, expiresAt: minted.expiresAt, template: dto.template ?? null, portalId: dto.portalId ?? null };
  }
}
