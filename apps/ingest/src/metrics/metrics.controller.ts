import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { IngestMetrics } from './ingest-metrics';
import { MetricsAuthGuard } from './metrics-auth.guard';

/** Served on the admin listener only (AdminModule.from), behind a key (MetricsAuthGuard). */
@Controller('metrics')
@UseGuards(MetricsAuthGuard)
export class MetricsController {
  constructor(private readonly metrics: IngestMetrics) {}

  @Get()
  async scrape(@Res() res: Response): Promise<void> {
    res.setHeader('content-type', this.metrics.registry.contentType);
    res.send(await this.metrics.registry.metrics());
  }
}
