import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ReadinessTracker } from '@app/common';

@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessTracker) {}

  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * The platform's readiness model (ReadinessTracker: probes cached briefly, so
   * probes on the public port cost little). Ready (200) here means webhooks can be
   * made durable, which needs Postgres only: with Kafka down ingest still
   * acknowledges (the outbox holds the events), so it answers 200 with status
   * "degraded" rather than asking a load balancer to stop sending HubSpot's
   * deliveries here. Ingest consumes nothing, so no group membership is involved.
   */
  @Get('ready')
  async ready(@Res() res: Response): Promise<void> {
    const { postgres, kafka } = await this.readiness.check();
    const status = !postgres ? 'not-ready' : kafka ? 'ready' : 'degraded';
    res.status(postgres ? 200 : 503).json({ status, postgres, kafka });
  }
}
