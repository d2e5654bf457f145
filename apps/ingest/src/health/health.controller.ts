import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { KafkaBus } from '@app/common';

@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: KafkaBus,
  ) {}

  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Checks Postgres and Kafka. Ready (200) means webhooks can be made durable, which
   * needs Postgres only: with Kafka down ingest still acknowledges (the outbox holds
   * the events), so it answers 200 with status "degraded" rather than asking a load
   * balancer to stop sending HubSpot's deliveries here.
   */
  @Get('ready')
  async ready(@Res() res: Response): Promise<void> {
    const [postgres, kafka] = await Promise.all([
      this.dataSource.query('SELECT 1').then(() => true, () => false),
      this.bus.isReachable(),
    ]);
    const status = !postgres ? 'not-ready' : kafka ? 'ready' : 'degraded';
    res.status(postgres ? 200 : 503).json({ status, postgres, kafka });
  }
}
