import { Body, Controller, Get, HttpCode, NotFoundException, Param, Put, UseGuards } from '@nestjs/common';
import type { PortalSettings } from '@app/common';
import { AdminAuthGuard } from '../admin/admin-auth.guard';
import { SettingsTemplateDto } from '../admin/register-portal.dto';
import { SettingsTemplates } from './settings-templates';

const TEMPLATE_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * Named portal settings (plan, routing, privacy, limits, retention) that an install
 * link applies to the portal it registers: GET /oauth/install?template=<name>. Validated
 * as POST /admin/portals validates settings.
 */
@Controller('admin/settings-templates')
@UseGuards(AdminAuthGuard)
export class SettingsTemplatesController {
  constructor(private readonly templates: SettingsTemplates) {}

  @Get()
  async list(): Promise<{ templates: Array<{ name: string; settings: PortalSettings; updatedAt: string }> }> {
    return { templates: await this.templates.list() };
  }

  @Get(':name')
  async get(@Param('name') name: string): Promise<{ name: string; settings: PortalSettings }> {
    const settings = TEMPLATE_NAME.test(name) ? await this.templates.find(name) : undefined;
    if (!settings) throw new NotFoundException(`there is no settings template named "${name}"`);
    return { name, settings };
  }

  @Put(':name')
  @HttpCode(200)
  async put(@Param('name') name: string, @Body() dto: SettingsTemplateDto): Promise<{ name: string; settings: PortalSettings; installLink: string }> {
    if (!TEMPLATE_NAME.test(name)) throw new NotFoundException('a template name is 1–64 lowercase letters, digits, ".", "_" or "-"');
    const settings = JSON.parse(JSON.stringify(dto)) as PortalSettings;
    await this.templates.save(name, settings);
    return { name, settings, installLink: `/oauth/install?template=${encodeURIComponent(name)}` };
  }
}
