import { Body, Controller, HttpCode, NotFoundException, Post, ServiceUnavailableException, UnprocessableEntityException, UseGuards, type HttpException } from '@nestjs/common';
import { AdminAuthGuard } from '../admin/admin-auth.guard';
import { PortalIdParam } from '../path-params';
import { BootstrapRequestDto } from './bootstrap-request.dto';
import { PortalBootstrapService, type PortalBootstrap, type PortalBootstrapReport } from './portal-bootstrap.service';

@Controller('admin')
@UseGuards(AdminAuthGuard)
export class OnboardingController {
  constructor(private readonly bootstraps: PortalBootstrapService) {}

  /**
   * Creates the capabilities' property groups and `ai_*` properties in the portal where
   * missing, and adds missing enumeration options; never overwrites (a same-named property
   * of another type is reported `conflicting`). Safe to run again at any time.
   * 422: the token is refused or lacks scopes (named); 503: HubSpot could not answer.
   */
  @Post('portals/:portalId/bootstrap')
  @HttpCode(200)
  async bootstrap(@PortalIdParam() portalId: number, @Body() dto: BootstrapRequestDto = {}): Promise<PortalBootstrapReport> {
    const outcome = await this.bootstraps.run(portalId, dto.capabilities);
    if (outcome.kind === 'done') return outcome.report;
    throw refusal(portalId, outcome);
  }
}

function refusal(portalId: number, outcome: Exclude<PortalBootstrap, { kind: 'done' }>): HttpException {
  if (outcome.kind === 'unknown-portal') return new NotFoundException(`portal ${portalId} is not registered`);
  const body = { message: outcome.messages, missingScopes: outcome.missingScopes, ...(outcome.results ? { results: outcome.results } : {}) };
  switch (outcome.status) {
    case 422:
      return new UnprocessableEntityException({ statusCode: 422, error: 'Unprocessable Entity', ...body });
    case 503:
      return new ServiceUnavailableException({ statusCode: 503, error: 'Service Unavailable', ...body });
  }
}
