import { Controller, Param, ParseIntPipe, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { IngestMetrics } from '../metrics/ingest-metrics';
import { BodyTooLargeError, readRawBody } from './raw-body';
import type { WebhookResponse } from './incoming-webhook';
import { WebhookIngestService } from './webhook-ingest.service';
import { WorkflowWebhookService } from '../workflow/workflow-webhook.service';

/** Transport only: read the raw bytes, delegate, answer, count. */
@Controller('webhooks/hubspot')
export class WebhookController {
  constructor(
    private readonly ingest: WebhookIngestService,
    private readonly workflows: WorkflowWebhookService,
    private readonly metrics: IngestMetrics,
  ) {}

  @Post()
  async receive(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.answer('app', req, res, (rawBody) =>
      this.ingest.receive({ method: req.method, pathAndQuery: req.originalUrl, contentType: req.headers['content-type'], rawBody, headers: req.headers }),
    );
  }

  /** Workflow "Send a webhook" actions; the portal id is in the URL configured in the workflow. */
  @Post('workflow/:portalId')
  async receiveWorkflow(@Param('portalId', ParseIntPipe) portalId: number, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.answer('workflow', req, res, (rawBody) =>
      this.workflows.receive(portalId, { method: req.method, pathAndQuery: req.originalUrl, contentType: req.headers['content-type'], rawBody, headers: req.headers }),
    );
  }

  private async answer(route: string, req: Request, res: Response, handle: (rawBody: Buffer) => Promise<WebhookResponse>): Promise<void> {
    const timer = this.metrics.ackLatency.startTimer({ route });
    let result: WebhookResponse;
    try {
      result = await handle(await readRawBody(req));
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      result = { status: 413, body: { message: error.message } };
    }
    res.status(result.status).json(result.body);
    timer();
    this.metrics.requests.inc({ route, status: String(result.status) });
  }
}
