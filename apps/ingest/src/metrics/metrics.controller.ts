import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { IngestMetrics } from './ingest-metrics';

@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: IngestMetrics) {}

  @Get()
  async scrape(@Res() res: Response): Promise<void> {
    res.setHeader('content-type', this.metrics.registry.contentType);
    res.send(await this.metrics.registry.metrics());
  }
}
