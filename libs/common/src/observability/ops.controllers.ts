import { Controller, Get, HttpCode, Inject, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { Registry } from 'prom-client';
import { MetricsAuthGuard } from './metrics-auth.guard';
import { ReadinessTracker } from './readiness';

/** The registries GET /metrics serves, one after the other (ingest: its own and the platform's). */
export const METRICS_REGISTRIES = Symbol('METRICS_REGISTRIES');

/** Liveness and readiness of a headless service, on its ops listener. */
@Controller('health')
export class OpsHealthController {
  constructor(protected readonly readiness: ReadinessTracker) {}

  /** The process answers: nothing else is checked (a restart would not fix a dependency). */
  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** 200 when ready (see readinessOf), else 503; the body says which check failed. */
  @Get('ready')
  async ready(@Res() res: Response): Promise<void> {
    const report = await this.readiness.check();
    res.status(report.status === 'ready' ? 200 : 503).json(report);
  }
}

@Controller('metrics')
@UseGuards(MetricsAuthGuard)
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRIES) private readonly registries: Registry[]) {}

  @Get()
  async scrape(@Res() res: Response): Promise<void> {
    const texts = await Promise.all(this.registries.map((registry) => registry.metrics()));
    res.setHeader('content-type', this.registries[0]!.contentType);
    res.send(texts.join('\n'));
  }
}
