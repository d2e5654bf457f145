import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { KafkaBus } from '@app/common';

/** Probes hit this on the public port: answer repeated checks from a short cache. */
const PROBE_CACHE_MS = 1_000;

@Controller('health')
export class HealthController {
  private lastProbe: { at: number; postgres: boolean; kafka: boolean } | undefined;

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
    const { postgres, kafka } = await this.probe();
    const status = !postgres ? 'not-ready' : kafka ? 'ready' : 'degraded';
    res.status(postgres ? 200 : 503).json({ status, postgres, kafka });
  }

  private async probe(): Promise<{ postgres: boolean; kafka: boolean }> {
    if (this.lastProbe && Date.now() - this.lastProbe.at < PROBE_CACHE_MS) return this.lastProbe;
    const [postgres, kafka] = await Promise.all([this.dataSource.query('SELECT 1').then(() => true, () => false), this.bus.isReachable()]);
    this.lastProbe = { at: Date.now(), postgres, kafka };
    return this.lastProbe;
  }
}
