import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { EdgeGuard } from '../edge/edge-guard';
import { connectedPage, refusedPage } from './oauth-pages';
import { OAuthInstallService, type CallbackQuery } from './oauth-install.service';

/**
 * The install link and HubSpot's redirect back, on the public port (the installer's
 * browser follows them). Pages answer in HTML, or JSON when asked for it.
 */
@Controller('oauth')
export class OAuthController {
  constructor(
    private readonly installs: OAuthInstallService,
    private readonly edge: EdgeGuard,
  ) {}

  /** `?template=` names the settings template the new portal gets; `?portalId=` pins the install to that account. */
  @Get('install')
  async install(@Query('template') template: string | undefined, @Query('portalId') portalId: string | undefined, @Req() req: Request, @Res() res: Response): Promise<void> {
    const started = await this.installs.start({ ...(typeof template === 'string' ? { template } : {}), ...(typeof portalId === 'string' ? { portalId } : {}) });
    res.setHeader('Cache-Control', 'no-store');
    if (started.kind === 'redirect') {
      res.redirect(302, started.location);
      return;
    }
    answer(req, res, started.status, { message: started.message }, refusedPage(started.message));
  }

  @Get('callback')
  async callback(@Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response): Promise<void> {
    if (!this.edge.admitInstallCallback(req, res)) return;
    const text = (key: keyof CallbackQuery) => (typeof query[key] === 'string' ? (query[key] as string) : undefined);
    const outcome = await this.installs.complete({ code: text('code'), state: text('state'), error: text('error'), error_description: text('error_description') });
    res.setHeader('Cache-Control', 'no-store');
    if (outcome.kind === 'refused') {
      // A state not issued here counts against the source (EdgeGuard); a used or expired one was issued here.
      if (outcome.code === 'state-invalid') res.locals.authFailure = 'install state not issued here';
      answer(req, res, outcome.status, { code: outcome.code, message: outcome.message }, refusedPage(outcome.message));
      return;
    }
    const { result } = outcome;
    // What the installer may see: no settings (the portal's workflow key hash among them).
    const { portalId, name, status, account, connection } = result.portal;
    const json = { kind: result.kind, portal: { portalId, name, status, account, connection }, capabilities: result.capabilities, bootstrap: result.bootstrap, subscriptions: result.subscriptions };
    answer(req, res, result.kind === 'registered' ? 201 : 200, json, connectedPage(result));
  }
}

function answer(req: Request, res: Response, status: number, json: unknown, html: string): void {
  if (req.accepts(['html', 'json']) === 'json') res.status(status).json(json);
  else res.status(status).type('html').send(html);
}
