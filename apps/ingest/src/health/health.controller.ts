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

  /** Ready when Postgres answers (webhooks can be made durable) and a Kafka broker answers. */
  @Get('ready')
  async ready(@Res() res: Response): Promise<void> {
    const [postgres, kafka] = await Promise.all([
      this.dataSource.query('SELECT 1').then(() => true, () => false),
      this.bus.isReachable(),
    ]);
    res.status(postgres && kafka ? 200 : 503).json({ status: postgres && kafka ? 'ready' : 'not-ready', postgres, kafka });
  }
}
