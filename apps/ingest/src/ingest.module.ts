import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { CoalescerService } from './coalescing/coalescer.service';
import { EdgeGuard } from './edge/edge-guard';
import { EdgeMiddleware } from './edge/edge.middleware';
import { HealthController } from './health/health.controller';
import { IngestMetrics } from './metrics/ingest-metrics';
import { GroupCommitter } from './webhooks/group-committer';
import { PortalCache } from './webhooks/portal-cache';
import { WebhookController } from './webhooks/webhook.controller';
import { WebhookIngestService } from './webhooks/webhook-ingest.service';
import { WorkflowWebhookService } from './workflow/workflow-webhook.service';

@Module({
  // /metrics is served on the admin port (AdminDependencies.metrics), not next to the public webhooks.
  controllers: [WebhookController, HealthController],
  providers: [WebhookIngestService, GroupCommitter, WorkflowWebhookService, PortalCache, IngestMetrics, CoalescerService, EdgeGuard],
})
export class IngestModule implements NestModule {
  /** The webhook routes authenticate (or refuse) before their body is read: see edge/edge-guard.ts. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(EdgeMiddleware).forRoutes(WebhookController);
  }
}
