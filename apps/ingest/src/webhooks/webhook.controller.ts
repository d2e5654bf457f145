import { Controller, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { BodyTooLargeError, readRawBody } from './raw-body';
import { WebhookIngestService } from './webhook-ingest.service';

@Controller('webhooks/hubspot')
export class WebhookController {
  constructor(private readonly ingest: WebhookIngestService) {}

  @Post()
  async receive(@Req() req: Request, @Res() res: Response): Promise<void> {
    let rawBody: Buffer;
    try {
      rawBody = await readRawBody(req);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        res.status(413).json({ message: error.message });
        return;
      }
      throw error;
    }
    const result = await this.ingest.receive({ method: req.method, pathAndQuery: req.originalUrl, contentType: req.headers['content-type'], rawBody, headers: req.headers });
    res.status(result.status).json(result.body);
  }
}
