import { Controller, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { IngestMetrics } from '../metrics/ingest-metrics';
import { PortalIdParam } from '../path-params';
import { EdgeGuard } from '../edge/edge-guard';
import { BodyAbortedError, BodyReadError, readRawBody } from './raw-body';
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
    private readonly edge: EdgeGuard,
  ) {}

  @Post()
  async receive(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.answer('app', req, res, (rawBody) =>
      this.ingest.receive({ method: req.method, pathAndQuery: req.originalUrl, contentType: req.headers['content-type'], rawBody, headers: req.headers }),
    );
  }

  /** Workflow "Send a webhook" actions; the portal id is in the URL configured in the workflow. */
  @Post('workflow/:portalId')
  async receiveWorkflow(@PortalIdParam() portalId: number, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.answer('workflow', req, res, (rawBody) =>
      this.workflows.receive(portalId, { method: req.method, pathAndQuery: req.originalUrl, contentType: req.headers['content-type'], rawBody, headers: req.headers }),
    );
  }

  private async answer(route: string, req: Request, res: Response, handle: (rawBody: Buffer) => Promise<WebhookResponse>): Promise<void> {
    const timer = this.metrics.ackLatency.startTimer({ route });
    let result: WebhookResponse;
    try {
      result = await handle(await readRawBody(req, this.edge.bodyReadOptions));
    } catch (error) {
      if (!(error instanceof BodyReadError)) throw error;
      if (error instanceof BodyAbortedError) return; // the client is gone
      // The body is left unread (413, 408, 503): close, or it would be read as the next request.
      res.setHeader('Connection', 'close');
      if (error.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(error.retryAfterSeconds));
      result = { status: error.status, body: { message: error.message } };
    }
    // For the sampled failed-authentication log (EdgeGuard); never in the answer.
    if (result.status === 401) res.locals.authFailure = result.authFailure;
    res.status(result.status).json(result.body);
    timer();
    this.metrics.requests.inc({ route, status: String(result.status) });
  }
}
