import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { OpsHealthController } from '@app/common';

/**
 * GET /health/live as every service answers it; /health/ready on the platform's
 * readiness model (ReadinessTracker: probes cached briefly, so probes on the public
 * port cost little), read ingest's way. Ready (200) here means webhooks can be made
 * durable, which needs Postgres only: with Kafka down ingest still acknowledges (the
 * outbox holds the events), so it answers 200 with status "degraded" rather than
 * asking a load balancer to stop sending HubSpot's deliveries here. Ingest consumes
 * nothing, so no group membership is involved.
 */
@Controller('health')
export class HealthController extends OpsHealthController {
  @Get('ready')
  override async ready(@Res() res: Response): Promise<void> {
    const { postgres, kafka } = await this.readiness.check();
    const status = !postgres ? 'not-ready' : kafka ? 'ready' : 'degraded';
    res.status(postgres ? 200 : 503).json({ status, postgres, kafka });
  }
}
